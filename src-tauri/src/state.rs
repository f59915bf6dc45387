//! What every command shares: the compiled classifier and the store.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::Instant;

use buyerlens_core::store::Store;
use buyerlens_core::{Classifier, Lexicon};

use crate::error::{CommandError, CommandResult};

/// The one managed state of the app.
pub struct AppState {
    /// Swapped whole when the lexicon is edited; never rebuilt per request.
    classifier: RwLock<Classifier>,
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
    /// When the lexicon cannot be compiled.
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
            classifier: RwLock::new(Classifier::new(&lexicon)?),
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
        let store = Store::open(&path).map_err(|e| e.to_string());
        AppState::new(store, Some(path))
    }

    /// A state over an in-memory database (tests).
    pub fn in_memory() -> CommandResult<AppState> {
        AppState::new(Ok(Store::open_in_memory()?), None)
    }

    /// The current classifier (a cheap clone: an `Arc` inside).
    pub fn classifier(&self) -> CommandResult<Classifier> {
        Ok(self.classifier.read()?.clone())
    }

    /// Swaps in a classifier built from an edited lexicon.
    pub fn set_classifier(&self, classifier: Classifier) -> CommandResult<()> {
        *self.classifier.write()? = classifier;
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

/// Local wall-clock seconds, the store's time unit (see `store::time`).
pub fn local_now() -> i64 {
    chrono::Local::now().naive_local().and_utc().timestamp()
}
