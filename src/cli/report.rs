//! `signpost report` laid out for the terminal and as one self-contained HTML page (inline
//! CSS and SVG, no script, nothing fetched: it opens offline in any browser).

use signpost::feedback::report::EntryLine;
use signpost::feedback::{DayCounts, FeedbackReport};
use std::fmt::Write;

/// How many lines each list shows at most.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Entries ranked by "Not helpful" share, and entries never shown (in the terminal; the
    /// HTML page lists every entry never shown).
    pub rated: usize,
    /// Unanswered questions.
    pub unanswered: usize,
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

fn title(e: &EntryLine) -> &str {
    e.title.as_deref().unwrap_or("(no longer in the folder)")
}

/// A row of block characters, one per day, scaled to the largest value.
fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    values
        .iter()
        .map(|&v| {
            if max <= 0.0 || v <= 0.0 {
                ' '
            } else {
                BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

fn fallback_share(d: &DayCounts) -> f64 {
    if d.answers == 0 {
        0.0
    } else {
        d.fallbacks as f64 / d.answers as f64
    }
}

/// The report as terminal text.
pub fn text(report: &FeedbackReport, limits: Limits) -> String {
    let mut out = String::new();
    let t = report.totals();
    let (asked, different) = report.unanswered_total();
    let _ = writeln!(
        out,
        "signpost report, {} to {} ({} days)\n",
        report.from,
        report.to,
        report.days.len()
    );
    let _ = writeln!(
        out,
        "Answers      {:>6}   fallbacks {} ({})   crises {}   concerns {}",
        t.answers,
        t.fallbacks,
        percent(t.fallbacks, t.answers),
        t.crises,
        t.concerns
    );
    let _ = writeln!(out, "Unanswered   {asked:>6}   ({different} different)");
    if t.answers > 0 && report.days.len() > 1 {
        let answers: Vec<f64> = report.days.iter().map(|d| d.answers as f64).collect();
        let shares: Vec<f64> = report.days.iter().map(fallback_share).collect();
        let _ = writeln!(out, "Answers per day     |{}|", sparkline(&answers));
        let _ = writeln!(out, "Fallback share      |{}|", sparkline(&shares));
    }

    let _ = writeln!(
        out,
        "\nEntries by \"Not helpful\" share (presses under answers that showed them)"
    );
    if report.rated.is_empty() {
        let _ = writeln!(out, "  (no presses in this range)");
    } else {
        let _ = writeln!(
            out,
            "  {:>11}  {:>5}  {:>7}  {:>5}  entry",
            "not helpful", "share", "helpful", "shown"
        );
        for e in report.rated.iter().take(limits.rated) {
            let _ = writeln!(
                out,
                "  {:>11}  {:>5}  {:>7}  {:>5}  {}  {}",
                e.not_helpful,
                percent(e.not_helpful, e.votes()),
                e.helpful,
                e.shown,
                e.id,
                title(e)
            );
        }
        if report.rated.len() > limits.rated {
            let _ = writeln!(out, "  ... and {} more", report.rated.len() - limits.rated);
        }
    }

    let _ = writeln!(
        out,
        "\nNever shown in this range: {} of {} entries",
        report.never_shown.len(),
        report.entries.len()
    );
    for e in report.never_shown.iter().take(limits.rated) {
        let _ = writeln!(out, "  {:<8} {}  {}", e.kind.as_str(), e.id, e.title);
    }
    if report.never_shown.len() > limits.rated {
        let _ = writeln!(
            out,
            "  ... and {} more",
            report.never_shown.len() - limits.rated
        );
    }

    let _ = writeln!(out, "\nMost frequent unanswered questions");
    if report.unanswered.is_empty() {
        let _ = writeln!(out, "  (none in this range)");
    }
    for (words, n) in report.unanswered.iter().take(limits.unanswered) {
        let _ = writeln!(out, "  {n:>5}  {words}");
    }

    let _ = writeln!(
        out,
        "\nDue for review (last reviewed over 12 months before {}): {}",
        report.to,
        report.due_for_review.len()
    );
    for e in &report.due_for_review {
        let _ = writeln!(
            out,
            "  {}  {:<8} {}  {}",
            e.reviewed,
            e.kind.as_str(),
            e.id,
            e.title
        );
    }
    out
}

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
:root { --ink: #1d2733; --muted: #5b6775; --line: #d8dee6; --bar: #2f6db5; --warn: #c2561a;
        --bg: #ffffff; --panel: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
.range, .note, figcaption, .hint { color: var(--muted); }
.note { background: #fff6e5; border: 1px solid #f0d9a8; padding: 8px 12px; border-radius: 6px;
        color: var(--ink); }
dl.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
             gap: 10px; margin: 16px 0; }
dl.summary div { background: var(--panel); border-radius: 8px; padding: 10px 14px; }
dl.summary dt { color: var(--muted); font-size: .85rem; }
dl.summary dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 12px; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-size: .85rem; color: var(--muted); }
.share { display: inline-block; height: 8px; background: var(--warn); border-radius: 4px;
         vertical-align: middle; margin-left: 6px; }
ul.cols { columns: 2 320px; padding-left: 18px; }
";

/// How a bar chart looks.
struct Chart<'a> {
    /// The `id` of the `<svg>`.
    id: &'a str,
    /// What it shows, for screen readers.
    label: &'a str,
    /// The bars' colour.
    colour: &'a str,
    /// The top of the scale and its label; `None`: the largest value.
    scale: Option<(f64, &'a str)>,
}

/// A bar chart of one value per day (`None`: no bar that day).
fn bar_chart(
    chart: &Chart<'_>,
    days: &[DayCounts],
    value: impl Fn(&DayCounts) -> Option<f64>,
    describe: impl Fn(&DayCounts, f64) -> String,
) -> String {
    let Chart {
        id,
        label,
        colour,
        scale,
    } = chart;
    let (w, h, left, bottom, top) = (560.0, 180.0, 44.0, 22.0, 10.0);
    let values: Vec<Option<f64>> = days.iter().map(&value).collect();
    let largest = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let max = scale.map_or(largest, |(top, _)| top).max(1e-9);
    let top_label = scale.map_or_else(|| format!("{largest:.0}"), |(_, l)| l.to_string());
    let plot_w = w - left - 8.0;
    let plot_h = h - bottom - top;
    let step = plot_w / days.len().max(1) as f64;
    let bar_w = (step * 0.8).max(1.0);
    let mut svg = format!(
        "<svg id=\"{id}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        esc(label)
    );
    // Axis lines and the top and zero labels.
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{y0}\" stroke=\"#b8c2cc\"/>\
         <line x1=\"{left}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#b8c2cc\"/>\
         <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{}</text>\
         <text x=\"{lx}\" y=\"{y0}\" text-anchor=\"end\">0</text>",
        esc(&top_label),
        y0 = top + plot_h,
        x1 = w - 8.0,
        lx = left - 4.0,
        ty = top + 8.0,
    );
    for (i, (day, v)) in days.iter().zip(&values).enumerate() {
        let Some(v) = v else { continue };
        let bh = (v / max * plot_h).max(if *v > 0.0 { 1.0 } else { 0.0 });
        let x = left + i as f64 * step + (step - bar_w) / 2.0;
        let y = top + plot_h - bh;
        let _ = write!(
            svg,
            "<rect class=\"bar\" data-day=\"{}\" data-value=\"{v}\" x=\"{x:.2}\" y=\"{y:.2}\" \
             width=\"{bar_w:.2}\" height=\"{bh:.2}\" fill=\"{colour}\"><title>{}</title></rect>",
            day.day,
            esc(&describe(day, *v))
        );
    }
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            svg,
            "<text x=\"{left}\" y=\"{h}\" dy=\"-6\">{}</text>\
             <text x=\"{}\" y=\"{h}\" dy=\"-6\" text-anchor=\"end\">{}</text>",
            first.day,
            w - 8.0,
            last.day
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The report as one HTML page. `note` (a sentence about the store, such as "no store yet")
/// is shown at the top when given.
pub fn html(report: &FeedbackReport, limits: Limits, note: Option<&str>, made: &str) -> String {
    let t = report.totals();
    let (asked, different) = report.unanswered_total();
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>signpost report, {from} to {to}</title><style>{CSS}</style></head>\n\
         <body><main>\n<h1>signpost report</h1>\
         <p class=\"range\">{from} to {to} ({n} days, UTC) &middot; made {made}</p>\n",
        from = report.from,
        to = report.to,
        n = report.days.len(),
        made = esc(made),
    );
    if let Some(note) = note {
        let _ = writeln!(page, "<p class=\"note\" id=\"note\">{}</p>", esc(note));
    }
    let stat = |id: &str, label: &str, value: String| {
        format!(
            "<div><dt>{label}</dt><dd id=\"{id}\">{}</dd></div>",
            esc(&value)
        )
    };
    let _ = writeln!(
        page,
        "<section><dl class=\"summary\">{}{}{}{}{}{}</dl></section>",
        stat("answers", "Answers", t.answers.to_string()),
        stat("fallbacks", "Fallbacks", t.fallbacks.to_string()),
        stat(
            "fallback-share",
            "Fallback share",
            percent(t.fallbacks, t.answers)
        ),
        stat("crises", "Crises", t.crises.to_string()),
        stat("concerns", "Concerns", t.concerns.to_string()),
        stat("unanswered", "Unanswered questions", asked.to_string()),
    );
    let answers = bar_chart(
        &Chart {
            id: "answers-chart",
            label: "Answers per day",
            colour: "#2f6db5",
            scale: None,
        },
        &report.days,
        |d| Some(d.answers as f64),
        |d, v| format!("{}: {v} answers, {} fallbacks", d.day, d.fallbacks),
    );
    let shares = bar_chart(
        &Chart {
            id: "fallback-chart",
            label: "Fallback share per day",
            colour: "#c2561a",
            scale: Some((1.0, "100%")),
        },
        &report.days,
        |d| (d.answers > 0).then(|| fallback_share(d)),
        |d, v| {
            format!(
                "{}: {:.0}% of {} answers fell back",
                d.day,
                v * 100.0,
                d.answers
            )
        },
    );
    let _ = writeln!(
        page,
        "<section class=\"charts\"><figure>{answers}<figcaption>Answers per day</figcaption></figure>\
         <figure>{shares}<figcaption>Fallback share per day (days with answers)</figcaption></figure></section>"
    );

    let _ = writeln!(
        page,
        "<section id=\"rated\"><h2>Entries by &ldquo;Not helpful&rdquo; share</h2>\
         <p class=\"hint\">Presses of the buttons under answers that showed each entry, most often \
         &ldquo;Not helpful&rdquo; first.</p>"
    );
    if report.rated.is_empty() {
        page.push_str("<p class=\"empty\">No presses in this range.</p>");
    } else {
        page.push_str(
            "<table><thead><tr><th>Entry</th><th class=\"n\">Not helpful</th>\
             <th class=\"n\">Helpful</th><th class=\"n\">Share not helpful</th>\
             <th class=\"n\">Shown</th></tr></thead><tbody>",
        );
        for e in report.rated.iter().take(limits.rated) {
            let share = e.not_helpful_share();
            let _ = write!(
                page,
                "<tr data-entry=\"{id}\"><td>{title} <code>{id}</code></td>\
                 <td class=\"n not-helpful\">{nh}</td><td class=\"n helpful\">{h}</td>\
                 <td class=\"n share-cell\">{pc}<span class=\"share\" style=\"width:{bar:.0}px\"></span></td>\
                 <td class=\"n shown\">{shown}</td></tr>",
                id = esc(&e.id),
                title = esc(title(e)),
                nh = e.not_helpful,
                h = e.helpful,
                pc = percent(e.not_helpful, e.votes()),
                bar = share * 60.0,
                shown = e.shown,
            );
        }
        page.push_str("</tbody></table>");
    }
    page.push_str("</section>\n");

    let _ = write!(
        page,
        "<section id=\"never-shown\"><h2>Never shown in this range: \
         <span class=\"count\">{}</span> of {} entries</h2>",
        report.never_shown.len(),
        report.entries.len()
    );
    if !report.never_shown.is_empty() {
        page.push_str("<ul class=\"cols\">");
        for e in &report.never_shown {
            let _ = write!(
                page,
                "<li data-entry=\"{id}\">{title} <code>{id}</code></li>",
                id = esc(&e.id),
                title = esc(&e.title)
            );
        }
        page.push_str("</ul>");
    }
    page.push_str("</section>\n");

    let _ = write!(
        page,
        "<section id=\"unanswered-list\"><h2>Most frequent unanswered questions</h2>\
         <p class=\"hint\">{asked} in all, {different} different; the words are scrubbed of names, \
         numbers, addresses and filler words.</p>"
    );
    if !report.unanswered.is_empty() {
        page.push_str(
            "<table><thead><tr><th class=\"n\">Times</th><th>Words</th></tr></thead><tbody>",
        );
        for (words, n) in report.unanswered.iter().take(limits.unanswered) {
            let _ = write!(
                page,
                "<tr><td class=\"n\">{n}</td><td class=\"words\">{}</td></tr>",
                esc(words)
            );
        }
        page.push_str("</tbody></table>");
    }
    page.push_str("</section>\n");

    let _ = write!(
        page,
        "<section id=\"due\"><h2>Due for review: <span class=\"count\">{}</span></h2>\
         <p class=\"hint\">Entries last reviewed over 12 months before {}: check them against the \
         services&rsquo; own websites, then update <code>reviewed</code>.</p>",
        report.due_for_review.len(),
        report.to
    );
    if !report.due_for_review.is_empty() {
        page.push_str(
            "<table><thead><tr><th>Reviewed</th><th>Entry</th><th>Kind</th></tr></thead><tbody>",
        );
        for e in &report.due_for_review {
            let _ = write!(
                page,
                "<tr data-entry=\"{id}\"><td>{}</td><td>{title} <code>{id}</code></td><td>{}</td></tr>",
                e.reviewed,
                e.kind.as_str(),
                id = esc(&e.id),
                title = esc(&e.title),
            );
        }
        page.push_str("</tbody></table>");
    }
    page.push_str("</section>\n</main></body></html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use signpost::knowledge::Date;

    /// The terminal report, pinned (`cargo insta review` after a deliberate change).
    #[test]
    fn the_terminal_report() {
        use signpost::feedback::report::EntryName;
        use signpost::knowledge::Kind;
        let date = |d: &str| Date::parse_iso(d).unwrap();
        let day = |d: &str, answers, fallbacks, crises, concerns| DayCounts {
            day: date(d),
            answers,
            fallbacks,
            crises,
            concerns,
        };
        let line = |id: &str, title: Option<&str>, shown, helpful, not_helpful| EntryLine {
            id: id.into(),
            title: title.map(Into::into),
            shown,
            helpful,
            not_helpful,
        };
        let name = |id: &str, title: &str, kind, reviewed: &str| EntryName {
            id: id.into(),
            title: title.into(),
            kind,
            reviewed: date(reviewed),
        };
        let report = FeedbackReport {
            from: date("2026-03-01"),
            to: date("2026-03-04"),
            days: vec![
                day("2026-03-01", 12, 2, 1, 0),
                day("2026-03-02", 0, 0, 0, 0),
                day("2026-03-03", 7, 3, 0, 1),
                day("2026-03-04", 9, 1, 0, 2),
            ],
            rated: vec![
                line("bail", Some("Bail, bail conditions and remand"), 9, 0, 3),
                line("families-outside", Some("Families Outside"), 14, 5, 2),
                line("old-entry", None, 2, 1, 0),
            ],
            entries: vec![
                line("bail", Some("Bail, bail conditions and remand"), 9, 0, 3),
                line("childline", Some("Childline"), 0, 0, 0),
                line("families-outside", Some("Families Outside"), 14, 5, 2),
                line("sacro", Some("Sacro"), 1, 0, 0),
                line(
                    "youth-justice",
                    Some("Children, young people and the justice system"),
                    0,
                    0,
                    0,
                ),
            ],
            never_shown: vec![
                name("childline", "Childline", Kind::Service, "2026-01-10"),
                name(
                    "youth-justice",
                    "Children, young people and the justice system",
                    Kind::Topic,
                    "2025-11-02",
                ),
            ],
            unanswered: vec![
                ("how appeal parole decision".into(), 4),
                ("tenancy rules after prison".into(), 2),
            ],
            due_for_review: vec![name("sacro", "Sacro", Kind::Service, "2024-12-01")],
        };
        let limits = Limits {
            rated: 2,
            unanswered: 10,
        };
        insta::assert_snapshot!("report", text(&report, limits));
    }

    #[test]
    fn sparklines_scale_to_the_largest_value() {
        assert_eq!(sparkline(&[0.0, 1.0, 2.0, 4.0]), " ▃▅█");
        assert_eq!(sparkline(&[0.0, 0.0]), "  ");
    }

    #[test]
    fn charts_have_a_bar_per_day_with_a_value() {
        let day = |d: &str, answers, fallbacks| DayCounts {
            day: Date::parse_iso(d).unwrap(),
            answers,
            fallbacks,
            crises: 0,
            concerns: 0,
        };
        let days = [day("2026-01-01", 4, 1), day("2026-01-02", 0, 0)];
        let svg = bar_chart(
            &Chart {
                id: "c",
                label: "Fallback <share>",
                colour: "#000",
                scale: Some((1.0, "100%")),
            },
            &days,
            |d| (d.answers > 0).then(|| fallback_share(d)),
            |d, v| format!("{}: {v}", d.day),
        );
        assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
        assert!(svg.contains("data-value=\"0.25\""), "{svg}");
        assert!(
            svg.contains("aria-label=\"Fallback &lt;share&gt;\""),
            "{svg}"
        );
        assert!(!svg.contains("<script"));
    }
}
