//! The built-in plans' parameters: their defaults, their names, reading them from text
//! (`--param k=v`, a form) and checking them.

use super::plan::{Strategy, StrategyError};

fn bad(param: &str, message: impl Into<String>) -> StrategyError {
    StrategyError::BadParam {
        param: param.to_string(),
        message: message.into(),
    }
}

fn number(param: &str, v: &str) -> Result<f64, StrategyError> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| bad(param, format!("\"{v}\" is not a number")))
}

fn whole(param: &str, v: &str) -> Result<u32, StrategyError> {
    v.trim()
        .parse::<u32>()
        .map_err(|_| bad(param, format!("\"{v}\" is not a whole number ≥ 0")))
}

/// Fibonacci numbers beyond this index are larger than any bankroll the lab accepts.
pub(super) const FIB_MAX_INDEX: usize = 80;

impl Strategy {
    /// The plan with its default parameters.
    pub fn default_for(name: &str) -> Result<Strategy, StrategyError> {
        Ok(match name {
            "flat" => Strategy::Flat,
            "martingale" => Strategy::Martingale {
                multiplier: 2.0,
                reset_after: 0,
            },
            "payout_martingale" => Strategy::PayoutMartingale {
                multiplier: 2.0,
                max_cashout: 100.0,
            },
            "paroli" | "anti_martingale" => Strategy::Paroli {
                multiplier: 2.0,
                wins: 3,
            },
            "d_alembert" | "dalembert" => Strategy::DAlembert { unit: 1.0 },
            "fibonacci" => Strategy::Fibonacci,
            "labouchere" => Strategy::Labouchere {
                sequence: vec![1.0, 2.0, 3.0, 4.0],
            },
            "oscars_grind" | "oscar" => Strategy::OscarsGrind,
            "fixed_fraction" => Strategy::FixedFraction { fraction: 0.01 },
            "kelly" => Strategy::Kelly { fraction: 0.5 },
            "only_on_play" | "play" => Strategy::OnlyOnPlay,
            "dual_bankroll" => Strategy::DualBankroll {
                split: 0.5,
                second_cashout: 3.0,
            },
            other => {
                return Err(StrategyError::UnknownStrategy {
                    name: other.to_string(),
                    known: Strategy::NAMES.join(", "),
                })
            }
        })
    }

