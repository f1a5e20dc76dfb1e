//! `jetx bench`: each benchmark runs to the end and reports what it timed, in JSON, with
//! every request answered (the figures themselves are in docs/PERFORMANCE.md).

use crate::cli::jetx_command;
use serde_json::Value;

fn bench(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = jetx_command(&dir.path().join("b.sqlite"), &all)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn positive(v: &Value, key: &str) -> f64 {
    let x = v[key].as_f64().unwrap_or(f64::NAN);
    assert!(x > 0.0, "{key}: {v}");
    x
}

#[test]
fn the_hosted_mode_benchmark_answers_every_request_locally_with_a_cookie_and_a_token() {
    let v = bench(&["--accounts", "--repeats", "50"]);
    assert_eq!(v["backend"], "sqlite");
    let timings = v["timings"].as_array().unwrap();
    let names: Vec<&str> = timings
        .iter()
        .map(|t| t["request"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "stats, local (baseline)",
            "stats, hosted, cookie",
            "stats, hosted, token",
            "auth/me, cookie",
            "login (Argon2id)"
        ]
    );
    for t in timings {
        assert_eq!(t["status"], 200, "{t}");
        assert!(positive(t, "p50_ms") <= positive(t, "p95_ms"), "{t}");
    }
    // Argon2id costs what it was chosen to: far more than a read of the stats.
    let p50 = |i: usize| timings[i]["p50_ms"].as_f64().unwrap();
    assert!(p50(4) > 5.0 * p50(0), "{v}");
}

#[test]
fn the_pattern_and_feature_benchmarks_time_what_they_say() {
    let scan = bench(&["--patterns", "--synthetic", "3000"]);
    assert_eq!(scan["rounds"], 3000);
    assert!(scan["tests"].as_u64() > Some(1000), "{scan}");
    for key in [
        "scan_s",
        "report_s",
        "incremental_us",
        "rescan_s",
        "speedup",
    ] {
        positive(&scan, key);
    }
    let features = bench(&["--synthetic", "3000", "--repeats", "1"]);
    assert_eq!(features["rounds"], 3000);
    assert!(
        features["walk_forward_fits"].as_u64() > Some(0),
        "{features}"
    );
    for key in [
        "features",
        "feature_rows_per_s",
        "naive_rows_per_s",
        "walk_forward_s",
    ] {
        positive(&features, key);
    }
}
