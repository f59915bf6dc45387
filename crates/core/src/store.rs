//! The local SQLite store: conversations, classifications, corrections,
//! reply templates, lexicon versions and reports.
//!
//! One file holds everything a shop keeps. The CLI and the desktop app open
//! it the same way, through [`Store::open`]. Queries are grouped per table
//! in `store/*.rs`, each an `impl Store`. Reads take `&self`, writes take
//! `&mut self`, and every multi-row write is one transaction.
//!
//! Times are `i64` seconds of local wall-clock time (what chat exports
//! write), always passed in by the caller: the store never reads the clock.
//!
//! # Safety of the user's data
//!
//! [`Store::open`] inspects an existing file *before* writing anything to
//! it. A file that is not SQLite, belongs to another program, is damaged,
//! or was written by a newer BuyerLens is refused with a clear error and left
//! untouched.
//!
//! # Thread safety
//!
//! A `Store` is `Send` but not `Sync` (it owns a `rusqlite::Connection`):
//! share it behind a `Mutex`, or open one store per thread; WAL mode and the
//! busy timeout let several connections and processes write the same file.

mod corrections;
mod day_counts;
mod export;
mod history;
mod label_bits;
mod lexicons;
mod masking;
mod stats;
mod stored_results;
pub mod supervisor;
pub mod synthetic;
mod templates;
pub mod time;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};

pub use corrections::{Correction, CorrectionRecord};
pub use history::{
    content_hash, stored_hash, ConversationDetail, EffectiveLabels, HistoryFilter, HistoryRecord,
    NewConversation, PreparedConversation, RecordOutcome, Recorded,
};
pub use lexicons::StoredLexicon;
pub use masking::MASK_SETTING;
pub use stats::{AgentCount, DayCount, LabelCount, Stats, StatsFilter};
pub use stored_results::RuleNumbers;
pub use supervisor::{PinCheck, PIN_SETTING};
pub use templates::{
    pack_to_toml, parse_pack, Template, TemplateDraft, TemplatePackOutcome, DEFAULT_TEMPLATES,
};

use crate::error::{Error, Result};

/// The Tauri bundle identifier: the default database lives in the
/// platform's app-data directory under this name, where the desktop app's
/// `app_data_dir()` points too.
pub const APP_IDENTIFIER: &str = "app.buyerlens.desktop";

/// The database file name inside the app-data directory.
pub const DB_FILE_NAME: &str = "history.sqlite";

/// WAL pages (4 KiB) before a commit copies them back into the database
/// file: ~40 MiB instead of SQLite's 4 MiB, so hot index pages are written
/// back once per batch, not many times.
pub const WAL_CHECKPOINT_PAGES: i64 = 10_000;

/// WAL pages before a checkpoint while an import runs (~240 MiB).
///
/// A batch of chats lands on index pages all over a large file, and
/// consecutive batches land on many of the same pages; copying them back
/// every six batches instead of every one writes them fewer times.
/// Measured at 1,000,000 stored conversations (`bench --store`, two
/// interleaved runs each, the VM's disk speed swinging between runs): a
/// year's backlog 1,730–1,810/s → 2,030–2,160/s and a week of new chats
/// 5,450–6,030/s → 6,520–7,070/s with the interval alone; as the import
/// sets it, the backlog 1,410–1,690/s → 1,660–1,840/s (the week's import,
/// run right after it, then pays for the backlog's deferred copy).
pub const IMPORT_WAL_CHECKPOINT_PAGES: i64 = 60_000;

/// The WAL file is cut back to this size after a checkpoint.
pub const WAL_SIZE_LIMIT_BYTES: i64 = 64 << 20;

/// `PRAGMA application_id` of a BuyerLens database ('BYLN').
const APPLICATION_ID: i64 = 0x4259_4C4E;

/// Each connection's page cache, in MiB (SQLite's default is 2): index
/// pages of a large history stay in memory between queries.
pub const PAGE_CACHE_MIB: i64 = 64;

/// Files below this size get a full `quick_check` on every open; above it,
/// only after a session that did not close cleanly (a `-wal` file is left).
const ALWAYS_CHECK_BELOW_BYTES: u64 = 64 << 20;

const STEPS: &[M<'static>] = &[
    M::up(include_str!("../migrations/0001_init.sql")),
    M::up(include_str!("../migrations/0002_search.sql")),
    M::up(include_str!("../migrations/0003_faster_writes.sql")),
    M::up(include_str!("../migrations/0004_labels_in_time_order.sql")),
    M::up(include_str!("../migrations/0005_evidence_rules.sql")),
    M::up(include_str!("../migrations/0006_rare_labels.sql")),
];

const MIGRATIONS: Migrations<'static> = Migrations::from_slice(STEPS);

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A query failed.
    #[error("database error while trying to {query}: {source}")]
    Sql {
        /// What the store was doing, e.g. `insert conversation`.
        query: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The file could not be opened at all.
    #[error("cannot open the database at {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The file is not a BuyerLens database.
    #[error(
        "{path} is not a BuyerLens database ({reason}); it was left untouched: \
         choose another file with --db or BUYERLENS_DB"
    )]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What it looks like instead.
        reason: String,
    },
    /// The file is damaged.
    #[error(
        "the database at {path} is damaged ({detail}); it was left untouched: \
         restore a backup with `buyerlens restore BACKUP`"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The first problem SQLite reported.
        detail: String,
    },
    /// The file was written by a newer BuyerLens.
    #[error(
        "the database at {path} was written by a newer BuyerLens (schema {found}, this \
         version knows {known}); it was left untouched: update BuyerLens to open it"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest schema this build knows.
        known: i64,
    },
    /// Bringing the schema up to date failed; the migration was rolled back.
    #[error("updating the database schema failed (nothing was changed): {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// A row that was asked for does not exist.
    #[error("there is no {what} with id {id}")]
    NotFound {
        /// `conversation`, `template` …
        what: &'static str,
        /// The id asked for.
        id: i64,
    },
    /// A value given to the store is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// A query was stopped before it finished, because its caller asked
    /// (see [`Store::count_history_unless`]).
    #[error("the query was stopped before it finished")]
    Interrupted,
}

