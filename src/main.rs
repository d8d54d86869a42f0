fn main() {
    std::process::exit(bangfu::cli::main());
}
