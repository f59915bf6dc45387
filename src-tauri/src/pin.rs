//! The supervisor PIN: stored only as an Argon2 hash (PHC string) in the
//! store's settings. Entering it unlocks supervisor actions (corrections,
//! template and lexicon edits) for a while; without a PIN set, everyone is
//! a supervisor.

use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use buyerlens_core::store::Store;
use rand_core::OsRng;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// The settings key of the PIN's hash.
pub const PIN_SETTING: &str = "desktop.supervisor_pin";
/// How long one entry of the PIN unlocks supervisor actions.
pub const UNLOCK_FOR: Duration = Duration::from_secs(15 * 60);

/// Hashes a PIN of 4 to 12 digits.
pub fn hash(pin: &str) -> CommandResult<String> {
    if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CommandError::BadInput(
            "the PIN must be 4 to 12 digits".into(),
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CommandError::BadInput(format!("cannot hash the PIN: {e}")))
}

/// Whether `pin` matches the stored hash.
pub fn verify(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &hash)
            .is_ok()
    })
}

/// The stored hash; an empty value (the store cannot delete a setting)
/// means the PIN was removed.
pub fn stored(store: &Store) -> CommandResult<Option<String>> {
    Ok(store.setting(PIN_SETTING)?.filter(|hash| !hash.is_empty()))
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
