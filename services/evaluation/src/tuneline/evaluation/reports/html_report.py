"""A self-contained HTML report rendered from the JSON report: inline CSS and SVG, no scripts, no links out.

Every value taken from the report is HTML-escaped (prompts and outputs are untrusted text).
"""

from __future__ import annotations

from html import escape
from typing import Any

from tuneline.evaluation.reports.svg import grouped_bars, heatmap, line_chart

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#1f2933}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;
vertical-align:top}th{background:#f4f6f8}.pass{color:#1b7f3b;font-weight:bold}.fail{color:#b42318;font-weight:bold}
.better{color:#1b7f3b}.worse{color:#b42318}pre{white-space:pre-wrap;margin:0;max-width:420px}
.chart{display:block;margin:.5rem 0}
"""

_SCORE_METRICS_MAX = 1.0


def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return escape(str(value))


def _section(section_id: str, title: str, body: str) -> str:
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{body}</section>'


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary(report: dict[str, Any]) -> str:
    gate = report.get("gate")
    verdict = "not run"
    if gate is not None:
        verdict = '<span class="pass">PASSED</span>' if gate["passed"] else '<span class="fail">FAILED</span>'
    quality = report["quality"]["score"]
    return (
        f"<p>Task: <b>{escape(report['task'])}</b> · primary metric: <b>{escape(report['primary_metric'])}</b>"
        f" · quality score: <b>{quality:.1f}</b>/100 · forgetting gate: {verdict}"
        f" · KPIs met: <b>{'yes' if report['kpis_met'] else 'no'}</b></p>"
    )


def _metrics(report: dict[str, Any]) -> str:
    rows = []
    for change in report["changes"]:
        css = "better" if change["improved"] else ("worse" if change["absolute"] else "")
        percent = "—" if change["percent"] is None else f"{change['percent']:+.1f}%"
        rows.append(
            [
                escape(change["metric"]),
                _num(change["base"]),
                _num(change["tuned"]),
                f'<span class="{css}">{change["absolute"]:+.4g}</span>',
                percent,
            ]
        )
    scores = [
        (c["metric"], c["base"], c["tuned"])
        for c in report["changes"]
        if c["higher_is_better"] and 0 <= c["base"] <= _SCORE_METRICS_MAX and 0 <= c["tuned"] <= _SCORE_METRICS_MAX
    ]
    perplexities = [(c["metric"], c["base"], c["tuned"]) for c in report["changes"] if "perplexity" in c["metric"]]
    charts = grouped_bars("Scores, base vs tuned", scores) if scores else ""
    charts += grouped_bars("Perplexity, base vs tuned (lower is better)", perplexities) if perplexities else ""
    return charts + _table(["metric", "base", "tuned", "change", "change %"], rows)


def _gate(report: dict[str, Any]) -> str:
    gate = report.get("gate")
    if gate is None:
        return "<p>The general-capability suite was not run.</p>"
    verdict = '<p class="pass">PASSED</p>' if gate["passed"] else '<p class="fail">FAILED</p>'
    reasons = "".join(f"<li>{escape(r)}</li>" for r in gate["reasons"])
    thresholds = gate["thresholds"]
    categories = sorted(set(gate["base"]["suite_per_category"]) | set(gate["tuned"]["suite_per_category"]))
    rows = [
        [escape(c), _num(gate["base"]["suite_per_category"].get(c)), _num(gate["tuned"]["suite_per_category"].get(c))]
        for c in categories
    ]
    return (
        f"{verdict}<ul>{reasons}</ul><p>Limits: perplexity ratio ≤ ×{thresholds['max_perplexity_ratio']}, "
        f"suite drop ≤ {thresholds['max_suite_drop'] * 100:.1f} points.</p>"
        + _table(["suite category", "base", "tuned"], rows)
    )


def _kpis(report: dict[str, Any]) -> str:
    if not report["kpis"]:
        return "<p>No KPI targets were given for this use case.</p>"
    rows = [
        [escape(k["metric"]), _num(k["target"]), _num(k["value"]), "met" if k["met"] else "missed", escape(k["reason"])]
        for k in report["kpis"]
    ]
    return _table(["metric", "target", "tuned", "status", "reason"], rows)


def _quality(report: dict[str, Any]) -> str:
    rows = [
        [escape(c["name"]), _num(c["value"]), f"{c['weight']:.1f}", f"{c['points']:.1f}", escape(c["explanation"])]
        for c in report["quality"]["components"]
    ]
    return f"<p>Score: <b>{report['quality']['score']:.1f}</b> / 100</p>" + _table(
        ["component", "value (0-1)", "weight", "points", "what"], rows
    )


def _confusion(report: dict[str, Any]) -> str:
    parts = []
    for model in ("base", "tuned"):
        matrix = report["confusion"].get(model)
        if matrix:
            parts.append(heatmap(f"Confusion matrix, {model}", matrix["labels"], matrix["counts"]))
    return "".join(parts)


def _sample_rows(samples: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            escape(s["record_id"]),
            f"<pre>{escape(s['prompt'])}</pre>",
            f"<pre>{escape(s['reference'])}</pre>",
            f"<pre>{escape(s['base']['output'])}</pre>",
            f"<pre>{escape(s['tuned']['output'])}</pre>",
            f"{s['base']['score']:.2f} → {s['tuned']['score']:.2f}",
        ]
        for s in samples
    ]


def _errors(report: dict[str, Any]) -> str:
    analysis = report["error_analysis"]
    headers = ["record", "prompt", "reference", "base output", "tuned output", "score base → tuned"]
    body = "<h3>Worst samples (tuned)</h3>" + _table(headers, _sample_rows(analysis["worst"]))
    body += f"<h3>Tuned worse than base ({len(analysis['regressions'])})</h3>"
    body += _table(headers, _sample_rows(analysis["regressions"])) if analysis["regressions"] else "<p>None.</p>"
    if analysis["class_errors"]:
        rows = [
            [
                escape(c["label"]),
                str(c["support"]),
                str(c["errors"]),
                escape(", ".join(f"{k}: {v}" for k, v in c["confused_with"].items())),
            ]
            for c in analysis["class_errors"]
        ]
        body += "<h3>Errors per class (tuned)</h3>" + _table(["class", "support", "errors", "confused with"], rows)
    return body


def _review(report: dict[str, Any]) -> str:
    review = report.get("review")
    if not review:
        return "<p>No human review has been recorded yet.</p>"
    criteria = list(review["tuned"]["criteria"])
    rows = [
        [
            escape(c),
            _num(review["base"]["criteria"][c]["mean"]),
            _num(review["tuned"]["criteria"][c]["mean"]),
            _num(review["agreement"].get(c)),
        ]
        for c in criteria
    ]
    return (
        f"<p>{review['items_rated']} items rated by {review['reviewers']} reviewers; tuned preferred "
        f"{review['tuned_preferred']}×, base preferred {review['base_preferred']}×, ties {review['ties']}; "
        f"unsafe flags: base {review['base']['unsafe']}, tuned {review['tuned']['unsafe']}.</p>"
        + _table(["criterion", "base mean", "tuned mean", "Krippendorff's alpha"], rows)
    )


def _loss(report: dict[str, Any]) -> str:
    history = report.get("loss_history")
    if not history:
        return "<p>No training metric history was provided.</p>"
    series = []
    for key, name in (("loss", "training loss"), ("eval_loss", "validation loss")):
        data = [(p["step"], p[key]) for p in history if key in p]
        if data:
            series.append((name, data))
    return line_chart("Loss by step", series)


def _settings(report: dict[str, Any]) -> str:
    rows = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        else:
            rows.append([escape(prefix), escape(str(value))])

    walk("", report["settings"])
    return _table(["setting", "value"], rows)


def render_html(report: dict[str, Any]) -> str:
    title = f"Evaluation report {report.get('evaluation_id') or ''}".strip()
    sections = [
        _section("summary", "Summary", _summary(report)),
        _section("metrics", "Metrics, base vs tuned", _metrics(report)),
        _section("gate", "Forgetting gate", _gate(report)),
        _section("kpis", "KPI targets", _kpis(report)),
        _section("quality", "Quality score", _quality(report)),
    ]
    if report["confusion"].get("tuned"):
        sections.append(_section("confusion", "Confusion matrices", _confusion(report)))
    sections += [
        _section("errors", "Error analysis", _errors(report)),
        _section("review", "Human review", _review(report)),
        _section("loss", "Training loss", _loss(report)),
        _section("settings", "Settings", _settings(report)),
    ]
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>Generated {escape(report['generated_at'])}</p>{''.join(sections)}</body></html>"
    )