/// Wraps a rusqlite error with what the store was doing.
pub(crate) fn sql(query: &'static str) -> impl FnOnce(rusqlite::Error) -> Error {
    move |source| {
        Error::Store(StoreError::Sql {
            query: query.to_string(),
            source,
        })
    }
}

/// The local database. See the [module docs](self).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// Masking of personal data for this connection only (`--no-mask`),
    /// over the stored setting.
    mask_override: Option<bool>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date.
    ///
    /// An existing file is checked before anything is written: it must be
    /// SQLite, a BuyerLens database (or empty), not newer than this build,
    /// and pass `PRAGMA quick_check` (on every open for files under 64 MiB,
    /// and after any session that did not close cleanly).
    ///
    /// # Errors
    /// [`StoreError::Foreign`], [`StoreError::Corrupt`] or
    /// [`StoreError::NewerSchema`] for a file that must not be touched;
    /// [`StoreError::Open`] when the file cannot be opened or created.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let unclean = sidecar(path, "-wal").exists();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        if size > 0 || unclean {
            inspect(&conn, path, unclean || size < ALWAYS_CHECK_BELOW_BYTES)?;
            backup_before_migration(&conn, path, || fs4::available_space(folder_of(path)).ok())?;
        }
        Store::init(conn, Some(path.to_path_buf()))
    }

    /// Whether the database at `path` was not closed cleanly (a crash, a
    /// killed process, a power cut, or another program has it open): it
    /// has a `-wal` file beside it. [`Store::open`] then checks the whole
    /// file first (`quick_check`: about a minute at a million
    /// conversations), so an app can show that it does.
    pub fn closed_uncleanly(path: impl AsRef<Path>) -> bool {
        let path = path.as_ref();
        std::fs::metadata(path).is_ok_and(|m| m.len() > 0) && sidecar(path, "-wal").exists()
    }

    /// Whether opening the database at `path` will bring an older schema
    /// up to this build's: [`Store::open`] then copies the file aside and
    /// rewrites parts of it (migration 0004: 110 s at 1.26 million
    /// conversations, the copy included), so an app can show that it does.
    /// Read from the file's header, without opening it (which could leave
    /// a `-wal` file behind); the header is current once the database was
    /// closed cleanly (after a crash, the whole file is checked anyway).
    /// `false` for anything else, a file that is not ours or cannot be read
    /// included: opening it says why.
    pub fn needs_upgrade(path: impl AsRef<Path>) -> bool {
        let mut header = [0_u8; 72];
        let read = std::fs::File::open(path.as_ref())
            .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut header));
        if read.is_err() || !header.starts_with(b"SQLite format 3\0") {
            return false;
        }
        let field = |at: usize| {
            i64::from(u32::from_be_bytes([
                header[at],
                header[at + 1],
                header[at + 2],
                header[at + 3],
            ]))
        };
        // user_version at byte 60, application_id at 68 (SQLite's format).
        let (version, application) = (field(60), field(68));
        application == APPLICATION_ID && version > 0 && version < SCHEMA_VERSION
    }

    /// A second connection to this store's file, for a long write (an
    /// import) beside this one. The file was checked when this store opened
    /// it, so it is not checked again: [`Store::open`] would take the `-wal`
    /// file every open database has for an unclean close and read the whole
    /// file (33 s at a million conversations, measured in the app).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a database in memory; [`StoreError::Open`]
    /// when the file cannot be opened.
    pub fn another_connection(&self) -> Result<Store> {
        let Some(path) = self.path.clone() else {
            return Err(StoreError::Invalid(
                "a database in memory has no second connection".into(),
            )
            .into());
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(&path, flags).map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        Store::init(conn, Some(path))
    }

    /// Opens a fresh database in memory, for tests and benchmarks.
    ///
    /// # Errors
    /// Only if SQLite cannot allocate the database.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(sql("open an in-memory database"))?;
        Store::init(conn, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        // Per-connection settings live outside the migrations.
        // WAL: readers don't block the writer; FULL: a committed batch
        // survives a power cut, not only a crash.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql("set journal_mode=WAL"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql("set synchronous"))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sql("set foreign_keys"))?;
        conn.pragma_update(None, "cache_size", -(PAGE_CACHE_MIB * 1024))
            .map_err(sql("set cache_size"))?;
        // Pages read through a memory map instead of a read() copy each, and
        // checkpoints every ~40 MiB of WAL instead of 4 MiB: hot index pages
        // are then written back once per batch, not many times.
        conn.pragma_update(None, "mmap_size", 1_i64 << 30)
            .map_err(sql("set mmap_size"))?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)
            .map_err(sql("set wal_autocheckpoint"))?;
        // The WAL file keeps its largest size after a checkpoint unless
        // told otherwise; an import lets it grow (see
        // `set_wal_checkpoint_pages`), and the shop's disk gets that back.
        conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT_BYTES)
            .map_err(sql("set journal_size_limit"))?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(sql("set temp_store"))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(sql("set busy_timeout"))?;
        conn.set_prepared_statement_cache_capacity(64);
        MIGRATIONS.to_latest(&mut conn).map_err(StoreError::from)?;
        Ok(Store {
            conn,
            path,
            mask_override: None,
        })
    }

    /// How many pages the write-ahead log may hold before a commit copies
    /// them back into the database file: [`WAL_CHECKPOINT_PAGES`] normally,
    /// [`IMPORT_WAL_CHECKPOINT_PAGES`] while an import writes batch after
    /// batch.
    ///
    /// # Errors
    /// On a database error.
    pub fn set_wal_checkpoint_pages(&self, pages: i64) -> Result<()> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", pages)
            .map_err(sql("set wal_autocheckpoint"))
    }

    /// The platform's default database path: `<app-data>/app.buyerlens.desktop/history.sqlite`
    /// (`~/.local/share/…` on Linux, `%APPDATA%\…` on Windows,
    /// `~/Library/Application Support/…` on macOS) — the file the desktop
    /// app uses. `None` when the system has no home directory.
    pub fn default_path() -> Option<PathBuf> {
        directories::BaseDirs::new()
            .map(|dirs| dirs.data_dir().join(APP_IDENTIFIER).join(DB_FILE_NAME))
    }

    /// The file this store was opened from (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// When the pragma cannot be read.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(sql("read user_version"))
    }

    /// Runs a full `PRAGMA integrity_check` (slow on a large file: it reads
    /// every page and index).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] naming the first problem found.
    pub fn check_integrity(&self) -> Result<()> {
        let problems = pragma_check(&self.conn, "integrity_check")?;
        match problems {
            None => Ok(()),
            Some(detail) => Err(StoreError::Corrupt {
                path: self.display_path(),
                detail,
            }
            .into()),
        }
    }

    /// Copies the whole database to `dest` with SQLite's online backup, while
    /// the store stays usable. The copy is written beside `dest` and renamed
    /// into place, so `dest` is either the old file or a complete backup.
    ///
    /// # Errors
    /// When `dest` cannot be written.
    pub fn backup_to(&self, dest: impl AsRef<Path>) -> Result<()> {
        backup_connection(&self.conn, dest.as_ref())
    }

    /// Writes an automatic backup of this database, named after its file
    /// and `now` (`buyerlens-auto-<file stem>-<time>.sqlite`), into
    /// [`backups_dir`], and removes the oldest of its automatic backups
    /// beyond `limits` (see [`BackupLimits`]). Backups of other databases
    /// in the same folder are never touched; backups named before they
    /// carried the file stem (`buyerlens-auto-<time>.sqlite`) count as
    /// this database's. Returns the new file.
    ///
    /// The oldest copies that the new one will replace are removed before
    /// it is written, so that the disk needs room for one copy, not two.
    /// When even then the disk would keep less than
    /// [`BackupLimits::keep_free_bytes`] free, nothing is removed and
    /// nothing written.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a database in memory; [`Error::Io`]
    /// when the disk has no room for the copy or the folder or the copy
    /// cannot be written.
    pub fn backup_rolling(&self, limits: &BackupLimits, now: i64) -> Result<PathBuf> {
        let Some(db) = self.path.as_deref() else {
            return Err(StoreError::Invalid(
                "a database in memory has no automatic backups".into(),
            )
            .into());
        };
        let dir = backups_dir(db);
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        let size = database_bytes(&self.conn)?;
        let existing: Vec<(PathBuf, u64)> = automatic_backups(db)?
            .into_iter()
            .map(|p| {
                let bytes = std::fs::metadata(&p).map_or(0, |m| m.len());
                (p, bytes)
            })
            .collect();
        // Unknown free space (an unusual file system): only the count and
        // the size cap apply.
        let free = fs4::available_space(&dir).ok();
        let remove = limits.removals(&existing, size, free);
        let freed: u64 = remove.iter().map(|&i| existing[i].1).sum();
        if let Some(free) = free {
            if free.saturating_add(freed) < size.saturating_add(limits.keep_free_bytes) {
                return Err(Error::Io {
                    path: dir,
                    source: std::io::Error::other(format!(
                        "not enough free disk space for an automatic backup: it needs {} MB \
                         and {} MB must stay free, but {} MB are free; the older backups were kept",
                        size / 1_000_000,
                        limits.keep_free_bytes / 1_000_000,
                        free.saturating_add(freed) / 1_000_000
                    )),
                });
            }
        }
        for &i in &remove {
            let oldest = &existing[i].0;
            match std::fs::remove_file(oldest) {
                // Another process rolled it away first.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                result => result.map_err(|source| Error::Io {
                    path: oldest.clone(),
                    source,
                })?,
            }
        }
        let dest = dir.join(format!(
            "{AUTO_BACKUP_PREFIX}{}-{}.sqlite",
            file_stem(db),
            stamp(now)
        ));
        self.backup_to(&dest)?;
        Ok(dest)
    }

    /// Writes a rolling backup (see [`Store::backup_rolling`]) unless this
    /// database already has one from the same local day as `now`. Returns
    /// the new file, if one was written. An in-memory database is not
    /// backed up.
    ///
    /// # Errors
    /// As [`Store::backup_rolling`].
    pub fn backup_daily(&self, limits: &BackupLimits, now: i64) -> Result<Option<PathBuf>> {
        if !self.daily_backup_due(now) {
            return Ok(None);
        }
        self.backup_rolling(limits, now).map(Some)
    }

    /// Whether [`Store::backup_daily`] writes a backup at `now`: the
    /// database is a file without an automatic backup from the same
    /// local day.
    pub fn daily_backup_due(&self, now: i64) -> bool {
        let Some(db) = self.path.as_deref() else {
            return false;
        };
        let today = &stamp(now)[..8];
        !automatic_backups(db)
            .unwrap_or_default()
            .iter()
            .any(|p| automatic_backup_stamp(p).is_some_and(|s| s.starts_with(today)))
    }

    /// Replaces the database at `db_path` with the backup at `backup`.
    ///
    /// The backup is checked first (a BuyerLens database, not newer, passing
    /// `integrity_check`). The current file, if any, is not deleted: it is
    /// renamed to `<name>.before-restore-<time>` (with its `-wal`/`-shm`),
    /// and that path is returned. Close other programs using the database
    /// first.
    ///
    /// # Errors
    /// When the backup is unusable (nothing is changed then) or a file
    /// cannot be moved or written.
    pub fn restore(
        db_path: impl AsRef<Path>,
        backup: impl AsRef<Path>,
        now: i64,
    ) -> Result<Option<PathBuf>> {
        let (db_path, backup) = (db_path.as_ref(), backup.as_ref());
        if !backup.exists() {
            return Err(Error::Io {
                path: backup.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such backup file"),
            });
        }
        let source = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|source| StoreError::Open {
                path: backup.to_path_buf(),
                source,
            })?;
        inspect(&source, backup, false)?;
        if let Some(detail) = pragma_check(&source, "integrity_check")? {
            return Err(StoreError::Corrupt {
                path: backup.to_path_buf(),
                detail,
            }
            .into());
        }
        let mut kept = None;
        if db_path.exists() {
            let aside = PathBuf::from(format!(
                "{}.before-restore-{}",
                db_path.display(),
                stamp(now)
            ));
            for suffix in ["", "-wal", "-shm"] {
                let from = sidecar(db_path, suffix);
                if from.exists() {
                    let to = sidecar(&aside, suffix);
                    std::fs::rename(&from, &to)
                        .map_err(|source| Error::Io { path: from, source })?;
                }
            }
            kept = Some(aside);
        }
        {
            let mut target = Connection::open(db_path).map_err(|source| StoreError::Open {
                path: db_path.to_path_buf(),
                source,
            })?;
            let copy = rusqlite::backup::Backup::new(&source, &mut target)
                .map_err(sql("start the restore"))?;
            copy.run_to_completion(1024, Duration::from_millis(0), None)
                .map_err(sql("copy the backup"))?;
        }
        // Brings an older backup's schema up to date.
        Store::open(db_path)?;
        Ok(kept)
    }

    /// Reads a setting.
    ///
    /// # Errors
    /// On a database error.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
            .map_err(sql("read a setting"))
    }

    /// Writes a setting.
    ///
    /// # Errors
    /// On a database error.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO setting (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map_err(sql("write a setting"))?;
        Ok(())
    }

    fn display_path(&self) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| PathBuf::from(":memory:"))
    }
}

