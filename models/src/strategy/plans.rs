//! The built-in staking plans as state machines: each sees only the past (its bankroll,
//! the results of its own bets and, for the PLAY-based plans, the walk-forward signal of
//! the round about to be played) and says what to bet next.

use super::params::FIB_MAX_INDEX;
use super::plan::{Base, Bet, Bets, Outcome, PlanError, Staker, Strategy, View};

/// The state machine of a built-in `strategy` with `bankroll` to play.
pub fn start(strategy: &Strategy, base: Base, bankroll: f64) -> Box<dyn Staker + Send> {
    match strategy.clone() {
        Strategy::Flat => Box::new(Flat(base)),
        Strategy::Martingale {
            multiplier,
            reset_after,
        } => Box::new(Martingale {
            base,
            multiplier,
            reset_after,
            losses: 0,
            stake: base.stake,
        }),
        Strategy::PayoutMartingale {
            multiplier,
            max_cashout,
        } => Box::new(PayoutMartingale {
            base,
            multiplier,
            max_cashout,
            cashout: base.cashout,
        }),
        Strategy::Paroli { multiplier, wins } => Box::new(Paroli {
            base,
            multiplier,
            wins,
            streak: 0,
            stake: base.stake,
        }),
        Strategy::DAlembert { unit } => Box::new(DAlembert {
            base,
            unit: unit * base.stake,
            steps: 0,
        }),
        Strategy::Fibonacci => Box::new(Fibonacci::new(base)),
        Strategy::Labouchere { sequence } => Box::new(Labouchere {
            base,
            line: sequence.clone(),
            start: sequence,
        }),
        Strategy::OscarsGrind => Box::new(OscarsGrind {
            base,
            units: 1.0,
            cycle: 0.0,
        }),
        Strategy::FixedFraction { fraction } => Box::new(FixedFraction { base, fraction }),
        Strategy::Kelly { fraction } => Box::new(Kelly { base, fraction }),
        Strategy::OnlyOnPlay => Box::new(OnlyOnPlay(base)),
        Strategy::DualBankroll {
            split,
            second_cashout,
        } => Box::new(DualBankroll {
            base,
            second_cashout,
            halves: [bankroll * split, bankroll * (1.0 - split)],
        }),
        Strategy::Script { .. } | Strategy::Autobet { .. } => {
            Box::new(Failing("the script was not prepared".into()))
        }
    }
}

/// A plan that could not start: fails at its first bet with the reason.
pub struct Failing(pub String);
impl Staker for Failing {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        Err(PlanError(self.0.clone()))
    }
    fn settle(&mut self, _: &Outcome) {}
}

fn one(stake: f64, cashout: f64) -> Result<Bets, PlanError> {
    Ok([Some(Bet { stake, cashout }), None])
}

fn won(o: &Outcome) -> bool {
    o.won[0]
}

struct Flat(Base);
impl Staker for Flat {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        one(self.0.stake, self.0.cashout)
    }
    fn settle(&mut self, _: &Outcome) {}
}

struct Martingale {
    base: Base,
    multiplier: f64,
    reset_after: u32,
    losses: u32,
    stake: f64,
}
impl Staker for Martingale {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        one(self.stake, self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        if won(o) {
            self.losses = 0;
            self.stake = self.base.stake;
        } else {
            self.losses += 1;
            if self.reset_after > 0 && self.losses >= self.reset_after {
                self.losses = 0;
                self.stake = self.base.stake;
            } else {
                self.stake *= self.multiplier;
            }
        }
    }
}

struct PayoutMartingale {
    base: Base,
    multiplier: f64,
    max_cashout: f64,
    cashout: f64,
}
impl Staker for PayoutMartingale {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        one(self.base.stake, self.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        self.cashout = if won(o) {
            self.base.cashout
        } else {
            (self.cashout * self.multiplier).min(self.max_cashout)
        };
    }
}

struct Paroli {
    base: Base,
    multiplier: f64,
    wins: u32,
    streak: u32,
    stake: f64,
}
impl Staker for Paroli {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        one(self.stake, self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        if won(o) {
            self.streak += 1;
            if self.wins > 0 && self.streak >= self.wins {
                self.streak = 0;
                self.stake = self.base.stake;
            } else {
                self.stake *= self.multiplier;
            }
        } else {
            self.streak = 0;
            self.stake = self.base.stake;
        }
    }
}

struct DAlembert {
    base: Base,
    unit: f64,
    steps: u32,
}
impl Staker for DAlembert {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        one(
            self.base.stake + f64::from(self.steps) * self.unit,
            self.base.cashout,
        )
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        if won(o) {
            self.steps = self.steps.saturating_sub(1);
        } else {
            self.steps = self.steps.saturating_add(1);
        }
    }
}

