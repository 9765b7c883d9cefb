"""Every format a report downloads in, with its media type: one place for the API, the runner and the docs."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from tuneline.evaluation.reports.html_report import render_html
from tuneline.evaluation.reports.model import EvaluationReport, from_json
from tuneline.evaluation.reports.pdf_report import render_pdf
from tuneline.evaluation.reports.xlsx_report import render_xlsx

ReportFormat = Literal["json", "html", "pdf", "xlsx"]
FORMATS: tuple[str, ...] = get_args(ReportFormat)


@dataclass(frozen=True)
class RenderedReport:
    body: bytes
    media_type: str
    extension: str


_RENDERERS: dict[str, tuple[str, Callable[[EvaluationReport], bytes]]] = {
    "html": ("text/html; charset=utf-8", lambda report: render_html(report).encode("utf-8")),
    "pdf": ("application/pdf", render_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", render_xlsx),
}
REPORT_MEDIA_TYPES = ("application/json", *(media_type.split(";")[0] for media_type, _ in _RENDERERS.values()))


def render(report: Mapping[str, Any], fmt: ReportFormat) -> RenderedReport:
    """The stored JSON report in ``fmt``; html, pdf and xlsx are all drawn from the one report model."""
    if fmt == "json":
        body = json.dumps(report, ensure_ascii=False, allow_nan=False).encode("utf-8")
        return RenderedReport(body, "application/json", "json")
    if fmt not in _RENDERERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    media_type, renderer = _RENDERERS[fmt]
    return RenderedReport(renderer(from_json(report)), media_type, fmt)
