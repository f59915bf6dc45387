//! Bad input, table-driven, through the real CLI and the core: every case
//! of issue 5 ("Prove it under bad input…"). Each case states the exit code
//! and words its message must contain (naming the problem, and the line or
//! entry where there is one); every run is checked for a panic, and after
//! every run the database must still hold what was stored before it and
//! pass `integrity_check`.

use std::path::{Path, PathBuf};

use buyerlens_core::Store;

use crate::util::{buyerlens_env, describe};

/// The setting of one case: files it reads are written under `dir`.
struct Fixture {
    dir: PathBuf,
    db: PathBuf,
}

impl Fixture {
    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    }
}

/// One case: the command line, stdin, the exit code and the words the
/// output (stderr, or stdout for per-line JSON errors) must contain.
struct Case {
    name: &'static str,
    args: Vec<String>,
    stdin: Vec<u8>,
    exit: i32,
    says: Vec<&'static str>,
}

fn case(name: &'static str, args: &[&str], exit: i32, says: &[&'static str]) -> Case {
    Case {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: Vec::new(),
        exit,
        says: says.to_vec(),
    }
}

fn stdin_case(name: &'static str, stdin: &[u8], exit: i32, says: &[&'static str]) -> Case {
    Case {
        stdin: stdin.to_vec(),
        ..case(name, &["classify", "-"], exit, says)
    }
}

/// A lexicon with one label section and the given cue lines.
fn lexicon(section: &str, cues: &str) -> Vec<u8> {
    format!("version = \"bad-1\"\n\n[labels.{section}]\ncues = [\n{cues}\n]\n").into_bytes()
}

