//! The strategy lab's request (from the Strategies page, `POST /api/v1/simulate`, the
//! browser's worker) and what runs where.

use serde::{Deserialize, Serialize};

/// A strategy parameter as JSON carries it: a number, or text (a Labouchère line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ParamValue {
    Number(f64),
    Text(String),
}

impl ParamValue {
    pub fn text(&self) -> String {
        match self {
            ParamValue::Number(x) => x.to_string(),
            ParamValue::Text(t) => t.clone(),
        }
    }
}

fn default_paths() -> usize {
    10_000
}
fn default_rounds() -> usize {
    1_000
}
fn default_seed() -> u64 {
    42
}
fn default_min_bet() -> f64 {
    0.1
}

/// What the Strategies page, `POST /api/v1/simulate` and `jetx simulate` ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SimulationRequest {
    /// One of [`models::strategy::Strategy::NAMES`].
    pub strategy: String,
    /// The plan's parameters by name (its defaults for the rest).
    #[serde(default)]
    pub params: std::collections::BTreeMap<String, ParamValue>,
    pub stake: f64,
    pub cashout: f64,
    pub bankroll: f64,
    #[serde(default = "default_min_bet")]
    pub min_bet: f64,
    #[serde(default)]
    pub max_stake: Option<f64>,
    #[serde(default)]
    pub stop_loss: Option<f64>,
    #[serde(default)]
    pub take_profit: Option<f64>,
    #[serde(default)]
    pub max_bets: Option<usize>,
    #[serde(default = "default_paths")]
    pub paths: usize,
    #[serde(default = "default_rounds")]
    pub rounds: usize,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Replay the stored history (in order, with the walk-forward PLAY signal) instead of
    /// Monte Carlo under the fair law.
    #[serde(default)]
    pub replay: bool,
    /// The source of a user script (strategy `"script"`); `params` then set its `config`
    /// inputs.
    #[serde(default)]
    pub script: Option<String>,
    /// The script's language; without it, a script that calls `engine.on(…)` or
    /// `engine.bet(…)` is a bustabit autobet script (JavaScript), any other rhai.
    #[serde(default)]
    pub language: Option<ScriptLanguage>,
    /// Monte Carlo only: the law the rounds are drawn from.
    #[serde(default)]
    pub law: LawChoice,
}

/// Which law a Monte Carlo run draws its rounds from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum LawChoice {
    /// The fair law at the configured house edge.
    #[default]
    Fair,
    /// The fair law tilted by the patterns the scan confirms on the stored rounds.
    Confirmed,
}

/// The languages of user scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ScriptLanguage {
    /// A bustabit autobet script, run unchanged.
    Javascript,
    /// The lab's own small script language (`fn on_round(game) { bet(1, 2) }`).
    Rhai,
}

impl ScriptLanguage {
    /// What a script looks like it is written in: rhai's `fn on_round` or `#{…}` maps, else
    /// bustabit's `engine.on(…)` / `engine.bet(…)`, else rhai.
    pub fn detect(source: &str) -> ScriptLanguage {
        let rhai = ["fn on_round", "#{"];
        let js = ["engine.on(", "engine.bet(", "var config"];
        if rhai.iter().any(|k| source.contains(k)) {
            ScriptLanguage::Rhai
        } else if js.iter().any(|k| source.contains(k)) {
            ScriptLanguage::Javascript
        } else {
            ScriptLanguage::Rhai
        }
    }
}

impl Default for SimulationRequest {
    fn default() -> Self {
        Self {
            strategy: "martingale".into(),
            params: Default::default(),
            stake: 1.0,
            cashout: 2.0,
            bankroll: 100.0,
            min_bet: default_min_bet(),
            max_stake: None,
            stop_loss: None,
            take_profit: None,
            max_bets: None,
            paths: default_paths(),
            rounds: default_rounds(),
            seed: default_seed(),
            replay: false,
            script: None,
            language: None,
            law: LawChoice::Fair,
        }
    }
}

impl SimulationRequest {
    /// The run's settings, checked (every entry point goes through here).
    pub fn config(
        &self,
        house_edge: f64,
    ) -> Result<models::strategy::SimulationConfig, models::strategy::StrategyError> {
        let params: Vec<(String, String)> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.text()))
            .collect();
        use models::strategy::{Strategy, StrategyError};
        let strategy = match (self.strategy.trim(), &self.script) {
            ("script", Some(source)) => {
                let inputs = params.into_iter().collect();
                match self
                    .language
                    .unwrap_or_else(|| ScriptLanguage::detect(source))
                {
                    ScriptLanguage::Rhai => Strategy::script(source.clone(), inputs)?,
                    ScriptLanguage::Javascript => Strategy::autobet(source.clone(), inputs)?,
                }
            }
            ("script", None) => {
                return Err(StrategyError::Script(
                    "strategy \"script\" needs the script's source".into(),
                ))
            }
            (_, Some(_)) => {
                return Err(StrategyError::BadSetting(
                    "a script is only run with strategy \"script\"".into(),
                ))
            }
            (name, None) => Strategy::from_params(name, &params)?,
        };
        let config = self.settings(strategy, house_edge);
        config.validate()?;
        Ok(config)
    }

    /// The language of this request's script, if it has one.
    pub fn script_language(&self) -> Option<ScriptLanguage> {
        let source = self.script.as_deref()?;
        (self.strategy.trim() == "script").then(|| {
            self.language
                .unwrap_or_else(|| ScriptLanguage::detect(source))
        })
    }

    /// The run's settings around `strategy`, unchecked (see [`SimulationRequest::config`]).
    pub fn settings(
        &self,
        strategy: models::strategy::Strategy,
        house_edge: f64,
    ) -> models::strategy::SimulationConfig {
        models::strategy::SimulationConfig {
            strategy,
            stake: self.stake,
            cashout: self.cashout,
            limits: models::strategy::Limits {
                bankroll: self.bankroll,
                min_bet: self.min_bet,
                max_stake: self.max_stake,
                stop_loss: self.stop_loss,
                take_profit: self.take_profit,
                max_bets: self.max_bets,
            },
            house_edge,
            // A replay plays the history once: the Monte Carlo size does not apply.
            paths: if self.replay { 1 } else { self.paths },
            rounds: if self.replay { 1 } else { self.rounds },
            seed: self.seed,
        }
    }
}

