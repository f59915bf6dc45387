//! `buyerlens restore`: replace the database with a backup. The current
//! file is kept beside it, never deleted.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use buyerlens_core::Store;

use crate::db;

/// Arguments of `restore`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The backup file.
    backup: PathBuf,
}

pub fn run(args: Args, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let target = db::path(db_flag)?;
    let kept = Store::restore(&target, &args.backup, db::now())?;
    eprintln!(
        "restored {} from {}",
        target.display(),
        args.backup.display()
    );
    if let Some(kept) = kept {
        eprintln!("the previous database was kept as {}", kept.display());
    }
    Ok(ExitCode::SUCCESS)
}
