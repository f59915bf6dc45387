//! Criterion benchmarks of classification: the compiled classifier
//! against the naive `str::contains` baseline, on a 50-message chat, and
//! its stages (parsing, normalising, scoring a parsed transcript).

use buyerlens_core::sample::{compile_regexes, naive_cue_count, synthetic_chat};
use buyerlens_core::{Classifier, Lexicon};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The allocator the `buyerlens` binary and the app use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn classify(c: &mut Criterion) {
    let lexicon = Lexicon::default_lexicon();
    let classifier = Classifier::new(&lexicon).expect("default lexicon compiles");
    let regexes = compile_regexes(&lexicon);
    let chat = synthetic_chat(50, 42);
    let mut group = c.benchmark_group("50-message chat");
    group.throughput(Throughput::Bytes(chat.len() as u64));
    group.bench_function("classifier", |b| b.iter(|| classifier.classify(&chat).ok()));
    group.bench_function("stage: parse", |b| {
        b.iter(|| buyerlens_core::transcript::parse(&chat))
    });
    group.bench_function("stage: normalise every message", |b| {
        let messages = buyerlens_core::transcript::parse(&chat).messages;
        b.iter(|| {
            messages
                .iter()
                .map(|m| buyerlens_core::normalize::normalize(&m.text).text.len())
                .sum::<usize>()
        })
    });
    group.bench_function("stage: score a parsed transcript", |b| {
        let parsed = buyerlens_core::transcript::parse(&chat);
        b.iter(|| classifier.classify_transcript(parsed.clone()))
    });
    group.bench_function("naive str::contains", |b| {
        b.iter(|| naive_cue_count(&lexicon, &regexes, &chat))
    });
    group.finish();
}

criterion_group!(benches, classify);
criterion_main!(benches);
