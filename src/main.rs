//! The `crosscheck` binary: parse arguments, run, print any error once, exit with its code.

use std::process::ExitCode;

use clap::Parser;
use crosscheck::cli::{Cli, ExitStatus, main as run};

// The pipeline allocates many small short-lived vectors from both threads (n-gram profiles,
// diffs, candidate lists); with glibc's allocator a sixth of the time went to malloc and free.
// It is built without transparent huge pages (the `no_thp` feature): asked for 2 MB pages, the
// kernel zeroes each one whole on first touch and again after mimalloc returns part of it, and
// at a million sentences that was a third to a half of the run's system time (README, stop 18).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match run(cli) {
        Ok(status) => status,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("crosscheck: error: {err:#}");
            ExitStatus::Error
        }
    };
    ExitCode::from(status.code() as u8)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<csv::Error>().is_some_and(|csv| matches!(csv.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
}