/// File-name prefix of the backups [`Store::backup_rolling`] writes.
pub const AUTO_BACKUP_PREFIX: &str = "buyerlens-auto-";

/// How many automatic backups of one database are kept and how much disk
/// they may take. A shop laptop's database is usually tens of megabytes,
/// and then a week of daily copies is kept; a history of millions of
/// chats is gigabytes, and a week of copies of it would fill the disk, so
/// its copies are bounded by size and by free space, oldest removed
/// first. The newest copy is always kept: one backup is worth far more
/// than none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupLimits {
    /// Copies kept at most (one a day: a week back).
    pub keep: usize,
    /// Bytes the copies of one database may take together.
    pub max_bytes: u64,
    /// They may also take at most this share, in percent, of the disk
    /// space that would be free without them.
    pub max_free_percent: u64,
    /// A copy is written only when the disk keeps this much free after it
    /// (room for the database itself to grow).
    pub keep_free_bytes: u64,
}

impl Default for BackupLimits {
    /// A week of copies, at most 10 GiB together and at most a quarter of
    /// the free space; 1 GiB stays free.
    fn default() -> BackupLimits {
        BackupLimits {
            keep: 7,
            max_bytes: 10 << 30,
            max_free_percent: 25,
            keep_free_bytes: 1 << 30,
        }
    }
}