struct Fibonacci {
    base: Base,
    fib: Vec<f64>,
    k: usize,
}
impl Fibonacci {
    fn new(base: Base) -> Self {
        let mut fib = vec![1.0, 1.0];
        while fib.len() <= FIB_MAX_INDEX {
            let n = fib.len();
            fib.push(fib[n - 1] + fib[n - 2]);
        }
        Self { base, fib, k: 0 }
    }
}
impl Staker for Fibonacci {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        one(self.base.stake * self.fib[self.k], self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        self.k = if won(o) {
            self.k.saturating_sub(2)
        } else {
            (self.k + 1).min(FIB_MAX_INDEX)
        };
    }
}

struct Labouchere {
    base: Base,
    line: Vec<f64>,
    start: Vec<f64>,
}
impl Labouchere {
    fn units(&self) -> f64 {
        match self.line.as_slice() {
            [] => 0.0,
            [only] => *only,
            [first, .., last] => first + last,
        }
    }
}
impl Staker for Labouchere {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        if self.line.is_empty() {
            self.line = self.start.clone();
        }
        one(self.base.stake * self.units(), self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        if won(o) {
            self.line.remove(0);
            self.line.pop();
        } else if self.line.len() < 1_000 {
            // The line grows by one number per loss; a line this long means the bankroll
            // is long gone, so it stops growing rather than eat memory.
            let units = self.units();
            self.line.push(units);
        }
    }
}

struct OscarsGrind {
    base: Base,
    units: f64,
    /// Profit of the current cycle.
    cycle: f64,
}
impl Staker for OscarsGrind {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        one(self.base.stake * self.units, self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        let Some(bet) = o.bets[0] else { return };
        self.cycle += o.profit;
        let goal = self.base.stake;
        if self.cycle >= goal - 1e-9 {
            self.cycle = 0.0;
            self.units = 1.0;
        } else if won(o) {
            // One unit more, but never more than a win needs to finish the cycle.
            let needed = (goal - self.cycle) / (bet.cashout - 1.0) / self.base.stake;
            self.units = (self.units + 1.0).min(needed.max(1.0));
        }
    }
}

struct FixedFraction {
    base: Base,
    fraction: f64,
}
impl Staker for FixedFraction {
    fn bets(&mut self, v: &View) -> Result<Bets, PlanError> {
        one(self.fraction * v.bankroll, self.base.cashout)
    }
    fn settle(&mut self, _: &Outcome) {}
}

/// Kelly stake share for win probability `p` at cash-out `c`: (p·c − 1)/(c − 1).
pub fn kelly_fraction(p: f64, cashout: f64) -> f64 {
    (p * cashout - 1.0) / (cashout - 1.0)
}

struct Kelly {
    base: Base,
    fraction: f64,
}
impl Staker for Kelly {
    fn bets(&mut self, v: &View) -> Result<Bets, PlanError> {
        let (p, c) = match v.signal {
            Some(s) => (s.p_low, s.cashout),
            None => (
                crate::summary::fair_survival(self.base.cashout, self.base.house_edge),
                self.base.cashout,
            ),
        };
        let f = kelly_fraction(p, c);
        if f > 0.0 {
            one(self.fraction * f * v.bankroll, c)
        } else {
            Ok([None, None])
        }
    }
    fn settle(&mut self, _: &Outcome) {}
}

struct OnlyOnPlay(Base);
impl Staker for OnlyOnPlay {
    fn bets(&mut self, v: &View) -> Result<Bets, PlanError> {
        match v.signal {
            Some(s) => one(self.0.stake, s.cashout),
            None => Ok([None, None]),
        }
    }
    fn settle(&mut self, _: &Outcome) {}
}

struct DualBankroll {
    base: Base,
    second_cashout: f64,
    halves: [f64; 2],
}
impl Staker for DualBankroll {
    fn bets(&mut self, _: &View) -> Result<Bets, PlanError> {
        let s = self.base.stake;
        let bet = |half: f64, cashout| (half >= s).then_some(Bet { stake: s, cashout });
        Ok([
            bet(self.halves[0], self.base.cashout),
            bet(self.halves[1], self.second_cashout),
        ])
    }
    fn settle(&mut self, o: &Outcome) {
        for i in 0..2 {
            if let Some(b) = o.bets[i] {
                self.halves[i] += if o.won[i] {
                    b.stake * (b.cashout - 1.0)
                } else {
                    -b.stake
                };
            }
        }
    }
}
