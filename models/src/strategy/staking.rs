//! The catalogue of staking plans: turns a [`Strategy`] into something that runs — a
//! built-in state machine ([`super::plans`]) or a user's compiled script
//! ([`super::script`]) — once per Monte Carlo run, shared by the worker threads.

pub use super::plan::{
    Base, Bet, Bets, Outcome, PlanError, Signal, Staker, Strategy, StrategyError, View,
};

impl Strategy {
    /// A user script: its source and inputs, checked (compiled, config applied).
    pub fn script(
        source: String,
        inputs: std::collections::BTreeMap<String, String>,
    ) -> Result<Strategy, StrategyError> {
        let s = Strategy::Script { source, inputs };
        s.validate()?;
        Ok(s)
    }

    /// A bustabit autobet script: its source and input values, checked (it compiles, asks
    /// for no manual cash-out, its inputs exist).
    pub fn autobet(
        source: String,
        inputs: std::collections::BTreeMap<String, String>,
    ) -> Result<Strategy, StrategyError> {
        let s = Strategy::Autobet { source, inputs };
        s.validate()?;
        Ok(s)
    }

    /// The plan made ready to start many paths: a script is compiled once here.
    pub fn prepare(&self) -> Result<Prepared, StrategyError> {
        match self {
            #[cfg(feature = "script")]
            Strategy::Script { source, inputs } => Ok(Prepared::Script(std::sync::Arc::new(
                super::script::Program::compile(source, inputs)?,
            ))),
            #[cfg(feature = "script")]
            Strategy::Autobet { source, inputs } => Ok(Prepared::Autobet(std::sync::Arc::new(
                super::autobet::Program::compile(source, inputs)?,
            ))),
            #[cfg(not(feature = "script"))]
            Strategy::Script { .. } | Strategy::Autobet { .. } => Err(StrategyError::Script(
                "scripts run on the server; this build has no script engine".into(),
            )),
            other => Ok(Prepared::Builtin(other.clone())),
        }
    }

    /// The plan's state machine at the start of a path with `bankroll` (a script that does
    /// not compile fails at its first bet; see [`Strategy::prepare`]).
    pub fn start(&self, base: Base, bankroll: f64) -> Box<dyn Staker + Send> {
        match self.prepare() {
            Ok(p) => p.start(base, bankroll),
            Err(e) => Box::new(super::plans::Failing(e.to_string())),
        }
    }
}

/// A plan ready to start paths (see [`Strategy::prepare`]); shared by the worker threads.
pub enum Prepared {
    Builtin(Strategy),
    #[cfg(feature = "script")]
    Script(std::sync::Arc<super::script::Program>),
    #[cfg(feature = "script")]
    Autobet(std::sync::Arc<super::autobet::Program>),
}