impl BackupLimits {
    /// Which of `existing` backups (path and size, oldest first) to remove
    /// so that a new copy of `size` bytes and the newest others stay within
    /// the limits, given `free` bytes free on the disk (`None`: unknown).
    fn removals(&self, existing: &[(PathBuf, u64)], size: u64, free: Option<u64>) -> Vec<usize> {
        let mut budget = self.max_bytes;
        if let Some(free) = free {
            let theirs: u64 = existing.iter().map(|(_, bytes)| bytes).sum();
            let could_be_free = free.saturating_add(theirs);
            budget = budget.min(could_be_free / 100 * self.max_free_percent);
        }
        // The new copy first, whatever its size; then the newest others
        // while they fit.
        let mut used = size;
        let mut kept = 1;
        let mut remove = Vec::new();
        for (i, (_, bytes)) in existing.iter().enumerate().rev() {
            // Once one does not fit, every older one goes too.
            if remove.is_empty() && kept < self.keep.max(1) && used.saturating_add(*bytes) <= budget
            {
                used += bytes;
                kept += 1;
            } else {
                remove.push(i);
            }
        }
        remove
    }
}

/// The automatic backups of the database at `db`, oldest first: those in
/// [`backups_dir`] named after its file stem, and those named before
/// backups carried one (`buyerlens-auto-<time>.sqlite`, shared by every
/// database of the folder). A missing folder has none.
///
/// # Errors
/// When the folder exists but cannot be read.
pub fn automatic_backups(db: &Path) -> Result<Vec<PathBuf>> {
    let dir = backups_dir(db);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::Io { path: dir, source }),
    };
    let own = format!("{}-", file_stem(db));
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let stamp = automatic_backup_stamp(&p)?;
            let owner = &name[AUTO_BACKUP_PREFIX.len()..name.len() - ".sqlite".len() - stamp.len()];
            (owner.is_empty() || owner == own).then(|| (stamp.to_string(), p.clone()))
        })
        .collect();
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// The time in an automatic backup's name (`YYYYMMDD-HHMMSS`, local), or
/// `None` when the name is not one [`Store::backup_rolling`] writes.
pub fn automatic_backup_stamp(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let rest = name
        .strip_prefix(AUTO_BACKUP_PREFIX)?
        .strip_suffix(".sqlite")?;
    let stamp = rest.get(rest.len().checked_sub(15)?..)?;
    let owner = &rest[..rest.len() - 15];
    let shaped = stamp.bytes().enumerate().all(|(i, b)| {
        if i == 8 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    (shaped && (owner.is_empty() || owner.ends_with('-'))).then_some(stamp)
}

/// The file name of `db` without its extension, as backups are named.
fn file_stem(db: &Path) -> String {
    db.file_stem()
        .map_or_else(|| "buyerlens".into(), |s| s.to_string_lossy().into_owned())
}

/// Copies the database of `conn` to `dest` with SQLite's online backup,
/// through a partial file renamed into place.
fn backup_connection(conn: &Connection, dest: &Path) -> Result<()> {
    // One partial file per process: two programs backing up at once do
    // not write the same file.
    let partial = sidecar(dest, &format!(".partial-{}", std::process::id()));
    let _ = std::fs::remove_file(&partial);
    let copied = copy_database(conn, &partial);
    if copied.is_err() {
        // A copy cut short (a full disk) must not keep taking the room.
        let _ = std::fs::remove_file(&partial);
    }
    copied?;
    std::fs::rename(&partial, dest).map_err(|source| Error::Io {
        path: dest.to_path_buf(),
        source,
    })?;
    Ok(())
}

/// The copy of [`backup_connection`], into `target`.
fn copy_database(conn: &Connection, target: &Path) -> Result<()> {
    let mut target = Connection::open(target).map_err(|source| StoreError::Open {
        path: target.to_path_buf(),
        source,
    })?;
    let backup =
        rusqlite::backup::Backup::new(conn, &mut target).map_err(sql("start the backup"))?;
    backup
        .run_to_completion(1024, Duration::from_millis(0), None)
        .map_err(sql("copy the database"))?;
    drop(backup);
    // A backup is one self-contained file: no -wal beside it.
    target
        .pragma_update(None, "journal_mode", "DELETE")
        .map_err(sql("finish the backup"))?;
    Ok(())
}

/// The folder of the database at `db`.
fn folder_of(db: &Path) -> &Path {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The folder of automatic backups beside the database at `db`.
pub fn backups_dir(db: &Path) -> PathBuf {
    folder_of(db).join("backups")
}

/// Before a schema migration, the file as it was is copied to
/// `backups/buyerlens-before-migration-<file stem>-v<old schema>.sqlite`
/// (the first copy is kept if the migration is retried), so going back to
/// the previous BuyerLens stays possible. The name carries the database's
/// file stem: another database of the folder (or a copy named before
/// names carried it) must not pass for this one's and skip the copy.
///
/// Only the newest such copy is kept: once it is written, the database's
/// copies from before earlier migrations go (a history of gigabytes left a
/// whole copy behind at every upgrade). The copy is written only when the
/// disk keeps [`BackupLimits::keep_free_bytes`] free after it (`free`
/// tells the bytes free beside the database, `None` when unknown; asked
/// only when a copy is due); otherwise the database is not upgraded and
/// the error says how much room it needs.
fn backup_before_migration(
    conn: &Connection,
    path: &Path,
    free: impl FnOnce() -> Option<u64>,
) -> Result<()> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql("read user_version"))?;
    if version == 0 || version >= SCHEMA_VERSION {
        return Ok(());
    }
    let dir = backups_dir(path);
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let copy_name = |version: i64| {
        format!(
            "buyerlens-before-migration-{}-v{version}.sqlite",
            file_stem(path)
        )
    };
    let dest = dir.join(copy_name(version));
    if dest.exists() {
        return Ok(());
    }
    let size = database_bytes(conn)?;
    let keep_free = BackupLimits::default().keep_free_bytes;
    if let Some(free) = free().filter(|&free| free < size.saturating_add(keep_free)) {
        return Err(Error::Io {
            path: dir,
            source: std::io::Error::other(format!(
                "not enough free disk space to keep a copy of the database before upgrading \
                 it: the copy needs {} MB and {} MB must stay free, but {} MB are free. \
                 Nothing was changed: free some space and open it again",
                size / 1_000_000,
                keep_free / 1_000_000,
                free / 1_000_000
            )),
        });
    }
    backup_connection(conn, &dest)?;
    for older in 1..version {
        // Best effort: a copy that cannot be removed only takes room.
        let _ = std::fs::remove_file(dir.join(copy_name(older)));
    }
    Ok(())
}

/// The size of the database of `conn`, in bytes.
fn database_bytes(conn: &Connection) -> Result<u64> {
    let size: i64 = conn
        .query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )
        .map_err(sql("read the database size"))?;
    Ok(u64::try_from(size).unwrap_or(0))
}

