//! `buyerlens lexicon export|import|reset`: the lexicon kept in the
//! database (the shipped default is the reset point).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::db;

/// Writes the lexicon in force (stored version or default) to FILE or stdout.
pub fn export(file: Option<PathBuf>, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let store = db::open(db_flag)?;
    let source = match store.active_lexicon_version()? {
        Some(stored) => stored.source,
        None => buyerlens_core::lexicon::DEFAULT_LEXICON.to_string(),
    };
    match file {
        Some(path) => std::fs::write(&path, source)
            .map_err(|source| buyerlens_core::Error::Io { path, source })?,
        None => write!(std::io::stdout(), "{source}")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Validates a lexicon file and makes it the one in force.
pub fn import(
    file: PathBuf,
    note: Option<String>,
    db_flag: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&file).map_err(|source| buyerlens_core::Error::Io {
        path: file.clone(),
        source,
    })?;
    let source = buyerlens_core::decode::decode_bytes(&bytes)?.text;
    // Compiling catches what validation can't (automaton limits) before
    // the version is stored and put in force.
    let checked = buyerlens_core::Lexicon::from_toml(&source)?;
    buyerlens_core::Classifier::new(&checked)?;
    let mut store = db::open(db_flag)?;
    db::require_supervisor(&mut store)?;
    let lexicon = store.save_lexicon(&source, note.as_deref(), db::now())?;
    writeln!(
        std::io::stdout(),
        "lexicon {} is now in force ({} cues)",
        lexicon.version,
        lexicon.cues.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Goes back to the shipped default lexicon.
pub fn reset(db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut store = db::open(db_flag)?;
    db::require_supervisor(&mut store)?;
    store.reset_lexicon()?;
    writeln!(std::io::stdout(), "the default lexicon is in force")?;
    Ok(ExitCode::SUCCESS)
}
