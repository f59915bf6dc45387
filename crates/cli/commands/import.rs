//! `buyerlens import`: files and folders of transcripts into the database.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use buyerlens_core::import::{self, ImportOptions};
use buyerlens_core::Classifier;

use crate::{db, input};

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files (txt, csv, tsv, xlsx, jsonl, json) and folders to import.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Print a JSON summary `{"files", "conversations_added", "duplicates", "errors"}`.
    #[arg(long)]
    json: bool,
    /// Conversations per transaction (default: one per hundred stored,
    /// from 2,000 up to 10,000 at a million).
    #[arg(long)]
    batch: Option<usize>,
    /// Refuse files larger than this many MiB, by their size, before
    /// reading them (a chat export of 100 MiB holds ~200,000 chats;
    /// split bigger ones). The desktop app uses the same default.
    #[arg(long, value_name = "MIB", default_value_t = import::MAX_FILE_BYTES >> 20)]
    max_file_mib: u64,
    /// Store phone, ID-card and bank-card numbers and addresses as they
    /// are, for this import only (masking is on by default; see `settings`).
    #[arg(long)]
    no_mask: bool,
}

/// Set by Ctrl-C: the import stops after the batch being written, which
/// is committed like every batch before it.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Exit code of an import stopped by Ctrl-C (128 + SIGINT, as shells do).
const EXIT_INTERRUPTED: u8 = 130;

pub fn run(args: Args, db_flag: Option<&Path>, lexicon: Option<&Path>) -> anyhow::Result<ExitCode> {
    // A second Ctrl-C stops at once: committed batches are safe either way.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
    let mut store = db::open(db_flag)?;
    if args.no_mask {
        // Storing personal data is a supervisor's decision.
        db::require_supervisor(&mut store)?;
        store.override_masking(Some(false));
    }
    if let Some(pages) = std::env::var("BUYERLENS_TEST_MAX_PAGES")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
    {
        // Test-only: a database that cannot grow past this many pages
        // stands in for a full disk.
        store.limit_pages_for_tests(pages)?;
    }
    // The --lexicon file when given, else the lexicon in force in the store.
    let classifier = match lexicon {
        Some(_) => input::classifier(lexicon)?,
        None => Classifier::new(&store.active_lexicon()?)?,
    };
    let bar = indicatif::ProgressBar::new(0);
    if args.json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let options = ImportOptions {
        batch_size: args.batch.map(|size| size.max(1)),
        max_file_bytes: args.max_file_mib.saturating_mul(1 << 20),
    };
    let summary = import::import_paths(
        &mut store,
        &classifier,
        &args.paths,
        &options,
        db::now(),
        &INTERRUPTED,
        &mut |progress| {
            bar.set_length(progress.files_total as u64);
            bar.set_position(progress.files_done as u64);
            bar.set_message(format!(
                "{} added, {} duplicates",
                progress.conversations_added, progress.duplicates
            ));
        },
    );
    bar.finish_and_clear();
    let summary = match summary {
        Ok(summary) => summary,
        Err(e) if e.is_disk_full() => {
            return Err(anyhow::Error::new(e).context(
                "the disk is full: the import stopped; every batch stored before this one is \
                 kept and the database is intact — free some space and import again \
                 (what is stored is skipped)",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        writeln!(std::io::stdout(), "{}", serde_json::to_string(&summary)?)?;
    } else {
        writeln!(
            std::io::stdout(),
            "{} files: {} conversations added, {} duplicates, {} problems",
            summary.files,
            summary.conversations_added,
            summary.duplicates,
            summary.errors.len()
        )?;
        for problem in &summary.errors {
            eprintln!("  {}: {}", problem.path, problem.message);
        }
    }
    if summary.cancelled {
        eprintln!(
            "import cancelled: the {} conversations stored so far are kept; run the same \
             import again to finish it (what is stored is skipped)",
            summary.conversations_added
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    // Problems were reported and skipped; the exit code says there were some.
    Ok(if summary.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
