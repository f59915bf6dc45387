//! `buyerlens classify`: one transcript, or JSONL lines in parallel.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use buyerlens_core::{Classification, Classifier};
use rayon::prelude::*;
use serde::Serialize;

use crate::input;

/// Arguments of `classify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The transcript file; `-` or nothing reads stdin.
    file: Option<PathBuf>,
    /// Pretty-print the JSON.
    #[arg(long)]
    pretty: bool,
    /// Read JSONL lines `{"id", "text"}` and write one result line each.
    #[arg(long)]
    jsonl: bool,
    /// Add the N best reply templates from the database:
    /// `"templates": [{"id", "title", "text", "why"}]`.
    #[arg(long, value_name = "N", conflicts_with = "jsonl")]
    templates: Option<usize>,
}

/// One output line of `--jsonl`: the result with its input id.
#[derive(Serialize)]
struct ResultLine<'a> {
    id: &'a serde_json::Value,
    #[serde(flatten)]
    result: &'a Classification,
}

/// One failed input line of `--jsonl`.
#[derive(Serialize)]
struct ErrorLine<'a> {
    id: &'a serde_json::Value,
    line: usize,
    error: String,
}

pub fn run(args: Args, lexicon: Option<&Path>, db: Option<&Path>) -> anyhow::Result<ExitCode> {
    let classifier = input::classifier(lexicon)?;
    if args.jsonl {
        return run_jsonl(&classifier, args.file.as_deref(), args.pretty);
    }
    let text = input::read_text(args.file.as_deref())?;
    let result = classifier.classify(&text)?;
    if let Some(n) = args.templates {
        let templates = super::templates::suggest_for(&result, n, db)?;
        let mut value = serde_json::to_value(&result)?;
        value["templates"] = serde_json::to_value(templates)?;
        let rendered = if args.pretty {
            serde_json::to_string_pretty(&value)?
        } else {
            serde_json::to_string(&value)?
        };
        println!("{rendered}");
        return Ok(ExitCode::SUCCESS);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.pretty {
        serde_json::to_writer_pretty(&mut out, &result)?;
    } else {
        serde_json::to_writer(&mut out, &result)?;
    }
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// Lines are read in chunks and classified on all cores; output keeps
/// input order. A bad line gets an error line and the rest go on.
fn run_jsonl(
    classifier: &Classifier,
    file: Option<&Path>,
    pretty: bool,
) -> anyhow::Result<ExitCode> {
    const CHUNK: usize = 4096;
    let reader: Box<dyn BufRead> = match file {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p == Path::new("-") => Box::new(std::io::stdin().lock()),
        Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p).map_err(
            |source| buyerlens_core::Error::Io {
                path: p.to_path_buf(),
                source,
            },
        )?)),
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut failed = 0usize;
    let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK);
    let mut flush =
        |chunk: &mut Vec<(usize, String)>, out: &mut BufWriter<_>| -> anyhow::Result<()> {
            let rendered: Vec<(bool, String)> = chunk
                .par_iter()
                .map(|(number, line)| render_line(classifier, *number, line, pretty))
                .collect();
            for (ok, line) in rendered {
                failed += usize::from(!ok);
                writeln!(out, "{line}")?;
            }
            chunk.clear();
            Ok(())
        };
    for (index, line) in reader.split(b'\n').enumerate() {
        let bytes = line.context("reading the JSONL input")?;
        // Keep invalid UTF-8 lines so they get their own error line.
        let line = String::from_utf8(bytes).unwrap_or_else(|e| {
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            format!("\u{0}{lossy}")
        });
        if line.trim().is_empty() {
            continue;
        }
        chunk.push((index + 1, line));
        if chunk.len() == CHUNK {
            flush(&mut chunk, &mut out)?;
        }
    }
    flush(&mut chunk, &mut out)?;
    out.flush()?;
    drop(out);
    if failed > 0 {
        eprintln!(
            "buyerlens: {failed} input line(s) could not be classified; see their \"error\" lines"
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Classifies one JSONL line; `(false, error line)` when it can't.
fn render_line(classifier: &Classifier, number: usize, line: &str, pretty: bool) -> (bool, String) {
    let null = serde_json::Value::Null;
    let error = |id: &serde_json::Value, message: String| {
        let line = ErrorLine {
            id,
            line: number,
            error: message,
        };
        (false, serde_json::to_string(&line).unwrap_or_default())
    };
    if line.starts_with('\u{0}') {
        return error(&null, "the line is not valid UTF-8".into());
    }
    let value: serde_json::Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return error(&null, format!("not a JSON object: {e}")),
    };
    let id = value.get("id").unwrap_or(&null);
    let Some(text) = value.get("text").and_then(|t| t.as_str()) else {
        return error(id, "no \"text\" string field".into());
    };
    match classifier.classify(text) {
        Ok(result) => {
            let line = ResultLine {
                id,
                result: &result,
            };
            let rendered = if pretty {
                serde_json::to_string_pretty(&line)
            } else {
                serde_json::to_string(&line)
            };
            (true, rendered.unwrap_or_default())
        }
        Err(e) => error(id, e.to_string()),
    }
}