/// Why a request cannot run in the browser (a replay needs the stored rounds, a script the
/// server's sandbox), or `None` when it can.
pub fn browser_refusal(request: &SimulationRequest) -> Option<&'static str> {
    let rhai = request.strategy.trim() == "script"
        && request.script_language() != Some(ScriptLanguage::Javascript);
    if request.replay {
        Some("a replay reads the stored rounds: it runs on the server")
    } else if request.law == LawChoice::Confirmed {
        Some("the confirmed patterns are read from the stored rounds: it runs on the server")
    } else if rhai {
        Some("rhai scripts run in the server's sandbox")
    } else {
        None
    }
}

/// Monte Carlo of `request` on this thread, for the browser's Web Worker: the same
/// settings, checks and result as the server's run; `progress(done, total)` after each
/// block of paths.
pub fn simulate_here(
    request: &SimulationRequest,
    house_edge: f64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<models::strategy::SimulationResult, models::strategy::StrategyError> {
    if let Some(why) = browser_refusal(request) {
        return Err(models::strategy::StrategyError::BadSetting(why.to_string()));
    }
    if request.strategy.trim() == "script" {
        // A JavaScript script runs in the script worker, with the script's own engine.
        return Err(models::strategy::StrategyError::BadSetting(
            "scripts run in the script worker".into(),
        ));
    }
    let config = request.config(house_edge)?;
    models::strategy::monte_carlo_observed(&config, 1, progress)
}

/// A plan that bets on the app's PLAY signal needs it computed walk-forward on a replay.
pub fn needs_play_signal(strategy: &models::strategy::Strategy) -> bool {
    matches!(
        strategy,
        models::strategy::Strategy::OnlyOnPlay | models::strategy::Strategy::Kelly { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_run_is_the_servers_run_and_refuses_what_needs_the_server() {
        let request = SimulationRequest {
            strategy: "d_alembert".into(),
            paths: 300,
            rounds: 120,
            ..SimulationRequest::default()
        };
        let h = 0.03;
        let mut steps = 0;
        let here = simulate_here(&request, h, &mut |_, _| steps += 1).unwrap();
        let config = request.config(h).unwrap();
        assert_eq!(here, models::strategy::monte_carlo(&config, 1).unwrap());
        // The server's two threads draw the same paths; only the order of the sums differs.
        let server = models::strategy::monte_carlo(&config, 2).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
        assert!(close(
            here.report.mean_final_bankroll.value,
            server.report.mean_final_bankroll.value
        ));
        assert!(close(
            here.report.mean_turnover,
            server.report.mean_turnover
        ));
        assert_eq!(
            here.report.final_bankroll.p50,
            server.report.final_bankroll.p50
        );
        assert_eq!(here.report.p_ruin, server.report.p_ruin);
        assert!(steps >= 2);
        // The JSON the worker sends back reads as the same result.
        let text = serde_json::to_string(&here).unwrap();
        let back = serde_json::from_str::<models::strategy::SimulationResult>(&text).unwrap();
        // serde_json's default float parser may differ in the last digit; nothing more.
        assert!(close(
            back.report.mean_final_bankroll.value,
            here.report.mean_final_bankroll.value
        ));
        assert_eq!(back.report.final_bankroll, here.report.final_bankroll);
        assert_eq!(back.report.fan.rounds, here.report.fan.rounds);
        assert_eq!(back.flat.label, here.flat.label);
        assert_eq!(back.verdict, here.verdict);

        let replay = SimulationRequest {
            replay: true,
            ..request.clone()
        };
        assert!(simulate_here(&replay, h, &mut |_, _| {})
            .unwrap_err()
            .to_string()
            .contains("server"));
        let script = SimulationRequest {
            strategy: "script".into(),
            script: Some("fn on_round(game) { bet(1.0, 2.0) }".into()),
            ..request.clone()
        };
        assert!(simulate_here(&script, h, &mut |_, _| {})
            .unwrap_err()
            .to_string()
            .contains("sandbox"));
        let bad = SimulationRequest {
            stake: -1.0,
            ..request
        };
        assert!(simulate_here(&bad, h, &mut |_, _| {})
            .unwrap_err()
            .to_string()
            .contains("stake"));
    }
}
