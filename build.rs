//! The messages (`locales/*.yml`) are read by `rust_i18n::i18n!` when the
//! crate compiles, and cargo does not see a macro's reads: without this a
//! changed message kept its old words until some source file changed.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
