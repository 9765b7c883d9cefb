"""The Excel report (XlsxWriter): the report model as worksheets a reader can sort and filter.

Sheets: Summary (the verdict, base vs tuned metrics, the gate's reasons and suite, KPIs, quality score, review),
Per class (classification only: per-class scores and the confusion matrices), Samples (worst samples and the ones
where tuned did worse than base), Loss (the points and a native line chart) and Settings.

Numbers are written as numbers (a reader can compute with them), text with `write_string` (a prompt that starts
with "=" stays text, never a formula), and a cell holds at most `CELL_CHARS` characters with a visible note when
a text was cut (Excel's limit is 32,767). Control characters become a visible "�" (XML cannot hold them).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from tuneline.evaluation.reports import model
from tuneline.evaluation.reports.model import EvaluationReport, SampleRow

CELL_CHARS = 32_000  # below Excel's 32,767, leaving room for the note about the cut

Cell = str | float | int | None


class _Writer:
    def __init__(self, report: EvaluationReport) -> None:
        self.report = report
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False})
        self.book.set_properties({"title": report.title, "creator": "Tuneline evaluation"})
        self.bold = self.book.add_format({"bold": True})
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.header = self.book.add_format({"bold": True, "bg_color": "#F4F6F8", "border": 1})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.passed = self.book.add_format({"bold": True, "font_color": "#1B7F3B"})
        self.failed = self.book.add_format({"bold": True, "font_color": "#B42318"})
        self.better = self.book.add_format({"font_color": "#1B7F3B"})
        self.worse = self.book.add_format({"font_color": "#B42318"})

    def cell(self, sheet: Worksheet, row: int, col: int, value: Cell, fmt: Format | None = None) -> None:
        if value is None:
            sheet.write_string(row, col, model.NOT_MEASURED, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, model.clipped(model.without_controls(value), CELL_CHARS), fmt)

    def table(self, sheet: Worksheet, row: int, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> int:
        """Writes a header and the rows from ``row``; returns the next free row, one blank row left."""
        for col, name in enumerate(headers):
            sheet.write_string(row, col, name, self.header)
        for offset, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                self.cell(sheet, row + offset, col, value, self.wrap)
        return row + len(rows) + 2

    def line(self, sheet: Worksheet, row: int, text: str, fmt: Format | None = None) -> int:
        self.cell(sheet, row, 0, text, fmt)
        return row + 1

    def write(self) -> bytes:
        self.summary()
        if self.report.is_classification:
            self.per_class()
        self.samples()
        self.loss()
        sheet = self.book.add_worksheet("Settings")
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 1, 60)
        self.table(sheet, 0, model.SETTING_HEADERS, self.report.settings)
        self.book.close()
        return self.buffer.getvalue()

    def summary(self) -> None:
        r = self.report
        sheet = self.book.add_worksheet("Summary")
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 3, 14)
        sheet.set_column(4, 4, 60)
        row = self.line(sheet, 0, r.title, self.title)
        row = self.line(sheet, row, f"Generated {r.generated_at}")
        row = self.line(sheet, row, r.summary)
        verdict_format = None if r.gate is None else self.passed if r.gate.passed else self.failed
        sheet.write_string(row, 0, "Forgetting gate", self.bold)
        sheet.write_string(row, 1, r.verdict, verdict_format)
        row += 2

        row = self.line(sheet, row, model.METRICS.title, self.bold)
        for col, name in enumerate(model.METRIC_HEADERS):
            sheet.write_string(row, col, name, self.header)
        for m in r.metrics:
            row += 1
            change_format = self.better if m.direction == "better" else self.worse if m.direction else None
            for col, value in enumerate((m.metric, m.base, m.tuned)):
                self.cell(sheet, row, col, value)
            self.cell(sheet, row, 3, m.absolute, change_format)
            self.cell(sheet, row, 4, m.percent_text)
        row += 2

        row = self.line(sheet, row, model.GATE.title, self.bold)
        if r.gate is None:
            row = self.line(sheet, row, model.NO_GATE) + 1
        else:
            row = self.line(sheet, row, r.gate.verdict, verdict_format)
            for reason in r.gate.reasons:
                row = self.line(sheet, row, f"• {reason}")
            row = self.line(sheet, row, r.gate.limits)
            row = self.table(sheet, row, model.CATEGORY_HEADERS, r.gate.categories)

        row = self.line(sheet, row, model.KPIS.title, self.bold)
        if r.kpis:
            rows: list[Sequence[Cell]] = [
                (k.metric, k.target, k.value, "met" if k.met else "missed", k.reason) for k in r.kpis
            ]
            row = self.table(sheet, row, model.KPI_HEADERS, rows)
        else:
            row = self.line(sheet, row, model.NO_KPIS) + 1

        row = self.line(sheet, row, model.QUALITY.title, self.bold)
        row = self.line(sheet, row, f"Score: {r.quality_score:.1f} / 100")
        rows = [(q.name, q.value, q.weight, q.points, q.explanation) for q in r.quality]
        row = self.table(sheet, row, model.QUALITY_HEADERS, rows)

        row = self.line(sheet, row, model.REVIEW.title, self.bold)
        if r.review is None:
            self.line(sheet, row, model.NO_REVIEW)
        else:
            row = self.line(sheet, row, r.review.summary)
            self.table(sheet, row, model.REVIEW_HEADERS, r.review.criteria)

    def per_class(self) -> None:
        r = self.report
        sheet = self.book.add_worksheet("Per class")
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 12, 14)
        rows: list[Sequence[Cell]] = []
        for c in r.per_class:
            b, t = c.base, c.tuned
            rows.append(
                (
                    c.label,
                    c.support,
                    b.precision if b else None,
                    t.precision if t else None,
                    b.recall if b else None,
                    t.recall if t else None,
                    b.f1 if b else None,
                    t.f1 if t else None,
                )
            )
        row = self.line(sheet, 0, model.PER_CLASS.title, self.bold)
        row = self.table(sheet, row, model.CLASS_HEADERS, rows)
        for matrix in r.confusion:
            row = self.line(sheet, row, matrix.title, self.bold)
            rows = [(label, *counts) for label, counts in zip(matrix.labels, matrix.counts, strict=True)]
            row = self.table(sheet, row, ["reference \\ predicted", *matrix.labels], rows)
        if r.class_errors:
            row = self.line(sheet, row, model.CLASS_ERRORS_TITLE, self.bold)
            self.table(sheet, row, model.CLASS_ERROR_HEADERS, [c.cells() for c in r.class_errors])

    def samples(self) -> None:
        r = self.report
        sheet = self.book.add_worksheet("Samples")
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, 1, 12)
        sheet.set_column(2, 5, 50)
        sheet.set_column(6, 7, 12)
        headers = ("set", "record", "prompt", "reference", "base output", "tuned output", "score base", "score tuned")

        def rows(label: str, samples: Sequence[SampleRow]) -> list[Sequence[Cell]]:
            return [
                (label, s.record_id, s.prompt, s.reference, s.base_output, s.tuned_output, s.base_score, s.tuned_score)
                for s in samples
            ]

        found = rows(model.WORST_TITLE, r.worst) + rows(r.regressions_title, r.regressions)
        last = self.table(sheet, 0, headers, found)
        sheet.autofilter(0, 0, max(last - 2, 0), len(headers) - 1)
        sheet.freeze_panes(1, 2)

    def loss(self) -> None:
        r = self.report
        sheet = self.book.add_worksheet("Loss")
        if not r.loss:
            self.line(sheet, 0, model.NO_LOSS)
            return
        for col, name in enumerate(model.LOSS_HEADERS):
            sheet.write_string(0, col, name, self.header)
        for row, point in enumerate(r.loss, start=1):
            for col, value in enumerate((point.step, point.loss, point.eval_loss)):
                if value is not None:  # left empty, not "—": a chart reads text as 0
                    sheet.write_number(row, col, value)
        chart: Any = self.book.add_chart({"type": "scatter", "subtype": "straight"})
        last = len(r.loss)
        for col, name in ((1, "training loss"), (2, "validation loss")):
            if any((p.loss if col == 1 else p.eval_loss) is not None for p in r.loss):
                chart.add_series(
                    {"name": name, "categories": ["Loss", 1, 0, last, 0], "values": ["Loss", 1, col, last, col]}
                )
        chart.set_title({"name": "Loss by step"})
        chart.set_x_axis({"name": "step"})
        sheet.insert_chart(1, 4, chart)


def render_xlsx(report: EvaluationReport) -> bytes:
    return _Writer(report).write()
