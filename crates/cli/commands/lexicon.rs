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
}

pub fn run(command: Command, global: Option<&Path>) -> anyhow::Result<ExitCode> {
    match command {
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
