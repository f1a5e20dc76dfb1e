//! Players' bustabit autobet scripts (JavaScript), run unchanged in QuickJS together with
//! the engine emulation in `autobet.js` (the same file the browser's script worker runs):
//! the script's config block becomes the inputs, a replay plays the stored rounds as the
//! public bustabit simulators do, and as a [`Staker`] a script runs in the lab's Monte
//! Carlo like any plan.
//!
//! Money: the lab's bankroll and stakes are bits; the script sees satoshis (× 100).
//! Sandbox: QuickJS has no files, network or timers of its own; a runtime is capped in
//! memory and stack, and every call is interrupted at the run's deadline.

pub use super::inputs::{InputOption, ScriptInput};
use super::plan::{Base, Bet, Bets, Outcome, PlanError, Staker, StrategyError, View};
pub use super::summary::AutobetRun;
use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, Function, Object, Runtime};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The engine emulation, evaluated before every script.
pub const EMULATION: &str = include_str!("autobet.js");

/// Memory and stack a script may use.
const MEMORY_LIMIT: usize = 64 << 20;
const STACK_LIMIT: usize = 1 << 20;
/// Wall time of one run (a replay, or one Monte Carlo run with all its paths).
pub const TIME_BUDGET: Duration = Duration::from_secs(30);
/// Lines of a script's `log()` kept in a replay's answer.
pub const MAX_LOG_LINES: usize = 200;

/// What `Autobet.finish()` returns (satoshis).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Finished {
    balance: f64,
    bets: usize,
    wagered: f64,
    rounds: usize,
    stopped: Option<String>,
    failure: Option<String>,
    log: Vec<String>,
    log_total: usize,
}

/// A script compiled and checked once, with the values of its inputs; every run (a replay,
/// each Monte Carlo path) starts a fresh runtime from it.
#[derive(Debug, Clone)]
pub struct Program {
    source: String,
    /// The config object the script sees, as JSON.
    config: String,
    /// The script uses promises or timers: run one game at a time, jobs drained between.
    ticks: bool,
    deadline: Instant,
}

fn js_error(e: CaughtError<'_>) -> String {
    match e {
        CaughtError::Exception(ex) => {
            let message = ex.message().unwrap_or_default();
            if message == "interrupted" {
                return format!(
                    "the script ran longer than the {} s a run may take (an endless loop?)",
                    TIME_BUDGET.as_secs()
                );
            }
            let line = ex
                .stack()
                .as_deref()
                .and_then(script_line)
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            format!("{message}{line}")
        }
        other => other.to_string(),
    }
}

/// The script line of a QuickJS stack (the wrapper adds one line before the script).
fn script_line(stack: &str) -> Option<usize> {
    let at = stack.find("<input>:")? + "<input>:".len();
    let digits: String = stack[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse::<usize>()
        .ok()?
        .checked_sub(1)
        .filter(|l| *l > 0)
}

/// A fresh sandbox with the emulation loaded.
fn sandbox(deadline: Instant) -> Result<(Runtime, Context), StrategyError> {
    let rt = Runtime::new().map_err(|e| script_error(e.to_string()))?;
    rt.set_memory_limit(MEMORY_LIMIT);
    rt.set_max_stack_size(STACK_LIMIT);
    rt.set_interrupt_handler(Some(Box::new(move || Instant::now() > deadline)));
    let ctx = Context::full(&rt).map_err(|e| script_error(e.to_string()))?;
    ctx.with(|ctx| {
        ctx.eval::<(), _>(EMULATION).catch(&ctx).map_err(|e| {
            script_error(format!(
                "the engine emulation failed to load: {}",
                js_error(e)
            ))
        })
    })?;
    Ok((rt, ctx))
}

fn autobet<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Object<'js>> {
    ctx.globals().get("Autobet")
}

fn script_error(message: impl Into<String>) -> StrategyError {
    StrategyError::Script(message.into())
}

/// The message of a script's error, without the "script:" its display adds.
fn message(e: StrategyError) -> String {
    match e {
        StrategyError::Script(m) => m,
        other => other.to_string(),
    }
}

/// The inputs of `source`'s config block (none when it has none).
pub fn inputs(source: &str) -> Result<Vec<ScriptInput>, StrategyError> {
    let (_rt, ctx) = sandbox(Instant::now() + Duration::from_secs(5))?;
    ctx.with(|ctx| {
        let f: Function = autobet(&ctx)?.get("inputs")?;
        let v: rquickjs::Value = f.call((source,))?;
        ctx.json_stringify(v)?.map(|s| s.to_string()).transpose()
    })
    .catch_ctx(&ctx)
    .map_err(|e| script_error(format!("the config block cannot be read: {}", message(e))))
    .and_then(|json: Option<String>| {
        serde_json::from_str(json.as_deref().unwrap_or("[]"))
            .map_err(|e| script_error(format!("the config block cannot be read: {e}")))
    })
}

