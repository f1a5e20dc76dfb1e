use super::*;
use proptest::prelude::*;

fn settings() -> impl Strategy<Value = BacktestRequest> {
    (
        0usize..100_000,
        prop::sample::select(vec!["never", "every", "rolling"]),
        1usize..5_000,
        1usize..20_000,
        0usize..50,
        prop::sample::subsequence(THRESHOLDS.to_vec(), 1..=THRESHOLDS.len()),
        prop::sample::subsequence(vec!["empirical", "logistic", "gbt", "ensemble"], 1..=4),
        prop::sample::select(THRESHOLDS.to_vec()),
    )
        .prop_map(
            |(start, refit, refit_every, window, gap, thresholds, models, cashout)| {
                BacktestRequest {
                    start,
                    refit: refit.into(),
                    refit_every,
                    window,
                    gap,
                    thresholds,
                    models: models.into_iter().map(String::from).collect(),
                    cashout,
                }
            },
        )
}

proptest! {
    /// An opened backtest fills the form, and Run then asks for that very backtest.
    #[test]
    fn a_filled_form_asks_for_the_backtest_it_shows(r in settings()) {
        Owner::new().with(|| {
            let form = BacktestForm::new();
            form.fill(&r);
            prop_assert_eq!(form.request(), Ok(r));
            Ok(())
        })?;
    }
}

#[test]
fn the_form_starts_at_the_default_request_and_names_a_field_it_cannot_read() {
    Owner::new().with(|| {
        let form = BacktestForm::new();
        assert_eq!(form.request(), Ok(BacktestRequest::default()));
        for (field, typed, message) in [
            (
                form.start,
                "1e3",
                "the first forecast round must be a whole number",
            ),
            (
                form.every,
                "-1",
                "the refit interval must be a whole number",
            ),
            (form.window, "", "the window must be a whole number"),
            (form.gap, "two", "the gap must be a whole number"),
        ] {
            field.set(typed.into());
            assert_eq!(form.request().err().as_deref(), Some(message));
            field.set("5".into());
        }
        // Thresholds ticked in any order are asked for in order.
        form.thresholds.set(vec![5.0, 1.5, 2.0]);
        assert_eq!(form.request().unwrap().thresholds, vec![1.5, 2.0, 5.0]);
    });
}
