//! `buyerlens restore`: replace the database with a backup. The current
//! file is kept beside it, never deleted.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use buyerlens_core::Store;

use crate::{db, BadInput};

/// Arguments of `restore`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The backup file.
    #[arg(required_unless_present = "latest", conflicts_with = "latest")]
    backup: Option<PathBuf>,
    /// Restore the newest automatic backup (in `backups/` beside the database).
    #[arg(long)]
    latest: bool,
}

pub fn run(args: Args, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let target = db::path(db_flag)?;
    let backup = match args.backup {
        Some(backup) => backup,
        None => {
            let dir = db::backups_dir(&target);
            let latest = buyerlens_core::store::automatic_backups(&target)
                .ok()
                .and_then(|mut found| found.pop());
            latest.ok_or_else(|| {
                BadInput(format!(
                    "there is no automatic backup in {}: restore a backup file by name",
                    dir.display()
                ))
            })?
        }
    };
    let kept = Store::restore(&target, &backup, db::now())?;
    eprintln!("restored {} from {}", target.display(), backup.display());
    if let Some(kept) = kept {
        eprintln!("the previous database was kept as {}", kept.display());
    }
    Ok(ExitCode::SUCCESS)
}