/// A minimal zip file holding one entry `name` (stored, no compression),
/// built by hand so the test needs no zip writer.
fn zip_with(name: &str, content: &[u8]) -> Vec<u8> {
    let crc = crc32(content);
    let mut out = Vec::new();
    let local = |out: &mut Vec<u8>| {
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(content.len() as u32).to_le_bytes());
        out.extend_from_slice(&(content.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(content);
    };
    local(&mut out);
    let central_at = out.len() as u32;
    out.extend_from_slice(b"PK\x01\x02");
    out.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&[0; 12]);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    let central_len = out.len() as u32 - central_at;
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Every case of the issue, against the CLI.
fn cases(f: &Fixture) -> Vec<Case> {
    let chat = "买家：在吗，能包邮吗？便宜点吧\n客服：亲，包邮的哦\n买家：好的，那我拍了\n";
    let big = f.dir.join("big.txt");
    // 200 MB, sparse: created instantly, refused by its size before reading.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let big = big.to_str().unwrap().to_string();
    let big_csv = f.dir.join("big.csv");
    std::fs::File::create(&big_csv)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let big_csv = big_csv.to_str().unwrap().to_string();
    let png = f.file("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01");
    let png_txt = f.file("photo.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01");
    let zip = f.file("chats.zip", &zip_with("a.txt", "买家：包邮吗".as_bytes()));
    let zip_txt = f.file("chats.txt", &zip_with("a.txt", "买家：包邮吗".as_bytes()));
    let mut truncated = chat.as_bytes().to_vec();
    truncated.extend_from_slice(&"包邮".as_bytes()[..4]);
    let truncated = f.file("truncated.txt", &truncated);
    let gbk = f.file(
        "gbk.txt",
        &encoding_rs::GBK
            .encode("买家：能包邮吗？便宜点\n客服：亲，包邮哦\n")
            .0,
    );
    // UTF-8 whose bytes are also valid GBK (the reverse mistake).
    let utf8_gbkish = f.file(
        "utf8.txt",
        "买家：包邮吗，质量怎么样\n客服：亲，包邮\n".as_bytes(),
    );
    let utf16 = f.file(
        "utf16.txt",
        &utf16le("买家：能包邮吗？便宜点\n客服：亲，包邮哦\n"),
    );
    let empty_file = f.file("empty.txt", b"");
    let blank_file = f.file("blank.txt", " \n\t\r\n\u{3000}\n".as_bytes());
    let unbalanced = f.file(
        "unbalanced.csv",
        "id,text\n1,\"买家：在吗\n2,买家：包邮吗\n".as_bytes(),
    );
    let newlines = f.file(
        "newlines.csv",
        "id,客服,text\n1,小雅,\"买家：包邮吗\n客服：包邮的\n买家：好\"\n".as_bytes(),
    );
    let fake_xlsx = f.file("report.xlsx", &zip_with("readme.txt", b"not a workbook"));
    let jsonl = f.file(
        "chats.jsonl",
        "{\"id\": \"a\", \"text\": \"买家：质量怎么样 会掉色吗\"}\n{\"id\": \"b\", \"text\": \n{\"id\": \"c\", \"text\": \"买家：什么时候发货 急用\"}\n"
            .as_bytes(),
    );
    // A few control characters in a real paste (a terminal's colour code,
    // a bell) are read; text made mostly of them is refused as binary.
    let control = "买家：\u{7}在吗，这款能\u{202E}包邮\u{202C}吗\u{200B}？\u{1b}[31m便宜点\u{2066}可以吗\n客服：亲，包邮的哦，今天下单明天发货\n买家：好的那我拍了\n";
    let dense = "\u{7}\u{1b}\u{8}买家\u{7}\u{1b}\u{8}包邮\u{7}\u{1b}\u{8}";
    let combining = "买家：😀包邮吗👍🏽 便\u{0301}宜点 👨‍👩‍👧 包\u{20DD}邮 𠀀\n客服：亲\n";
    let broken_regex = f.file(
        "broken.toml",
        &lexicon("bargain", "{ regex = \"便宜(点\", means = \"降价\" },"),
    );
    let duplicate = f.file(
        "duplicate.toml",
        &lexicon(
            "bargain",
            "{ cue = \"包邮\", id = \"twice\", means = \"x\" },\n{ cue = \"便宜\", id = \"twice\", means = \"y\" },",
        ),
    );
    let unknown = f.file(
        "unknown.toml",
        &lexicon("bargin", "{ cue = \"包邮\", means = \"x\" },"),
    );
    let pack = f.file(
        "pack.toml",
        "[[template]]\nkey = \"ok\"\ntitle = \"好\"\nbody = \"{买家}您好\"\n\n[[template]]\nkey = \"coupon\"\ntitle = \"券\"\nbody = \"亲，领{优惠券}再拍\"\n"
            .as_bytes(),
    );

    vec![
        stdin_case("empty paste", b"", 2, &["empty"]),
        stdin_case(
            "whitespace only",
            b"  \n\t\r\n \xE3\x80\x80\n",
            2,
            &["empty"],
        ),
        stdin_case("one-line chat", "买家：包邮吗".as_bytes(), 0, &[]),
        case(
            "200 MB file (classify)",
            &["classify", &big],
            2,
            &["209715200 bytes", "limit"],
        ),
        case(
            "200 MB file (import)",
            &["import", &big],
            2,
            &["big.txt", "209715200 bytes", "limit", "split"],
        ),
        case(
            "200 MB csv (import)",
            &["import", &big_csv],
            2,
            &["big.csv", "limit"],
        ),
        case(
            "PNG image",
            &["classify", &png],
            2,
            &["not a text file", "PNG image"],
        ),
        case(
            "PNG image named .txt (import)",
            &["import", &png_txt],
            2,
            &["photo.txt", "PNG image"],
        ),
        case(
            "PNG by extension (import)",
            &["import", &png],
            2,
            &["photo.png"],
        ),
        case(
            "zip archive",
            &["classify", &zip],
            2,
            &["not a text file", "zip archive"],
        ),
        case(
            "zip named .txt (import)",
            &["import", &zip_txt],
            2,
            &["chats.txt", "zip archive"],
        ),
        case(
            "truncated UTF-8",
            &["classify", &truncated],
            0,
            &["truncated.txt", "not valid UTF-8"],
        ),
        case(
            "truncated UTF-8 (import: stored, with a warning)",
            &["import", &truncated],
            2,
            &["truncated.txt", "not valid UTF-8"],
        ),
        case(
            "empty file (import)",
            &["import", &empty_file],
            2,
            &["empty.txt", "no chat in this file"],
        ),
        case(
            "whitespace-only file (import)",
            &["import", &blank_file],
            2,
            &["blank.txt", "no chat in this file"],
        ),
        case("GBK file", &["classify", &gbk], 0, &[]),
        case(
            "UTF-8 that is also valid GBK",
            &["classify", &utf8_gbkish],
            0,
            &[],
        ),
        case("UTF-16 without BOM", &["classify", &utf16], 0, &[]),
        case(
            "CSV with unbalanced quotes",
            &["import", &unbalanced],
            2,
            &["unbalanced.csv", "line 2"],
        ),
        case("CSV with embedded newlines", &["import", &newlines], 0, &[]),
        case(
            "xlsx that is a zip of something else",
            &["import", &fake_xlsx],
            2,
            &["report.xlsx"],
        ),
        case(
            "JSONL with a bad line (import)",
            &["import", &jsonl],
            2,
            &["chats.jsonl", "line 2"],
        ),
        case(
            "JSONL with a bad line (classify)",
            &["classify", "--jsonl", &jsonl],
            2,
            &["\"line\":2"],
        ),
        Case {
            stdin: control.as_bytes().to_vec(),
            ..case(
                "control characters and bidi overrides",
                &["classify", "-"],
                0,
                &[],
            )
        },
        stdin_case(
            "mostly control characters",
            dense.as_bytes(),
            2,
            &["not a text file", "not readable text"],
        ),
        stdin_case(
            "a NUL byte in a paste",
            "买家：包邮吗\0".as_bytes(),
            2,
            &["not a text file", "NUL"],
        ),
        Case {
            stdin: combining.as_bytes().to_vec(),
            ..case(
                "emoji and combining marks around cues",
                &["classify", "-"],
                0,
                &[],
            )
        },
        case(
            "lexicon with a broken regex (check)",
            &["lexicon", "check", &broken_regex],
            2,
            &["broken.toml", "bargain", "regex"],
        ),
        case(
            "lexicon with a broken regex (import)",
            &["lexicon", "import", &broken_regex],
            2,
            &["bargain", "regex"],
        ),
        case(
            "lexicon with a duplicate id",
            &["lexicon", "import", &duplicate],
            2,
            &["duplicate id", "twice"],
        ),
        case(
            "lexicon with an unknown category",
            &["lexicon", "import", &unknown],
            2,
            &["unknown category", "bargin"],
        ),
        case(
            "template with an unknown placeholder",
            &[
                "templates",
                "add",
                "--title",
                "券",
                "--body",
                "亲，领{优惠券}再拍",
            ],
            2,
            &["unknown placeholder", "{优惠券}"],
        ),
        case(
            "template pack with an unknown placeholder",
            &["templates", "import", &pack],
            2,
            &["coupon", "{优惠券}"],
        ),
    ]
}

/// What must survive every case.
#[derive(Debug, PartialEq)]
struct Kept {
    first_text: String,
    templates: usize,
    lexicon: Option<String>,
}

fn kept(db: &Path) -> (Kept, u64) {
    let store = Store::open(db).unwrap();
    store
        .check_integrity()
        .expect("the database passes integrity_check");
    let first = store.history(&Default::default()).unwrap();
    let first = first.last().expect("the first conversation is stored");
    (
        Kept {
            first_text: store.conversation(first.id).unwrap().text,
            templates: store.templates(true).unwrap().len(),
            lexicon: store.active_lexicon_version().unwrap().map(|l| l.version),
        },
        store.conversation_count().unwrap(),
    )
}

// Pasted and single-file input to `classify`: each gets its exit code and
// a message naming the problem, never a panic, and loses nothing stored.
#[test]
fn bad_input_classify() {
    run_table(|c| c.args[0] == "classify");
}

// Files to `import`: the same, and the file and line are named.
#[test]
fn bad_input_import() {
    run_table(|c| c.args[0] == "import");
}

// Lexicon and template files and fields: the entry at fault is named and
// the lexicon in force and the stored templates are unchanged.
#[test]
fn bad_input_lexicon_and_templates() {
    run_table(|c| c.args[0] == "lexicon" || c.args[0] == "templates");
}

/// Runs the cases `select` picks against a database holding one
/// conversation, the shipped templates and the default lexicon.
fn run_table(select: fn(&Case) -> bool) {
    let dir = tempfile::tempdir().unwrap();
    let f = Fixture {
        dir: dir.path().to_path_buf(),
        db: dir.path().join("history.sqlite"),
    };
    let db = f.db.to_str().unwrap().to_string();
    let first = f.file(
        "first.txt",
        "买家：这款质量怎么样 包邮吗\n客服：包邮的\n".as_bytes(),
    );
    let setup = buyerlens_env(&["--db", &db, "import", &first], &[], b"");
    assert!(setup.status.success(), "{}", describe(&setup));
    // The shipped templates are installed on first use of `templates`.
    let listed = buyerlens_env(&["--db", &db, "templates", "list"], &[], b"");
    assert!(listed.status.success(), "{}", describe(&listed));
    let (before, mut count) = kept(&f.db);

    let mut failures = Vec::new();
    let selected: Vec<Case> = cases(&f).into_iter().filter(select).collect();
    assert!(!selected.is_empty());
    for c in selected {
        let mut args = vec!["--db", db.as_str()];
        args.extend(c.args.iter().map(String::as_str));
        let out = buyerlens_env(&args, &[], &c.stdin);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        let mut wrong = Vec::new();
        if out.status.code() != Some(c.exit) {
            wrong.push(format!("exit {:?}, expected {}", out.status.code(), c.exit));
        }
        if text.contains("panicked") || text.contains("RUST_BACKTRACE") {
            wrong.push("panicked".into());
        }
        for word in &c.says {
            if !text.contains(word) {
                wrong.push(format!("the message does not say {word:?}"));
            }
        }
        if c.exit != 0
            && !String::from_utf8_lossy(&out.stderr).starts_with("buyerlens: ")
            && !c.args.contains(&"--jsonl".to_string())
            && c.args[0] != "import"
        {
            wrong.push("a refusal is one `buyerlens: …` line on stderr".into());
        }
        let (after, now) = kept(&f.db);
        if after != before {
            wrong.push(format!("what was stored changed: {before:?} → {after:?}"));
        }
        if now < count {
            wrong.push(format!("conversations went from {count} to {now}"));
        }
        count = now;
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n{}",
                c.name,
                wrong.join("; "),
                describe(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

// A classification of control characters, bidi overrides, emoji and
// combining marks around cues still finds the cues, and every evidence
// points at exactly its text in the message.
#[test]
fn odd_characters_keep_evidence_exact() {
    let classifier =
        buyerlens_core::Classifier::new(&buyerlens_core::Lexicon::default_lexicon()).unwrap();
    for text in [
        "买家：\u{7}在吗，这款能\u{202E}包邮\u{202C}吗\u{200B}？\u{1b}[31m便宜点\u{2066}可以吗\n客服：亲\n",
        "买家：😀包邮吗👍🏽 便\u{0301}宜点 👨‍👩‍👧 包\u{20DD}邮 𠀀\n客服：亲\n",
    ] {
        let result = classifier.classify(text).unwrap();
        let evidence: Vec<_> = result
            .motives
            .iter()
            .chain(&result.topics)
            .flat_map(|s| s.evidence.iter())
            .collect();
        assert!(
            evidence.iter().any(|e| e.text.contains("包邮")),
            "the cue 包邮 is found in {text:?}: {evidence:?}"
        );
        for e in evidence {
            assert_eq!(
                result.quoted(e).as_deref(),
                Some(e.text.as_str()),
                "evidence offsets in {text:?}"
            );
        }
    }
}

// The same cases through the core's API: a clear error, no panic.
#[test]
fn bad_input_through_the_core() {
    use buyerlens_core::decode::decode_bytes;
    use buyerlens_core::{Classifier, Error, Lexicon};
    let classifier = Classifier::new(&Lexicon::default_lexicon()).unwrap();
    assert!(matches!(classifier.classify(""), Err(Error::EmptyInput)));
    assert!(matches!(
        classifier.classify(" \n\t "),
        Err(Error::EmptyInput)
    ));
    assert!(classifier.classify("包邮吗").is_ok(), "one line is a chat");
    for (bytes, what) in [
        (&b"\x89PNG\r\n\x1a\n\0\0"[..], "PNG"),
        (&zip_with("a.txt", b"x")[..], "zip"),
    ] {
        let e = decode_bytes(bytes).unwrap_err();
        assert!(e.to_string().contains(what), "{e}");
    }
    let whole = "买家：能包邮吗？便宜点\n客服：亲，包邮哦\n买家：好的".as_bytes();
    let truncated = &whole[..whole.len() - 1];
    assert!(decode_bytes(truncated).unwrap().lossy);
    let utf16 = decode_bytes(&utf16le("买家：能包邮吗？\n客服：亲\n")).unwrap();
    assert!(utf16.text.contains("包邮"), "UTF-16 without BOM: {utf16:?}");
    for (source, says) in [
        (
            lexicon("bargain", "{ regex = \"便宜(点\", means = \"x\" },"),
            "regex",
        ),
        (
            lexicon("bargin", "{ cue = \"包邮\", means = \"x\" },"),
            "unknown category",
        ),
    ] {
        let e = Lexicon::from_toml(std::str::from_utf8(&source).unwrap()).unwrap_err();
        assert!(e.to_string().contains(says), "{e}");
    }
    let e =
        buyerlens_core::store::parse_pack("[[template]]\ntitle = \"券\"\nbody = \"领{优惠券}\"\n")
            .unwrap_err();
    assert!(e.to_string().contains("{优惠券}"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.jsonl");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let e = buyerlens_core::import::read_file(&big, 64 << 20).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}
