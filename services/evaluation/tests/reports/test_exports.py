"""PDF and Excel reports, built from the report model and read back: the same metrics, verdict, reasons and samples
as the HTML report, whatever the text in the samples."""

import dataclasses
import io
import json
from html.parser import HTMLParser

import openpyxl
import pytest
from pypdf import PdfReader

from tuneline.evaluation.gate.decision import CapabilityScores, GateThresholds, decide
from tuneline.evaluation.reports.formats import render
from tuneline.evaluation.reports.html_report import render_html
from tuneline.evaluation.reports.json_report import build_report
from tuneline.evaluation.reports.model import EvaluationReport, from_json
from tuneline.evaluation.reports.pdf_report import SAMPLES_MAX, render_pdf
from tuneline.evaluation.reports.xlsx_report import render_xlsx
from tuneline.evaluation.summary.report import summarise

HISTORY = [{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.5, "eval_loss": 1.7}, {"step": 3, "loss": 1.2}]


def _stored(outcome, **kwargs):
    """The report as the API reads it back from object storage."""
    built = build_report(outcome, summarise(outcome, {"accuracy": 0.7}), evaluation_id="ev-1", **kwargs)
    return json.loads(json.dumps(built))


@pytest.fixture
def report(outcome) -> EvaluationReport:
    return from_json(_stored(outcome, loss_history=HISTORY))


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def _sheets(body: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return {
        sheet.title: [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
        for sheet in book
    }


def _row(rows: list[tuple], first: str) -> tuple:
    return next(row for row in rows if row[0] == first)


def test_pdf_report_opens_and_holds_the_metrics_verdict_and_reasons(report):
    body = render_pdf(report)
    assert body.startswith(b"%PDF-")
    text = _pdf_text(body)
    assert report.title in text
    assert "Forgetting gate: PASSED" in text
    for reason in report.gate.reasons:
        assert reason in text
    assert report.gate.limits in text
    # Metric rows: name, base, tuned, change, change % (as in the HTML table).
    assert "accuracy 0.5 0.75 +0.25 +50.0%" in text
    assert "general_perplexity 30 33 +3 +10.0%" in text
    assert "KPI targets" in text and "accuracy 0.7 0.75 met" in text
    assert "Per-class metrics" in text and "leak 2 0.5 0.6667 0.5 1 0.5 0.8" in text
    assert "Tuned worse than base (1)" in text and "record r3" in text
    assert "log <script>3</script>" in text  # untrusted text is text, never markup
    assert "No human review has been recorded yet." in text
    assert "generation.max_new_tokens 8" in text


def test_xlsx_report_has_summary_per_class_and_sample_sheets_with_numbers(report):
    body = render_xlsx(report)
    sheets = _sheets(body)
    assert list(sheets) == ["Summary", "Per class", "Samples", "Loss", "Settings"]
    summary = sheets["Summary"]
    assert _row(summary, "Forgetting gate")[1] == "PASSED"
    assert _row(summary, "accuracy")[:5] == ("accuracy", 0.5, 0.75, 0.25, "+50.0%")
    assert _row(summary, "general_perplexity")[1:3] == (30, 33)
    texts = [row[0] for row in summary]
    assert all(f"• {reason}" in texts for reason in report.gate.reasons)
    assert report.gate.limits in texts
    assert report.summary in texts
    per_class = sheets["Per class"]
    assert _row(per_class, "leak")[:8] == ("leak", 2, 0.5, pytest.approx(2 / 3), 0.5, 1, 0.5, pytest.approx(0.8))
    assert _row(per_class, "reference \\ predicted")[1:4] == ("electrical", "leak", "mechanical")
    samples = sheets["Samples"]
    assert samples[0][:3] == ("set", "record", "prompt")
    regressions = [row for row in samples if row[0] == "Tuned worse than base (1)"]
    assert [row[1] for row in regressions] == ["r3"]
    assert regressions[0][6:8] == (1, 0)
    assert sheets["Loss"][1:] == [(1, 2, None), (2, 1.5, 1.7), (3, 1.2, None)]
    assert ("generation.max_new_tokens", "8") in sheets["Settings"]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _words(text: str) -> str:
    """Text with line breaks and runs of spaces as single spaces (PDF lines wrap where the HTML does not)."""
    return " ".join(text.split())


def test_every_format_says_the_same_verdict_reasons_metrics_and_samples(report):
    parser = _Text()
    parser.feed(render_html(report))
    html = _words("".join(parser.parts))
    pdf = _words(_pdf_text(render_pdf(report)))
    xlsx = [_words(str(v)) for rows in _sheets(render_xlsx(report)).values() for row in rows for v in row if v]
    phrases = [report.summary, report.gate.limits, report.regressions_title, *report.gate.reasons]
    phrases += [m.metric for m in report.metrics] + [s.record_id for s in report.worst]
    phrases += [c.label for c in report.per_class] + [k.reason for k in report.kpis]
    for phrase in map(_words, phrases):
        assert phrase in html, phrase
        assert phrase in pdf, phrase
        assert any(phrase in cell for cell in xlsx), phrase


def test_generation_report_has_no_per_class_sheet_and_a_failed_gate_reads_failed(outcome):
    tuned_cap = CapabilityScores(60.0, 0.3, {"arithmetic": 0.3})
    failed = decide(outcome.base.capability, tuned_cap, GateThresholds())
    generation = dataclasses.replace(
        outcome,
        task="generation",
        primary_metric="rougeL",
        base=dataclasses.replace(outcome.base, confusion=None, per_class=None, metrics={"rougeL": 0.2}),
        tuned=dataclasses.replace(outcome.tuned, confusion=None, per_class=None, metrics={"rougeL": 0.4}),
        gate=failed,
    )
    report = from_json(_stored(generation))
    sheets = _sheets(render_xlsx(report))
    assert list(sheets) == ["Summary", "Samples", "Loss", "Settings"]
    assert _row(sheets["Summary"], "Forgetting gate")[1] == "FAILED"
    assert sheets["Loss"] == [("No training metric history was provided.",)]
    text = _pdf_text(render_pdf(report))
    assert "Forgetting gate: FAILED" in text and "Per-class metrics" not in text
    assert all(reason in text for reason in failed.reasons)


def test_unmeasured_metrics_render_as_a_dash_in_every_format(outcome):
    stored = _stored(outcome)
    stored["changes"][2].update(base=None, absolute=None, percent=None)  # an infinite perplexity, stored as null
    report = from_json(stored)
    assert "general_perplexity — 33 — —" in _pdf_text(render_pdf(report))
    assert _row(_sheets(render_xlsx(report))["Summary"], "general_perplexity")[:5] == (
        "general_perplexity", "—", 33, "—", "—",
    )  # fmt: skip
    assert "<td>general_perplexity</td><td>—</td>" in render_html(report)


HOSTILE = (
    'emoji 😀👩‍👩‍👧 · RTL שלום עולם مرحبا بالعالم · CJK 漢字 · controls [\x00\x07\x1b\x7f] · formula =HYPERLINK("x") · '
    + "z" * 10_000
)


def test_hostile_sample_text_is_clipped_visibly_and_never_breaks_either_format(outcome):
    sample = outcome.samples[3]
    hostile = dataclasses.replace(
        sample, prompt=HOSTILE, tuned=dataclasses.replace(sample.tuned, output="line\n" * 500 + "\u202e reversed")
    )
    report = from_json(_stored(dataclasses.replace(outcome, samples=[*outcome.samples[:3], hostile])))

    pdf = render_pdf(report)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) < 15  # a 10,000-character prompt and 500 lines are cut, not laid out in full
    assert "more characters cut here; the JSON report has the full text]" in text
    assert "more lines cut here" in text
    assert "😀" in text and "שלום" in text and "مرحبا" in text.replace("\u200f", "")
    assert "[����]" in text  # controls are shown as U+FFFD, never dropped silently
    assert "漢字" not in text and "CJK ��" in text  # no CJK glyphs in the embedded font: marked, not blank

    sheets = _sheets(render_xlsx(report))
    prompt = next(row for row in sheets["Samples"] if row[1] == "r3")[2]
    assert prompt.startswith("emoji 😀👩‍👩‍👧 · RTL שלום עולם مرحبا بالعالم · CJK 漢字 · controls [����]")
    assert prompt.endswith("z" * 100) and len(prompt) == len(HOSTILE)  # fits a cell: kept whole
    assert "=HYPERLINK" in prompt  # a string, not a formula


def test_xlsx_cuts_a_text_over_the_cell_limit_with_a_note(outcome):
    sample = dataclasses.replace(outcome.samples[3], prompt="p" * 40_000)
    report = from_json(_stored(dataclasses.replace(outcome, samples=[*outcome.samples[:3], sample])))
    prompt = next(row for row in _sheets(render_xlsx(report))["Samples"] if row[1] == "r3")[2]
    assert prompt.endswith("[8000 more characters cut here; the JSON report has the full text]")


def test_pdf_lists_at_most_samples_max_per_list_and_says_how_many_more(outcome):
    worse = [dataclasses.replace(outcome.samples[3], record_id=f"w{i}") for i in range(SAMPLES_MAX + 3)]
    report = from_json(_stored(dataclasses.replace(outcome, samples=worse)))
    text = _pdf_text(render_pdf(report))
    assert f"Tuned worse than base ({SAMPLES_MAX + 3})" in text
    assert "… and 3 more samples: the Excel and JSON reports list them all." in text
    regressions = [row for row in _sheets(render_xlsx(report))["Samples"] if row[0].startswith("Tuned worse")]
    assert len(regressions) == SAMPLES_MAX + 3


def test_formats_have_their_media_types_and_a_corrupt_report_is_refused(outcome):
    stored = _stored(outcome)
    assert render(stored, "pdf").media_type == "application/pdf"
    assert render(stored, "xlsx").media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert json.loads(render(stored, "json").body) == stored
    with pytest.raises(ValueError, match="not a valid evaluation report"):
        from_json({"task": "classification"})
