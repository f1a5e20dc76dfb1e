//! `jetx`: with no arguments (or `serve`) it runs the web app; other commands work on the
//! same database from the terminal (`jetx --help`).

fn main() -> std::process::ExitCode {
    server::cli::main()
}