/// `path` with `suffix` appended to its file name (`db.sqlite-wal`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `YYYYMMDD-HHMMSS` for a local-time stamp.
fn stamp(now: i64) -> String {
    time::format_compact(now)
}

/// Checks an existing database file without writing to it.
fn inspect(conn: &Connection, path: &Path, quick_check: bool) -> Result<()> {
    let foreign = |reason: &str| StoreError::Foreign {
        path: path.into(),
        reason: reason.into(),
    };
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.into(),
        detail,
    };
    let tables: i64 = match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)) {
        Ok(n) => n,
        Err(rusqlite::Error::SqliteFailure(e, msg)) => {
            return Err(match e.code {
                rusqlite::ErrorCode::NotADatabase => foreign("not an SQLite database file"),
                rusqlite::ErrorCode::DatabaseCorrupt => {
                    corrupt(msg.unwrap_or_else(|| e.to_string()))
                }
                _ => StoreError::Open {
                    path: path.into(),
                    source: rusqlite::Error::SqliteFailure(e, msg),
                },
            }
            .into())
        }
        Err(source) => {
            return Err(StoreError::Open {
                path: path.into(),
                source,
            }
            .into())
        }
    };
    let pragma = |name: &str| -> Result<i64> {
        conn.pragma_query_value(None, name, |r| r.get(0))
            .map_err(|source| match source {
                rusqlite::Error::SqliteFailure(e, msg)
                    if e.code == rusqlite::ErrorCode::DatabaseCorrupt =>
                {
                    corrupt(msg.unwrap_or_else(|| e.to_string())).into()
                }
                source => StoreError::Open {
                    path: path.into(),
                    source,
                }
                .into(),
            })
    };
    let application_id = pragma("application_id")?;
    let user_version = pragma("user_version")?;
    if application_id != APPLICATION_ID {
        if application_id == 0 && user_version == 0 && tables == 0 {
            // An empty SQLite file: ours to initialise.
            return Ok(());
        }
        return Err(foreign("an SQLite database of another program").into());
    }
    if user_version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.into(),
            found: user_version,
            known: SCHEMA_VERSION,
        }
        .into());
    }
    if quick_check {
        if let Some(detail) = pragma_check(conn, "quick_check")? {
            return Err(corrupt(detail).into());
        }
    }
    Ok(())
}

