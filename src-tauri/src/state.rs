//! What every command shares: the compiled classifier and the store.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::Instant;

use buyerlens_core::store::Store;
use buyerlens_core::{Classifier, Lexicon};

use crate::error::{CommandError, CommandResult};

/// The one managed state of the app.
pub struct AppState {
    /// The lexicon in force at start, compiled on a thread of its own so
    /// that compiling it (a few hundred ms) is off the start path: the
    /// window comes up meanwhile, and the first command that classifies
    /// waits for it. The error is the lexicon's, as text.
    compiled: Arc<OnceLock<Result<Classifier, String>>>,
    /// Swapped in whole when the lexicon is edited (then it wins over
    /// `compiled`); never rebuilt per request.
    classifier: RwLock<Option<Classifier>>,
    /// `rusqlite::Connection` is `Send` but not `Sync`: one writer at a time.
    /// `Err` holds why the database could not be opened, so classifying
    /// still works and every store command says why it cannot.
    store: Mutex<Result<Store, String>>,
    /// Where the database is (or was meant to be).
    pub db_path: Option<PathBuf>,
    /// Set by `cancel_import`; the running import stops before its next batch.
    pub import_cancel: AtomicBool,
    /// Whether an import runs (one at a time).
    pub import_running: AtomicBool,
    /// Supervisor actions are allowed until then (see `pin`).
    pub supervisor_until: Mutex<Option<Instant>>,
    /// The lexicon being edited, compiled once for the phrases tried
    /// against it: (hash of its source, classifier).
    pub trial: Mutex<Option<(u64, Classifier)>>,
}

impl AppState {
    /// Builds the state over an opened (or failed) store, installing the
    /// default templates on a new database. The classifier uses the store's
    /// active lexicon, or the shipped one without a store.
    ///
    /// # Errors
    /// When the store cannot install the default templates or read its
    /// lexicon (a lexicon that does not compile is reported by the commands
    /// that classify).
    pub fn new(
        mut store: Result<Store, String>,
        db_path: Option<PathBuf>,
    ) -> CommandResult<AppState> {
        let lexicon = match &mut store {
            Ok(store) => {
                // First use of a database: the shipped reply templates.
                store.install_default_templates(local_now())?;
                store.active_lexicon()?
            }
            Err(_) => Lexicon::default_lexicon(),
        };
        Ok(AppState {
            compiled: compile_in_background(lexicon),
            classifier: RwLock::new(None),
            store: Mutex::new(store),
            db_path,
            import_cancel: AtomicBool::new(false),
            import_running: AtomicBool::new(false),
            supervisor_until: Mutex::new(None),
            trial: Mutex::new(None),
        })
    }

    /// Opens the database at `path` (creating it), keeping the error if it fails.
    pub fn open(path: PathBuf) -> CommandResult<AppState> {
        if let Some(dir) = path.parent() {
            // A failure here shows up as the open error just below.
            let _ = std::fs::create_dir_all(dir);
        }
        let existed = path.exists();
        let store = Store::open(&path).map_err(|e| e.to_string());
        if existed && store.is_ok() {
            keep_daily_backup(path.clone());
        }
        AppState::new(store, Some(path))
    }

    /// A state over an in-memory database (tests).
    pub fn in_memory() -> CommandResult<AppState> {
        AppState::new(Ok(Store::open_in_memory()?), None)
    }

    /// The current classifier (a cheap clone: an `Arc` inside); right
    /// after start, waits until the lexicon is compiled.
    pub fn classifier(&self) -> CommandResult<Classifier> {
        if let Some(classifier) = &*self.classifier.read()? {
            return Ok(classifier.clone());
        }
        match self.compiled.wait() {
            Ok(classifier) => Ok(classifier.clone()),
            Err(message) => Err(buyerlens_core::Error::Lexicon(message.clone()).into()),
        }
    }

    /// Swaps in a classifier built from an edited lexicon.
    pub fn set_classifier(&self, classifier: Classifier) -> CommandResult<()> {
        *self.classifier.write()? = Some(classifier);
        Ok(())
    }

    /// Locks the store for one command.
    pub fn store(&self) -> CommandResult<StoreGuard<'_>> {
        let guard = self.store.lock()?;
        if let Err(reason) = &*guard {
            return Err(CommandError::StoreUnavailable(reason.clone()));
        }
        Ok(StoreGuard(guard))
    }

    /// Why the store could not be opened, if it could not.
    pub fn store_error(&self) -> CommandResult<Option<String>> {
        Ok(self.store.lock()?.as_ref().err().cloned())
    }
}

/// Compiles `lexicon` on a new thread; the cell is filled when it is done
/// (at once, on the caller's thread, if no thread can be started).
fn compile_in_background(lexicon: Lexicon) -> Arc<OnceLock<Result<Classifier, String>>> {
    let cell = Arc::new(OnceLock::new());
    let compile = |lexicon: &Lexicon| Classifier::new(lexicon).map_err(|e| e.to_string());
    let filled = Arc::clone(&cell);
    let fallback = lexicon.clone();
    let spawned = std::thread::Builder::new()
        .name("compile-lexicon".into())
        .spawn(move || {
            let _ = filled.set(compile(&lexicon));
        });
    if let Err(error) = spawned {
        eprintln!("buyerlens: compiling the lexicon on the start thread ({error})");
        let _ = cell.set(compile(&fallback));
    }
    cell
}

/// A locked, open store.
pub struct StoreGuard<'a>(MutexGuard<'a, Result<Store, String>>);

impl std::ops::Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        // `AppState::store` only hands out guards over `Ok`.
        self.0.as_ref().expect("checked open")
    }
}

impl std::ops::DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.0.as_mut().expect("checked open")
    }
}

/// Automatic backups kept beside the database (as the CLI keeps).
const KEEP_AUTOMATIC_BACKUPS: usize = 7;

/// The first start of a day copies the database to `backups/` (the last
/// few kept), on its own thread and connection: a big database must not
/// delay the window, and a failed backup must not stop the work.
fn keep_daily_backup(path: PathBuf) {
    std::thread::spawn(move || {
        let backed_up = Store::open(&path).and_then(|store| {
            store.backup_daily(
                buyerlens_core::store::backups_dir(&path),
                KEEP_AUTOMATIC_BACKUPS,
                local_now(),
            )
        });
        if let Err(e) = backed_up {
            eprintln!("buyerlens: warning: the automatic backup failed: {e}");
        }
    });
}

/// Local wall-clock seconds, the store's time unit (see `store::time`).
pub fn local_now() -> i64 {
    chrono::Local::now().naive_local().and_utc().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Opening an existing database starts the day's automatic backup.
    #[test]
    fn opening_an_existing_database_keeps_a_daily_backup() {
        let dir = std::env::temp_dir().join(format!(
            "buyerlens-daily-backup-{}-{}",
            std::process::id(),
            local_now()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("history.sqlite");
        drop(Store::open(&path).unwrap());
        let _state = AppState::open(path.clone()).unwrap();
        let backups = buyerlens_core::store::backups_dir(&path);
        // The backup runs on its own thread: wait for it, bounded.
        let mut found = Vec::new();
        for _ in 0..600 {
            found = buyerlens_core::store::automatic_backups(&backups).unwrap_or_default();
            if !found.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(
            found.len(),
            1,
            "one automatic backup in {}",
            backups.display()
        );
        assert!(Store::open(&found[0]).is_ok(), "the backup opens");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
