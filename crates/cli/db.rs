//! Finding and opening the database, and the local clock: what the
//! store-backed subcommands share.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Context;
use buyerlens_core::store::{BackupLimits, PinCheck, StoreError};
use buyerlens_core::Store;

use crate::BadInput;

/// The database path: `--db`, else `BUYERLENS_DB`, else the platform's
/// app-data directory (the desktop app's file).
pub fn path(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("BUYERLENS_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    Store::default_path().ok_or_else(|| {
        BadInput("no home directory to keep the database in: pass --db PATH".into()).into()
    })
}

/// The folder of automatic backups for the database at `db`.
pub fn backups_dir(db: &Path) -> PathBuf {
    buyerlens_core::store::backups_dir(db)
}

/// Whether a command opening the database may change it: the first one of
/// the day that may keeps the day's automatic backup first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It may write.
    Write,
    /// It only reads (history, stats, export, eval, backup): no automatic
    /// backup, since nothing it does needs one, and for a history of
    /// millions of chats the copy is a minute before the answer (46–63 s
    /// for 4.9 GB).
    Read,
}

/// Above this size, taking the day's backup is said on stderr (it takes
/// seconds to minutes).
const SAY_BACKUP_ABOVE_BYTES: u64 = 256 << 20;

/// Opens the file, and once a day, for a command that may write, keeps a
/// rolling automatic backup beside it. A database that cannot be opened
/// because it is damaged or newer than this build gets a message offering
/// the latest automatic backup.
fn open_at(path: &Path, access: Access) -> anyhow::Result<Store> {
    // A database created by this run has nothing to back up yet.
    let existed = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    if Store::needs_upgrade(path) {
        // A minute or two for a large history: say why nothing happens.
        eprintln!(
            "buyerlens: upgrading the database at {} to this version (a copy of it is kept in {} first); \
             a large history takes a minute or two",
            path.display(),
            buyerlens_core::store::backups_dir(path).display()
        );
    }
    let store = match Store::open(path) {
        Ok(store) => store,
        Err(error) => {
            let offer = match &error {
                buyerlens_core::Error::Store(
                    StoreError::Corrupt { .. } | StoreError::NewerSchema { .. },
                ) => restore_offer(path),
                _ => None,
            };
            let context = format!("opening the database at {}", path.display());
            return Err(match offer {
                Some(offer) => anyhow::Error::new(error).context(format!("{context}; {offer}")),
                None => anyhow::Error::new(error).context(context),
            });
        }
    };
    if !existed || access == Access::Read {
        return Ok(store);
    }
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size > SAY_BACKUP_ABOVE_BYTES && store.daily_backup_due(now()) {
        eprintln!(
            "buyerlens: keeping today's automatic backup of the database ({:.1} GB) in {} first",
            size as f64 / 1e9,
            buyerlens_core::store::backups_dir(path).display()
        );
    }
    if let Err(e) = store.backup_daily(&BackupLimits::default(), now()) {
        // A failed backup must not stop the work; say so.
        eprintln!("buyerlens: warning: the automatic backup failed: {e}");
    }
    Ok(store)
}

/// "the latest automatic backup is …: run `buyerlens restore --latest`".
fn restore_offer(db: &Path) -> Option<String> {
    let latest = buyerlens_core::store::automatic_backups(db).ok()?.pop()?;
    Some(format!(
        "the latest automatic backup is {}: run `buyerlens restore --latest` to go back to it \
         (the current file is kept aside, not deleted)",
        latest.display()
    ))
}

/// Opens (creating if needed) the database, for a command that may write.
pub fn open(flag: Option<&Path>) -> anyhow::Result<Store> {
    open_at(&path(flag)?, Access::Write)
}

/// The `--pin` given on the command line.
static PIN_FLAG: OnceLock<Option<String>> = OnceLock::new();

/// Remembers the global `--pin` flag for [`require_supervisor`].
pub fn set_pin_flag(pin: Option<String>) {
    let _ = PIN_FLAG.set(pin);
}