/// Runs `integrity_check` or `quick_check`; `Some(first problem)` if any.
fn pragma_check(conn: &Connection, pragma: &str) -> Result<Option<String>> {
    let query = format!("PRAGMA {pragma}");
    let result = conn.prepare(&query).and_then(|mut stmt| {
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
    });
    match result {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => Ok(None),
        Ok(lines) => Ok(Some(
            lines
                .into_iter()
                .next()
                .unwrap_or_else(|| "no result".into()),
        )),
        Err(rusqlite::Error::SqliteFailure(e, msg))
            if matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
            ) =>
        {
            Ok(Some(msg.unwrap_or_else(|| e.to_string())))
        }
        Err(e) => Err(sql("run an integrity check")(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The migrations apply cleanly to an empty database and are well-formed.
    #[test]
    fn migrations_test() {
        assert!(MIGRATIONS.validate().is_ok());
    }

    // A second connection to an open database writes beside the first
    // (each sees the other's writes); an in-memory store has none.
    #[test]
    fn another_connection_shares_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = Store::open(dir.path().join("h.sqlite")).unwrap();
        first.set_setting("from", "first").unwrap();
        assert!(
            sidecar(&dir.path().join("h.sqlite"), "-wal").exists(),
            "open: a -wal file"
        );
        let mut second = first.another_connection().unwrap();
        assert_eq!(second.setting("from").unwrap().as_deref(), Some("first"));
        second.set_setting("back", "second").unwrap();
        assert_eq!(first.setting("back").unwrap().as_deref(), Some("second"));
        assert!(Store::open_in_memory()
            .unwrap()
            .another_connection()
            .is_err());
    }

    // The daily backup is written once per local day, rolls to the newest
    // An import lets the WAL grow while it runs and leaves the interval as
    // it found it (also when cancelled); the WAL file is cut back after a
    // checkpoint.
    #[test]
    fn import_restores_the_checkpoint_interval() {
        let dir = tempfile::tempdir().unwrap();
        let chats = dir.path().join("chats.jsonl");
        std::fs::write(
            &chats,
            "{\"id\": 1, \"text\": \"买家：包邮吗\\n客服：包邮的亲\"}\n",
        )
        .unwrap();
        let mut store = Store::open(dir.path().join("h.sqlite")).unwrap();
        let pages = |store: &Store| -> i64 {
            store
                .conn
                .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
                .unwrap()
        };
        assert_eq!(pages(&store), WAL_CHECKPOINT_PAGES);
        let limit: i64 = store
            .conn
            .pragma_query_value(None, "journal_size_limit", |r| r.get(0))
            .unwrap();
        assert_eq!(limit, WAL_SIZE_LIMIT_BYTES);
        let classifier = crate::Classifier::new(&crate::Lexicon::default_lexicon()).unwrap();
        for cancelled in [false, true] {
            let cancel = std::sync::atomic::AtomicBool::new(cancelled);
            let summary = crate::import::import_paths(
                &mut store,
                &classifier,
                std::slice::from_ref(&chats),
                &crate::import::ImportOptions::default(),
                1_750_000_000,
                &cancel,
                &mut |_| {},
            )
            .unwrap();
            assert_eq!(summary.cancelled, cancelled);
            assert_eq!(pages(&store), WAL_CHECKPOINT_PAGES);
        }
        // The setter is what the import uses.
        store
            .set_wal_checkpoint_pages(IMPORT_WAL_CHECKPOINT_PAGES)
            .unwrap();
        assert_eq!(pages(&store), IMPORT_WAL_CHECKPOINT_PAGES);
    }

    // `keep`, and an in-memory store has nothing to back up.
    #[test]
    fn daily_backups_roll() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("h.sqlite")).unwrap();
        store.set_setting("k", "v").unwrap();
        let limits = BackupLimits {
            keep: 2,
            keep_free_bytes: 0,
            ..BackupLimits::default()
        };
        let day = 1_750_000_000 - 1_750_000_000 % 86_400;
        assert!(store.backup_daily(&limits, day + 10).unwrap().is_some());
        assert!(
            store.backup_daily(&limits, day + 3_600).unwrap().is_none(),
            "one backup a day"
        );
        for next in 1..=3 {
            let written = store.backup_daily(&limits, day + next * 86_400).unwrap();
            assert!(written.is_some(), "a new day, a new backup");
        }
        let kept = automatic_backups(&dir.path().join("h.sqlite")).unwrap();
        assert_eq!(kept.len(), 2, "only the newest two are kept: {kept:?}");
        assert!(kept[1]
            .to_string_lossy()
            .ends_with(&format!("h-{}.sqlite", stamp(day + 3 * 86_400))));
        let restored = Store::open(&kept[1]).unwrap();
        assert_eq!(restored.setting("k").unwrap().as_deref(), Some("v"));
        let memory = Store::open_in_memory().unwrap();
        assert!(memory.backup_daily(&limits, day).unwrap().is_none());
    }

    // Two databases in one folder keep their own backups: neither rolls
    // the other's away. A backup named before names carried the database
    // (old name) is still found, and rolls with the newer ones.
    #[test]
    fn backups_are_per_database_and_old_names_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (
            dir.path().join("shop-a.sqlite"),
            dir.path().join("shop-b.sqlite"),
        );
        let limits = BackupLimits {
            keep: 2,
            keep_free_bytes: 0,
            ..BackupLimits::default()
        };
        let legacy = backups_dir(&a).join(format!("{AUTO_BACKUP_PREFIX}20240101-120000.sqlite"));
        {
            let store_a = Store::open(&a).unwrap();
            std::fs::create_dir_all(backups_dir(&a)).unwrap();
            store_a.backup_to(&legacy).unwrap();
        }
        let store_a = Store::open(&a).unwrap();
        let store_b = Store::open(&b).unwrap();
        assert_eq!(
            automatic_backups(&a).unwrap(),
            vec![legacy.clone()],
            "an old name is found"
        );
        let day = 1_750_000_000 - 1_750_000_000 % 86_400;
        for next in 0..3 {
            store_a.backup_daily(&limits, day + next * 86_400).unwrap();
        }
        store_b.backup_daily(&limits, day).unwrap();
        let of_a = automatic_backups(&a).unwrap();
        let of_b = automatic_backups(&b).unwrap();
        assert_eq!(of_a.len(), 2, "{of_a:?}");
        assert!(
            !legacy.exists(),
            "the old-named backup rolled away with a's"
        );
        assert_eq!(of_b.len(), 1, "a's backups left b's alone: {of_b:?}");
        assert!(of_b[0].to_string_lossy().contains("shop-b-"), "{of_b:?}");
        assert!(of_a.iter().all(|p| p.to_string_lossy().contains("shop-a-")));
        assert_eq!(automatic_backup_stamp(&of_b[0]), Some(stamp(day).as_str()));
        assert_eq!(
            automatic_backup_stamp(Path::new("buyerlens-auto-x.sqlite")),
            None
        );
        assert_eq!(
            automatic_backup_stamp(Path::new("buyerlens-auto-20240101-120000.sqlite")),
            Some("20240101-120000")
        );
    }

    // The copies of a large database are bounded by the size cap and by a
    // share of the free space, oldest removed first; the newest copy is
    // always kept.
    #[test]
    fn backups_are_bounded_by_size_and_free_space() {
        let limits = BackupLimits {
            keep: 7,
            max_bytes: 10_000,
            max_free_percent: 25,
            keep_free_bytes: 0,
        };
        let existing: Vec<(PathBuf, u64)> = (0..6)
            .map(|i| (PathBuf::from(format!("{i}")), 3_000))
            .collect();
        // Plenty of free space: the cap allows the new copy and two more.
        assert_eq!(
            limits.removals(&existing, 3_000, Some(1 << 40)),
            vec![3, 2, 1, 0]
        );
        // Free space of 14,000 (+18,000 in backups): a quarter is 8,000.
        assert_eq!(
            limits.removals(&existing, 3_000, Some(14_000)),
            vec![4, 3, 2, 1, 0]
        );
        // A copy bigger than every bound is still kept, alone.
        assert_eq!(limits.removals(&existing, 50_000, Some(1 << 40)).len(), 6);
        // Small copies: only the count applies.
        let small: Vec<(PathBuf, u64)> = (0..9)
            .map(|i| (PathBuf::from(format!("{i}")), 10))
            .collect();
        assert_eq!(limits.removals(&small, 10, None), vec![2, 1, 0]);
    }

    // A disk without room for a copy: nothing is removed and nothing
    // written, and the error says why.
    #[test]
    fn no_room_for_a_backup_keeps_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("h.sqlite")).unwrap();
        let roomy = BackupLimits {
            keep_free_bytes: 0,
            ..BackupLimits::default()
        };
        let first = store.backup_rolling(&roomy, 1_750_000_000).unwrap();
        let full = BackupLimits {
            keep: 1,
            keep_free_bytes: u64::MAX / 2,
            ..BackupLimits::default()
        };
        let e = store.backup_rolling(&full, 1_750_086_400).unwrap_err();
        assert!(e.to_string().contains("not enough free disk space"), "{e}");
        assert_eq!(
            automatic_backups(&dir.path().join("h.sqlite")).unwrap(),
            vec![first]
        );
    }

    // An older database is copied aside, unchanged, before it is migrated;
    // a current one is not.
    #[test]
    fn backup_before_migration_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        // Another database's copy, named before names carried the stem.
        std::fs::create_dir_all(backups_dir(&path)).unwrap();
        std::fs::write(
            backups_dir(&path).join("buyerlens-before-migration-v1.sqlite"),
            b"another database's copy",
        )
        .unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(include_str!("../migrations/0001_init.sql"))
                .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute("INSERT INTO setting (key, value) VALUES ('k', 'v1')", [])
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        drop(store);
        let copy = backups_dir(&path).join("buyerlens-before-migration-h-v1.sqlite");
        let old = Connection::open(&copy).unwrap();
        let version: i64 = old
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1, "the copy is the file before the migration");
        let value: String = old
            .query_row("SELECT value FROM setting WHERE key = 'k'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(value, "v1");
        drop(Store::open(&path).unwrap());
        assert_eq!(
            std::fs::read_dir(backups_dir(&path)).unwrap().count(),
            2,
            "a current database is not copied again"
        );
    }

    /// A database at schema `version` with one setting, at `path`.
    fn database_at_version(path: &Path, version: usize) {
        let mut conn = Connection::open(path).unwrap();
        MIGRATIONS.to_version(&mut conn, version).unwrap();
        conn.execute("INSERT INTO setting (key, value) VALUES ('k', 'v')", [])
            .unwrap();
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    // The copy before a migration replaces this database's copies from
    // earlier migrations; other databases' copies stay.
    #[test]
    fn only_the_newest_copy_before_a_migration_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        database_at_version(&path, 3);
        let backups = backups_dir(&path);
        std::fs::create_dir_all(&backups).unwrap();
        for name in [
            "buyerlens-before-migration-h-v1.sqlite",
            "buyerlens-before-migration-h-v2.sqlite",
            "buyerlens-before-migration-other-v2.sqlite",
            "buyerlens-before-migration-h-v2-v2.sqlite",
        ] {
            std::fs::write(backups.join(name), b"an older copy").unwrap();
        }
        drop(Store::open(&path).unwrap());
        let names: Vec<String> = names_in(&backups)
            .into_iter()
            .filter(|n| !n.starts_with(AUTO_BACKUP_PREFIX))
            .collect();
        assert_eq!(
            names,
            [
                "buyerlens-before-migration-h-v2-v2.sqlite",
                "buyerlens-before-migration-h-v3.sqlite",
                "buyerlens-before-migration-other-v2.sqlite",
            ]
        );
    }

    // Without room for the copy, an older database is neither copied nor
    // upgraded, and the error says how much room it needs.
    #[test]
    fn no_room_for_the_copy_before_a_migration_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        database_at_version(&path, 3);
        let before = std::fs::read(&path).unwrap();
        let conn = Connection::open(&path).unwrap();
        let e = backup_before_migration(&conn, &path, || Some(1 << 20)).unwrap_err();
        let message = e.to_string();
        assert!(message.contains("not enough free disk space"), "{message}");
        assert!(message.contains("Nothing was changed"), "{message}");
        drop(conn);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(names_in(&backups_dir(&path)).is_empty());
    }

    // An older BuyerLens file is told apart by its header alone; a current
    // one, an empty or missing file and a foreign SQLite file are not.
    #[test]
    fn needs_upgrade_reads_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.sqlite");
        {
            let mut conn = Connection::open(&old).unwrap();
            MIGRATIONS.to_version(&mut conn, 3).unwrap();
        }
        assert!(Store::needs_upgrade(&old));
        assert!(
            !sidecar(&old, "-wal").exists(),
            "looking leaves no -wal file behind"
        );
        drop(Store::open(&old).unwrap());
        assert!(!Store::needs_upgrade(&old), "migrated");

        let foreign = dir.path().join("foreign.sqlite");
        {
            let conn = Connection::open(&foreign).unwrap();
            conn.execute_batch("PRAGMA user_version = 1; CREATE TABLE t (x);")
                .unwrap();
        }
        assert!(!Store::needs_upgrade(&foreign));
        std::fs::write(dir.path().join("empty.sqlite"), b"").unwrap();
        assert!(!Store::needs_upgrade(dir.path().join("empty.sqlite")));
        assert!(!Store::needs_upgrade(dir.path().join("missing.sqlite")));
    }

    // A fresh store is at the newest schema and marked as ours.
    #[test]
    fn fresh_store_is_current() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let id: i64 = store
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .unwrap();
        assert_eq!(
            id, APPLICATION_ID,
            "a BuyerLens file must carry its application id"
        );
        store.check_integrity().unwrap();
    }
}

