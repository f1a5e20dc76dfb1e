//! User strategies as [rhai](https://rhai.rs) scripts, in the spirit of the autobet scripts
//! crash-game players already write (bustabit's `config` block, `engine.bet`, a callback per
//! game, `stop()`), run in a sandbox: no files, no modules, no printing, and limits on
//! operations per callback, on the size of strings, arrays and maps, on call depth and on
//! the wall time of a whole run.
//!
//! ```rhai
//! // Inputs: every entry can be changed without editing the script (--param base=2).
//! let config = #{ base: 1.0, cashout: 2.0, multiplier: 2.0 };
//!
//! // Before each round: return bet(stake, cashout), [bet(..), bet(..)] (two panels) or ()
//! // for no bet. `this` is the script's memory, kept between rounds.
//! fn on_round(game) {
//!     bet(this.stake ?? game.config.base, game.config.cashout)
//! }
//!
//! // After each round (optional): what happened to the bets.
//! fn on_result(game, result) {
//!     this.stake = if result.won { game.config.base } else { (this.stake ?? game.config.base) * game.config.multiplier };
//! }
//! ```
//!
//! `game` holds `round` (rounds played so far), `bankroll`, `net`, `base_stake`,
//! `base_cashout`, `house_edge`, `config`, `history` (the last [`HISTORY`] crashes of this
//! path, oldest first: `game.history[-1]` is the last round), `last` (the last crash or `()`)
//! and `signal` (`#{cashout, p_low}` when the app says PLAY, else `()`). `result` holds
//! `crash`, `won` (any bet won), `profit`, `bankroll` and `bets` (`#{stake, cashout, won}`
//! each). An optional `fn init(game)` returns the starting memory; `stop("why")` ends the
//! session.

use super::plan::{Base, Bet, Bets, Outcome, PlanError, Staker, StrategyError, View};
use rhai::{Array, CallFnOptions, Dynamic, Engine, EvalAltResult, Map, Position, Scope, AST};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Crashes a script sees in `game.history`.
pub const HISTORY: usize = 100;
/// Longest script source accepted.
pub const MAX_SOURCE_CHARS: usize = 50_000;
/// Operations one callback (or the top level) may take: a runaway loop stops here.
pub const MAX_OPERATIONS: u64 = 200_000;
/// Wall time of one whole run (all paths of one plan).
pub const TIME_BUDGET: Duration = Duration::from_secs(30);
const MAX_STRING: usize = 100_000;
const MAX_ARRAY: usize = 20_000;
const MAX_MAP: usize = 2_000;
const MAX_CALL_LEVELS: usize = 32;

/// The error a script's `stop()` raises to end the session (not a failure).
const STOP_MARK: &str = "\u{1}jetx-stop\u{1}";

/// A checked, compiled script: the engine with its limits, the program and its inputs.
pub struct Program {
    engine: Engine,
    ast: AST,
    config: Map,
    has_init: bool,
    has_result: bool,
    /// Keeping the history costs every round: only scripts that mention it get it.
    uses_history: bool,
    deadline: Instant,
}

fn script_error(message: impl Into<String>) -> StrategyError {
    StrategyError::Script(message.into())
}

fn sandboxed_engine() -> Engine {
    let mut engine = Engine::new();
    engine.set_max_operations(MAX_OPERATIONS);
    engine.set_max_string_size(MAX_STRING);
    engine.set_max_array_size(MAX_ARRAY);
    engine.set_max_map_size(MAX_MAP);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    engine.set_max_expr_depths(64, 32);
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine
        .register_type_with_name::<Bet>("Bet")
        .register_get("stake", |b: &mut Bet| b.stake)
        .register_get("cashout", |b: &mut Bet| b.cashout)
        .register_fn("to_string", |b: &mut Bet| {
            format!("bet({}, {})", b.stake, b.cashout)
        });
    engine.register_fn(
        "bet",
        |stake: Dynamic, cashout: Dynamic| -> Result<Bet, Box<EvalAltResult>> {
            let read = |what: &str, d: &Dynamic| {
                number(d).ok_or_else(|| -> Box<EvalAltResult> {
                    format!(
                        "bet(stake, cashout): {what} must be a number, got {d} ({})",
                        d.type_name()
                    )
                    .into()
                })
            };
            Ok(Bet {
                stake: read("stake", &stake)?,
                cashout: read("cashout", &cashout)?,
            })
        },
    );
    engine.register_fn("stop", || -> Result<(), Box<EvalAltResult>> {
        Err(EvalAltResult::ErrorRuntime(STOP_MARK.into(), Position::NONE).into())
    });
    engine.register_fn("stop", |why: &str| -> Result<(), Box<EvalAltResult>> {
        Err(EvalAltResult::ErrorRuntime(format!("{STOP_MARK}{why}").into(), Position::NONE).into())
    });
    engine
}

