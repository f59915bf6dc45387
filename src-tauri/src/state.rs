//! What every command shares: the compiled classifier and the store.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::Instant;

use buyerlens_core::store::{BackupLimits, HistoryFilter, Store, StoreError};
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
    /// The database failed to open because it is damaged or was written
    /// by a newer BuyerLens: restoring an automatic backup is offered.
    restorable: AtomicBool,
    /// The database is being checked after an unexpected exit, on a
    /// thread of its own (see [`AppState::open_checking`]); store commands
    /// answer `checking` until it is done.
    checking: AtomicBool,
    /// What the check does is bring an older schema up to date (a
    /// migration, which copies the file aside first).
    upgrading: AtomicBool,
    /// Where the database is (or was meant to be).
    pub db_path: Option<PathBuf>,
    /// Set by `cancel_import`; the running import stops before its next batch.
    pub import_cancel: AtomicBool,
    /// Whether an import runs (one at a time).
    pub import_running: AtomicBool,
    /// Supervisor actions are allowed until then (see `pin`).
    pub supervisor_until: Mutex<Option<Instant>>,
    /// Bumped by every count (see [`AppState::count_history`]): a count
    /// stops when a newer one has begun (the UI waits only for the newest).
    count_generation: Arc<AtomicU64>,
    /// A second connection to the database for counts, opened at the first
    /// one, so that a long count does not hold `store` (see
    /// [`AppState::count_history`]).
    counter: Mutex<Option<Store>>,
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
            Ok(store) => prepare(store)?,
            Err(_) => Lexicon::default_lexicon(),
        };
        Ok(AppState {
            compiled: compile_in_background(lexicon),
            classifier: RwLock::new(None),
            store: Mutex::new(store),
            restorable: AtomicBool::new(false),
            checking: AtomicBool::new(false),
            upgrading: AtomicBool::new(false),
            db_path,
            import_cancel: AtomicBool::new(false),
            import_running: AtomicBool::new(false),
            count_generation: Arc::new(AtomicU64::new(0)),
            counter: Mutex::new(None),
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
        let opened = Store::open(&path);
        let restorable = opened.as_ref().is_err_and(offers_restore);
        let store = opened.map_err(|e| e.to_string());
        if let (true, Ok(store)) = (existed, &store) {
            keep_daily_backup(store);
        }
        let state = AppState::new(store, Some(path))?;
        state.restorable.store(restorable, Ordering::SeqCst);
        Ok(state)
    }

    /// Whether opening the database at `path` takes long: it was not
    /// closed cleanly, and the whole file is checked first (up to a minute
    /// at a million conversations), or its schema is older than this
    /// build's and is brought up to date (see [`Store::needs_upgrade`]).
    pub fn needs_check(path: &std::path::Path) -> bool {
        Store::closed_uncleanly(path) || Store::needs_upgrade(path)
    }

    /// The state for a database that is still to be checked: everything
    /// but the store works at once (the window appears, the shipped
    /// lexicon compiles), and store commands answer `checking` until
    /// [`AppState::finish_checking`] has opened it.
    pub fn open_checking(path: PathBuf) -> CommandResult<AppState> {
        let upgrading = Store::needs_upgrade(&path);
        let state = AppState::new(Err("the database is being checked".into()), Some(path))?;
        state.checking.store(true, Ordering::SeqCst);
        state.upgrading.store(upgrading, Ordering::SeqCst);
        Ok(state)
    }

    /// Opens the database of [`AppState::open_checking`], with its check
    /// (slow: call it off the UI thread), and puts it in place: its
    /// lexicon is compiled and swapped in, and the day's backup starts. A
    /// damaged or newer file is offered a restore as at a normal start.
    /// Store commands work, or say why they cannot, from then on.
    pub fn finish_checking(&self) {
        let opened = match &self.db_path {
            Some(path) => Store::open(path),
            None => Err(StoreError::Invalid("no database path".into()).into()),
        };
        self.restorable
            .store(opened.as_ref().is_err_and(offers_restore), Ordering::SeqCst);
        let opened = opened.map_err(|e| e.to_string()).and_then(|mut store| {
            let lexicon = prepare(&mut store).map_err(|e| e.to_string())?;
            keep_daily_backup(&store);
            Ok((store, lexicon))
        });
        let store = match opened {
            Ok((store, lexicon)) => {
                // The database's own lexicon replaces the shipped one used
                // meanwhile; one that does not compile leaves the shipped one.
                match Classifier::new(&lexicon) {
                    Ok(classifier) => {
                        let _ = self.set_classifier(classifier);
                    }
                    Err(e) => eprintln!("buyerlens: warning: the lexicon does not compile: {e}"),
                }
                Ok(store)
            }
            Err(e) => Err(e),
        };
        if let Ok(mut slot) = self.store.lock() {
            *slot = store;
        }
        self.checking.store(false, Ordering::SeqCst);
        self.upgrading.store(false, Ordering::SeqCst);
    }

    /// Whether the database is still being checked.
    pub fn is_checking(&self) -> bool {
        self.checking.load(Ordering::SeqCst)
    }

    /// Whether the check under way is an upgrade of an older schema.
    pub fn is_upgrading(&self) -> bool {
        self.is_checking() && self.upgrading.load(Ordering::SeqCst)
    }

    /// The newest automatic backup, when the database could not be opened
    /// because it is damaged or newer than this build (what the CLI offers
    /// as `restore --latest`); `None` otherwise.
    pub fn restore_offer(&self) -> CommandResult<Option<PathBuf>> {
        if !self.restorable.load(Ordering::SeqCst) || self.store.lock()?.is_ok() {
            return Ok(None);
        }
        Ok(self.db_path.as_deref().and_then(newest_automatic_backup))
    }

    /// Replaces the damaged (or newer) database with the newest automatic
    /// backup, which must be the one named `name` (the one the user
    /// confirmed), and opens it. As the CLI's `restore`, the core's
    /// [`Store::restore`] checks the backup first and keeps the current
    /// file beside it as `….before-restore-<time>`, never deleting it.
    /// Returns the backup and where the previous file was kept.
    ///
    /// # Errors
    /// `bad_input` when nothing is offered or `name` is not the newest
    /// backup; the core's error when the backup is unusable (nothing is
    /// changed then) or a file cannot be moved or written.
    pub fn restore_latest_backup(&self, name: &str) -> CommandResult<(PathBuf, Option<PathBuf>)> {
        let mut store = self.store.lock()?;
        let offered = match (&*store, &self.db_path) {
            (Err(_), Some(db)) if self.restorable.load(Ordering::SeqCst) => {
                newest_automatic_backup(db).map(|backup| (db.clone(), backup))
            }
            _ => None,
        };
        let Some((db, backup)) = offered else {
            return Err(CommandError::BadInput(
                "no automatic backup is offered: the database is open or has no backup".into(),
            ));
        };
        if backup.file_name().and_then(|n| n.to_str()) != Some(name) {
            return Err(CommandError::BadInput(format!(
                "the newest automatic backup is now {}, not {name}: look at the offer again",
                backup.display()
            )));
        }
        // A connection for counts would still read the file set aside.
        *self.counter.lock()? = None;
        let kept = Store::restore(&db, &backup, local_now())?;
        let mut restored = Store::open(&db)?;
        let lexicon = prepare(&mut restored)?;
        *store = Ok(restored);
        self.restorable.store(false, Ordering::SeqCst);
        drop(store);
        // The restored database's lexicon replaces the shipped one used
        // meanwhile; one that does not compile leaves the shipped one.
        match Classifier::new(&lexicon) {
            Ok(classifier) => self.set_classifier(classifier)?,
            Err(e) => eprintln!("buyerlens: warning: the restored lexicon does not compile: {e}"),
        }
        Ok((backup, kept))
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
        if self.is_checking() {
            return Err(CommandError::Checking);
        }
        let guard = self.store.lock()?;
        if let Err(reason) = &*guard {
            return Err(CommandError::StoreUnavailable(reason.clone()));
        }
        Ok(StoreGuard(guard))
    }

    /// Closes the database, at exit. Tauri ends the process without
    /// dropping the managed state, and a connection that is never closed
    /// leaves its `-wal` file behind; the next start then takes the file
    /// for one left by a crash and checks every page of it (half a minute
    /// for a million conversations). Closing lets SQLite fold the WAL into
    /// the file and remove it. Commands afterwards say the database is
    /// unavailable.
    pub fn close(&self) {
        // A count running on the second connection stops first.
        self.count_generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut counter) = self.counter.lock() {
            *counter = None;
        }
        if let Ok(mut store) = self.store.lock() {
            if store.is_ok() {
                *store = Err("BuyerLens is closing".into());
            }
        }
    }

    /// How many history rows `filter` matches ([`Store::count_history`]),
    /// counted on a second connection to the database rather than the
    /// one every other command shares: a count can read hundreds of
    /// thousands of index entries (a quarter to a third of a second at a
    /// million conversations), and pages and pastes must not wait for it
    /// (WAL lets the two connections read and write side by side). A
    /// count stops as soon as a newer one begins, with `Cancelled`: the UI
    /// waits only for the newest, and starts one per keystroke of a
    /// search. A database in memory (tests) is counted on its only
    /// connection.
    ///
    /// # Errors
    /// `Cancelled` when overtaken; the store's errors.
    pub fn count_history(&self, filter: &HistoryFilter) -> CommandResult<u64> {
        let generation = self.count_generation.fetch_add(1, Ordering::SeqCst) + 1;
        let latest = Arc::clone(&self.count_generation);
        let overtaken = move || latest.load(Ordering::SeqCst) != generation;
        // Waits only for an older count to notice it was overtaken.
        let mut counter = self.counter.lock()?;
        if counter.is_none() && self.db_path.is_some() {
            *counter = Some(self.store()?.another_connection()?);
        }
        let counted = match &*counter {
            Some(counter) => counter.count_history_unless(filter, overtaken),
            None => self.store()?.count_history_unless(filter, overtaken),
        };
        match counted {
            Err(buyerlens_core::Error::Store(StoreError::Interrupted)) => {
                Err(CommandError::Cancelled)
            }
            counted => Ok(counted?),
        }
    }

    /// Why the store could not be opened, if it could not (`None` while
    /// it is being checked).
    pub fn store_error(&self) -> CommandResult<Option<String>> {
        if self.is_checking() {
            return Ok(None);
        }
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

/// The newest automatic backup beside the database at `db`, if any.
fn newest_automatic_backup(db: &std::path::Path) -> Option<PathBuf> {
    buyerlens_core::store::automatic_backups(db).ok()?.pop()
}

/// The first start of a day copies the database to `backups/` (within
/// the core's [`BackupLimits`], as the CLI), on its own thread and
/// connection: a big database must not delay the window, and a failed
/// backup must not stop the work. The connection is a second one to the
/// open file ([`Store::another_connection`]): opening the file anew would
/// take the open database's `-wal` file for an unclean exit and check the
/// whole file again.
fn keep_daily_backup(store: &Store) {
    let backed_up = store.another_connection().map(|second| {
        std::thread::spawn(move || {
            if let Err(e) = second.backup_daily(&BackupLimits::default(), local_now()) {
                eprintln!("buyerlens: warning: the automatic backup failed: {e}");
            }
        });
    });
    if let Err(e) = backed_up {
        eprintln!("buyerlens: warning: the automatic backup failed: {e}");
    }
}

/// Readies an opened database for the app: the shipped reply templates
/// on first use; returns its active lexicon.
fn prepare(store: &mut Store) -> CommandResult<Lexicon> {
    store.install_default_templates(local_now())?;
    Ok(store.active_lexicon()?)
}

/// Whether an open error is one a restore from a backup can help with: a
/// damaged file, or one written by a newer BuyerLens.
fn offers_restore(error: &buyerlens_core::Error) -> bool {
    matches!(
        error,
        buyerlens_core::Error::Store(StoreError::Corrupt { .. } | StoreError::NewerSchema { .. })
    )
}

/// Local wall-clock seconds, the store's time unit (see `store::time`).
pub fn local_now() -> i64 {
    chrono::Local::now().naive_local().and_utc().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Closing at exit removes the WAL file, so the next start is not
    // taken for a recovery after a crash.
    #[test]
    fn closing_removes_the_wal_file() {
        let dir = std::env::temp_dir().join(format!(
            "buyerlens-close-{}-{}",
            std::process::id(),
            local_now()
        ));
        let path = dir.join("history.sqlite");
        let state = AppState::open(path.clone()).unwrap();
        state.store().unwrap().set_setting("probe", "1").unwrap();
        let wal = dir.join("history.sqlite-wal");
        assert!(wal.exists(), "an open database in WAL mode has a -wal file");
        state.close();
        assert!(
            !wal.exists(),
            "closing folds the WAL into the file and removes it"
        );
        assert!(matches!(
            state.store(),
            Err(CommandError::StoreUnavailable(_))
        ));
        assert_eq!(
            Store::open(&path)
                .unwrap()
                .setting("probe")
                .unwrap()
                .as_deref(),
            Some("1"),
            "what was written is in the file"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

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
            found = buyerlens_core::store::automatic_backups(&path).unwrap_or_default();
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