/// Turns a JavaScript exception pending in `ctx` into the script's error, with its
/// message and line.
trait CatchCtx<T> {
    fn catch_ctx(self, ctx: &Context) -> Result<T, StrategyError>;
}

impl<T> CatchCtx<T> for Result<T, rquickjs::Error> {
    fn catch_ctx(self, ctx: &Context) -> Result<T, StrategyError> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(script_error(
                ctx.with(|ctx| js_error(CaughtError::from_error(&ctx, e))),
            )),
        }
    }
}

impl Program {
    /// Checks the script (it compiles, asks for no manual cash-out) and applies the
    /// player's input values (`key` → text; balances in bits).
    pub fn compile(source: &str, chosen: &BTreeMap<String, String>) -> Result<Self, StrategyError> {
        let deadline = Instant::now() + TIME_BUDGET;
        let (_rt, ctx) = sandbox(deadline)?;
        let config = ctx
            .with(|ctx| -> rquickjs::Result<Option<String>> {
                let a = autobet(&ctx)?;
                let compile: Function = a.get("compile")?;
                let _: Function = compile.call((source,))?;
                let chosen_js =
                    ctx.json_parse(serde_json::to_string(chosen).unwrap_or_default())?;
                let config_with: Function = a.get("configWith")?;
                let config: rquickjs::Value = config_with.call((source, chosen_js))?;
                ctx.json_stringify(config)?
                    .map(|s| s.to_string())
                    .transpose()
            })
            .catch_ctx(&ctx)?
            .unwrap_or_else(|| "{}".into());
        let ticks = ctx
            .with(|ctx| -> rquickjs::Result<bool> {
                let f: Function = autobet(&ctx)?.get("needsTicks")?;
                f.call((source,))
            })
            .unwrap_or(true);
        Ok(Program {
            source: source.to_string(),
            config,
            ticks,
            deadline,
        })
    }

    /// The same program run one game per call with the job queue drained after each (what
    /// a script with promises needs; the benchmark's baseline for the others).
    pub fn stepped(&self) -> Self {
        Program {
            ticks: true,
            ..self.clone()
        }
    }

    /// The same program with a new time budget from now (each run gets its own).
    pub fn with_fresh_deadline(&self) -> Self {
        Program {
            deadline: Instant::now() + TIME_BUDGET,
            ..self.clone()
        }
    }

    /// Starts a session over `crashes` with `balance` satoshis in a fresh sandbox.
    fn session(
        &self,
        crashes: &[f64],
        balance: f64,
        house_edge: f64,
    ) -> Result<Session, StrategyError> {
        let (rt, ctx) = sandbox(self.deadline)?;
        ctx.with(|ctx| -> rquickjs::Result<()> {
            let a = autobet(&ctx)?;
            let compile: Function = a.get("compile")?;
            let compiled: Function = compile.call((self.source.as_str(),))?;
            let config = ctx.json_parse(self.config.as_str())?;
            let options = Object::new(ctx.clone())?;
            options.set("crashes", crashes.to_vec())?;
            options.set("balance", balance)?;
            options.set("houseEdge", house_edge)?;
            options.set("maxLog", MAX_LOG_LINES)?;
            let start: Function = a.get("start")?;
            let session: Object = start.call((compiled, config, options))?;
            // Kept in the sandbox's own global: nothing of the runtime leaves it.
            ctx.globals().set(SESSION, session)
        })
        .catch_ctx(&ctx)?;
        let s = Session { ctx, rt };
        s.drain();
        Ok(s)
    }

    /// Plays `crashes` (oldest first) with `bankroll` bits, as the bustabit simulators do.
    pub fn replay(
        &self,
        crashes: &[f64],
        bankroll: f64,
        house_edge: f64,
    ) -> Result<AutobetRun, StrategyError> {
        let start = (bankroll * 100.0).round();
        let s = self.session(crashes, start, house_edge)?;
        if self.ticks {
            while s.call_bool("next", ())? {
                s.drain();
            }
        } else {
            s.call_unit("runAll")?;
        }
        let done = s.finish()?;
        if let Some(failure) = done.failure {
            return Err(script_error(failure));
        }
        Ok(AutobetRun {
            final_balance: done.balance / 100.0,
            bets: done.bets,
            wagered: done.wagered / 100.0,
            stopped: done.stopped,
            log: done.log,
            log_total: done.log_total,
            games: done.rounds,
        })
    }

