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

/// Runs the `buyerlens` binary with `args`, feeding `stdin`.
pub fn buyerlens(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_buyerlens"))
        .args(args)
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
