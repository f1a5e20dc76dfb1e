//! A plain progress bar with ETA on stderr, drawn only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    label: String,
    started: Instant,
    last_draw: Option<Instant>,
    enabled: bool,
}

impl Progress {
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            started: Instant::now(),
            last_draw: None,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// Redraws at most ten times a second, and always at the end.
    pub fn update(&mut self, done: usize, total: usize) {
        if !self.enabled || total == 0 {
            return;
        }
        let now = Instant::now();
        let finished = done >= total;
        if !finished
            && self
                .last_draw
                .is_some_and(|t| now - t < Duration::from_millis(100))
        {
            return;
        }
        self.last_draw = Some(now);
        eprint!(
            "\r{}",
            render(&self.label, done, total, self.started.elapsed())
        );
        if finished {
            eprintln!();
        }
        let _ = std::io::stderr().flush();
    }
}

/// `label [#########...........]  45% 2700/6000 ETA 3s`.
pub fn render(label: &str, done: usize, total: usize, elapsed: Duration) -> String {
    const WIDTH: usize = 30;
    let frac = if total == 0 {
        1.0
    } else {
        (done.min(total)) as f64 / total as f64
    };
    let filled = (frac * WIDTH as f64).round() as usize;
    let eta = if done == 0 {
        "ETA ?".to_string()
    } else if done >= total {
        format!("took {:.1}s", elapsed.as_secs_f64())
    } else {
        let rest = elapsed.as_secs_f64() * (total - done) as f64 / done as f64;
        format!("ETA {rest:.0}s")
    };
    format!(
        "{label} [{}{}] {:>3.0}% {done}/{total} {eta}",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        frac * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fraction_and_eta() {
        let s = render("backtest", 15, 60, Duration::from_secs(3));
        assert!(
            s.starts_with("backtest [########......................]  25% 15/60"),
            "{s}"
        );
        assert!(s.ends_with("ETA 9s"), "{s}");
        assert!(render("x", 60, 60, Duration::from_secs(2)).ends_with("took 2.0s"));
        assert!(render("x", 0, 60, Duration::ZERO).ends_with("ETA ?"));
    }
}
