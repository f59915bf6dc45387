//! The supervisor PIN through the real CLI: with a PIN set, `correct`,
//! `templates add|edit|rm|import` and `lexicon import|reset` are refused
//! (exit 2, a message saying what is needed) without it or with a wrong
//! one; wrong PINs lock checking after five; the right PIN works, from
//! `--pin` or `BUYERLENS_PIN`.

use crate::util::{buyerlens_env, describe};

const PIN: &str = "2468";

struct Db {
    _dir: tempfile::TempDir,
    path: String,
    dir: std::path::PathBuf,
}

impl Db {
    fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite").to_str().unwrap().to_string();
        Db {
            dir: dir.path().to_path_buf(),
            _dir: dir,
            path,
        }
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut all = vec!["--db", self.path.as_str()];
        all.extend_from_slice(args);
        buyerlens_env(&all, env, b"")
    }
}

fn args(c: &[String]) -> Vec<&str> {
    c.iter().map(String::as_str).collect()
}

/// The gated commands, each complete but for the PIN.
fn gated(db: &Db) -> Vec<Vec<String>> {
    let pack = db.dir.join("pack.toml");
    std::fs::write(
        &pack,
        "[[template]]\nkey = \"k1\"\ntitle = \"包邮\"\nbody = \"亲，包邮的哦\"\ntags = [\"bargain\"]\n",
    )
    .unwrap();
    let chat = db.dir.join("other.txt");
    std::fs::write(&chat, "买家：质量怎么样\n客服：很好\n").unwrap();
    let lexicon = db.dir.join("lexicon.toml");
    std::fs::write(&lexicon, buyerlens_core::lexicon::DEFAULT_LEXICON).unwrap();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&["correct", "1", "--motives", "bargain"]),
        s(&["templates", "add", "--title", "t", "--body", "亲"]),
        s(&["templates", "edit", "1", "--title", "t2"]),
        s(&["templates", "rm", "2"]),
        s(&["templates", "import", pack.to_str().unwrap()]),
        s(&["lexicon", "import", lexicon.to_str().unwrap()]),
        s(&["lexicon", "reset"]),
        s(&["pin", "set", PIN]),
        s(&["settings", "mask", "off"]),
        s(&["import", "--no-mask", chat.to_str().unwrap()]),
    ]
}

fn import_one(db: &Db) {
    let chat = db.dir.join("chat.txt");
    std::fs::write(&chat, "买家：能便宜点吗\n客服：亲，可以领券哦\n").unwrap();
    let out = db.run(&["import", chat.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", describe(&out));
}

// Without a PIN set nothing is gated; with one, each gated command is
// refused without a PIN and with a wrong one (exit 2, clear message), and
// works with the right one via --pin or BUYERLENS_PIN.
#[test]
fn gated_commands_need_the_pin() {
    gated_half(0);
}

// The same for the second half of the gated commands (split to keep each
// test short).
#[test]
fn gated_commands_need_the_pin_2() {
    gated_half(1);
}

fn gated_half(half: usize) {
    let db = Db::new();
    import_one(&db);
    let all = gated(&db);
    let mid = all.len() / 2;
    let mut commands = if half == 0 {
        all[..mid].to_vec()
    } else {
        all[mid..].to_vec()
    };
    if half == 1 {
        // Both halves start from a correction, the first check below.
        commands.insert(0, all[0].clone());
    }
    let first = db.run(&args(&commands[0]), &[]);
    assert!(first.status.success(), "no PIN set: {}", describe(&first));

    let set = db.run(&["pin", "set", PIN], &[]);
    assert!(set.status.success(), "{}", describe(&set));
    let bad = db.run(&["pin", "set", "12ab"], &[("BUYERLENS_PIN", PIN)]);
    assert_eq!(bad.status.code(), Some(2), "{}", describe(&bad));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("4 to 12 digits"));

    for command in &commands {
        let a = args(command);
        let without = db.run(&a, &[]);
        assert_eq!(
            without.status.code(),
            Some(2),
            "{a:?} {}",
            describe(&without)
        );
        let message = String::from_utf8_lossy(&without.stderr);
        assert!(
            message.contains("needs the supervisor PIN") && message.contains("--pin"),
            "{a:?}: {message}"
        );
        // A wrong PIN, then the right one (which resets the count).
        let mut wrong = vec!["--pin", "1111"];
        wrong.extend_from_slice(&a);
        let refused = db.run(&wrong, &[]);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{a:?} {}",
            describe(&refused)
        );
        assert!(String::from_utf8_lossy(&refused.stderr).contains("PIN is not correct"));
        let mut right = vec!["--pin", PIN];
        right.extend_from_slice(&a);
        let ok = db.run(&right, &[]);
        assert!(ok.status.success(), "{a:?} with the PIN: {}", describe(&ok));
    }
    // The environment variable serves scripts.
    let env = db.run(&args(&commands[0]), &[("BUYERLENS_PIN", PIN)]);
    assert!(env.status.success(), "{}", describe(&env));
    // Reading is never gated.
    for read in [
        &["history"][..],
        &["templates", "list"],
        &["stats"],
        &["pin", "status"],
    ] {
        let out = db.run(read, &[]);
        assert!(out.status.success(), "{read:?}: {}", describe(&out));
    }
    let cleared = db.run(&["pin", "clear"], &[("BUYERLENS_PIN", PIN)]);
    assert!(cleared.status.success(), "{}", describe(&cleared));
    let free = db.run(&args(&commands[0]), &[]);
    assert!(free.status.success(), "PIN removed: {}", describe(&free));
}

