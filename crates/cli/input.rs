//! Reading what the user points the CLI at: a file, or stdin for `-`.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use buyerlens_core::decode::decode_bytes;
use buyerlens_core::{Classifier, Error, Lexicon};

/// The largest single transcript `classify` reads: a chat is kilobytes;
/// anything this big is an export to `import`, not one conversation.
pub const MAX_TRANSCRIPT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads at most `limit` bytes from FILE or stdin (`-` or none).
pub fn read_bytes(path: Option<&Path>, limit: u64) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match path {
        None => {
            read_limited(std::io::stdin().lock(), limit, &mut bytes).context("reading stdin")?
        }
        Some(p) if p == Path::new("-") => {
            read_limited(std::io::stdin().lock(), limit, &mut bytes).context("reading stdin")?
        }
        Some(p) => {
            let file = std::fs::File::open(p).map_err(|source| Error::Io {
                path: p.to_path_buf(),
                source,
            })?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            if size > limit {
                return Err(Error::TooLarge { size, limit }.into());
            }
            read_limited(file, limit, &mut bytes).map_err(|source| Error::Io {
                path: p.to_path_buf(),
                source,
            })?;
        }
    }
    Ok(bytes)
}

fn read_limited(reader: impl Read, limit: u64, into: &mut Vec<u8>) -> std::io::Result<()> {
    reader.take(limit.saturating_add(1)).read_to_end(into)?;
    if into.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            Error::TooLarge {
                size: into.len() as u64,
                limit,
            },
        ));
    }
    Ok(())
}

/// Reads and decodes one transcript.
pub fn read_text(path: Option<&Path>) -> anyhow::Result<String> {
    let bytes = read_bytes(path, MAX_TRANSCRIPT_BYTES)?;
    let decoded = decode_bytes(&bytes)?;
    if let Some(warning) = decoded.lossy_warning() {
        // Read anyway (the rest of the chat is good), but say so.
        let name = match path {
            Some(p) if p != Path::new("-") => p.display().to_string(),
            _ => "stdin".into(),
        };
        eprintln!("buyerlens: warning: {name}: {warning}");
    }
    Ok(decoded.text)
}

/// Loads the lexicon (the `--lexicon` file or the default) and compiles it.
pub fn classifier(lexicon: Option<&Path>) -> anyhow::Result<Classifier> {
    let lexicon = load_lexicon(lexicon)?;
    Ok(Classifier::new(&lexicon)?)
}

/// Loads and validates a lexicon file, or the default one.
pub fn load_lexicon(path: Option<&Path>) -> anyhow::Result<Lexicon> {
    match path {
        None => Ok(Lexicon::default_lexicon()),
        Some(path) => {
            let source = std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            Lexicon::from_toml(&source).with_context(|| format!("in {}", path.display()))
        }
    }
}
