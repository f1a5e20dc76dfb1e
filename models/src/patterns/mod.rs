//! Pattern scan: every folk pattern players believe in, and the dependences a flawed or
//! rigged generator would have, tested as explicit rules "when CONDITION holds, P(X ≥ c)
//! is …", with corrections across the whole scan and an anytime-valid, walk-forward
//! confirmation.
//!
//! - [`rules`]: the catalogue (runs, after a big one, position mod p, transitions, level
//!   of the recent past / current regime) and the causal state that says which rules apply.
//! - [`pairs`]: two-round rules at finer cut points than the transition categories.
//! - [`state`]: the causal state the catalogue reads, and [`clock`]: when rounds were
//!   played (the clock family, for rounds with a real time).
//! - [`holds`]: one condition checked on its own (the strategy lab's tilted paths).
//! - [`levels`]: the level rules' statistics and their bands, fixed under the fair law.
//! - [`evidence`]: exact binomial tails, the mixture e-value, Benjamini–Hochberg.
//! - [`scan`]: counts kept one round at a time and the confirmation rule.
//! - [`next`]: what the confirmed rules say about the next round (for PLAY / WAIT), from
//!   a `trace` of which of them applied to each round, kept in step with the history.
//! - [`limits`]: the smallest edge each family could have detected (80% power).
//! - [`regimes`]: homogeneity and change-point tests of the edge over blocks.
//! - [`unfavourable`]: rules confirmed below the game's own rate (avoid; never PLAY).
//! - [`report`]: the whole report (CLI `jetx patterns`, REST, the Patterns page).

pub mod bench;
pub mod clock;
pub mod evidence;
pub mod holds;
pub mod levels;
pub mod limits;
pub mod next;
pub mod pairs;
pub mod regimes;
pub mod report;
pub mod rules;
pub mod scan;
pub mod state;
pub mod text;
mod trace;
pub mod unfavourable;
pub mod words;

pub use next::NextEdge;
pub use report::{PatternReport, RuleReport};
pub use rules::{Condition, Family};
pub use scan::{PatternConfig, PatternScanner, DEFAULT_CASHOUTS};
