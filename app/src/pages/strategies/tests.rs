use super::autobet::{default_text, values_for};
use super::*;
use models::generator::FairGenerator;
use models::strategy::examples;
use models::strategy::inputs::ScriptInput;

fn chosen(name: &str) -> Form {
    let form = Form::new();
    form.choose(name.to_string());
    form
}

#[test]
fn every_plan_offered_runs_with_the_settings_the_form_starts_with() {
    // Signals live in a reactive owner, as on the page.
    Owner::new().with(|| {
        let offered = Strategy::NAMES
            .iter()
            .filter(|n| Strategy::default_for(n).is_ok())
            .chain(&["autobet", "script"]);
        let mut plans = 0;
        for name in offered {
            let form = chosen(name);
            let request = form
                .request()
                .unwrap_or_else(|e| panic!("{name}: the form's defaults are refused: {e}"));
            let config = request.config(0.03);
            assert!(config.is_ok(), "{name}: {:?}", config.err());
            let scripted = *name == "autobet" || *name == "script";
            assert_eq!(request.strategy == "script", scripted, "{name}");
            assert_eq!(request.script.is_some(), scripted, "{name}");
            plans += 1;
        }
        assert!(plans >= 10, "only {plans} plans offered");
    })
}

#[test]
fn a_script_gets_at_most_the_paths_a_script_runs_in_reasonable_time() {
    // Signals live in a reactive owner, as on the page.
    Owner::new().with(|| {
        let form = Form::new();
        form.paths.set("10000".into());
        form.choose("autobet".into());
        assert_eq!(form.paths.get_untracked(), SCRIPT_PATHS.to_string());
        // Fewer, or a built-in plan: left as typed.
        form.paths.set("200".into());
        form.choose("script".into());
        assert_eq!(form.paths.get_untracked(), "200");
        form.paths.set("10000".into());
        form.choose("martingale".into());
        assert_eq!(form.paths.get_untracked(), "10000");
        assert_eq!(
            form.script.get_untracked(),
            EXAMPLE_SCRIPT,
            "the last script stays"
        );
    })
}

#[test]
fn each_field_is_read_as_typed_or_refused_by_its_name() {
    // Signals live in a reactive owner, as on the page.
    Owner::new().with(|| {
        let form = chosen("flat");
        form.stake.set(" 2.5 ".into());
        form.stop_loss.set(String::new());
        form.take_profit.set("40".into());
        let r = form.request().unwrap();
        assert_eq!(
            (r.stake, r.stop_loss, r.take_profit),
            (2.5, None, Some(40.0))
        );
        for (field, typed, message) in [
            (form.stake, "abc", "stake: \"abc\" is not a number"),
            (form.cashout, "inf", "cash-out: \"inf\" is not a number"),
            (form.max_stake, "NaN", "max stake: \"NaN\" is not a number"),
            (form.paths, "1.5", "paths: \"1.5\" is not a whole number"),
            (form.rounds, "-3", "rounds: \"-3\" is not a whole number"),
        ] {
            let before = field.get_untracked();
            field.set(typed.into());
            assert_eq!(form.request().err().as_deref(), Some(message));
            field.set(before);
        }
        assert!(form.request().is_ok());
    })
}

fn input(key: &str, kind: &str, value: serde_json::Value) -> ScriptInput {
    ScriptInput {
        key: key.into(),
        kind: kind.into(),
        label: key.into(),
        value,
        optional: false,
        options: None,
    }
}

#[test]
fn script_inputs_start_at_the_scripts_defaults_and_keep_what_was_typed() {
    let inputs = [
        input("base", "balance", serde_json::json!(12300)),
        input("payout", "multiplier", serde_json::json!(2.5)),
        input("title", "noop", serde_json::Value::Null),
        input("name", "text", serde_json::json!("x")),
        input("limit", "balance", serde_json::Value::Null),
    ];
    // A balance in satoshis is shown in bits.
    assert_eq!(default_text(&inputs[0]), "123");
    assert_eq!(default_text(&inputs[1]), "2.5");
    assert_eq!(default_text(&inputs[3]), "x");
    assert_eq!(default_text(&inputs[4]), "");
    let typed = vec![
        ("payout".to_string(), "3".to_string()),
        ("gone".to_string(), "9".to_string()),
    ];
    let values = values_for(&inputs, &typed);
    let expected: Vec<(String, String)> = [
        ("base", "123"),
        ("payout", "3"),
        ("name", "x"),
        ("limit", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(values, expected, "no field for a noop, none for a key gone");
}

#[test]
fn every_example_script_replays_the_same_with_the_inputs_the_page_shows() {
    // Signals live in a reactive owner, as on the page.
    Owner::new().with(|| {
        let rounds = FairGenerator {
            seed: 9,
            house_edge: 0.03,
        }
        .generate(400);
        for example in examples::ALL {
            let inputs = models::strategy::autobet::inputs(example.source).unwrap();
            assert!(!inputs.is_empty(), "{}: no config block", example.name);
            let form = chosen("autobet");
            form.script.set(example.source.to_string());
            form.params.set(values_for(&inputs, &[]));
            let shown = form.request().unwrap().config(0.03).unwrap();
            let mut own = shown.clone();
            own.strategy =
                Strategy::autobet(example.source.to_string(), Default::default()).unwrap();
            // The run without the echo of its inputs (the page's are spelled out).
            let run = |c| {
                let mut v =
                    serde_json::to_value(models::strategy::replay(c, &rounds, &[]).unwrap())
                        .unwrap();
                v["strategy"].take();
                v
            };
            let (a, b) = (run(&shown), run(&own));
            assert!(
                a["bets"].as_u64() > Some(0),
                "{}: {}",
                example.name,
                a["verdict"]
            );
            assert!(
                a == b,
                "{}: the page's inputs are not the script's defaults: {} vs {}",
                example.name,
                a["verdict"],
                b["verdict"]
            );
        }
    })
}
