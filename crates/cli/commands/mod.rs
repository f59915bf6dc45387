//! One module per subcommand.

pub mod backup;
pub mod bench;
pub mod bench_store;
pub mod classify;
pub mod correct;
pub mod eval;
pub mod export;
pub mod history;
pub mod import;
pub mod lexicon;
pub mod lexicon_store;
pub mod pin;
pub mod restore;
pub mod settings;
pub mod stats;
pub mod templates;
