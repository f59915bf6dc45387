//! `buyerlens bench`: classification speed, measured in this process.
//!
//! Reports single-thread throughput (MB/s of transcript text) against the
//! naive baseline ([`buyerlens_core::sample::naive_cue_count`]) in the
//! same run, latency percentiles for a 50-message chat, and batch
//! throughput per thread count.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use buyerlens_core::sample::{compile_regexes, naive_cue_count, synthetic_chat};
use rayon::prelude::*;
use serde::Serialize;

use crate::input;

/// Arguments of `bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Labeled or unlabeled JSONL whose `text` fields to use (default: synthetic chats).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Seconds to spend on each throughput figure.
    #[arg(long, default_value_t = 2.0)]
    seconds: f64,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Measure the store instead: history, search, reports and import
    /// with a database of --rows conversations (see bench_store.rs).
    #[arg(long)]
    pub store: bool,
    /// Conversations in the store benchmark's database.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
}

#[derive(Debug, Serialize)]
struct Figures {
    corpus: String,
    transcripts: usize,
    corpus_bytes: usize,
    single_thread_mb_per_s: f64,
    naive_mb_per_s: f64,
    speedup_over_naive: f64,
    latency_50_messages_bytes: usize,
    latency_p50_us: f64,
    latency_p99_us: f64,
    batch: Vec<BatchFigure>,
}

#[derive(Debug, Serialize)]
struct BatchFigure {
    threads: usize,
    conversations_per_s: f64,
    mb_per_s: f64,
}

/// Runs `work` over `texts` repeatedly for about `seconds`; returns MB/s.
fn throughput(texts: &[String], seconds: f64, mut work: impl FnMut(&str)) -> f64 {
    let bytes: usize = texts.iter().map(String::len).sum();
    let budget = Duration::from_secs_f64(seconds.max(0.1));
    let start = Instant::now();
    let mut rounds = 0usize;
    while rounds == 0 || start.elapsed() < budget {
        for text in texts {
            work(text);
        }
        rounds += 1;
    }
    (bytes * rounds) as f64 / start.elapsed().as_secs_f64() / 1e6
}

pub fn run(args: Args, lexicon_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let lexicon = input::load_lexicon(lexicon_path)?;
    let classifier = buyerlens_core::Classifier::new(&lexicon)?;
    let (corpus, texts) = match &args.corpus {
        Some(path) => {
            let text = std::fs::read_to_string(path)?;
            let texts: Vec<String> = text
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
                .collect();
            (path.display().to_string(), texts)
        }
        None => (
            "synthetic (1,000 chats of 10–60 messages)".to_string(),
            (0..1000)
                .map(|i| synthetic_chat(10 + i % 51, i as u64))
                .collect(),
        ),
    };
    anyhow::ensure!(
        !texts.is_empty(),
        crate::BadInput("the corpus has no \"text\" lines".into())
    );
    let corpus_bytes = texts.iter().map(String::len).sum();

    let single = throughput(&texts, args.seconds, |t| {
        std::hint::black_box(classifier.classify(t).ok());
    });
    let regexes = compile_regexes(&lexicon);
    let naive = throughput(&texts, args.seconds, |t| {
        std::hint::black_box(naive_cue_count(&lexicon, &regexes, t));
    });

    let chat = synthetic_chat(50, 42);
    let mut samples: Vec<Duration> = (0..3000)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(classifier.classify(&chat).ok());
            start.elapsed()
        })
        .collect();
    samples.sort();
    let percentile =
        |p: f64| samples[((samples.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e6;

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut batch = Vec::new();
    let mut threads = 1;
    while threads <= cores {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let start = Instant::now();
        let mut rounds = 0usize;
        while rounds == 0 || start.elapsed().as_secs_f64() < args.seconds {
            pool.install(|| {
                texts.par_iter().for_each(|t| {
                    std::hint::black_box(classifier.classify(t).ok());
                })
            });
            rounds += 1;
        }
        let elapsed = start.elapsed().as_secs_f64();
        batch.push(BatchFigure {
            threads,
            conversations_per_s: (texts.len() * rounds) as f64 / elapsed,
            mb_per_s: (corpus_bytes * rounds) as f64 / elapsed / 1e6,
        });
        threads = if threads == cores {
            cores + 1
        } else {
            (threads * 2).min(cores)
        };
    }

    let figures = Figures {
        corpus,
        transcripts: texts.len(),
        corpus_bytes,
        single_thread_mb_per_s: single,
        naive_mb_per_s: naive,
        speedup_over_naive: single / naive,
        latency_50_messages_bytes: chat.len(),
        latency_p50_us: percentile(0.50),
        latency_p99_us: percentile(0.99),
        batch,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!(
            "corpus: {} ({} transcripts, {} bytes)",
            figures.corpus, figures.transcripts, figures.corpus_bytes
        );
        println!(
            "single thread: {:.1} MB/s; naive str::contains: {:.1} MB/s; speed-up {:.1}×",
            single, naive, figures.speedup_over_naive
        );
        println!(
            "50-message chat ({} bytes): p50 {:.1} µs, p99 {:.1} µs",
            figures.latency_50_messages_bytes, figures.latency_p50_us, figures.latency_p99_us
        );
        for b in &figures.batch {
            println!(
                "batch, {} thread(s): {:.0} conversations/s, {:.1} MB/s",
                b.threads, b.conversations_per_s, b.mb_per_s
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