impl Prepared {
    pub fn start(&self, base: Base, bankroll: f64) -> Box<dyn Staker + Send> {
        match self {
            Prepared::Builtin(s) => super::plans::start(s, base, bankroll),
            #[cfg(feature = "script")]
            Prepared::Script(p) => p.start(base),
            #[cfg(feature = "script")]
            Prepared::Autobet(p) => p.start(base, bankroll),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::plans::kelly_fraction;

    fn base() -> Base {
        Base {
            stake: 1.0,
            cashout: 2.0,
            house_edge: 0.03,
        }
    }

    /// Plays `results` (win = true) through a plan and returns the stakes it asked for.
    fn stakes(s: &Strategy, results: &[bool]) -> Vec<f64> {
        let mut st = s.start(base(), 1_000.0);
        let mut out = Vec::new();
        for &w in results {
            let v = View {
                round: out.len(),
                bankroll: 1_000.0,
                net: 0.0,
                signal: None,
            };
            let bets = st.bets(&v).unwrap();
            let b = bets[0].expect("a bet");
            out.push(b.stake);
            let profit = if w {
                b.stake * (b.cashout - 1.0)
            } else {
                -b.stake
            };
            st.settle(&Outcome {
                crash: if w { b.cashout } else { 1.0 },
                bets,
                won: [w, false],
                profit,
                bankroll: 1_000.0 + profit,
            });
        }
        out
    }

    const L: bool = false;
    const W: bool = true;

    #[test]
    fn martingale_doubles_after_losses_and_resets() {
        let m = Strategy::default_for("martingale").unwrap();
        assert_eq!(stakes(&m, &[L, L, L, W, L]), [1.0, 2.0, 4.0, 8.0, 1.0]);
        let capped = Strategy::Martingale {
            multiplier: 2.0,
            reset_after: 2,
        };
        assert_eq!(stakes(&capped, &[L, L, L, L]), [1.0, 2.0, 1.0, 2.0]);
    }

    #[test]
    fn fibonacci_steps_up_one_and_down_two() {
        let f = Strategy::Fibonacci;
        assert_eq!(
            stakes(&f, &[L, L, L, L, W, W, L]),
            [1.0, 1.0, 2.0, 3.0, 5.0, 2.0, 1.0]
        );
    }

    #[test]
    fn labouchere_crosses_out_and_appends() {
        let l = Strategy::Labouchere {
            sequence: vec![1.0, 2.0, 3.0],
        };
        // 1+3 lose → line 1 2 3 4; 1+4 win → 2 3; 2+3 win → empty; restart at 1+3.
        assert_eq!(stakes(&l, &[L, W, W, L]), [4.0, 5.0, 5.0, 4.0]);
    }

    #[test]
    fn d_alembert_and_paroli_and_oscar() {
        let d = Strategy::DAlembert { unit: 1.0 };
        assert_eq!(stakes(&d, &[L, L, W, W, W]), [1.0, 2.0, 3.0, 2.0, 1.0]);
        let p = Strategy::default_for("paroli").unwrap();
        assert_eq!(stakes(&p, &[W, W, W, W, L]), [1.0, 2.0, 4.0, 1.0, 2.0]);
        // Oscar at 2x: −1, −2, a win to −1 raises to 2 (a win of 2 ends the cycle at +1),
        // that win resets to 1.
        let o = Strategy::OscarsGrind;
        assert_eq!(stakes(&o, &[L, L, W, W, W]), [1.0, 1.0, 1.0, 2.0, 1.0]);
    }

    #[test]
    fn params_are_checked_with_clear_errors() {
        let p = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(
            Strategy::from_params("martingale", &p("multiplier", "3")).unwrap(),
            Strategy::Martingale {
                multiplier: 3.0,
                reset_after: 0
            }
        );
        let e = Strategy::from_params("martingale", &p("fraction", "0.1")).unwrap_err();
        assert!(e.to_string().contains("multiplier, reset_after"), "{e}");
        let e = Strategy::from_params("kelly", &p("fraction", "2")).unwrap_err();
        assert!(e.to_string().contains("at most 1"), "{e}");
        let e = Strategy::from_params("flat", &p("x", "1")).unwrap_err();
        assert!(e.to_string().contains("no parameters"), "{e}");
        let e = Strategy::from_params("hodl", &[]).unwrap_err();
        assert!(e.to_string().contains("martingale"), "{e}");
        let e = Strategy::from_params("labouchere", &p("sequence", "1,x")).unwrap_err();
        assert!(e.to_string().contains("\"x\""), "{e}");
        for name in Strategy::NAMES {
            let s = Strategy::default_for(name).unwrap();
            assert_eq!(s.name(), name);
            s.validate().unwrap();
            // What the form shows reads back as the same plan.
            let shown: Vec<(String, String)> = s
                .param_values()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            assert_eq!(shown.len(), s.param_names().len());
            assert_eq!(Strategy::from_params(name, &shown).unwrap(), s);
        }
    }

    #[test]
    fn kelly_stakes_only_on_a_positive_edge() {
        assert!(kelly_fraction(0.97 / 2.0, 2.0) < 0.0);
        // p = 0.6 at 2x: f* = 0.2.
        assert!((kelly_fraction(0.6, 2.0) - 0.2).abs() < 1e-12);
        let mut k = Strategy::Kelly { fraction: 0.5 }.start(base(), 100.0);
        let mut v = View {
            round: 0,
            bankroll: 100.0,
            net: 0.0,
            signal: None,
        };
        assert_eq!(k.bets(&v).unwrap(), [None, None]);
        v.signal = Some(Signal {
            cashout: 2.0,
            p_low: 0.6,
        });
        let b = k.bets(&v).unwrap()[0].unwrap();
        assert!((b.stake - 10.0).abs() < 1e-9);
    }
}
