//! No network, proven by running the binary: every CLI command that reads
//! or writes conversations (classify, import, history, stats, export,
//! templates, eval) runs under `strace -f`, and no process it starts opens
//! or sends to an AF_INET or AF_INET6 socket. `scripts/setup.sh` installs
//! strace; where ptrace is not allowed (some containers) the test says so
//! and skips.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_buyerlens");

/// Runs `buyerlens args` under strace; returns the trace, or `None` with a
/// printed reason when strace cannot trace here.
fn traced(dir: &Path, name: &str, args: &[&str], stdin: Option<&Path>) -> Option<String> {
    let log = dir.join(format!("{name}.strace"));
    let mut command = Command::new("strace");
    command
        .args(["-f", "-qq", "-e", "trace=network", "-o"])
        .arg(&log)
        .arg(BIN)
        .args(args)
        .env_remove("BUYERLENS_PIN")
        .env_remove("BUYERLENS_DB");
    if let Some(input) = stdin {
        command.stdin(std::fs::File::open(input).unwrap());
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("strace must be installed (scripts/setup.sh installs it): {e}"));
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("PTRACE_TRACEME") || stderr.contains("ptrace(") {
        eprintln!(
            "SKIPPED no_network: strace cannot trace here: {}",
            stderr.trim()
        );
        return None;
    }
    assert!(
        out.status.success(),
        "{name} under strace failed: {}\n{}",
        stderr,
        String::from_utf8_lossy(&out.stdout)
    );
    Some(trace)
}

// classify, import, history, stats, export (CSV and xlsx), templates and
// the lexicon check make no IPv4/IPv6 connection and send nothing over one.
#[test]
fn no_network() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("h.sqlite");
    let db = db.to_str().unwrap();
    let chat = d.join("chat.txt");
    std::fs::write(
        &chat,
        "买家：能包邮吗 便宜点 13812345678\n客服：亲，包邮的哦\n",
    )
    .unwrap();
    let chat = chat.to_str().unwrap();
    let csv = d.join("out.csv");
    let xlsx = d.join("out.xlsx");
    let runs: Vec<(&str, Vec<&str>, Option<&Path>)> = vec![
        ("classify", vec!["classify", chat], None),
        (
            "classify-stdin",
            vec!["classify", "-"],
            Some(Path::new(chat)),
        ),
        ("import", vec!["--db", db, "import", chat], None),
        ("history", vec!["--db", db, "history", "--json"], None),
        (
            "search",
            vec!["--db", db, "history", "--search", "包邮"],
            None,
        ),
        ("stats", vec!["--db", db, "stats"], None),
        (
            "export-csv",
            vec!["--db", db, "export", "--csv", csv.to_str().unwrap()],
            None,
        ),
        (
            "export-xlsx",
            vec!["--db", db, "export", "--xlsx", xlsx.to_str().unwrap()],
            None,
        ),
        ("templates", vec!["--db", db, "templates", "list"], None),
        ("lexicon", vec!["lexicon", "check"], None),
    ];
    let mut traced_runs = 0;
    for (name, args, stdin) in runs {
        let Some(trace) = traced(d, name, &args, stdin) else {
            return;
        };
        traced_runs += 1;
        let inet: Vec<&str> = trace
            .lines()
            .filter(|l| l.contains("AF_INET") || l.contains("AF_INET6"))
            .collect();
        assert!(
            inet.is_empty(),
            "`buyerlens {}` touched the network:\n{}",
            args.join(" "),
            inet.join("\n")
        );
    }
    assert_eq!(traced_runs, 10);
    assert!(csv.exists() && xlsx.exists(), "the commands really ran");
}

// The check itself works: a process that does open an IPv4 socket shows up
// in the same trace (so an empty trace means no network, not no tracing).
#[test]
fn strace_sees_a_connect() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("probe.strace");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=network", "-o"])
        .arg(&log)
        .args(["sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true"])
        .output();
    let Ok(out) = out else {
        panic!("strace must be installed (scripts/setup.sh installs it)");
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("ptrace") {
        eprintln!("SKIPPED strace_sees_a_connect: {}", stderr.trim());
        return;
    }
    let _ = out;
    // sh may lack /dev/tcp (dash): use bash when there.
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    if !trace.contains("AF_INET") {
        let out = Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=network", "-o"])
            .arg(&log)
            .args([
                "bash",
                "-c",
                "exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true",
            ])
            .output()
            .unwrap();
        let _ = out;
    }
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        trace.contains("connect(") && trace.contains("AF_INET"),
        "strace shows an IPv4 connect: {trace}"
    );
}
