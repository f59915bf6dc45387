//! Criterion benchmarks of classification: the compiled classifier
//! against the naive `str::contains` baseline, on a 50-message chat.

use buyerlens_core::sample::{compile_regexes, naive_cue_count, synthetic_chat};
use buyerlens_core::{Classifier, Lexicon};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn classify(c: &mut Criterion) {
    let lexicon = Lexicon::default_lexicon();
    let classifier = Classifier::new(&lexicon).expect("default lexicon compiles");
    let regexes = compile_regexes(&lexicon);
    let chat = synthetic_chat(50, 42);
    let mut group = c.benchmark_group("50-message chat");
    group.throughput(Throughput::Bytes(chat.len() as u64));
    group.bench_function("classifier", |b| b.iter(|| classifier.classify(&chat).ok()));
    group.bench_function("naive str::contains", |b| {
        b.iter(|| naive_cue_count(&lexicon, &regexes, &chat))
    });
    group.finish();
}

criterion_group!(benches, classify);
criterion_main!(benches);
