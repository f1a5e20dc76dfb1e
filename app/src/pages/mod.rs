//! Pages of the app and small formatting helpers they share.

pub mod analysis;
pub mod backtest;
pub mod dashboard;
pub mod patterns;
pub mod rounds;
pub mod trained;

use leptos::prelude::*;
use models::values::Multiplier;

/// 0.6467 → "64.7%".
pub fn fmt_pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A p-value: four decimals, or scientific below 1e-4.
pub fn format_p(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

/// 1.5 → "1.50x".
pub fn fmt_x(x: f64) -> String {
    format!("{x:.2}x")
}

/// CSS class of a value's category (< 1.5, 1.5–3, 3–10, ≥ 10).
pub fn value_class(v: Multiplier) -> &'static str {
    match v.0 {
        0..150 => "cat-low",
        150..300 => "cat-mid",
        300..1000 => "cat-high",
        _ => "cat-top",
    }
}

/// A checkbox for one of several choices (models, members), kept in step with `chosen`.
pub(crate) fn choice_checkbox(name: String, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let n2 = name.clone();
    let n3 = name.clone();
    view! {
        <label class="check">
            <input type="checkbox" value=name.clone() prop:checked=move || chosen.with(|c| c.contains(&n2))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    chosen.update(|c| { c.retain(|x| x != &n3); if on { c.push(n3.clone()); } });
                }/>
            {name}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_categories() {
        assert_eq!(fmt_pct(0.64666), "64.7%");
        assert_eq!(fmt_x(1.94), "1.94x");
        assert_eq!(value_class(Multiplier(149)), "cat-low");
        assert_eq!(value_class(Multiplier(150)), "cat-mid");
        assert_eq!(value_class(Multiplier(300)), "cat-high");
        assert_eq!(value_class(Multiplier(1000)), "cat-top");
    }
}
