//! SVG charts for `plan --svg` and `bench --svg`: each stage's time per request (its
//! replicas together: 1 / the rate it sustains) against the bottleneck, the slowest stage.

use edgepipe::plan::Kind;
use edgepipe::plan::search::Plan;

/// One bar: a label, the stage's time per request in ms, and optionally a second value
/// drawn beside it (bench: predicted next to measured).
pub struct Bar {
    pub label: String,
    pub ms: f64,
    pub other_ms: Option<f64>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Horizontal bars, one per stage, with the bottleneck marked by a dashed line.
pub fn bars(title: &str, bars: &[Bar], first: &str, second: &str) -> String {
    let (left, width, row) = (260.0, 520.0, 34.0);
    let top_ms = bars
        .iter()
        .flat_map(|b| [b.ms, b.other_ms.unwrap_or(0.0)])
        .fold(1e-9, f64::max);
    let bottleneck = bars.iter().map(|b| b.ms).fold(0.0, f64::max);
    let height = 70.0 + row * bars.len() as f64 + 30.0;
    let x = |ms: f64| left + width * ms / top_ms;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\">{}</text>\n\
         <rect x=\"10\" y=\"32\" width=\"12\" height=\"10\" fill=\"#4878a8\"/>\
         <text x=\"26\" y=\"41\">{}</text>\n",
        escape(title),
        escape(first),
        w = left + width + 90.0,
    );
    if bars.iter().any(|b| b.other_ms.is_some()) {
        s += &format!(
            "<rect x=\"200\" y=\"32\" width=\"12\" height=\"10\" fill=\"#e0a040\"/>\
             <text x=\"216\" y=\"41\">{}</text>\n",
            escape(second)
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = 56.0 + row * i as f64;
        let h = if b.other_ms.is_some() { 12.0 } else { 22.0 };
        s += &format!(
            "<text x=\"10\" y=\"{:.1}\">{}</text>\n\
             <rect x=\"{left}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h}\" fill=\"#4878a8\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\">{:.2} ms</text>\n",
            y + 15.0,
            escape(&b.label),
            x(b.ms) - left,
            x(b.ms) + 4.0,
            y + 10.0,
            b.ms
        );
        if let Some(o) = b.other_ms {
            s += &format!(
                "<rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h}\" fill=\"#e0a040\"/>\n\
                 <text x=\"{:.1}\" y=\"{:.1}\">{o:.2} ms</text>\n",
                y + 12.0,
                x(o) - left,
                x(o) + 4.0,
                y + 23.0
            );
        }
    }
    let bx = x(bottleneck);
    s += &format!(
        "<line x1=\"{bx:.1}\" y1=\"50\" x2=\"{bx:.1}\" y2=\"{:.1}\" stroke=\"#c03030\" \
         stroke-dasharray=\"4 3\"/>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#c03030\">bottleneck {bottleneck:.2} ms = {:.1} req/s</text>\n</svg>\n",
        height - 24.0,
        (bx - 120.0).max(left),
        height - 10.0,
        1e3 / bottleneck.max(1e-9)
    );
    s
}

/// A plan's stages: time per request of each (its replicas together).
pub fn plan_svg(plan: &Plan, kinds: &[Kind]) -> String {
    let rows: Vec<Bar> = plan
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let on: Vec<String> = s
                .replicas
                .iter()
                .zip(kinds)
                .filter(|(a, _)| **a > 0)
                .map(|(a, k)| format!("{a} {}", k.name))
                .collect();
            Bar {
                label: format!("stage {i}: ops {}..{} on {}", s.start, s.end, on.join("+")),
                ms: 1e3 / s.per_s,
                other_ms: None,
            }
        })
        .collect();
    bars(
        &format!("plan: predicted {:.1} req/s", plan.per_s),
        &rows,
        "predicted time per request",
        "",
    )
}