    /// The script as a staking plan for the lab's engine: a fresh sandbox per path.
    pub fn start(&self, base: Base, bankroll: f64) -> Box<dyn Staker + Send> {
        match self.session(&[], (bankroll * 100.0).round(), base.house_edge) {
            Ok(session) => Box::new(ScriptStaker {
                session: Some(session),
                ticks: self.ticks,
                stopped: false,
                error: None,
            }),
            Err(e) => Box::new(ScriptStaker {
                session: None,
                ticks: self.ticks,
                stopped: true,
                error: Some(message(e)),
            }),
        }
    }
}

/// The global that holds a sandbox's `Autobet.start` session.
const SESSION: &str = "__autobetSession";

/// A running script: its sandbox, whose global [`SESSION`] is the `Autobet.start` session.
/// The context drops before its runtime.
struct Session {
    ctx: Context,
    rt: Runtime,
}

impl Session {
    /// Runs the promise callbacks and timers the script left, as a browser does between
    /// games (a failing job is the script's error, reported by the next call).
    fn drain(&self) {
        while self.rt.is_job_pending() {
            if self.rt.execute_pending_job().is_err() {
                break;
            }
        }
    }

    fn method<'js>(
        &self,
        ctx: &Ctx<'js>,
        name: &str,
    ) -> rquickjs::Result<(Object<'js>, Function<'js>)> {
        let session: Object = ctx.globals().get(SESSION)?;
        let f: Function = session.get(name)?;
        Ok((session, f))
    }

    fn call_bool(
        &self,
        name: &str,
        arg: impl for<'js> rquickjs::IntoJs<'js>,
    ) -> Result<bool, StrategyError> {
        self.ctx
            .with(|ctx| {
                let (this, f) = self.method(&ctx, name)?;
                f.call((rquickjs::function::This(this), arg))
            })
            .catch_ctx(&self.ctx)
    }

    fn call_unit(&self, name: &str) -> Result<(), StrategyError> {
        self.ctx
            .with(|ctx| {
                let (this, f) = self.method(&ctx, name)?;
                f.call((rquickjs::function::This(this),))
            })
            .catch_ctx(&self.ctx)
    }

    /// `begin()`: the bet of the next game in satoshis and its payout, `Ok(None)` for no
    /// bet, `Err(None)` once the run is over.
    fn begin(&self) -> Result<Option<(f64, f64)>, Option<String>> {
        self.ctx
            .with(|ctx| -> rquickjs::Result<Result<Option<(f64, f64)>, ()>> {
                let (this, f) = self.method(&ctx, "begin")?;
                let v: rquickjs::Value = f.call((rquickjs::function::This(this),))?;
                if v.as_bool() == Some(false) {
                    return Ok(Err(()));
                }
                match v.as_object() {
                    Some(bet) => Ok(Ok(Some((bet.get("wager")?, bet.get("payout")?)))),
                    None => Ok(Ok(None)),
                }
            })
            .catch_ctx(&self.ctx)
            .map_err(|e| Some(message(e)))?
            .map_err(|()| None)
    }

    fn finish(&self) -> Result<Finished, StrategyError> {
        let json = self
            .ctx
            .with(|ctx| -> rquickjs::Result<Option<String>> {
                let (this, f) = self.method(&ctx, "finish")?;
                let v: rquickjs::Value = f.call((rquickjs::function::This(this),))?;
                ctx.json_stringify(v)?.map(|s| s.to_string()).transpose()
            })
            .catch_ctx(&self.ctx)?
            .unwrap_or_default();
        serde_json::from_str(&json).map_err(|e| script_error(format!("unexpected result: {e}")))
    }

    /// The failure the session recorded, if any.
    fn failure(&self) -> Option<String> {
        self.finish().ok().and_then(|f| f.failure)
    }
}

/// A script as a plan of the lab's engine: `begin()` places its bet (wager in satoshis →
/// stake in bits), the engine settles the round, `end(crash)` lets the script see it.
struct ScriptStaker {
    session: Option<Session>,
    ticks: bool,
    stopped: bool,
    error: Option<String>,
}

impl Staker for ScriptStaker {
    fn bets(&mut self, _view: &View) -> Result<Bets, PlanError> {
        if let Some(e) = self.error.take() {
            return Err(PlanError(e));
        }
        let Some(s) = self.session.as_ref() else {
            return Ok([None, None]);
        };
        if self.stopped {
            return Ok([None, None]);
        }
        match s.begin() {
            Ok(Some((wager, payout))) => Ok([
                Some(Bet {
                    stake: wager / 100.0,
                    cashout: payout,
                }),
                None,
            ]),
            Ok(None) => Ok([None, None]),
            Err(None) => match s.failure() {
                Some(f) => Err(PlanError(f)),
                None => {
                    self.stopped = true;
                    Ok([None, None])
                }
            },
            Err(Some(e)) => Err(PlanError(e)),
        }
    }

