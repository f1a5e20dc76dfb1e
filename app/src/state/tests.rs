//! A server without a model registry or training (what the CLI builds to answer on its
//! own): the fair law answers and says why, the basic forecasters are offered, and every
//! model or training command is refused with a reason the player can act on.

use super::*;
use crate::errors::TrainingError;
use models::values::Multiplier;

fn fair() -> FairLawEstimator {
    FairLawEstimator {
        house_edge: 0.03,
        notice: "No trained model: the fair law answers.".into(),
    }
}

#[test]
fn the_fair_law_answers_every_threshold_and_says_why() {
    let rounds = vec![Multiplier(150); 40];
    let e = fair().estimate(&rounds, 2.0, crate::types::Mode::Normal);
    assert_eq!(e.model, None);
    assert_eq!(
        e.notice.as_deref(),
        Some("No trained model: the fair law answers.")
    );
    assert_eq!(
        e.thresholds.len(),
        models::forecast::DEFAULT_THRESHOLDS.len()
    );
    for t in &e.thresholds {
        let fair = 0.97 / t.threshold;
        assert!((t.probability - fair.min(1.0)).abs() < 1e-12, "{t:?}");
        assert!(t.members.is_empty());
    }
    // No confirmed pattern in 40 identical rounds: no PLAY.
    assert_eq!(e.decision.recommendation, models::bet::Recommendation::Wait);
    assert_eq!(fair().model_key(), "fair");
}

#[test]
fn without_a_registry_the_basic_forecasters_are_offered_and_models_refused() {
    let e = fair();
    assert_eq!(
        e.forecaster_names(),
        ["fair-estimated", "empirical", "logistic"]
    );
    for name in e.forecaster_names() {
        assert!(e.forecaster(&name).is_ok(), "{name}");
    }
    match e.forecaster("gru") {
        Err(ModelError::UnknownModel { name, choices }) => {
            assert_eq!(name, "gru");
            assert!(choices.contains("logistic"), "{choices}");
        }
        other => panic!("{:?}", other.err()),
    }
    let overview = e.models().unwrap();
    assert!(overview.models.is_empty() && overview.importance.is_empty());
    let refused = e.activate("v0001").unwrap_err();
    assert_eq!(refused.status_code(), 400);
    assert!(
        refused.to_string().contains("no model registry"),
        "{refused}"
    );
    assert_eq!(e.devices(), ["cpu"]);
    assert_eq!(e.machine_devices(), ["cpu"]);
    assert!(e.member_kinds().is_empty());
}

#[test]
fn without_training_a_job_is_refused_and_there_is_nothing_to_cancel() {
    let t = NoTraining::default();
    let request = crate::views::TrainRequest {
        members: vec!["logistic".into()],
        budget_s: 5.0,
        device: "cpu".into(),
        activate: true,
    };
    assert!(matches!(
        t.start(request, 1),
        Err(TrainingError::Unavailable)
    ));
    assert!(matches!(t.cancel(), Err(TrainingError::NotRunning)));
    assert_eq!(t.status(), crate::views::TrainStatus::default());
    assert_eq!(
        *t.subscribe().borrow(),
        crate::views::TrainStatus::default()
    );
}