// After five wrong PINs in a row the next check is refused, even with the
// right PIN, with the seconds to wait; the lockout is kept in the database,
// so it holds across processes.
#[test]
fn wrong_pins_lock_out() {
    let db = Db::new();
    import_one(&db);
    assert!(db.run(&["pin", "set", PIN], &[]).status.success());
    let correct = ["correct", "1", "--motives", "bargain"];
    for attempt in 1..=5 {
        let mut a = vec!["--pin", "0000"];
        a.extend_from_slice(&correct);
        let out = db.run(&a, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let message = String::from_utf8_lossy(&out.stderr).to_string();
        if attempt == 5 {
            assert!(message.contains("try again in 30 seconds"), "{message}");
        } else {
            assert!(
                message.contains(&format!("{} more tries", 5 - attempt)),
                "{message}"
            );
        }
    }
    let mut a = vec!["--pin", PIN];
    a.extend_from_slice(&correct);
    let locked = db.run(&a, &[]);
    assert_eq!(locked.status.code(), Some(2), "{}", describe(&locked));
    let message = String::from_utf8_lossy(&locked.stderr);
    assert!(
        message.contains("too many wrong supervisor PINs: try again in")
            && message.contains("seconds"),
        "{message}"
    );
}

// On a terminal (a pty made by util-linux `script`), a gated command asks
// for the PIN and checks what is typed. Skipped where `script` is missing.
#[test]
fn pin_prompt_on_a_terminal() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let db = Db::new();
    import_one(&db);
    assert!(db.run(&["pin", "set", PIN], &[]).status.success());
    for (typed, code, says) in [
        ("1111", 2, "PIN is not correct"),
        (PIN, 0, "conversation 1"),
    ] {
        let inner = format!(
            "'{}' --db '{}' correct 1 --motives bargain,safety",
            env!("CARGO_BIN_EXE_buyerlens"),
            db.path
        );
        let child = Command::new("script")
            .args(["-qec", &inner, "/dev/null"])
            .env_remove("BUYERLENS_PIN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("SKIPPED pin_prompt_on_a_terminal: no `script` (util-linux)");
            return;
        };
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{typed}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("supervisor PIN:"),
            "a prompt: {}",
            describe(&out)
        );
        assert!(text.contains(says), "{}", describe(&out));
        assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
        drop(stdin);
    }
}