    fn settle(&mut self, outcome: &Outcome) {
        // A run that ended at `begin` has no game to end.
        let Some(s) = self
            .session
            .as_ref()
            .filter(|_| !self.stopped && self.error.is_none())
        else {
            return;
        };
        match s.call_bool("end", outcome.crash) {
            Ok(true) => {}
            Ok(false) => {
                // A failure in `end` is reported by the next `bets`.
                self.error = s.failure();
                self.stopped = self.error.is_none();
            }
            Err(e) => self.error = Some(message(e)),
        }
        if self.ticks {
            s.drain();
        }
    }

    fn stopped(&self) -> bool {
        self.stopped
    }
}

/// A parsed program shared by Monte Carlo threads: each path gets its own sandbox.
pub type Shared = std::sync::Arc<Program>;

#[cfg(test)]
mod tests {
    use super::*;

    const MARTINGALE: &str = include_str!("examples/martingale.js");

    #[test]
    fn inputs_come_from_the_config_block() {
        let inputs = inputs(MARTINGALE).unwrap();
        let keys: Vec<_> = inputs
            .iter()
            .map(|i| (i.key.as_str(), i.kind.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("baseBet", "balance"),
                ("payout", "multiplier"),
                ("multiplier", "multiplier"),
                ("maxLosses", "multiplier")
            ]
        );
        assert_eq!(inputs[0].value, serde_json::json!(100));
    }

    #[test]
    fn a_replay_pays_wager_times_payout_and_names_a_refused_bet() {
        let flat = Program::compile(include_str!("examples/flat.js"), &BTreeMap::new()).unwrap();
        // 1 bit at 2x on 2.5, 1.2, 2.0, 7: won, lost, won, won.
        let r = flat.replay(&[2.5, 1.2, 2.0, 7.0], 10.0, 0.01).unwrap();
        assert_eq!(
            (r.final_balance, r.bets, r.wagered, r.stopped.as_deref()),
            (12.0, 4, 4.0, None)
        );
        let mut chosen = BTreeMap::new();
        chosen.insert("wager".to_string(), "6".to_string());
        let big = Program::compile(include_str!("examples/flat.js"), &chosen).unwrap();
        let r = big.replay(&[1.5, 1.5, 1.5], 10.0, 0.01).unwrap();
        assert_eq!(r.bets, 1);
        assert!(
            r.stopped
                .as_deref()
                .unwrap_or("")
                .starts_with("BET_TOO_BIG"),
            "{r:?}"
        );
    }

    #[test]
    fn errors_name_the_line_and_the_game_and_endless_loops_end() {
        let broken = "engine.on('GAME_STARTING', () => engine.bet(100, 2));\n\nengine.on('GAME_ENDED', () => {\n  nope();\n});";
        let e = Program::compile(broken, &BTreeMap::new())
            .unwrap()
            .replay(&[1.5, 2.5], 10.0, 0.01)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("nope") && e.contains("line 4") && e.contains("game 1"),
            "{e}"
        );
        let syntax = Program::compile(
            "engine.on('GAME_STARTING', () => {\n  engine.bet(100, 2;\n});",
            &BTreeMap::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(syntax.contains("line 2"), "{syntax}");
        let cash = Program::compile(
            "engine.on('GAME_STARTED', () => engine.cashOut());",
            &BTreeMap::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(cash.contains("engine.cashOut()"), "{cash}");
        let mut endless = Program::compile(
            "engine.on('GAME_STARTING', () => { while (true) {} });",
            &BTreeMap::new(),
        )
        .unwrap();
        endless.deadline = Instant::now() + Duration::from_millis(200);
        let started = Instant::now();
        let e = endless.replay(&[1.5], 10.0, 0.01).unwrap_err().to_string();
        assert!(started.elapsed() < Duration::from_secs(5), "{e}");
        assert!(
            e.contains("ran longer than") && e.contains("endless loop"),
            "{e}"
        );
        let hog = Program::compile("var a = []; engine.on('GAME_STARTING', () => { for (;;) a.push(new Array(1e6).fill(1)); });", &BTreeMap::new()).unwrap();
        let e = hog.replay(&[1.5], 10.0, 0.01).unwrap_err().to_string();
        assert!(e.contains("memory") || e.contains("game 1"), "{e}");
    }
}
