//! The core's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the core.
///
/// Messages are lowercase and say what to do; each variant carries the
/// context (line, entry id, path) a user needs to find the problem.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is empty or holds only whitespace.
    #[error("the transcript is empty: paste or import a chat with at least one message")]
    EmptyInput,
    /// The bytes are not text (an image, an archive, an executable).
    #[error("this is not a text file ({reason}); import a chat export in txt, csv or jsonl")]
    Binary {
        /// Why the bytes were judged binary.
        reason: String,
    },
    /// The input is larger than the configured limit.
    #[error("the input is {size} bytes, over the limit of {limit} bytes; split the file")]
    TooLarge {
        /// Size of the input in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A lexicon file or entry is invalid.
    #[error("lexicon: {0}")]
    Lexicon(String),
    /// A line of a JSONL input could not be read.
    #[error("line {line}: {message}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// An evaluation file is malformed.
    #[error("eval: {0}")]
    Eval(String),
    /// Reading a file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The local database refused or failed an operation.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// An import file could not be read as conversations.
    #[error("{path}: {message}")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// Whether the disk (or the database's size limit) is full: the write
    /// was rolled back, and freeing space is the fix.
    pub fn is_disk_full(&self) -> bool {
        match self {
            Error::Store(crate::store::StoreError::Sql { source, .. })
            | Error::Store(crate::store::StoreError::Open { source, .. }) => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DiskFull)
            ),
            Error::Io { source, .. } => source.raw_os_error() == Some(28),
            _ => false,
        }
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