/// Refuses a supervisor action (exit 2) unless no PIN is set or the PIN
/// given — `--pin`, else `BUYERLENS_PIN`, else typed at a prompt when
/// stdin is a terminal — is right. Wrong PINs count towards the lockout.
pub fn require_supervisor(store: &mut Store) -> anyhow::Result<()> {
    if !store.supervisor_pin_set()? {
        return Ok(());
    }
    let pin = PIN_FLAG
        .get()
        .cloned()
        .flatten()
        .or_else(|| {
            std::env::var("BUYERLENS_PIN")
                .ok()
                .filter(|p| !p.is_empty())
        })
        .map(Ok)
        .or_else(|| std::io::stdin().is_terminal().then(prompt_pin))
        .transpose()?;
    let Some(pin) = pin else {
        return Err(BadInput(
            "this needs the supervisor PIN: pass --pin PIN or set BUYERLENS_PIN".into(),
        )
        .into());
    };
    match store.check_supervisor_pin(pin.trim(), now())? {
        PinCheck::NotSet | PinCheck::Right => Ok(()),
        refused => Err(BadInput(refused.refusal().unwrap_or_default()).into()),
    }
}

/// Asks for the PIN on the terminal, without echoing it where `stty` exists.
fn prompt_pin() -> anyhow::Result<String> {
    use std::io::Write as _;
    eprint!("supervisor PIN: ");
    let _ = std::io::stderr().flush();
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success())
    };
    let hidden = stty("-echo");
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    if hidden {
        stty("echo");
        eprintln!();
    }
    read.context("reading the PIN")?;
    Ok(line.trim().to_string())
}

/// Opens an existing database; a missing file is bad input, not a new database.
pub fn open_existing(flag: Option<&Path>, access: Access) -> anyhow::Result<Store> {
    let path = path(flag)?;
    if !path.exists() {
        return Err(BadInput(format!(
            "there is no database at {}: import conversations first, or pass --db PATH",
            path.display()
        ))
        .into());
    }
    open_at(&path, access)
}

/// Now, as local wall-clock seconds (the store's time unit).
pub fn now() -> i64 {
    chrono::Local::now().naive_local().and_utc().timestamp()
}

/// Parses `--from`/`--to`: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]`. A bare
/// date means the start of that day, or its end when `end_of_day`.
pub fn parse_time(text: &str, end_of_day: bool) -> anyhow::Result<i64> {
    let seconds = buyerlens_core::store::time::parse_local(text).ok_or_else(|| {
        BadInput(format!(
            "\"{text}\" is not a date: write YYYY-MM-DD or YYYY-MM-DD HH:MM"
        ))
    })?;
    let bare_date = text.trim().len() <= 10;
    Ok(if end_of_day && bare_date {
        seconds + 86_399
    } else {
        seconds
    })
}

/// A label given on the command line, by code (`bargain`) or Chinese name
/// (`求廉`), checked against its axis.
pub fn label(axis: buyerlens_core::Axis, text: &str) -> anyhow::Result<buyerlens_core::Label> {
    let text = text.trim();
    buyerlens_core::Label::of_axis(axis)
        .find(|l| l.code() == text || l.zh() == text)
        .ok_or_else(|| {
            let known: Vec<String> = buyerlens_core::Label::of_axis(axis)
                .map(|l| format!("{} ({})", l.code(), l.zh()))
                .collect();
            BadInput(format!(
                "\"{text}\" is not a {} label; use one of: {}",
                axis.code(),
                known.join(", ")
            ))
            .into()
        })
}

/// A comma-separated list of labels (`""` is the empty list).
pub fn labels(
    axis: buyerlens_core::Axis,
    text: &str,
) -> anyhow::Result<Vec<buyerlens_core::Label>> {
    text.split([',', '，'])
        .filter(|part| !part.trim().is_empty())
        .map(|part| label(axis, part))
        .collect()
}
