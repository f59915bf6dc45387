//! `buyerlens`: the command line over the BuyerLens core. It is how
//! scripts and CI drive the product.
//!
//! Exit codes: 0 ok, 2 bad input (a one-line reason on stderr), 1 internal error.

mod commands;
mod db;
mod input;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's malloc: classification allocates per
/// message and per piece of evidence, and malloc and free took a seventh
/// of its time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// BuyerLens (买家画像): who is this buyer?
#[derive(Debug, Parser)]
#[command(name = "buyerlens", version, about)]
struct Cli {
    /// Use this lexicon file instead of the default one.
    #[arg(long, global = true, value_name = "FILE")]
    lexicon: Option<std::path::PathBuf>,
    /// The database (default: $BUYERLENS_DB, else the app's data directory).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<std::path::PathBuf>,
    /// The supervisor PIN, for corrections, template and lexicon edits
    /// when one is set (else $BUYERLENS_PIN, else a prompt on a terminal).
    #[arg(long, global = true, value_name = "PIN")]
    pin: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Classify a transcript (FILE or - for stdin) and print the result JSON.
    Classify(commands::classify::Args),
    /// Measure the classifier on labeled JSONL.
    Eval(commands::eval::Args),
    /// Lexicon tools.
    #[command(subcommand)]
    Lexicon(commands::lexicon::Command),
    /// Measure classification speed (--store: the database's speed).
    Bench(commands::bench::Args),
    /// Import files and folders of transcripts into the database.
    Import(commands::import::Args),
    /// Show stored conversations, newest first, with filters and search.
    History(commands::history::Args),
    /// Count conversations per label, agent, day and week.
    Stats(commands::stats::Args),
    /// Write a report for Excel/WPS (--csv PATH or --xlsx PATH).
    Export(commands::export::Args),
    /// Correct a conversation's labels (a supervisor's review).
    Correct(commands::correct::Args),
    /// Reply templates (话术).
    #[command(subcommand)]
    Templates(commands::templates::Command),
    /// Copy the database (SQLite online backup).
    Backup(commands::backup::Args),
    /// Replace the database with a backup (the current file is kept aside).
    Restore(commands::restore::Args),
    /// Set or remove the supervisor PIN.
    #[command(subcommand)]
    Pin(commands::pin::Command),
    /// Show or change settings (masking of personal data).
    Settings(commands::settings::Args),
}

/// A failure caused by the user's input: exit code 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let lexicon = cli.lexicon.as_deref();
    let db = cli.db.as_deref();
    db::set_pin_flag(cli.pin.clone());
    match cli.command {
        Command::Bench(args) if args.store => {
            commands::bench_store::run(args.rows, db, args.json, lexicon)
        }
        Command::Classify(args) => commands::classify::run(args, lexicon, db),
        Command::Eval(args) => commands::eval::run(args, lexicon, db),
        Command::Lexicon(command) => commands::lexicon::run(command, lexicon, db),
        Command::Bench(args) => commands::bench::run(args, lexicon),
        Command::Import(args) => commands::import::run(args, db, lexicon),
        Command::History(args) => commands::history::run(args, db),
        Command::Stats(args) => commands::stats::run(args, db),
        Command::Export(args) => commands::export::run(args, db),
        Command::Correct(args) => commands::correct::run(args, db),
        Command::Templates(command) => commands::templates::run(command, db),
        Command::Backup(args) => commands::backup::run(args, db),
        Command::Restore(args) => commands::restore::run(args, db),
        Command::Pin(command) => commands::pin::run(command, db),
        Command::Settings(args) => commands::settings::run(args, db),
    }
}

/// Whether an error is the input's fault (exit 2) rather than ours (exit 1).
fn is_bad_input(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<BadInput>().is_some()
            || matches!(
                cause.downcast_ref::<buyerlens_core::Error>(),
                Some(
                    buyerlens_core::Error::EmptyInput
                        | buyerlens_core::Error::Binary { .. }
                        | buyerlens_core::Error::TooLarge { .. }
                        | buyerlens_core::Error::Lexicon(_)
                        | buyerlens_core::Error::BadLine { .. }
                        | buyerlens_core::Error::Eval(_)
                        | buyerlens_core::Error::Io { .. }
                        | buyerlens_core::Error::BadFile { .. }
                        | buyerlens_core::Error::Store(
                            buyerlens_core::store::StoreError::Foreign { .. }
                                | buyerlens_core::store::StoreError::Corrupt { .. }
                                | buyerlens_core::store::StoreError::NewerSchema { .. }
                                | buyerlens_core::store::StoreError::NotFound { .. }
                                | buyerlens_core::store::StoreError::Invalid(_)
                        )
                )
            )
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            // A closed pipe (`buyerlens classify … | head`) is not an error.
            if error.chain().any(|c| {
                let kind = c
                    .downcast_ref::<std::io::Error>()
                    .map(std::io::Error::kind)
                    .or_else(|| {
                        c.downcast_ref::<serde_json::Error>()
                            .and_then(|e| e.io_error_kind())
                    });
                kind == Some(std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let message = format!("{error:#}").replace('\n', " ");
            eprintln!("buyerlens: {message}");
            if is_bad_input(&error) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
