//! `buyerlens lexicon`: validate lexicon files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use buyerlens_core::lexicon::Target;

use crate::input;

/// Lexicon subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validate a lexicon file (the default lexicon when none is given).
    Check {
        /// The lexicon file.
        file: Option<PathBuf>,
    },
    /// Write the lexicon in force in the database (FILE, or stdout).
    Export {
        /// The file to write.
        file: Option<PathBuf>,
    },
    /// Validate a lexicon file and put it in force in the database (kept as a new version).
    Import {
        /// The lexicon file.
        file: PathBuf,
        /// Why it changed.
        #[arg(long)]
        note: Option<String>,
    },
    /// Go back to the shipped default lexicon (stored versions are kept).
    Reset,
}

pub fn run(command: Command, global: Option<&Path>, db: Option<&Path>) -> anyhow::Result<ExitCode> {
    match command {
        Command::Export { file } => super::lexicon_store::export(file, db),
        Command::Import { file, note } => super::lexicon_store::import(file, note, db),
        Command::Reset => super::lexicon_store::reset(db),
        Command::Check { file } => {
            let path = file.as_deref().or(global);
            let lexicon = input::load_lexicon(path)?;
            // Compiling catches what validation can't (automaton limits).
            buyerlens_core::Classifier::new(&lexicon)?;
            let mut per_label: BTreeMap<&str, usize> = BTreeMap::new();
            for cue in &lexicon.cues {
                let key = match cue.target {
                    Target::Label(label) => label.code(),
                    Target::Mask => "mask",
                };
                *per_label.entry(key).or_default() += 1;
            }
            let counts: Vec<String> = per_label.iter().map(|(k, n)| format!("{k} {n}")).collect();
            println!(
                "ok: {} — version {}, {} cues ({})",
                path.map_or("default lexicon".to_string(), |p| p.display().to_string()),
                lexicon.version,
                lexicon.cues.len(),
                counts.join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
