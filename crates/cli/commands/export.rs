//! `buyerlens export`: a report for Excel/WPS (CSV or xlsx).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::commands::history::Filters;
use crate::{db, BadInput};

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write CSV (UTF-8 with BOM) here.
    #[arg(long, value_name = "PATH")]
    csv: Option<PathBuf>,
    /// Write an xlsx workbook (rows and counts) here.
    #[arg(long, value_name = "PATH")]
    xlsx: Option<PathBuf>,
    #[command(flatten)]
    filters: Filters,
}

pub fn run(args: Args, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    if args.csv.is_none() && args.xlsx.is_none() {
        return Err(
            BadInput("say where to write the report: --csv PATH or --xlsx PATH".into()).into(),
        );
    }
    let store = db::open_existing(db_flag, db::Access::Read)?;
    let filter = args.filters.to_filter()?;
    if let Some(path) = &args.csv {
        let rows = store.export_csv(&filter, path)?;
        eprintln!("{rows} rows written to {}", path.display());
    }
    if let Some(path) = &args.xlsx {
        let rows = store.export_xlsx(&filter, path)?;
        eprintln!("{rows} rows written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
