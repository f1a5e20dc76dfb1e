//! A small library of bustabit autobet scripts written for this project, each runnable from
//! the Strategies page and the command line (`examples/*.js`); the tests check that each
//! replays exactly like an independent replay and that the martingale, Fibonacci and
//! d'Alembert scripts match the built-in plans.

/// An example: its file name, what the page calls it, its source.
pub struct Example {
    pub name: &'static str,
    pub label: &'static str,
    pub source: &'static str,
}

pub const ALL: [Example; 5] = [
    Example {
        name: "martingale",
        label: "Martingale (double after a loss)",
        source: include_str!("examples/martingale.js"),
    },
    Example {
        name: "fibonacci",
        label: "Fibonacci",
        source: include_str!("examples/fibonacci.js"),
    },
    Example {
        name: "dalembert",
        label: "d'Alembert",
        source: include_str!("examples/dalembert.js"),
    },
    Example {
        name: "after-reds",
        label: "Bet after N reds",
        source: include_str!("examples/after-reds.js"),
    },
    Example {
        name: "flat",
        label: "Flat betting",
        source: include_str!("examples/flat.js"),
    },
];

/// The example called `name`.
pub fn by_name(name: &str) -> Option<&'static Example> {
    ALL.iter().find(|e| e.name == name)
}
