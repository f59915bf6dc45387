//! `buyerlens eval`: measure the classifier on labeled JSONL.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use buyerlens_core::eval::{self, MultiLabelMetrics, Report, SingleLabelMetrics};
use buyerlens_core::{Classification, Classifier};
use rayon::prelude::*;

use crate::input;

/// Arguments of `eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Labeled JSONL (`{"id", "format", "text", "labels"}` per line).
    #[arg(required_unless_present = "from_history")]
    file: Option<PathBuf>,
    /// Measure against the conversations supervisors corrected in the
    /// database (with the lexicon in force there unless --lexicon is given).
    #[arg(long, conflicts_with = "file")]
    from_history: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// How many misclassified conversations to list (all with --json).
    #[arg(long, default_value_t = 40)]
    misses: usize,
}

pub fn run(args: Args, lexicon: Option<&Path>, db: Option<&Path>) -> anyhow::Result<ExitCode> {
    let (classifier, examples) = match &args.file {
        Some(file) if !args.from_history => {
            let bytes = input::read_bytes(Some(file), u64::MAX)?;
            let text = buyerlens_core::decode::decode_bytes(&bytes)?.text;
            let examples =
                eval::read_examples(&text).with_context(|| format!("in {}", file.display()))?;
            (input::classifier(lexicon)?, examples)
        }
        _ => {
            let store = crate::db::open_existing(db, crate::db::Access::Read)?;
            let classifier = match lexicon {
                Some(_) => input::classifier(lexicon)?,
                None => Classifier::new(&store.active_lexicon()?)?,
            };
            let examples = store.reviewed_examples()?;
            if examples.is_empty() {
                return Err(crate::BadInput(
                    "no corrected conversations yet: correct some with `buyerlens correct`".into(),
                )
                .into());
            }
            (classifier, examples)
        }
    };
    let predictions = classify_all(
        &classifier,
        examples.iter().map(|e| e.text.as_str()).collect(),
    );
    let report = eval::evaluate(&examples, &predictions);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report, args.misses));
    }
    Ok(ExitCode::SUCCESS)
}

/// Classifies on all cores; an empty transcript counts as all-unknown.
fn classify_all(classifier: &Classifier, texts: Vec<&str>) -> Vec<Classification> {
    texts
        .par_iter()
        .map(|text| {
            classifier.classify(text).unwrap_or_else(|_| {
                classifier.classify_transcript(buyerlens_core::transcript::parse(text))
            })
        })
        .collect()
}

fn multi(out: &mut String, title: &str, m: &MultiLabelMetrics) {
    let _ = writeln!(
        out,
        "\n{title}: micro-F1 {:.3}  macro-F1 {:.3}",
        m.micro_f1, m.macro_f1
    );
    let _ = writeln!(
        out,
        "  {:<12} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
        "label", "tp", "fp", "fn", "precision", "recall", "F1"
    );
    for l in &m.labels {
        let _ = writeln!(
            out,
            "  {:<12} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
            l.code, l.tp, l.fp, l.fn_, l.precision, l.recall, l.f1
        );
    }
}

fn single(out: &mut String, title: &str, m: &SingleLabelMetrics) {
    let _ = writeln!(
        out,
        "\n{title}: accuracy {:.3}   (rows expected, columns predicted)",
        m.accuracy
    );
    let _ = write!(out, "  {:<12}", "");
    for code in &m.codes {
        let _ = write!(out, " {code:>12}");
    }
    let _ = writeln!(out);
    for (code, row) in m.codes.iter().zip(&m.confusion) {
        let _ = write!(out, "  {code:<12}");
        for n in row {
            let _ = write!(out, " {n:>12}");
        }
        let _ = writeln!(out);
    }
}

/// The human-readable report.
pub fn render(report: &Report, misses: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} conversations", report.conversations);
    multi(&mut out, "motives", &report.motives);
    multi(&mut out, "topics", &report.topics);
    single(&mut out, "experience", &report.experience);
    single(&mut out, "intent", &report.intent);
    let _ = writeln!(out, "\nper format:");
    let _ = writeln!(
        out,
        "  {:<16} {:>5} {:>10} {:>10} {:>10} {:>10}",
        "format", "n", "motives F1", "topics F1", "experience", "intent"
    );
    for (format, f) in &report.per_format {
        let _ = writeln!(
            out,
            "  {:<16} {:>5} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
            format,
            f.conversations,
            f.motives_micro_f1,
            f.topics_micro_f1,
            f.experience_accuracy,
            f.intent_accuracy
        );
    }
    let _ = writeln!(
        out,
        "\nmisclassified ({} axis errors, showing {}):",
        report.misses.len(),
        misses.min(report.misses.len())
    );
    for miss in report.misses.iter().take(misses) {
        let evidence: Vec<String> = miss
            .misleading
            .iter()
            .map(|e| format!("{:?} ({}, msg {})", e.text, e.rule, e.message))
            .collect();
        let _ = writeln!(
            out,
            "  {} {}: +[{}] -[{}]{}",
            miss.id,
            miss.axis,
            miss.extra.join(","),
            miss.missing.join(","),
            if evidence.is_empty() {
                String::new()
            } else {
                format!("  misled by {}", evidence.join("; "))
            }
        );
    }
    out
}
