//! The CLI's output shapes and exit codes.

use crate::util::{buyerlens, shared_corpus};

// classify prints the stable result JSON with every documented field.
#[test]
fn classify_prints_the_result_shape() {
    let out = buyerlens(
        &["classify"],
        "买家：能包邮吗 急用 今天能发吗\n客服：亲，可以的".as_bytes(),
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in [
        "format",
        "messages",
        "motives",
        "experience",
        "intent",
        "topics",
        "buyer_credit",
    ] {
        assert!(v.get(field).is_some(), "missing {field}: {v}");
    }
    assert_eq!(v["format"], "plain_prefixed");
    assert_eq!(v["messages"][0]["speaker"], "buyer");
    assert_eq!(v["messages"][1]["speaker"], "shop");
    let bargain = v["motives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "bargain");
    let bargain = bargain.expect("包邮 shows 求廉");
    assert_eq!(bargain["label"], "求廉");
    let evidence = &bargain["evidence"][0];
    assert_eq!(evidence["message"], 0);
    assert!(evidence["rule"].as_str().unwrap().starts_with("bargain/"));
    let score = bargain["score"].as_f64().unwrap();
    assert!(score > 0.0 && score <= 1.0);
}

// --pretty prints the same value over several lines.
#[test]
fn pretty_is_the_same_value() {
    let chat = "买家：有货吗".as_bytes();
    let plain = buyerlens(&["classify"], chat);
    let pretty = buyerlens(&["classify", "--pretty"], chat);
    assert!(String::from_utf8_lossy(&pretty.stdout).lines().count() > 5);
    let a: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&pretty.stdout).unwrap();
    assert_eq!(a, b);
}

// --jsonl keeps ids and order; a bad line gets an error line and the rest go on.
#[test]
fn jsonl_batch_with_a_bad_line() {
    let mut input = String::new();
    for i in 0..50 {
        input.push_str(&format!(
            "{{\"id\": \"c{i}\", \"text\": \"买家：第{i}个 包邮吗\", \"extra\": 1}}\n"
        ));
        if i == 20 {
            input.push_str("{broken json\n");
            input.push_str("{\"id\": \"no-text\"}\n");
            input.push_str("{\"id\": \"blank\", \"text\": \"  \"}\n");
        }
    }
    let out = buyerlens(&["classify", "--jsonl", "-"], input.as_bytes());
    assert_eq!(out.status.code(), Some(2), "bad lines make the run exit 2");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect();
    assert_eq!(lines.len(), 53);
    let ok: Vec<&serde_json::Value> = lines.iter().filter(|l| l.get("error").is_none()).collect();
    assert_eq!(ok.len(), 50);
    for (i, line) in ok.iter().enumerate() {
        assert_eq!(line["id"], format!("c{i}"), "output keeps input order");
        assert!(line["motives"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["code"] == "bargain"));
    }
    let errors: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l.get("error").is_some()).collect();
    assert_eq!(errors[0]["line"], 22);
    assert_eq!(errors[1]["id"], "no-text");
    assert_eq!(errors[2]["id"], "blank");
    assert!(errors[2]["error"].as_str().unwrap().contains("empty"));
}

// lexicon check accepts the default and names the broken entry of a bad file.
#[test]
fn lexicon_check() {
    let out = buyerlens(&["lexicon", "check"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok:"));
    let dir = std::env::temp_dir().join(format!("buyerlens-lexicon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[labels.speed]\ncues = [{ cue = \"急用\" }, { regex = \"(今天\" }]\n",
    )
    .unwrap();
    let out = buyerlens(&["lexicon", "check", bad.to_str().unwrap()], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("[speed] cue #2") && stderr.contains("broken regex"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

// A missing file is bad input with its path in the message.
#[test]
fn missing_file_exit_2() {
    let out = buyerlens(&["classify", "/nonexistent/chat.txt"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/chat.txt"));
}

// eval prints the figures for every axis and format on the shared corpus.
#[test]
fn eval_on_the_shared_corpus() {
    let Some(corpus) = shared_corpus("dev.jsonl") else {
        eprintln!("skipped: ../shared/corpus/dev.jsonl is absent");
        return;
    };
    let out = buyerlens(&["eval", corpus.to_str().unwrap(), "--json"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["conversations"], 300);
    assert_eq!(report["motives"]["labels"].as_array().unwrap().len(), 9);
    assert_eq!(report["topics"]["labels"].as_array().unwrap().len(), 6);
    assert_eq!(
        report["experience"]["confusion"].as_array().unwrap().len(),
        3
    );
    assert!(report["per_format"].get("qianniu_paste").is_some());
}

// The CLI's import refuses a file one byte over the core's
// `import::MAX_FILE_BYTES` by default (the app's limit: one constant),
// naming the limit; `--max-file-mib` raises it for the CLI.
#[test]
fn import_file_limit_is_the_cores() {
    let limit = buyerlens_core::import::MAX_FILE_BYTES;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let big = dir.path().join("big.txt");
    // sparse: made at once, refused by its size before it is read
    std::fs::File::create(&big)
        .unwrap()
        .set_len(limit + 1)
        .unwrap();
    let (db, big) = (db.to_str().unwrap(), big.to_str().unwrap());
    let refused = buyerlens(&["import", "--db", db, big], b"");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains(&format!("limit of {limit} bytes")),
        "the default limit is the core's: {said}"
    );
    let raised = (limit >> 20) + 1;
    let read = buyerlens(
        &[
            "import",
            "--db",
            db,
            "--max-file-mib",
            &raised.to_string(),
            big,
        ],
        b"",
    );
    assert!(
        !String::from_utf8_lossy(&read.stderr).contains("limit of"),
        "--max-file-mib raises it: {read:?}"
    );
}
