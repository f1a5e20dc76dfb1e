//! The `jetx` binary's commands, run as a user would.

use std::path::Path;
use std::process::{Command, Output};

/// `jetx --db DB ARGS…`, quiet and without a config file from the environment.
/// Also used by the other CLI tests of this binary (strategy.rs).
pub(crate) fn jetx_command(db: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jetx"));
    command
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("JETX_CONFIG");
    command
}

fn jetx(db: &Path, args: &[&str]) -> Output {
    jetx_command(db, args).output().expect("runs")
}

/// Runs `jetx` with its own database and models folder.
fn jetx_with_models(db: &Path, models_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jetx"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("JETX_MODELS_DIR", models_dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn import_refuses_faults_unless_told_then_export_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let csv = dir.path().join("h.csv");
    std::fs::write(&csv, "id,value\n1,1.50\n2,abc\n3,2,5\n4,10.00\n").unwrap();

    let refused = jetx(&db, &["import", csv.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stdout(&refused).contains("row 2 (line 3, id 2) \"abc\": not a number"),
        "{}",
        stdout(&refused)
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was stored"));

    let export = jetx(&db, &["export"]);
    assert_eq!(stdout(&export), "id,value,synthetic,created_at\n");

    let done = jetx(&db, &["import", csv.to_str().unwrap(), "--skip-faulty"]);
    assert!(done.status.success(), "{}", stdout(&done));
    assert!(
        stdout(&done).contains("stored 3 rounds"),
        "{}",
        stdout(&done)
    );

    let export = stdout(&jetx(&db, &["export"]));
    let values: Vec<&str> = export
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    // `3,2,5` is three fields: id 3, value "2" (the CSV has no quotes around "2,5").
    assert_eq!(values, ["1.50", "2.00", "10.00"]);

    let stats = jetx(&db, &["stats", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(json["summary"]["count"], 3);
    assert_eq!(json["summary"]["at_least_2"]["successes"], 2);
}

#[test]
fn analyze_and_backtest_a_synthetic_fair_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let analyze = jetx(
        &db,
        &["analyze", "--synthetic", "3000", "--seed", "5", "--json"],
    );
    assert!(
        analyze.status.success(),
        "{}",
        String::from_utf8_lossy(&analyze.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&analyze.stdout).unwrap();
    assert!(
        report["tests"].as_array().is_some_and(|t| t.len() >= 10),
        "{report}"
    );

    let bt = jetx(
        &db,
        &[
            "backtest",
            "--synthetic",
            "2500",
            "--model",
            "empirical",
            "--start",
            "1500",
            "--json",
        ],
    );
    assert!(
        bt.status.success(),
        "{}",
        String::from_utf8_lossy(&bt.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&bt.stdout).unwrap();
    assert_eq!(summary["n_forecasts"], 1000);
    assert_eq!(summary["thresholds"].as_array().map(|t| t.len()), Some(5));

    let bad = jetx(
        &db,
        &["backtest", "--synthetic", "2500", "--model", "oracle"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown model \"oracle\""));
}

#[test]
fn demo_loads_once_and_a_bad_setting_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    assert!(jetx(&db, &["demo", "--rounds", "300"]).status.success());
    let again = jetx(&db, &["demo", "--rounds", "300"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("empty history"));
    let removed = jetx(&db, &["demo", "--remove"]);
    assert!(stdout(&removed).contains("removed 300 synthetic rounds"));

    let bad = Command::new(env!("CARGO_BIN_EXE_jetx"))
        .args(["--db", db.to_str().unwrap(), "stats"])
        .env("JETX_MAX_MULTIPLIER", "huge")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("max_multiplier"));
}

#[test]
fn train_then_predict_with_base_rates_and_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let models_dir = dir.path().join("models");
    let run = |args: &[&str]| jetx_with_models(&db, &models_dir, args);
    let none = run(&["predict", "--synthetic", "2000", "--json"]);
    let p: serde_json::Value = serde_json::from_slice(&none.stdout).unwrap();
    assert!(p["model"].is_null());
    assert!(p["notice"].as_str().unwrap().contains("fair baseline"));

    let trained = run(&[
        "train",
        "--synthetic",
        "3000",
        "--budget",
        "2s",
        "--members",
        "logistic,mlp",
        "--json",
    ]);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    let t: serde_json::Value = serde_json::from_slice(&trained.stdout).unwrap();
    let version = t["version"].as_str().unwrap().to_string();
    assert!(version.starts_with("v0001-"), "{version}");

    let predicted = run(&["predict", "--synthetic", "2000", "--json"]);
    let p: serde_json::Value = serde_json::from_slice(&predicted.stdout).unwrap();
    assert_eq!(p["model"], version.as_str());
    for t in p["thresholds"].as_array().unwrap() {
        let (prob, fair) = (
            t["probability"].as_f64().unwrap(),
            t["fair"].as_f64().unwrap(),
        );
        assert!((0.0..=1.0).contains(&prob));
        assert!((fair - 0.97 / t["threshold"].as_f64().unwrap()).abs() < 1e-12);
        assert!(!t["members"].as_array().unwrap().is_empty());
    }
    let listed = stdout(&run(&["models"]));
    assert!(listed.contains(&format!("* {version}")), "{listed}");

    let bad = run(&["train", "--synthetic", "3000", "--members", "oracle"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown member \"oracle\""));
    if !cfg!(feature = "cuda") {
        let cuda = run(&[
            "train",
            "--synthetic",
            "3000",
            "--members",
            "mlp",
            "--device",
            "cuda",
        ]);
        assert_eq!(cuda.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&cuda.stderr).contains("no CUDA support"),
            "{}",
            String::from_utf8_lossy(&cuda.stderr)
        );
    }
}

/// Issue 10's acceptance through the binary a user runs: on a history with a sparse
/// planted edge the default training run and `predict` say PLAY exactly when the planted
/// condition holds for the next round; `patterns --json` lists the confirmed rule; a fair
/// history gets no confirmed rule and WAIT.
#[test]
fn a_planted_edge_is_confirmed_trained_and_played_only_in_its_situation() {
    use models::values::Multiplier;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let models_dir = dir.path().join("models");
    let run = |args: &[&str]| jetx_with_models(&db, &models_dir, args);
    let below = |h: &[Multiplier]| h.len() >= 2 && h[h.len() - 2..].iter().all(|m| m.0 < 130);
    let rounds = models::planted::generate_conditional(2024, 0.03, 7000, 2.0, 0.79, below);
    let write = |name: &str, r: &[Multiplier]| {
        let path = dir.path().join(name);
        let mut text = String::from("id,value\n");
        for (i, m) in r.iter().enumerate() {
            text.push_str(&format!("{},{:.2}\n", i + 1, m.as_f64()));
        }
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let all = write("planted.csv", &rounds);
    let on = (6800..=7000).rev().find(|&e| below(&rounds[..e])).unwrap();
    let off = (6800..=7000).rev().find(|&e| !below(&rounds[..e])).unwrap();
    let (on, off) = (
        write("on.csv", &rounds[..on]),
        write("off.csv", &rounds[..off]),
    );

    let scan = run(&["patterns", &all, "--json"]);
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    let rule = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["condition"] == "after 2 rounds in a row below 1.30x" && r["cashout"] == 2.0)
        .expect("the planted rule is listed");
    assert_eq!(rule["confirmed"], true, "{rule}");
    assert!(rule["ev_low"].as_f64().unwrap() > 0.0);

    let trained = run(&["train", &all, "--budget", "5s", "--json"]);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    let decide = |file: &str| {
        let p = run(&["predict", file, "--cashout", "2", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&p.stdout).unwrap();
        assert!(v["model"].is_string(), "{v}");
        (v["recommendation"].as_str().unwrap().to_string(), v)
    };
    let (rec, v) = decide(&on);
    assert_eq!(rec, "Play", "{}", v["reason"]);
    assert!(v["pattern"]["condition"]
        .as_str()
        .unwrap()
        .contains("below 1.30x"));
    let (rec, v) = decide(&off);
    assert_eq!(rec, "Wait", "{}", v["reason"]);

    let fair = run(&["patterns", "--synthetic", "7000", "--seed", "9", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&fair.stdout).unwrap();
    assert_eq!(report["confirmed"], 0);
    let p = run(&[
        "predict",
        "--synthetic",
        "7000",
        "--seed",
        "9",
        "--cashout",
        "2",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&p.stdout).unwrap();
    assert_eq!(v["recommendation"], "Wait");
    let bad = run(&["patterns", &all, "--cashouts", "0.5"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("outside 1.01"));
}

#[test]
fn a_file_on_the_command_line_is_not_held_to_the_per_request_limits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.sqlite");
    let csv = dir.path().join("big.csv");
    let rows: String = (0..2_000)
        .map(|i| format!("{}.{:02}\n", 1 + i % 7, i % 100))
        .collect();
    std::fs::write(&csv, format!("multiplier\n{rows}")).unwrap();
    // A server limit of 100 values per request and 4 KiB per body; the file is larger.
    let out = jetx_command(&db, &["import", csv.to_str().unwrap()])
        .env("JETX_MAX_VALUES_PER_BATCH", "100")
        .env("JETX_MAX_INPUT_BYTES", "4096")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("stored 2000 rounds"),
        "{}",
        stdout(&out)
    );
}

/// On SQLite, and on PostgreSQL when the suite runs there (`JETX_TEST_POSTGRES`).
#[tokio::test]
async fn an_import_killed_midway_stores_none_of_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::helpers::fresh_database(dir.path()).await;
    let csv = dir.path().join("many.csv");
    let rows: String = (0..400_000)
        .map(|i| format!("{}.{:02}\n", 1 + i % 9, i % 100))
        .collect();
    std::fs::write(&csv, format!("multiplier\n{rows}")).unwrap();
    // The database exists (migrated) before the import starts.
    assert!(jetx(&db, &["stats"]).status.success());
    // Killed inside the write transaction: the import logs when it opens it, and storing
    // 400,000 rows takes about a second after that.
    let mut child = jetx_command(&db, &["import", csv.to_str().unwrap()])
        .env("RUST_LOG", "app::db::rounds=debug")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let opened = lines.any(|l| l.is_ok_and(|l| l.contains("write transaction open")));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(opened, "the import never opened its write transaction");
    let count = |db: &std::path::Path| {
        let stats = jetx(db, &["stats", "--json"]);
        let json: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
        json["summary"]["count"].as_u64().unwrap()
    };
    assert_eq!(count(&db), 0, "a killed import left rows behind");
    // The same import, not killed, stores every row: the kill, not the file, stopped it.
    let again = jetx(&db, &["import", csv.to_str().unwrap()]);
    assert!(again.status.success(), "{}", stdout(&again));
    assert_eq!(count(&db), 400_000);
}

/// `jetx bench --requests`: every request of the benchmark is answered, at the baseline
/// size and at the one asked for, with a trained model behind `predict`.
#[test]
fn the_requests_benchmark_answers_every_request_at_both_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let out = jetx(
        &db,
        &["bench", "--requests", "--synthetic", "20000", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["sizes"], serde_json::json!([7000, 20000]));
    assert!(
        v["model"].as_str().is_some_and(|m| m.starts_with("v0001")),
        "{v}"
    );
    let timings = v["timings"].as_array().unwrap();
    // 9 requests at each of the 2 sizes.
    assert_eq!(timings.len(), 18);
    for t in timings {
        assert!(t["status"].as_u64().is_some_and(|s| s < 300), "{t}");
        assert!(
            t["p50_ms"].as_f64().unwrap() <= t["p95_ms"].as_f64().unwrap(),
            "{t}"
        );
    }
}

/// `jetx verify-report`: a fairness, pattern and backtest report made from a file is
/// reproduced from that file; a changed number or other values are caught and named.
#[test]
fn reports_are_reproduced_from_their_values_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let rounds = dir.path().join("rounds.csv");
    let demo = models::generator::FairGenerator {
        seed: 9,
        house_edge: 0.03,
    }
    .generate(3_000);
    let text: String = demo.iter().map(|m| format!("{m}\n")).collect();
    std::fs::write(&rounds, &text).unwrap();
    let file = rounds.to_str().unwrap();
    for args in [
        vec!["analyze", file, "--json"],
        vec!["patterns", file, "--json"],
        vec![
            "backtest", file, "--model", "logistic", "--start", "1500", "--json",
        ],
    ] {
        let out = jetx(&db, &args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report_path = dir.path().join(format!("{}.json", args[0]));
        std::fs::write(&report_path, &out.stdout).unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let sha = report["provenance"]["values_sha256"].as_str().unwrap();
        assert_eq!(sha, models::provenance::values_sha256(&demo), "{args:?}");
        let verify = |path: &std::path::Path, values: &str| {
            jetx(
                &db,
                &["verify-report", values, "--report", path.to_str().unwrap()],
            )
        };
        let ok = verify(&report_path, file);
        assert_eq!(ok.status.code(), Some(0), "{args:?}: {}", stdout(&ok));
        assert!(stdout(&ok).contains("REPRODUCED"), "{}", stdout(&ok));
        // One number changed in the report: caught, with its path.
        let mut forged = report.clone();
        let n = forged["provenance"]["rounds"].clone();
        *forged.pointer_mut(first_number(&report)).unwrap() = serde_json::json!(123456.5);
        forged["provenance"]["rounds"] = n;
        let forged_path = dir.path().join("forged.json");
        std::fs::write(&forged_path, forged.to_string()).unwrap();
        let bad = verify(&forged_path, file);
        assert_eq!(bad.status.code(), Some(1), "{args:?}: {}", stdout(&bad));
        assert!(stdout(&bad).contains("123456.5"), "{}", stdout(&bad));
        // Other values: refused before anything is recomputed.
        let other = dir.path().join("other.csv");
        std::fs::write(&other, text.replacen('\n', "\n1.00\n", 1)).unwrap();
        let wrong = verify(&report_path, other.to_str().unwrap());
        assert_eq!(wrong.status.code(), Some(1));
        assert!(
            stdout(&wrong).contains("not the values the report read"),
            "{}",
            stdout(&wrong)
        );
    }
}

/// A JSON pointer to a result number every report kind has.
fn first_number(report: &serde_json::Value) -> &'static str {
    if report.get("fitted").is_some() {
        "/fitted/rtp"
    } else if report.get("families").is_some() {
        "/any_edge_p"
    } else {
        "/thresholds/0/model_brier"
    }
}
