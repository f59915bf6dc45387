//! One module per subcommand.

pub mod bench;
pub mod classify;
pub mod eval;
pub mod lexicon;
