use super::*;
use crate::types::ChartPoint;

/// Every `<tag … attr="v"` value of `attr` on elements named `tag`, in order.
fn attrs(svg: &str, tag: &str, attr: &str) -> Vec<String> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|el| {
            let el = &el[..el.find('>').unwrap_or(el.len())];
            let start = el
                .find(&format!(" {attr}=\""))
                .map(|i| i + attr.len() + 3)
                .or_else(|| {
                    el.starts_with(&format!("{attr}=\""))
                        .then_some(attr.len() + 2)
                })?;
            let rest = &el[start..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

fn numbers(svg: &str, tag: &str, attr: &str) -> Vec<f64> {
    attrs(svg, tag, attr)
        .iter()
        .map(|v| v.parse().unwrap())
        .collect()
}

fn well_formed(svg: &str) {
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    assert!(!svg.contains("<script"));
    for tag in ["title", "circle", "rect", "text"] {
        let open = svg.matches(&format!("<{tag}")).count();
        let closed = svg.matches(&format!("</{tag}>")).count();
        assert_eq!(open, closed, "<{tag}> unbalanced");
    }
}

#[test]
fn every_last_round_is_a_point_titled_with_its_round_and_multiplier() {
    let points: Vec<ChartPoint> = (1..=50)
        .map(|i| ChartPoint {
            position: 6900 + i,
            value: 1.0 + f64::from(i as u32 % 7),
        })
        .collect();
    let svg = svg(&crate::charts::last_rounds_chart(&points), 300);
    well_formed(&svg);
    assert!(
        svg.contains("<title>round #6,950\nmultiplier: 2.00x</title>"),
        "{svg}"
    );
    let xs = numbers(&svg, "circle", "cx");
    assert_eq!(xs.len(), 50);
    assert!(
        xs.windows(2).all(|w| w[0] < w[1]),
        "rounds run left to right"
    );
    // On the log axis 2x sits above 1.01x and below 10x: the y of a point falls as it rises.
    let ys = numbers(&svg, "circle", "cy");
    let (y1, y5) = (ys[6], ys[3]); // values 1.00x and 5.00x
    assert!(y5 < y1);
    // The three reference lines are there, named.
    for name in ["1.5x", "2x", "10x"] {
        assert!(svg.contains(&format!(">{name}</text>")), "{name}");
    }
}

#[test]
fn bars_stand_in_proportion_to_their_values() {
    let values: Vec<models::values::Multiplier> = (0..1000u32)
        .map(|i| models::values::Multiplier(100 + (i * 7919) % 2000))
        .collect();
    let shares = models::summary::category_shares(&values, 0.03);
    let svg = svg(&crate::charts::categories_chart(&shares), 320);
    well_formed(&svg);
    let heights = numbers(&svg, "rect", "height");
    assert_eq!(heights.len(), 8, "4 categories × observed and fair");
    let observed: Vec<f64> = shares.iter().map(|c| c.share).collect();
    // Heights over shares are one constant (the axis starts at zero).
    let k = heights[0] / observed[0];
    for (h, s) in heights.iter().zip(&observed).take(4) {
        assert!((h - k * s).abs() < 0.6, "{h} vs {}", k * s);
    }
    // The two series of a category sit side by side, not on top of each other.
    let xs = numbers(&svg, "rect", "x");
    assert!(xs[4] > xs[0]);
    assert!(svg.contains("<title>multiplier: "), "{svg}");
}

#[test]
fn stacked_fold_bars_start_where_the_ones_below_end() {
    let folds = vec![models::walkforward::Fold {
        train_start: 1000,
        train_end: 3000,
        first_forecast: 3000,
        last_forecast: 3999,
    }];
    let svg = svg(&crate::report_charts::folds_chart(&folds), 200);
    well_formed(&svg);
    let (xs, ws) = (numbers(&svg, "rect", "x"), numbers(&svg, "rect", "width"));
    let fill = attrs(&svg, "rect", "fill");
    assert_eq!(fill.len(), 4);
    // Offset (transparent), training rows, gap (0 wide), forecast rounds: each starts
    // at the end of the one before.
    for i in 1..4 {
        assert!(
            (xs[i] - (xs[i - 1] + ws[i - 1])).abs() < 0.2,
            "{i}: {xs:?} {ws:?}"
        );
    }
    assert!(
        (ws[1] / ws[3] - 2.0).abs() < 0.01,
        "2,000 training rows, 1,000 forecasts"
    );
    assert!(svg.contains("fit 1\ntraining rows: 2,000\nforecast rounds: 1,000"));
}

#[test]
fn a_legend_that_wraps_pushes_the_plot_down_instead_of_covering_it() {
    let many: Vec<(String, Vec<(usize, f64)>)> = (0..12)
        .map(|i| {
            (
                format!("a fairly long series name {i}"),
                vec![(1, 0.1), (2, 0.2)],
            )
        })
        .collect();
    let one = vec![many[0].clone()];
    let top_of_plot = |svg: &str| {
        // The highest grid line is the top tick of the y axis, at the plot's top or below.
        numbers(svg, "line", "y1")
            .into_iter()
            .zip(attrs(svg, "line", "stroke"))
            .filter(|(_, stroke)| stroke == GRID)
            .map(|(y, _)| y)
            .fold(f64::INFINITY, f64::min)
    };
    let chart = |s: &[(String, Vec<(usize, f64)>)]| {
        svg(
            &crate::report_charts::lines_chart("t", "round", "share", s, None),
            300,
        )
    };
    let (wide, narrow) = (chart(&many), chart(&one));
    well_formed(&wide);
    let legend_bottom = numbers(&wide, "text", "y")
        .into_iter()
        .skip(1)
        .take(12)
        .fold(0.0, f64::max);
    assert!(legend_bottom > 60.0, "12 entries take several rows");
    assert!(top_of_plot(&wide) > legend_bottom + 10.0);
    assert!(top_of_plot(&wide) > top_of_plot(&narrow));
}

#[test]
fn text_is_escaped_and_an_empty_chart_still_draws() {
    let chart = crate::report_charts::lines_chart(
        "<b>&",
        "round",
        "x",
        &[("a<i>".to_string(), vec![])],
        Some((0.0, "\"zero\"")),
    );
    let svg = svg(&chart, 200);
    well_formed(&svg);
    assert!(svg.contains("&lt;b&gt;&amp;"));
    assert!(!svg.contains("<b>") && !svg.contains("<i>"));
}

#[test]
fn a_line_fitted_to_its_data_does_not_reach_down_to_zero() {
    let moving = models::analysis::moving_share(
        &models::generator::FairGenerator::default().generate(2_000),
        2.0,
        200,
        0.03,
        600,
    );
    let svg = svg(&crate::report_charts::moving_chart(&[moving]), 320);
    well_formed(&svg);
    // The y axis (scale: true) covers the shares, about 40–60%, not 0%.
    assert!(!svg.contains(">0%</text>"), "{svg}");
    assert!(svg.contains(">50%</text>"));
}
