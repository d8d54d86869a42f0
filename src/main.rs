fn main() {
    bangfu::identity::private_by_default();
    std::process::exit(bangfu::cli::main());
}