/// An input value given as text, read as the type of the script's default for it.
fn input_value(key: &str, default: &Dynamic, text: &str) -> Result<Dynamic, StrategyError> {
    let t = text.trim();
    let bad = |what: &str| script_error(format!("input {key}: \"{text}\" is not {what}"));
    if default.is_float() || default.is_int() {
        let x: f64 = t.parse().map_err(|_| bad("a number"))?;
        if !x.is_finite() {
            return Err(bad("a finite number"));
        }
        if default.is_int() && x.fract() == 0.0 && x.abs() < 9e15 {
            Ok(Dynamic::from(x as rhai::INT))
        } else {
            Ok(Dynamic::from(x))
        }
    } else if default.is_bool() {
        t.parse::<bool>()
            .map(Dynamic::from)
            .map_err(|_| bad("true or false"))
    } else if default.is_string() {
        Ok(Dynamic::from(t.to_string()))
    } else {
        Err(script_error(format!(
            "input {key} is a {} in the script; only numbers, true/false and text can be set from outside",
            default.type_name()
        )))
    }
}

impl Program {
    /// Compiles `source`, runs its top level once (the `config` block) and applies `inputs`
    /// to that config; every problem comes back with its line number.
    pub fn compile(source: &str, inputs: &BTreeMap<String, String>) -> Result<Self, StrategyError> {
        if source.trim().is_empty() {
            return Err(script_error(
                "the script is empty: it needs at least fn on_round(game)",
            ));
        }
        if source.chars().count() > MAX_SOURCE_CHARS {
            return Err(script_error(format!(
                "the script is longer than {MAX_SOURCE_CHARS} characters"
            )));
        }
        let engine = sandboxed_engine();
        let ast = engine
            .compile(source)
            .map_err(|e| script_error(format!("syntax error: {e}")))?;
        let takes = |name: &str, n: usize| {
            ast.iter_functions()
                .any(|f| f.name == name && f.params.len() == n)
        };
        if !takes("on_round", 1) {
            return Err(script_error(
                "the script must define fn on_round(game), returning bet(stake, cashout) or () for no bet",
            ));
        }
        let (has_init, has_result) = (takes("init", 1), takes("on_result", 2));
        let mut scope = Scope::new();
        engine
            .run_ast_with_scope(&mut scope, &ast)
            .map_err(|e| script_error(format!("while setting up: {}", describe(&e))))?;
        let mut config = match scope.get_value::<Dynamic>("config") {
            None => Map::new(),
            Some(c) if c.is_map() => c.cast::<Map>(),
            Some(c) => {
                return Err(script_error(format!(
                    "config must be a map like #{{ base: 1.0 }}, not a {}",
                    c.type_name()
                )))
            }
        };
        for (key, text) in inputs {
            let default = config.get(key.as_str()).ok_or_else(|| {
                let known: Vec<&str> = config.keys().map(|k| k.as_str()).collect();
                script_error(format!(
                    "the script's config has no input \"{key}\" (it has: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })?;
            let v = input_value(key, default, text)?;
            config.insert(key.as_str().into(), v);
        }
        Ok(Self {
            engine,
            ast,
            config,
            has_init,
            has_result,
            uses_history: source.contains("history"),
            deadline: Instant::now() + TIME_BUDGET,
        })
    }

    pub fn start(self: &Arc<Self>, base: Base) -> Box<dyn Staker + Send> {
        Box::new(ScriptStaker::new(Arc::clone(self), base))
    }
}

/// A rhai error in plain words, with its line when it has one.
fn describe(e: &EvalAltResult) -> String {
    match e {
        EvalAltResult::ErrorTooManyOperations(pos) => format!(
            "more than {MAX_OPERATIONS} operations in one call (an endless loop?){}",
            at(*pos)
        ),
        EvalAltResult::ErrorDataTooLarge(what, pos) => format!(
            "the script's data grew beyond the sandbox's limit ({}: strings {MAX_STRING} characters, arrays {MAX_ARRAY} items, maps {MAX_MAP} entries){}",
            what.to_lowercase(),
            at(*pos)
        ),
        EvalAltResult::ErrorStackOverflow(pos) | EvalAltResult::ErrorTooManyModules(pos) => {
            format!("calls nested deeper than {MAX_CALL_LEVELS}{}", at(*pos))
        }
        EvalAltResult::ErrorTerminated(_, pos) => format!(
            "the run took longer than {} s{}",
            TIME_BUDGET.as_secs(),
            at(*pos)
        ),
        EvalAltResult::ErrorInFunctionCall(name, _, inner, pos) => {
            format!("{} (in fn {name}{})", describe(inner), at(*pos))
        }
        other => other.to_string(),
    }
}

fn at(pos: Position) -> String {
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => format!(", line {l}, position {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

/// `Some(reason)` when the error is the script's own `stop()`.
fn stop_reason(e: &EvalAltResult) -> Option<String> {
    match e.unwrap_inner() {
        EvalAltResult::ErrorRuntime(v, _) => v
            .read_lock::<rhai::ImmutableString>()
            .and_then(|s| s.strip_prefix(STOP_MARK).map(str::to_string)),
        _ => None,
    }
}

fn number(d: &Dynamic) -> Option<f64> {
    d.as_float()
        .ok()
        .or_else(|| d.as_int().ok().map(|i| i as f64))
}

fn read_bet(d: &Dynamic) -> Result<Option<Bet>, PlanError> {
    if d.is_unit() {
        return Ok(None);
    }
    d.read_lock::<Bet>().map(|b| Some(*b)).ok_or_else(|| {
        PlanError(format!(
            "on_round must return bet(stake, cashout), [bet(..), bet(..)] or () for no bet; it returned {} ({})",
            d,
            d.type_name()
        ))
    })
}

fn read_bets(d: &Dynamic) -> Result<Bets, PlanError> {
    if let Some(a) = d.read_lock::<Array>() {
        if a.len() > 2 {
            return Err(PlanError(format!(
                "on_round returned {} bets; JetX has two bet panels, so at most 2",
                a.len()
            )));
        }
        let mut out: Bets = [None, None];
        for (k, b) in a.iter().enumerate() {
            out[k] = read_bet(b)?;
        }
        return Ok(out);
    }
    Ok([read_bet(d)?, None])
}

/// A map shared between the staker and the script: the staker updates it in place each
/// round and the script gets a handle, not a copy (what a script changes in it stays its own
/// business: the staker overwrites the fields next round).
fn shared_map(entries: &[(&str, Dynamic)]) -> Dynamic {
    let m: Map = entries
        .iter()
        .map(|(k, v)| ((*k).into(), v.clone()))
        .collect();
    Dynamic::from(m).into_shared()
}

fn set(map: &mut Dynamic, key: &str, value: Dynamic) {
    if let Some(mut m) = map.write_lock::<Map>() {
        m.insert(key.into(), value);
    }
}

struct ScriptStaker {
    program: Arc<Program>,
    /// The `game` and `result` the script is called with.
    game: Dynamic,
    result: Dynamic,
    /// Crashes of this path so far (the last [`HISTORY`]), when the script reads them.
    history: Option<Dynamic>,
    memory: Dynamic,
    started: bool,
    stopped: bool,
    /// An error of `on_result`, reported at the next round (settling cannot fail).
    pending: Option<PlanError>,
    /// What the script saw before the round being settled.
    last: Option<View>,
    scope: Scope<'static>,
}

impl ScriptStaker {
    fn new(program: Arc<Program>, base: Base) -> Self {
        let history = program
            .uses_history
            .then(|| Dynamic::from(Array::with_capacity(HISTORY)).into_shared());
        let mut fields = vec![
            ("round", Dynamic::from(0 as rhai::INT)),
            ("bankroll", Dynamic::from(0.0)),
            ("net", Dynamic::from(0.0)),
            ("base_stake", Dynamic::from(base.stake)),
            ("base_cashout", Dynamic::from(base.cashout)),
            ("house_edge", Dynamic::from(base.house_edge)),
            ("config", Dynamic::from(program.config.clone())),
            ("last", Dynamic::UNIT),
            ("signal", Dynamic::UNIT),
        ];
        if let Some(h) = &history {
            fields.push(("history", h.clone()));
        }
        let game = shared_map(&fields);
        let result = shared_map(&[]);
        Self {
            program,
            game,
            result,
            history,
            memory: Dynamic::from(Map::new()),
            started: false,
            stopped: false,
            pending: None,
            last: None,
            scope: Scope::new(),
        }
    }

    fn update_game(
        &mut self,
        round: usize,
        bankroll: f64,
        net: f64,
        signal: Option<super::plan::Signal>,
    ) {
        set(&mut self.game, "round", (round as rhai::INT).into());
        set(&mut self.game, "bankroll", bankroll.into());
        set(&mut self.game, "net", net.into());
        let signal = signal.map_or(Dynamic::UNIT, |s| {
            let mut m = Map::new();
            m.insert("cashout".into(), s.cashout.into());
            m.insert("p_low".into(), s.p_low.into());
            m.into()
        });
        set(&mut self.game, "signal", signal);
    }

    /// Calls `name` with `this` bound to the script's memory; `Ok(None)` after `stop()`.
    fn call(
        &mut self,
        name: &str,
        args: impl rhai::FuncArgs,
    ) -> Result<Option<Dynamic>, PlanError> {
        if Instant::now() > self.program.deadline {
            return Err(PlanError(format!(
                "the script's run took longer than {} s; use fewer paths or rounds",
                TIME_BUDGET.as_secs()
            )));
        }
        let options = CallFnOptions::new()
            .eval_ast(false)
            .bind_this_ptr(&mut self.memory);
        match self.program.engine.call_fn_with_options::<Dynamic>(
            options,
            &mut self.scope,
            &self.program.ast,
            name,
            args,
        ) {
            Ok(v) => Ok(Some(v)),
            Err(e) => match stop_reason(&e) {
                Some(_) => {
                    self.stopped = true;
                    Ok(None)
                }
                None => Err(PlanError(format!("script error: {}", describe(&e)))),
            },
        }
    }
}

impl Staker for ScriptStaker {
    fn bets(&mut self, view: &View) -> Result<Bets, PlanError> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        if self.stopped {
            return Ok([None, None]);
        }
        self.last = Some(*view);
        self.update_game(view.round, view.bankroll, view.net, view.signal);
        if !self.started {
            self.started = true;
            if self.program.has_init {
                match self.call("init", (self.game.clone(),))? {
                    None => return Ok([None, None]),
                    Some(m) if m.is_map() => self.memory = m,
                    Some(m) if m.is_unit() => {}
                    Some(m) => {
                        return Err(PlanError(format!(
                            "init must return a map like #{{ stake: 1.0 }} (the script's memory), not {} ({})",
                            m,
                            m.type_name()
                        )))
                    }
                }
            }
        }
        match self.call("on_round", (self.game.clone(),))? {
            None => Ok([None, None]),
            Some(d) => read_bets(&d),
        }
    }

    fn settle(&mut self, o: &Outcome) {
        if let Some(h) = &mut self.history {
            if let Some(mut a) = h.write_lock::<Array>() {
                if a.len() >= HISTORY {
                    drop(a.remove(0));
                }
                a.push(o.crash.into());
            }
        }
        set(&mut self.game, "last", o.crash.into());
        if self.stopped || !self.program.has_result || o.bets.iter().all(Option::is_none) {
            return;
        }
        let bets: Array = o
            .bets
            .iter()
            .zip(o.won)
            .filter_map(|(b, w)| {
                b.map(|b| {
                    let mut m = Map::new();
                    m.insert("stake".into(), b.stake.into());
                    m.insert("cashout".into(), b.cashout.into());
                    m.insert("won".into(), w.into());
                    Dynamic::from(m)
                })
            })
            .collect();
        set(&mut self.result, "crash", o.crash.into());
        set(&mut self.result, "won", o.won.iter().any(|w| *w).into());
        set(&mut self.result, "profit", o.profit.into());
        set(&mut self.result, "bankroll", o.bankroll.into());
        set(&mut self.result, "bets", bets.into());
        let before = self.last.unwrap_or(View {
            round: 0,
            bankroll: o.bankroll - o.profit,
            net: 0.0,
            signal: None,
        });
        self.update_game(before.round + 1, o.bankroll, before.net + o.profit, None);
        if let Err(e) = self.call("on_result", (self.game.clone(), self.result.clone())) {
            self.pending = Some(e);
        }
    }

    fn stopped(&self) -> bool {
        self.stopped
    }
}
