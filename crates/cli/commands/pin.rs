//! `buyerlens pin set|clear`: the supervisor PIN (an Argon2 hash in the
//! database, shared with the desktop app). Changing or removing a PIN
//! needs the current one.

use std::path::Path;
use std::process::ExitCode;

use crate::db;

/// PIN subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Set a new PIN of 4 to 12 digits (the current one via --pin when set).
    Set {
        /// The new PIN.
        new_pin: String,
    },
    /// Remove the PIN: everyone may correct and edit again.
    Clear,
    /// Say whether a PIN is set.
    Status,
}

pub fn run(command: Command, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut store = db::open(db_flag)?;
    match command {
        Command::Set { new_pin } => {
            db::require_supervisor(&mut store)?;
            store.set_supervisor_pin(Some(new_pin.trim()))?;
            eprintln!("the supervisor PIN is set");
        }
        Command::Clear => {
            db::require_supervisor(&mut store)?;
            store.set_supervisor_pin(None)?;
            eprintln!("the supervisor PIN is removed");
        }
        Command::Status => println!(
            "{}",
            if store.supervisor_pin_set()? {
                "set"
            } else {
                "not set"
            }
        ),
    }
    Ok(ExitCode::SUCCESS)
}
