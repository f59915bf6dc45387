//! The supervisor PIN: stored only as an Argon2 hash (a PHC string) in the
//! settings, checked with a persisted limit on wrong guesses.
//!
//! Without a PIN set, everyone is a supervisor. With one set, corrections,
//! template and lexicon edits need it — in the desktop app and in the CLI,
//! which both check it here.
//!
//! # Rate limit
//! The first [`FREE_ATTEMPTS`] wrong PINs in a row cost nothing; each one
//! after that locks checking for twice as long as the one before, from
//! [`FIRST_LOCKOUT_SECS`] up to [`MAX_LOCKOUT_SECS`]. The count lives in
//! the database, so a new process (another CLI run, a restarted app) sees
//! it; a right PIN resets it. A check during a lockout is refused without
//! looking at the PIN.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::OsRng;
use rusqlite::TransactionBehavior;

use super::{sql, Store, StoreError};
use crate::error::Result;

/// The settings key of the PIN's hash (the name the desktop app has
/// always used, so its databases keep their PIN). An empty value means no
/// PIN.
pub const PIN_SETTING: &str = "desktop.supervisor_pin";

/// The settings key of the wrong-PIN count: `count:time of the last`.
const FAILURES_SETTING: &str = "supervisor.pin_failures";

/// Wrong PINs in a row before checking is locked.
pub const FREE_ATTEMPTS: u32 = 5;
/// The first lockout, in seconds.
pub const FIRST_LOCKOUT_SECS: i64 = 30;
/// The longest lockout, in seconds.
pub const MAX_LOCKOUT_SECS: i64 = 3600;

/// The outcome of checking a PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCheck {
    /// No PIN is set: nothing to check.
    NotSet,
    /// The PIN is right.
    Right,
    /// The PIN is wrong; after `attempts_left` more wrong ones checking is
    /// locked (0: the next wrong one locks).
    Wrong {
        /// Wrong PINs left before a lockout.
        attempts_left: u32,
        /// When this wrong PIN started a lockout, its length in seconds.
        locked_for: Option<i64>,
    },
    /// Too many wrong PINs: try again after this many seconds.
    LockedOut {
        /// Seconds until the next check is allowed.
        seconds: i64,
    },
}

impl PinCheck {
    /// A one-line message for a refused check (`None` when allowed).
    pub fn refusal(&self) -> Option<String> {
        match self {
            PinCheck::NotSet | PinCheck::Right => None,
            PinCheck::Wrong {
                locked_for: Some(seconds),
                ..
            } => Some(format!(
                "the supervisor PIN is not correct; too many wrong PINs: try again in {seconds} seconds"
            )),
            PinCheck::Wrong { attempts_left, .. } => Some(format!(
                "the supervisor PIN is not correct ({attempts_left} more tries before a lockout)"
            )),
            PinCheck::LockedOut { seconds } => Some(format!(
                "too many wrong supervisor PINs: try again in {seconds} seconds"
            )),
        }
    }
}

/// The lockout after `failures` wrong PINs in a row (0 below the limit).
pub fn lockout_secs(failures: u32) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(20);
    (FIRST_LOCKOUT_SECS << doublings).min(MAX_LOCKOUT_SECS)
}

/// Hashes a PIN of 4 to 12 digits with Argon2id and a random salt.
///
/// # Errors
/// [`StoreError::Invalid`] for a PIN that is not 4 to 12 digits.
pub fn hash_pin(pin: &str) -> Result<String> {
    if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StoreError::Invalid("the PIN must be 4 to 12 digits".into()).into());
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("cannot hash the PIN: {e}")).into())
}

/// Whether `pin` matches a stored PHC hash.
pub fn verify_pin(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &hash)
            .is_ok()
    })
}

fn parse_failures(value: Option<String>) -> (u32, i64) {
    value
        .and_then(|v| {
            let (n, at) = v.split_once(':')?;
            Some((n.parse().ok()?, at.parse().ok()?))
        })
        .unwrap_or((0, 0))
}

impl Store {
    /// The stored PIN hash, `None` when no PIN is set.
    ///
    /// # Errors
    /// On a database error.
    pub fn supervisor_pin_hash(&self) -> Result<Option<String>> {
        Ok(self.setting(PIN_SETTING)?.filter(|h| !h.is_empty()))
    }

    /// Whether a supervisor PIN is set.
    ///
    /// # Errors
    /// On a database error.
    pub fn supervisor_pin_set(&self) -> Result<bool> {
        Ok(self.supervisor_pin_hash()?.is_some())
    }

