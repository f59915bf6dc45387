//! Finding and opening the database, and the local clock: what the
//! store-backed subcommands share.

use std::path::{Path, PathBuf};

use anyhow::Context;
use buyerlens_core::Store;

use crate::BadInput;

/// The database path: `--db`, else `BUYERLENS_DB`, else the platform's
/// app-data directory (the desktop app's file).
pub fn path(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("BUYERLENS_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    Store::default_path().ok_or_else(|| {
        BadInput("no home directory to keep the database in: pass --db PATH".into()).into()
    })
}

/// Opens (creating if needed) the database.
pub fn open(flag: Option<&Path>) -> anyhow::Result<Store> {
    let path = path(flag)?;
    Store::open(&path).with_context(|| format!("opening the database at {}", path.display()))
}

/// Opens an existing database; a missing file is bad input, not a new database.
pub fn open_existing(flag: Option<&Path>) -> anyhow::Result<Store> {
    let path = path(flag)?;
    if !path.exists() {
        return Err(BadInput(format!(
            "there is no database at {}: import conversations first, or pass --db PATH",
            path.display()
        ))
        .into());
    }
    Store::open(&path).with_context(|| format!("opening the database at {}", path.display()))
}

/// Now, as local wall-clock seconds (the store's time unit).
pub fn now() -> i64 {
    chrono::Local::now().naive_local().and_utc().timestamp()
}

/// Parses `--from`/`--to`: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]`. A bare
/// date means the start of that day, or its end when `end_of_day`.
pub fn parse_time(text: &str, end_of_day: bool) -> anyhow::Result<i64> {
    let seconds = buyerlens_core::store::time::parse_local(text).ok_or_else(|| {
        BadInput(format!(
            "\"{text}\" is not a date: write YYYY-MM-DD or YYYY-MM-DD HH:MM"
        ))
    })?;
    let bare_date = text.trim().len() <= 10;
    Ok(if end_of_day && bare_date {
        seconds + 86_399
    } else {
        seconds
    })
}

/// A label given on the command line, by code (`bargain`) or Chinese name
/// (`求廉`), checked against its axis.
pub fn label(axis: buyerlens_core::Axis, text: &str) -> anyhow::Result<buyerlens_core::Label> {
    let text = text.trim();
    buyerlens_core::Label::of_axis(axis)
        .find(|l| l.code() == text || l.zh() == text)
        .ok_or_else(|| {
            let known: Vec<String> = buyerlens_core::Label::of_axis(axis)
                .map(|l| format!("{} ({})", l.code(), l.zh()))
                .collect();
            BadInput(format!(
                "\"{text}\" is not a {} label; use one of: {}",
                axis.code(),
                known.join(", ")
            ))
            .into()
        })
}

/// A comma-separated list of labels (`""` is the empty list).
pub fn labels(
    axis: buyerlens_core::Axis,
    text: &str,
) -> anyhow::Result<Vec<buyerlens_core::Label>> {
    text.split([',', '，'])
        .filter(|part| !part.trim().is_empty())
        .map(|part| label(axis, part))
        .collect()
}
