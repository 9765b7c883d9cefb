import json
from html.parser import HTMLParser

import pytest

from tuneline.evaluation.reports.html_report import render_html
from tuneline.evaluation.reports.json_report import build_report
from tuneline.evaluation.reports.model import from_json
from tuneline.evaluation.review.aggregates import aggregate
from tuneline.evaluation.review.ratings import Rating
from tuneline.evaluation.review.sampling import blind_sample
from tuneline.evaluation.summary.report import summarise


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.svg_classes: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "section":
            self.sections.append(values["id"])
        if tag == "svg":
            self.svg_classes.append(values.get("class", ""))
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_data(self, data):
        self.text += data


@pytest.fixture
def report(outcome):
    items = blind_sample(outcome.samples, 2, seed=3)
    ratings = [Rating(i.item_id, "ann", side, 4, 4, 4, 4, True) for i in items for side in ("A", "B")]
    history = [{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.5, "eval_loss": 1.7}, {"step": 3, "loss": 1.2}]
    return build_report(
        outcome,
        summarise(outcome, {"accuracy": 0.7}),
        evaluation_id="ev-1",
        review=aggregate(items, ratings),
        loss_history=history,
    )


def test_json_report_is_plain_json_with_side_by_side_metrics(report):
    decoded = json.loads(json.dumps(report))
    assert decoded["metrics"]["base"]["accuracy"] == 0.5
    assert decoded["metrics"]["tuned"]["accuracy"] == 0.75
    assert decoded["gate"]["passed"] is True
    assert decoded["confusion"]["tuned"]["labels"] == ["electrical", "leak", "mechanical"]
    assert [s["record_id"] for s in decoded["error_analysis"]["regressions"]] == ["r3"]
    assert decoded["review"]["reviewers"] == 1
    assert decoded["loss_history"][1] == {"step": 2.0, "loss": 1.5, "eval_loss": 1.7}


def test_html_report_has_every_section_and_inline_charts_only(report):
    page = render_html(from_json(report))
    parsed = _Collector()
    parsed.feed(page)
    assert parsed.sections == [
        "summary", "metrics", "gate", "kpis", "quality", "per_class", "confusion", "errors", "review", "loss",
        "settings",
    ]  # fmt: skip
    assert "chart bars" in parsed.svg_classes
    assert parsed.svg_classes.count("chart heatmap") == 2
    assert "chart line" in parsed.svg_classes
    assert parsed.urls == []  # no external assets
    assert "script" not in parsed.tags
    assert "PASSED" in parsed.text


def test_html_escapes_untrusted_prompts_and_outputs(report):
    page = render_html(from_json(report))
    assert "<script>" not in page
    assert "&lt;script&gt;0&lt;/script&gt;" in page


def test_confusion_heatmap_cells_carry_counts(report):
    page = render_html(from_json(report))
    # tuned: mechanical (row 2) predicted as leak (col 1) once.
    assert 'data-row="2" data-col="1" data-count="1"' in page


def test_bad_loss_history_point_is_named(outcome):
    with pytest.raises(ValueError, match=r"loss_history\[1\]\.step"):
        build_report(outcome, summarise(outcome), loss_history=[{"step": 1, "loss": 1.0}, {"loss": 2.0}])
