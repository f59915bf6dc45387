//! Helpers shared by the integration tests.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under `tests/golden/`.
pub fn golden(name: &str) -> PathBuf {
    root().join("tests/golden").join(name)
}

/// The shared labeled corpus, when this checkout sits beside `shared/`.
pub fn shared_corpus(name: &str) -> Option<PathBuf> {
    let path = root().join("../shared/corpus").join(name);
    path.exists().then_some(path)
}

/// Runs the `buyerlens` binary with `args`, feeding `stdin` (see
/// [`buyerlens_env`]: the caller's `BUYERLENS_*` variables do not leak in).
pub fn buyerlens(args: &[&str], stdin: &[u8]) -> Output {
    buyerlens_env(args, &[], stdin)
}

/// Compares `actual` with the golden file `name`; `GOLDEN=overwrite`
/// rewrites it instead (review the diff before committing).
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var("GOLDEN").as_deref() == Ok("overwrite") {
        std::fs::write(&path, actual).expect("golden file is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing {}: run with GOLDEN=overwrite and review it",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "\n{name} differs from its golden file\n~~~ expected\n{expected}\n~~~ actual\n{actual}\n~~~\n"
        );
    }
}

/// Runs the `buyerlens` binary with `args` and extra environment variables
/// (`BUYERLENS_PIN` and the like removed first, so the caller's shell does
/// not leak in), feeding `stdin`.
pub fn buyerlens_env(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_buyerlens"));
    command
        .args(args)
        .env_remove("BUYERLENS_PIN")
        .env_remove("BUYERLENS_DB")
        .env_remove("BUYERLENS_TEST_MAX_PAGES");
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the buyerlens binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().expect("buyerlens finishes");
    writer.join().expect("stdin writer finishes");
    output
}

/// The exit code, stdout and stderr of a run, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every byte of the database at `db` and its `-wal` file, so a test can
/// check that a string appears nowhere on disk.
pub fn db_bytes(db: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap_or_default();
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    bytes.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
    bytes
}

/// Whether `needle` occurs in `haystack`.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
