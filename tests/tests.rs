//! BuyerLens integration tests: one binary, one module per area.

// Shared helpers: paths, running the CLI, golden-file comparison.
mod util;

// A database of the schema before migration 0004 (shared with the desktop
// shell's tests).
#[path = "fixtures/schema3.rs"]
mod schema3;

// Transcript parsing of every shape against reviewed golden files.
mod parse;

// Reading files in every supported encoding, and refusing binary ones.
mod encoding;

// The CLI: output shapes and exit codes.
mod cli;

// Property tests: no input makes the parser or classifier panic, and
// evidence always points at buyer text.
mod property;

// Classification through the public API on hand-written chats.
mod classify;

// The SQLite store: history, search, corrections, reports, templates,
// lexicon versions, and the safety of the user's file.
mod store;

// Importing files and folders, including a process killed mid-import.
mod import;

// Personal data is masked before it reaches the database file.
mod privacy;

// The supervisor PIN gates corrections, template and lexicon edits.
mod supervisor;

// Bad input of every kind the issue lists, table-driven over the CLI and
// the core: exit code, a message naming the problem, nothing lost.
mod badinput;

// Fuzz properties (proptest; cargo-fuzz needs nightly) for the parser,
// the importers and the lexicon loader; scripts/fuzz.sh runs them long.
mod fuzz;

// Faults: SIGKILL during template and lexicon saves, two writers at once,
// a full disk during import, damaged and newer files with restore --latest.
mod faults;

// No network: the CLI runs under strace and opens no IPv4/IPv6 socket.
mod network;
