//! `mlcloud-emulator [--listen 127.0.0.1:0] [--operation-delay-ms N] [--moto URL] [--data-dir DIR] [--smoke-binary PATH]`
//!
//! Prints one JSON line when every part listens, then serves until SIGINT/SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use mlcloud_emulator::Emulator;
use mlcloud_emulator::options::{Options, OptionsError};

#[tokio::main]
async fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(OptionsError::Help) => {
            println!("{}", mlcloud_emulator::options::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("mlcloud-emulator: {error}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(options).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("mlcloud-emulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", emulator.ready())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("mlcloud-emulator: could not print the ready line");
        return ExitCode::FAILURE;
    }
    drop(stdout);
    wait_for_shutdown().await;
    // Dropping the emulator removes its temporary data directory.
    drop(emulator);
    ExitCode::SUCCESS
}

async fn wait_for_shutdown() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