    /// The parameter names a plan takes.
    pub fn param_names(&self) -> &'static [&'static str] {
        match self {
            Strategy::Flat | Strategy::Fibonacci | Strategy::OscarsGrind | Strategy::OnlyOnPlay => {
                &[]
            }
            Strategy::Martingale { .. } => &["multiplier", "reset_after"],
            Strategy::PayoutMartingale { .. } => &["multiplier", "max_cashout"],
            Strategy::Paroli { .. } => &["multiplier", "wins"],
            Strategy::DAlembert { .. } => &["unit"],
            Strategy::Labouchere { .. } => &["sequence"],
            Strategy::FixedFraction { .. } | Strategy::Kelly { .. } => &["fraction"],
            Strategy::DualBankroll { .. } => &["split", "second_cashout"],
            Strategy::Script { .. } | Strategy::Autobet { .. } => &[],
        }
    }

    /// The plan's parameters and their values, as a form shows them.
    pub fn param_values(&self) -> Vec<(&'static str, String)> {
        match self {
            Strategy::Martingale {
                multiplier,
                reset_after,
            } => vec![
                ("multiplier", multiplier.to_string()),
                ("reset_after", reset_after.to_string()),
            ],
            Strategy::PayoutMartingale {
                multiplier,
                max_cashout,
            } => vec![
                ("multiplier", multiplier.to_string()),
                ("max_cashout", max_cashout.to_string()),
            ],
            Strategy::Paroli { multiplier, wins } => vec![
                ("multiplier", multiplier.to_string()),
                ("wins", wins.to_string()),
            ],
            Strategy::DAlembert { unit } => vec![("unit", unit.to_string())],
            Strategy::Labouchere { sequence } => vec![(
                "sequence",
                sequence
                    .iter()
                    .map(f64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )],
            Strategy::FixedFraction { fraction } | Strategy::Kelly { fraction } => {
                vec![("fraction", fraction.to_string())]
            }
            Strategy::DualBankroll {
                split,
                second_cashout,
            } => vec![
                ("split", split.to_string()),
                ("second_cashout", second_cashout.to_string()),
            ],
            _ => vec![],
        }
    }

    /// The plan `name` with `params` (`key=value` pairs) applied to its defaults; unknown
    /// names and keys, and values out of range, are errors naming what is accepted.
    pub fn from_params(name: &str, params: &[(String, String)]) -> Result<Strategy, StrategyError> {
        let mut s = Strategy::default_for(name.trim())?;
        for (k, v) in params {
            let k = k.trim();
            let (name, takes) = (s.name(), s.param_names());
            let unknown = || StrategyError::UnknownParam {
                strategy: name.to_string(),
                param: k.to_string(),
                takes: if takes.is_empty() {
                    "no parameters".to_string()
                } else {
                    takes.join(", ")
                },
            };
            match (&mut s, k) {
                (Strategy::Martingale { multiplier, .. }, "multiplier")
                | (Strategy::PayoutMartingale { multiplier, .. }, "multiplier")
                | (Strategy::Paroli { multiplier, .. }, "multiplier") => {
                    *multiplier = number(k, v)?
                }
                (Strategy::Martingale { reset_after, .. }, "reset_after") => {
                    *reset_after = whole(k, v)?
                }
                (Strategy::PayoutMartingale { max_cashout, .. }, "max_cashout") => {
                    *max_cashout = number(k, v)?
                }
                (Strategy::Paroli { wins, .. }, "wins") => *wins = whole(k, v)?,
                (Strategy::DAlembert { unit }, "unit") => *unit = number(k, v)?,
                (Strategy::Labouchere { sequence }, "sequence") => {
                    *sequence = v
                        .split([',', ' ', ';'])
                        .filter(|t| !t.is_empty())
                        .map(|t| number(k, t))
                        .collect::<Result<_, _>>()?
                }
                (Strategy::FixedFraction { fraction }, "fraction")
                | (Strategy::Kelly { fraction }, "fraction") => *fraction = number(k, v)?,
                (Strategy::DualBankroll { split, .. }, "split") => *split = number(k, v)?,
                (Strategy::DualBankroll { second_cashout, .. }, "second_cashout") => {
                    *second_cashout = number(k, v)?
                }
                _ => return Err(unknown()),
            }
        }
        s.validate()?;
        Ok(s)
    }

    /// The one range check of every parameter.
    pub fn validate(&self) -> Result<(), StrategyError> {
        let cashout = |p: &str, c: f64| {
            crate::bet::check_cashout(c)
                .map(|_| ())
                .map_err(|e| bad(p, e.to_string()))
        };
        match self {
            Strategy::Martingale { multiplier, .. } if !(1.0..=10.0).contains(multiplier) => {
                Err(bad("multiplier", "must be between 1 and 10"))
            }
            Strategy::PayoutMartingale { multiplier, .. } if !(1.0..=10.0).contains(multiplier) => {
                Err(bad("multiplier", "must be between 1 and 10"))
            }
            Strategy::PayoutMartingale { max_cashout, .. } => cashout("max_cashout", *max_cashout),
            Strategy::Paroli { multiplier, .. } if !(1.0..=10.0).contains(multiplier) => {
                Err(bad("multiplier", "must be between 1 and 10"))
            }
            Strategy::DAlembert { unit } if !(*unit > 0.0 && *unit <= 1e9) => {
                Err(bad("unit", "must be above 0"))
            }
            Strategy::Labouchere { sequence }
                if sequence.is_empty()
                    || sequence.len() > 100
                    || sequence.iter().any(|x| !(*x > 0.0 && *x <= 1e6)) =>
            {
                Err(bad(
                    "sequence",
                    "must be 1 to 100 numbers above 0 (in base stakes), e.g. 1,2,3,4",
                ))
            }
            Strategy::FixedFraction { fraction } if !(*fraction > 0.0 && *fraction <= 1.0) => {
                Err(bad("fraction", "must be above 0 and at most 1"))
            }
            Strategy::Kelly { fraction } if !(*fraction > 0.0 && *fraction <= 1.0) => Err(bad(
                "fraction",
                "must be above 0 and at most 1 (1 = full Kelly)",
            )),
            Strategy::DualBankroll { split, .. } if !(*split > 0.0 && *split < 1.0) => {
                Err(bad("split", "must be strictly between 0 and 1"))
            }
            Strategy::DualBankroll { second_cashout, .. } => {
                cashout("second_cashout", *second_cashout)
            }
            Strategy::Script { .. } | Strategy::Autobet { .. } => self.prepare().map(|_| ()),
            _ => Ok(()),
        }
    }
}
