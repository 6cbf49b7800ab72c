fn main() -> std::process::ExitCode {
    diffscore::cli::main()
}