/// Hand-built classifications for the store's unit tests, so they do not
/// depend on the classifier's rules.
#[cfg(test)]
pub(crate) mod tests_support {
    use crate::label::Label;
    use crate::model::{Classification, Format, LabelScore, Message, Speaker};

    /// A label with a score and no evidence.
    pub fn scored(code: Label, score: f32) -> LabelScore {
        LabelScore {
            code,
            label: code.zh().into(),
            score,
            evidence: Vec::new(),
        }
    }

    /// A classification with these labels.
    pub fn classification(
        motives: &[Label],
        experience: Label,
        intent: Label,
        topics: &[Label],
    ) -> Classification {
        Classification {
            format: Format::PlainPrefixed,
            messages: vec![Message {
                speaker: Speaker::Buyer,
                name: None,
                time: None,
                text: "在吗".into(),
                system: false,
            }],
            motives: motives.iter().map(|&l| scored(l, 0.8)).collect(),
            experience: scored(experience, 0.7),
            intent: scored(intent, 0.9),
            topics: topics.iter().map(|&l| scored(l, 0.8)).collect(),
            buyer_credit: None,
        }
    }

    /// A Qianniu-style classification with buyer and `shop:agent` names.
    pub fn classification_with_names() -> Classification {
        let mut c = classification(&[Label::Bargain], Label::Novice, Label::Shopper, &[]);
        c.format = Format::QianniuPaste;
        c.messages = vec![
            Message {
                speaker: Speaker::Buyer,
                name: Some("lulu_0725".into()),
                time: Some("2024-09-16T19:01:31".into()),
                text: "这条碎花连衣裙能便宜点吗".into(),
                system: false,
            },
            Message {
                speaker: Speaker::Shop,
                name: Some("言衣女装旗舰店:小雅".into()),
                time: Some("2024-09-16T19:02:35".into()),
                text: "亲，可以领券哦".into(),
                system: false,
            },
        ];
        c
    }
}
