//! The supervisor PIN in the app: the hash, its check and the wrong-PIN
//! rate limit live in the core (`buyerlens_core::store::supervisor`),
//! shared with the CLI; the app adds only the unlocked-for-a-while state.
//! Without a PIN set, everyone is a supervisor.

use std::time::{Duration, Instant};

use buyerlens_core::store::{PinCheck, Store};

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// The settings key of the PIN's hash.
pub use buyerlens_core::store::PIN_SETTING;
/// How long one entry of the PIN unlocks supervisor actions.
pub const UNLOCK_FOR: Duration = Duration::from_secs(15 * 60);

/// Hashes a PIN of 4 to 12 digits (Argon2id).
pub fn hash(pin: &str) -> CommandResult<String> {
    Ok(buyerlens_core::store::supervisor::hash_pin(pin)?)
}

/// Whether `pin` matches the stored hash.
pub fn verify(pin: &str, stored: &str) -> bool {
    buyerlens_core::store::supervisor::verify_pin(pin, stored)
}

/// The stored hash, `None` when no PIN is set.
pub fn stored(store: &Store) -> CommandResult<Option<String>> {
    Ok(store.supervisor_pin_hash()?)
}

/// Checks the PIN with the persisted wrong-PIN limit and unlocks
/// supervisor actions for [`UNLOCK_FOR`] when it is right (or none is set).
pub fn unlock(state: &AppState, pin: &str, now: i64) -> CommandResult<()> {
    let check = state.store()?.check_supervisor_pin(pin, now)?;
    match check {
        PinCheck::NotSet | PinCheck::Right => {
            *state.supervisor_until.lock()? = Some(Instant::now() + UNLOCK_FOR);
            Ok(())
        }
        PinCheck::Wrong {
            locked_for: None, ..
        } => Err(CommandError::WrongPin),
        refused => Err(CommandError::BadInput(
            refused.refusal().unwrap_or_default(),
        )),
    }
}

/// Fails with `locked` unless no PIN is set or it was entered recently.
pub fn require_supervisor(state: &AppState) -> CommandResult<()> {
    if stored(&*state.store()?)?.is_none() {
        return Ok(());
    }
    match *state.supervisor_until.lock()? {
        Some(until) if Instant::now() < until => Ok(()),
        _ => Err(CommandError::Locked),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The hash verifies the PIN it was made from and nothing else, and is salted.
    #[test]
    fn hashes_and_verifies() {
        let stored = hash("2468").unwrap();
        assert!(stored.starts_with("$argon2"), "a PHC string: {stored}");
        assert!(verify("2468", &stored));
        assert!(!verify("2469", &stored));
        assert_ne!(hash("2468").unwrap(), stored, "each hash has its own salt");
        assert!(hash("12a4").is_err() && hash("123").is_err());
    }
}
