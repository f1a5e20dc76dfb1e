//! Drawing chart options with ECharts in the browser (the hydrated app only): when to
//! redraw, and the option as ECharts gets it.

use charming::Chart;
use leptos::prelude::*;

/// Draws `chart` with ECharts into the box `id`, again whenever it changes, follows the
/// window's width, puts each option drawn in `shown`, and keeps the box's label
/// (`summary`) current.
pub(crate) fn draw_in_browser(
    id: &'static str,
    chart: Signal<Option<Chart>>,
    shown: RwSignal<Option<Chart>>,
    summary: impl Fn() -> String + Copy + 'static,
    urgent: bool,
) {
    let instance = StoredValue::new_local(None::<charming::Echarts>);
    let renders = StoredValue::new_local(0u32);
    let draw = drawer(id, instance, renders, shown);
    follow_width(instance);
    // The server may render the box before the data is there; hydration keeps what
    // the server wrote, so the label is set again once the page runs.
    Effect::new(move |_| {
        let label = summary();
        if let Some(el) = element(id) {
            let _ = el.set_attribute("aria-label", &label);
        }
    });
    // The newest option not drawn yet: a burst of changes draws once.
    let latest = StoredValue::new_local(None::<Chart>);
    let draw_latest = move || {
        if let Some(chart) = latest.try_update_value(Option::take).flatten() {
            draw(chart);
        }
    };
    Effect::new(move |_| {
        let Some(chart) = chart.get() else {
            return;
        };
        let waiting = latest.with_value(Option::is_some);
        latest.set_value(Some(chart));
        if urgent {
            draw_latest();
        } else if !waiting {
            let first = renders.get_value() == 0;
            schedule(first, draw_latest);
        }
    });
}

fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
}

/// Draws an option into the box `id` (ECharts set up there on first use), counts the
/// drawings in `data-renders` (the browser tests wait on it) and keeps it in `shown`.
fn drawer(
    id: &'static str,
    instance: StoredValue<Option<charming::Echarts>, LocalStorage>,
    renders: StoredValue<u32, LocalStorage>,
    shown: RwSignal<Option<Chart>>,
) -> impl Fn(Chart) + Copy + 'static {
    move |chart: Chart| {
        let drawn = instance.try_update_value(|current| match current {
            Some(echarts) => {
                set_option(echarts, &chart);
                true
            }
            None => match charming::WasmRenderer::new_opt(None, None)
                .theme(charming::theme::Theme::Dark)
                .render(id, &Chart::new())
            {
                Ok(echarts) => {
                    set_option(&echarts, &chart);
                    *current = Some(echarts);
                    true
                }
                Err(e) => {
                    leptos::logging::error!("chart {id}: {e:?}");
                    false
                }
            },
        });
        if drawn == Some(true) {
            let n = renders.get_value() + 1;
            renders.set_value(n);
            if let Some(el) = element(id) {
                let _ = el.set_attribute("data-renders", &n.to_string());
            }
            shown.set(Some(chart));
        }
    }
}

/// The width follows the container: ECharts measures it again on every window resize
/// (a phone turned, a window narrowed), or the canvas keeps its first width.
fn follow_width(instance: StoredValue<Option<charming::Echarts>, LocalStorage>) {
    let resized =
        leptos::leptos_dom::helpers::window_event_listener(leptos::ev::resize, move |_| {
            instance.with_value(|current| {
                if let Some(echarts) = current {
                    echarts.resize(wasm_bindgen::JsValue::UNDEFINED);
                }
            });
        });
    on_cleanup(move || resized.remove());
}

/// How long a chart that is not `urgent` waits before it is redrawn: the next-round
/// estimate and the urgent chart, answered within about 60 ms of Enter, take the main
/// thread first (each redraw costs 5–20 ms).
const REDRAW_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs a chart's drawing when the page is idle (after [`REDRAW_AFTER`] unless it is the
/// chart's first drawing), one chart at a time. The chart the player watches after Enter
/// (`urgent`) is drawn at once instead: waiting for the next frame cost up to 16 ms.
fn schedule(first: bool, draw: impl Fn() + 'static) {
    use leptos::leptos_dom::helpers::{request_idle_callback, set_timeout};
    if first {
        request_idle_callback(draw);
    } else {
        set_timeout(move || request_idle_callback(draw), REDRAW_AFTER);
    }
}

/// Gives `chart` to ECharts with its tooltip written by [`crate::chart_format`]: a Rust
/// closure, because the page's CSP forbids the string-built functions of charming.
/// Nothing animates: a chart redrawn after every typed round would otherwise run 300 ms
/// (1 s when first drawn) of animation frames, on the main thread the next Enter needs.
fn set_option(echarts: &charming::Echarts, chart: &Chart) {
    use js_sys::Reflect;
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    let Ok(option) = serde_wasm_bindgen::to_value(chart) else {
        return;
    };
    let _ = Reflect::set(&option, &"animation".into(), &JsValue::FALSE);
    // A zoom slider draws the whole series a second time as its background ("data
    // shadow"): a third of the last-rounds chart's redraw after every typed round.
    if let Ok(zooms) = Reflect::get(&option, &"dataZoom".into()) {
        if js_sys::Array::is_array(&zooms) {
            for zoom in js_sys::Array::from(&zooms).iter() {
                let _ = Reflect::set(&zoom, &"showDataShadow".into(), &JsValue::FALSE);
            }
        }
    }
    let json = serde_json::to_value(chart).unwrap_or_default();
    let tooltip = Reflect::get(&option, &"tooltip".into()).unwrap_or(JsValue::UNDEFINED);
    if tooltip.is_object() {
        let format = Closure::<dyn Fn(JsValue) -> String>::new(move |params: JsValue| {
            let list = if js_sys::Array::is_array(&params) {
                js_sys::Array::from(&params).to_vec()
            } else {
                vec![params]
            };
            let get = |p: &JsValue, key: &str| Reflect::get(p, &key.into()).ok();
            let index = |p: &JsValue, key: &str| get(p, key)?.as_f64().map(|v| v as usize);
            // Mark lines answer hovers too; their indices are not the series' points.
            let hovered: Vec<(usize, usize)> = list
                .iter()
                .filter(|p| {
                    get(p, "componentType")
                        .and_then(|t| t.as_string())
                        .as_deref()
                        == Some("series")
                })
                .filter_map(|p| Some((index(p, "seriesIndex")?, index(p, "dataIndex")?)))
                .collect();
            crate::chart_format::tooltip(&json, &hovered).html()
        });
        let _ = Reflect::set(&tooltip, &"formatter".into(), &format.into_js_value());
    }
    if let Some(set) = Reflect::get(echarts, &"setOption".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = set.call1(echarts, &option);
    }
}
