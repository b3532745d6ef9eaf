//! `gatehouse-server`: parses the configuration and hands over to the library.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use gatehouse_server::cli::{Cli, Command};
use tracing_subscriber::EnvFilter;

/// mimalloc rather than glibc's allocator: SQLite rows are allocated on sqlx's connection
/// threads and freed on tokio's, which glibc's per-thread arenas handle poorly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // Log lines are handed to a thread of their own to write, so no request ever waits on
    // stderr (a slow terminal, a full pipe, a stalled log collector). When that thread falls
    // behind a flood, lines are dropped, never requests; what is buffered is written before
    // the process ends.
    let (writer, _written_at_exit) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_sessions=warn,sqlx=warn")),
        )
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => match gatehouse_server::serve(&cli.config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::User(command) => match gatehouse_server::cli::run(&cli.config, command).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(e.exit_code())
            }
        },
    }
}