    /// Sets the PIN (stored as an Argon2 hash), or removes it with `None`.
    /// Resets the wrong-PIN count. Callers check the old PIN first.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a PIN that is not 4 to 12 digits; a
    /// database error.
    pub fn set_supervisor_pin(&mut self, pin: Option<&str>) -> Result<()> {
        let hash = pin.map(hash_pin).transpose()?.unwrap_or_default();
        self.set_setting(PIN_SETTING, &hash)?;
        self.set_setting(FAILURES_SETTING, "0:0")
    }

    /// Checks a PIN against the stored hash, counting wrong ones in the
    /// database (see the [module docs](self)). `now` is in seconds.
    ///
    /// The count is read and written in one immediate transaction, so two
    /// processes guessing at once are both counted.
    ///
    /// # Errors
    /// On a database error.
    pub fn check_supervisor_pin(&mut self, pin: &str, now: i64) -> Result<PinCheck> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        let read = |key: &str| -> Result<Option<String>> {
            use rusqlite::OptionalExtension;
            tx.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql("read a setting"))
        };
        let Some(stored) = read(PIN_SETTING)?.filter(|h| !h.is_empty()) else {
            return Ok(PinCheck::NotSet);
        };
        let (failures, last) = parse_failures(read(FAILURES_SETTING)?);
        let until = last + lockout_secs(failures);
        if failures >= FREE_ATTEMPTS && now < until {
            return Ok(PinCheck::LockedOut {
                seconds: until - now,
            });
        }
        let (outcome, failures) = if verify_pin(pin, &stored) {
            (PinCheck::Right, 0)
        } else {
            let failures = failures.saturating_add(1);
            let locked = lockout_secs(failures);
            (
                PinCheck::Wrong {
                    attempts_left: FREE_ATTEMPTS.saturating_sub(failures),
                    locked_for: (locked > 0).then_some(locked),
                },
                failures,
            )
        };
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [FAILURES_SETTING, &format!("{failures}:{now}")],
        )
        .map_err(sql("count a wrong PIN"))?;
        tx.commit().map_err(sql("count a wrong PIN"))?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The hash verifies the PIN it was made from and nothing else, and is salted.
    #[test]
    fn hashes_and_verifies() {
        let stored = hash_pin("2468").unwrap();
        assert!(stored.starts_with("$argon2id$"), "a PHC string: {stored}");
        assert!(verify_pin("2468", &stored));
        assert!(!verify_pin("2469", &stored));
        assert_ne!(
            hash_pin("2468").unwrap(),
            stored,
            "each hash has its own salt"
        );
        assert!(hash_pin("12a4").is_err() && hash_pin("123").is_err());
    }

    // Five wrong PINs are free; then each wrong PIN locks for twice as
    // long, a check during a lockout is refused even with the right PIN,
    // and the right PIN after the lockout resets the count.
    #[test]
    fn wrong_pins_are_rate_limited() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(
            store.check_supervisor_pin("1", 0).unwrap(),
            PinCheck::NotSet
        );
        store.set_supervisor_pin(Some("2468")).unwrap();
        let t = 1_000;
        for i in 0..4 {
            assert_eq!(
                store.check_supervisor_pin("1111", t).unwrap(),
                PinCheck::Wrong {
                    attempts_left: 4 - i,
                    locked_for: None
                }
            );
        }
        assert_eq!(
            store.check_supervisor_pin("1111", t).unwrap(),
            PinCheck::Wrong {
                attempts_left: 0,
                locked_for: Some(30)
            }
        );
        assert_eq!(
            store.check_supervisor_pin("2468", t + 10).unwrap(),
            PinCheck::LockedOut { seconds: 20 },
            "the right PIN is refused during a lockout"
        );
        assert!(matches!(
            store.check_supervisor_pin("1111", t + 30).unwrap(),
            PinCheck::Wrong {
                locked_for: Some(60),
                ..
            }
        ));
        assert_eq!(
            store.check_supervisor_pin("2468", t + 31).unwrap(),
            PinCheck::LockedOut { seconds: 59 }
        );
        assert_eq!(
            store.check_supervisor_pin("2468", t + 90).unwrap(),
            PinCheck::Right
        );
        assert!(matches!(
            store.check_supervisor_pin("1111", t + 91).unwrap(),
            PinCheck::Wrong {
                attempts_left: 4,
                ..
            }
        ));
        assert_eq!(lockout_secs(100), MAX_LOCKOUT_SECS);
    }

    // Removing the PIN means there is nothing to check.
    #[test]
    fn cleared_pin_is_not_set() {
        let mut store = Store::open_in_memory().unwrap();
        store.set_supervisor_pin(Some("2468")).unwrap();
        assert!(store.supervisor_pin_set().unwrap());
        store.set_supervisor_pin(None).unwrap();
        assert!(!store.supervisor_pin_set().unwrap());
        assert_eq!(
            store.check_supervisor_pin("0000", 5).unwrap(),
            PinCheck::NotSet
        );
    }
}
