//! Text printers of the model commands: every probability beside its base rates.

use ensemble::registry;

/// The next-round estimate as text: every probability beside its base rates, then the
/// recommendation and why.
pub fn render_prediction(p: &app::types::PredictionView) -> String {
    let mut out = String::new();
    match (&p.model, &p.notice) {
        (Some(v), _) => out.push_str(&format!(
            "next round after {} rounds, model {v}\n",
            p.rounds
        )),
        (None, Some(n)) => out.push_str(&format!("next round after {} rounds: {n}\n", p.rounds)),
        (None, None) => {}
    }
    out.push_str("     t   P(X ≥ t)   fair (1−h)/t   history\n");
    for t in &p.thresholds {
        out.push_str(&format!(
            "{:>5}x   {:>7.2}%   {:>12.2}%   {:>6.2}%\n",
            t.threshold,
            t.probability * 100.0,
            t.fair * 100.0,
            t.empirical * 100.0
        ));
        for (name, v) in &t.members {
            out.push_str(&format!("          {:>7.2}%   {name}\n", v * 100.0));
        }
    }
    out.push_str(&format!(
        "EV of 1 unit cashing out at {}x: {:+.4} (fair game {:+.4})\n",
        p.cashout, p.ev, p.fair_ev
    ));
    let word = match p.recommendation {
        app::types::Recommendation::Play => "PLAY",
        app::types::Recommendation::Wait => "WAIT",
    };
    if let Some(e) = &p.pattern {
        out.push_str(&format!(
            "pattern \"{}\" at {}x: {:.1}% of {} rounds in its situation (fair {:.1}%), EV {:+.4}, lower bound {:+.4}; out of sample {:.1}% of {}\n",
            e.condition,
            e.cashout,
            e.rate * 100.0,
            e.occurrences,
            e.fair * 100.0,
            e.ev,
            e.ev_low,
            e.later_rate * 100.0,
            e.later_occurrences
        ));
    }
    out.push_str(&format!(
        "{word} ({:.0}% confidence): {}\n",
        p.mode.confidence() * 100.0,
        p.reason
    ));
    out
}

/// The registry of a server (`jetx --server … models`), in [`render_models`]'s lines.
pub fn render_model_views(views: &[app::views::ModelView]) -> String {
    if views.is_empty() {
        return "no trained models yet: run `jetx --server … train`\n".into();
    }
    let mut out = String::new();
    for m in views {
        let mark = if m.active { "*" } else { " " };
        match &m.problem {
            None => out.push_str(&format!(
                "{mark} {}  {}  {} rounds  members: {}  device {}\n",
                m.version,
                m.created_at,
                m.n_rounds,
                m.members.join(", "),
                m.device
            )),
            Some(problem) => {
                out.push_str(&format!("{mark} {}  unreadable: {problem}\n", m.version))
            }
        }
    }
    out.push_str("* = active\n");
    out
}

pub fn render_models(infos: &[registry::ModelInfo]) -> String {
    if infos.is_empty() {
        return "no trained models yet: run `jetx train`\n".into();
    }
    let mut out = String::new();
    for info in infos {
        let mark = if info.active { "*" } else { " " };
        match (&info.meta, &info.problem) {
            (Some(m), _) => out.push_str(&format!(
                "{mark} {}  {}  {} rounds  members: {}  device {}\n",
                info.version,
                m.created_at,
                m.training.n_rounds,
                m.members
                    .iter()
                    .map(|r| r.kind.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                m.device
            )),
            (None, problem) => out.push_str(&format!(
                "{mark} {}  unreadable: {}\n",
                info.version,
                problem.as_deref().unwrap_or("unknown problem")
            )),
        }
    }
    out.push_str("* = active\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_model_the_text_says_wait_beside_the_fair_baseline() {
        use app::api::ssr::Estimator;
        let dir = tempfile::tempdir().unwrap();
        let rounds = models::generator::FairGenerator::default().generate(300);
        let service =
            crate::estimator::EnsembleEstimator::new(dir.path().to_path_buf(), 0.03, None);
        let mode = app::types::Mode::Normal;
        let p = app::types::PredictionView::of(
            service.estimate(&rounds, 2.0, mode),
            &rounds,
            2.0,
            mode,
            0.03,
        );
        assert!(render_prediction(&p).contains("WAIT (85% confidence)"));
    }
}
