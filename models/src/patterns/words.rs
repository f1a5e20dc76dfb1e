//! Plain words of the rules' parts (multipliers, transition categories, level bands), and
//! the transition categories' edges they name.

use super::levels::LEVEL_BANDS;

/// Upper edges (hundredths) of the categories of the transition rules: <1.5, 1.5–2, 2–3,
/// 3–5, 5–10, ≥10.
pub const CATEGORY_EDGES: [u32; 5] = [150, 200, 300, 500, 1000];
pub const N_CATEGORIES: usize = CATEGORY_EDGES.len() + 1;

pub(super) fn x(h: u32) -> String {
    format!("{:.2}x", f64::from(h) / 100.0)
}

pub(super) fn category_words(cat: u8) -> String {
    let c = cat as usize;
    match c {
        0 => format!("below {}", x(CATEGORY_EDGES[0])),
        c if c >= CATEGORY_EDGES.len() => format!("≥ {}", x(CATEGORY_EDGES[c - 1])),
        c => format!("{}–{}", x(CATEGORY_EDGES[c - 1]), x(CATEGORY_EDGES[c])),
    }
}

pub(super) fn band_words(bin: u8) -> String {
    let (lo, hi) = LEVEL_BANDS[(bin as usize).min(LEVEL_BANDS.len() - 1)];
    let pc = |q: f64| format!("{:.0}%", q * 100.0);
    if lo == 0.0 {
        format!("in its lowest {}", pc(hi))
    } else if hi == 1.0 {
        format!("in its highest {}", pc(1.0 - lo))
    } else {
        format!("between its {} and {} quantiles", pc(lo), pc(hi))
    }
}
