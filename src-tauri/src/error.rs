//! The error every command returns: serialised as `{ kind, message }` so
//! the UI can branch on `kind` (never on the message).

use buyerlens_core::store::StoreError;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The core refused or failed.
    #[error(transparent)]
    Core(#[from] buyerlens_core::Error),
    /// The database could not be opened at start-up; the message says why.
    #[error("the database is unavailable: {0}")]
    StoreUnavailable(String),
    /// A lock was poisoned by a panic in an earlier command.
    #[error("the app is in an inconsistent state after an earlier failure; restart BuyerLens")]
    Poisoned,
    /// The UI sent something the command cannot use.
    #[error("{0}")]
    BadInput(String),
    /// A supervisor action without the supervisor PIN.
    #[error("this needs the supervisor PIN")]
    Locked,
    /// The PIN entered is not the supervisor's.
    #[error("the PIN is not correct")]
    WrongPin,
    /// The database is still being checked after an unexpected exit.
    #[error("the database is being checked after an unexpected exit; wait a moment")]
    Checking,
    /// The user cancelled the work.
    #[error("cancelled")]
    Cancelled,
    /// Writing a file the user chose failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl CommandError {
    /// The stable code the UI branches on (`ui/src/api.ts` `ErrorKind`).
    pub fn kind(&self) -> &'static str {
        use buyerlens_core::Error as Core;
        match self {
            // No wildcard: a new core variant must be given a kind here.
            CommandError::Core(error) => match error {
                Core::EmptyInput => "empty_input",
                Core::Binary { .. } => "binary",
                Core::TooLarge { .. } => "too_large",
                Core::Lexicon(_) => "lexicon",
                Core::BadLine { .. } | Core::Eval(_) | Core::BadFile { .. } => "bad_input",
                Core::Io { .. } => "io",
                Core::Store(store) => match store {
                    StoreError::NotFound { .. } => "not_found",
                    StoreError::Invalid(_) => "bad_input",
                    StoreError::Sql { .. }
                    | StoreError::Open { .. }
                    | StoreError::Foreign { .. }
                    | StoreError::Corrupt { .. }
                    | StoreError::NewerSchema { .. }
                    | StoreError::Migration(_) => "store",
                    StoreError::Interrupted => "cancelled",
                },
            },
            CommandError::StoreUnavailable(_) => "unavailable",
            CommandError::Poisoned => "internal",
            CommandError::BadInput(_) => "bad_input",
            CommandError::Locked => "locked",
            CommandError::WrongPin => "wrong_pin",
            CommandError::Cancelled => "cancelled",
            CommandError::Checking => "checking",
            CommandError::Write { .. } => "io",
        }
    }
}

impl<T> From<std::sync::PoisonError<T>> for CommandError {
    fn from(_: std::sync::PoisonError<T>) -> CommandError {
        CommandError::Poisoned
    }
}

impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("CommandError", 2)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

/// The result type of every command.
pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    // The UI depends on exactly this JSON shape and these kinds.
    #[test]
    fn serialises_kind_and_message() {
        let json =
            serde_json::to_value(CommandError::from(buyerlens_core::Error::EmptyInput)).unwrap();
        assert_eq!(json["kind"], "empty_input");
        assert!(json["message"].as_str().unwrap().contains("empty"));
        let missing = CommandError::from(buyerlens_core::Error::from(StoreError::NotFound {
            what: "template",
            id: 9,
        }));
        assert_eq!(serde_json::to_value(missing).unwrap()["kind"], "not_found");
    }
}
