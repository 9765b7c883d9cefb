"""A self-contained HTML report rendered from the report model: inline CSS and SVG, no scripts, no links out.

Every value taken from the report is HTML-escaped (prompts and outputs are untrusted text).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from tuneline.evaluation.reports import model
from tuneline.evaluation.reports.model import EvaluationReport, SampleRow, Section
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


def _section(section: Section, body: str) -> str:
    return f'<section id="{section.id}"><h2>{escape(section.title)}</h2>{body}</section>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``rows`` hold HTML already escaped by the caller (some cells carry markup)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return _table(headers, [[escape(c) for c in row] for row in rows])


def _verdict(report: EvaluationReport, tag: str) -> str:
    if report.gate is None:
        return report.verdict
    css = "pass" if report.gate.passed else "fail"
    return f'<{tag} class="{css}">{report.verdict}</{tag}>'


def _summary(report: EvaluationReport) -> str:
    return (
        f"<p>Task: <b>{escape(report.task)}</b> · primary metric: <b>{escape(report.primary_metric)}</b>"
        f" · quality score: <b>{report.quality_score:.1f}</b>/100 · forgetting gate: {_verdict(report, 'span')}"
        f" · KPIs met: <b>{'yes' if report.kpis_met else 'no'}</b></p>"
    )


def _metrics(report: EvaluationReport) -> str:
    rows = []
    for row in report.metrics:
        metric, base, tuned, change, percent = (escape(c) for c in row.cells())
        rows.append([metric, base, tuned, f'<span class="{row.direction}">{change}</span>', percent])
    scores = [
        (r.metric, r.base, r.tuned)
        for r in report.metrics
        if r.higher_is_better
        and r.base is not None
        and r.tuned is not None
        and 0 <= r.base <= _SCORE_METRICS_MAX
        and 0 <= r.tuned <= _SCORE_METRICS_MAX
    ]
    perplexities = [
        (r.metric, r.base, r.tuned)
        for r in report.metrics
        if "perplexity" in r.metric and r.base is not None and r.tuned is not None
    ]
    charts = grouped_bars("Scores, base vs tuned", scores) if scores else ""
    charts += grouped_bars("Perplexity, base vs tuned (lower is better)", perplexities) if perplexities else ""
    return charts + _table(model.METRIC_HEADERS, rows)


def _gate(report: EvaluationReport) -> str:
    gate = report.gate
    if gate is None:
        return f"<p>{escape(model.NO_GATE)}</p>"
    reasons = "".join(f"<li>{escape(r)}</li>" for r in gate.reasons)
    rows = [(c, model.number(b), model.number(t)) for c, b, t in gate.categories]
    return f"{_verdict(report, 'p')}<ul>{reasons}</ul><p>{escape(gate.limits)}</p>" + _text_table(
        model.CATEGORY_HEADERS, rows
    )


def _kpis(report: EvaluationReport) -> str:
    if not report.kpis:
        return f"<p>{escape(model.NO_KPIS)}</p>"
    return _text_table(model.KPI_HEADERS, [k.cells() for k in report.kpis])


def _quality(report: EvaluationReport) -> str:
    return f"<p>Score: <b>{report.quality_score:.1f}</b> / 100</p>" + _text_table(
        model.QUALITY_HEADERS, [q.cells() for q in report.quality]
    )


def _per_class(report: EvaluationReport) -> str:
    return _text_table(model.CLASS_HEADERS, [c.cells() for c in report.per_class])


def _confusion(report: EvaluationReport) -> str:
    return "".join(heatmap(m.title, m.labels, m.counts) for m in report.confusion)


def _sample_rows(samples: list[SampleRow]) -> list[list[str]]:
    return [
        [
            escape(s.record_id),
            f"<pre>{escape(s.prompt)}</pre>",
            f"<pre>{escape(s.reference)}</pre>",
            f"<pre>{escape(s.base_output)}</pre>",
            f"<pre>{escape(s.tuned_output)}</pre>",
            escape(s.score_text),
        ]
        for s in samples
    ]


def _errors(report: EvaluationReport) -> str:
    body = f"<h3>{escape(model.WORST_TITLE)}</h3>" + _table(model.SAMPLE_HEADERS, _sample_rows(report.worst))
    body += f"<h3>{escape(report.regressions_title)}</h3>"
    if report.regressions:
        body += _table(model.SAMPLE_HEADERS, _sample_rows(report.regressions))
    else:
        body += f"<p>{escape(model.NO_REGRESSIONS)}</p>"
    if report.class_errors:
        body += f"<h3>{escape(model.CLASS_ERRORS_TITLE)}</h3>" + _text_table(
            model.CLASS_ERROR_HEADERS, [c.cells() for c in report.class_errors]
        )
    return body


def _review(report: EvaluationReport) -> str:
    if report.review is None:
        return f"<p>{escape(model.NO_REVIEW)}</p>"
    return f"<p>{escape(report.review.summary)}</p>" + _text_table(model.REVIEW_HEADERS, report.review.rows())


def _loss(report: EvaluationReport) -> str:
    if not report.loss:
        return f"<p>{escape(model.NO_LOSS)}</p>"
    series = []
    for name, points in (
        ("training loss", [(p.step, p.loss) for p in report.loss if p.loss is not None]),
        ("validation loss", [(p.step, p.eval_loss) for p in report.loss if p.eval_loss is not None]),
    ):
        if points:
            series.append((name, points))
    return line_chart("Loss by step", series)


def render_html(report: EvaluationReport) -> str:
    sections = [
        _section(model.SUMMARY, _summary(report)),
        _section(model.METRICS, _metrics(report)),
        _section(model.GATE, _gate(report)),
        _section(model.KPIS, _kpis(report)),
        _section(model.QUALITY, _quality(report)),
    ]
    if report.per_class:
        sections.append(_section(model.PER_CLASS, _per_class(report)))
    if report.confusion:
        sections.append(_section(model.CONFUSION, _confusion(report)))
    sections += [
        _section(model.ERRORS, _errors(report)),
        _section(model.REVIEW, _review(report)),
        _section(model.LOSS, _loss(report)),
        _section(model.SETTINGS, _text_table(model.SETTING_HEADERS, report.settings)),
    ]
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(report.title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(report.title)}</h1>"
        f"<p>Generated {escape(report.generated_at)}</p>{''.join(sections)}</body></html>"
    )
