//! `buyerlens backup`: copy the database with SQLite's online backup.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::db;

/// Arguments of `backup`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the copy.
    path: PathBuf,
}

pub fn run(args: Args, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let store = db::open_existing(db_flag, db::Access::Read)?;
    store.backup_to(&args.path)?;
    eprintln!("backup written to {}", args.path.display());
    Ok(ExitCode::SUCCESS)
}
