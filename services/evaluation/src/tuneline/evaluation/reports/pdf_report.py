"""The PDF report (fpdf2): the report model on A4 pages, with the DejaVu Sans font embedded.

Prompts and outputs are untrusted text in any script and of any length, so every string passes `printable`
(control characters and characters the font has no glyph for become a visible U+FFFD "�"; invisible format
characters the font lacks are dropped) and sample texts are clipped with a visible note, so one 10,000-character
output cannot push a table row past a page. Right-to-left scripts are ordered and shaped by HarfBuzz (fpdf2's text
shaping, `uharfbuzz`). The fonts ship in this package (`fonts/`, with their licence): no system font is needed.
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from tuneline.evaluation.reports import model
from tuneline.evaluation.reports.model import EvaluationReport, SampleRow, Section

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
SAMPLE_CHARS = 1_500  # per text in a sample table: about 16 lines of the page's width
SAMPLE_LINES = 30
CELL_CHARS = 600  # any other cell (settings values, KPI reasons)
SAMPLES_MAX = 25  # per sample list; the Excel and JSON reports hold them all

_PASS = (27, 127, 59)
_FAIL = (180, 35, 24)
_TEXT = (31, 41, 51)
_HEADING_FILL = (244, 246, 248)
_BASE = (154, 165, 177)
_TUNED = (47, 111, 219)
_EVAL = (217, 130, 43)
_CHART_HEIGHT = 60.0


@functools.cache
def _glyphs() -> frozenset[int]:
    font = TTFont(FONT_DIR / "DejaVuSans.ttf", lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def printable(text: str) -> str:
    """``text`` as the embedded font can draw it, with nothing silently lost but invisible formatting."""
    glyphs = _glyphs()
    out = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    "):
        if char == "\n":
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category == "Cf" and ord(char) not in glyphs:
            continue  # zero-width joiners, direction marks: nothing to see
        if category in ("Cc", "Cs", "Co", "Cn") or ord(char) not in glyphs:
            out.append(model.REPLACEMENT)
        else:
            out.append(char)
    return "".join(out)


def _clip(text: str, limit: int = CELL_CHARS, max_lines: int = SAMPLE_LINES) -> str:
    lines = text.split("\n")
    if len(lines) > max_lines:
        cut = len(lines) - max_lines
        text = "\n".join(lines[:max_lines]) + f"\n… [{cut} more lines cut here; the JSON report has the full text]"
    return printable(model.clipped(text, limit))


def _needs_shaping(report: EvaluationReport) -> bool:
    """Whether any text of the report (samples, labels, settings) is in a right-to-left script."""
    text = repr(dataclasses.asdict(report))
    return any(unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in text)


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.cell(0, 6, f"page {self.page_no()}/{{nb}}", align="C")


class _Writer:
    def __init__(self, report: EvaluationReport) -> None:
        self.report = report
        pdf = _Pdf(format="A4")
        pdf.set_title(printable(report.title))
        pdf.set_creator("Tuneline evaluation")
        pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        # Shaping (HarfBuzz) orders and joins right-to-left scripts but slows layout noticeably: only when needed.
        pdf.set_text_shaping(_needs_shaping(report))
        pdf.set_auto_page_break(True, margin=15)
        pdf.set_margins(15, 15, 15)
        pdf.alias_nb_pages()
        pdf.add_page()
        pdf.set_text_color(*_TEXT)
        self.pdf = pdf

    # -- primitives -------------------------------------------------------------------------------------------
    def text(self, text: str, *, size: float = 9, bold: bool = False, colour: tuple[int, int, int] = _TEXT) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)
        self.pdf.multi_cell(0, size * 0.5, _clip(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_text_color(*_TEXT)
        self.pdf.ln(1)

    def heading(self, section: Section | str, size: float = 13) -> None:
        title = section.title if isinstance(section, Section) else section
        if self.pdf.will_page_break(30):
            self.pdf.add_page()
        self.pdf.ln(3)
        self.text(title, size=size, bold=True)

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float] | None = None
    ) -> None:
        self.pdf.set_font(FONT, size=8)
        with self.pdf.table(
            col_widths=tuple(widths) if widths else None,
            text_align="LEFT",
            line_height=4,
            padding=1,
            headings_style=FontFace(emphasis="BOLD", fill_color=_HEADING_FILL),
            cell_fill_mode=TableCellFillMode.NONE,
            align="LEFT",
            repeat_headings=1,
        ) as table:
            table.row([printable(h) for h in headers])
            for row in rows:
                table.row([_clip(c) for c in row])
        self.pdf.ln(2)

    def verdict(self, label: str) -> None:
        gate = self.report.gate
        colour = _TEXT if gate is None else _PASS if gate.passed else _FAIL
        self.text(f"{label}{self.report.verdict}", size=11, bold=True, colour=colour)

    # -- sections ---------------------------------------------------------------------------------------------
    def write(self) -> bytes:
        r = self.report
        self.text(r.title, size=14, bold=True)
        self.text(f"Generated {r.generated_at}", size=8)
        self.heading(model.SUMMARY)
        self.text(r.summary)
        self.verdict("Forgetting gate: ")
        self.heading(model.METRICS)
        self.table(model.METRIC_HEADERS, [m.cells() for m in r.metrics], (3, 1.2, 1.2, 1.2, 1.2))
        self.gate()
        self.heading(model.KPIS)
        if r.kpis:
            self.table(model.KPI_HEADERS, [k.cells() for k in r.kpis], (2, 1, 1, 1, 4))
        else:
            self.text(model.NO_KPIS)
        self.heading(model.QUALITY)
        self.text(f"Score: {r.quality_score:.1f} / 100", bold=True)
        self.table(model.QUALITY_HEADERS, [q.cells() for q in r.quality], (2, 1, 1, 1, 4))
        if r.per_class:
            self.heading(model.PER_CLASS)
            self.table(model.CLASS_HEADERS, [c.cells() for c in r.per_class], (2, 1, 1, 1, 1, 1, 1, 1))
        if r.confusion:
            self.heading(model.CONFUSION)
            for matrix in r.confusion:
                self.text(matrix.title, bold=True)
                headers = ["reference \\ predicted", *matrix.labels]
                self.table(
                    headers, [[label, *map(str, row)] for label, row in zip(matrix.labels, matrix.counts, strict=True)]
                )
        self.errors()
        self.heading(model.REVIEW)
        if r.review is None:
            self.text(model.NO_REVIEW)
        else:
            self.text(r.review.summary)
            self.table(model.REVIEW_HEADERS, r.review.rows())
        if r.loss and self.pdf.will_page_break(_CHART_HEIGHT + 30):
            self.pdf.add_page()  # keep the heading with its chart
        self.heading(model.LOSS)
        if r.loss:
            self.loss_chart()
        else:
            self.text(model.NO_LOSS)
        self.heading(model.SETTINGS)
        self.table(model.SETTING_HEADERS, r.settings, (2, 3))
        return bytes(self.pdf.output())

    def gate(self) -> None:
        self.heading(model.GATE)
        gate = self.report.gate
        if gate is None:
            self.text(model.NO_GATE)
            return
        self.verdict("")
        for reason in gate.reasons:
            self.text(f"• {reason}")
        self.text(gate.limits)
        rows = [(c, model.number(b), model.number(t)) for c, b, t in gate.categories]
        self.table(model.CATEGORY_HEADERS, rows, (2, 1, 1))

    def samples(self, samples: Sequence[SampleRow]) -> None:
        """One small two-column table per sample: six narrow columns cannot hold long texts readably."""
        labels = model.SAMPLE_HEADERS
        for s in samples[:SAMPLES_MAX]:
            texts = (s.prompt, s.reference, s.base_output, s.tuned_output)
            rows = [
                [labels[0], s.record_id],
                *([label, t] for label, t in zip(labels[1:5], texts, strict=True)),
                [labels[5], s.score_text],
            ]
            self.pdf.set_font(FONT, size=8)
            with self.pdf.table(
                col_widths=(1, 5),
                text_align="LEFT",
                line_height=4,
                padding=1,
                first_row_as_headings=False,
                align="LEFT",
            ) as table:
                for label, value in rows:
                    limit = SAMPLE_CHARS if label in labels[1:5] else CELL_CHARS
                    table.row([label, _clip(value, limit)])
            self.pdf.ln(2)
        if len(samples) > SAMPLES_MAX:
            self.text(f"… and {len(samples) - SAMPLES_MAX} more samples: the Excel and JSON reports list them all.")

    def errors(self) -> None:
        r = self.report
        self.heading(model.ERRORS)
        self.heading(model.WORST_TITLE, size=10)
        self.samples(r.worst)
        self.heading(r.regressions_title, size=10)
        if r.regressions:
            self.samples(r.regressions)
        else:
            self.text(model.NO_REGRESSIONS)
        if r.class_errors:
            self.heading(model.CLASS_ERRORS_TITLE, size=10)
            self.table(model.CLASS_ERROR_HEADERS, [c.cells() for c in r.class_errors], (2, 1, 1, 4))

    def loss_chart(self) -> None:
        """Training and validation loss by step, drawn with lines (the HTML's chart, same scales)."""
        pdf = self.pdf
        series = [
            ("training loss", _TUNED, [(p.step, p.loss) for p in self.report.loss if p.loss is not None]),
            ("validation loss", _EVAL, [(p.step, p.eval_loss) for p in self.report.loss if p.eval_loss is not None]),
        ]
        points = [xy for _, _, data in series for xy in data]
        x_min, x_max = min(x for x, _ in points), max(x for x, _ in points)
        y_min, y_max = min(y for _, y in points), max(y for _, y in points)
        x_span, y_span = (x_max - x_min) or 1.0, (y_max - y_min) or 1.0
        width, height, left = 150.0, _CHART_HEIGHT, pdf.l_margin + 12
        if pdf.will_page_break(height + 15):
            pdf.add_page()
        top = pdf.get_y() + 2
        pdf.set_draw_color(*_BASE)
        pdf.rect(left, top, width, height)
        pdf.set_font(FONT, size=7)
        for value, y in ((y_max, top), (y_min, top + height - 3)):
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(11, 3, model.number(value, 3), align="R")
        for value, x in ((x_min, left), (x_max, left + width - 20)):
            pdf.set_xy(x, top + height + 1)
            pdf.cell(20, 3, f"step {model.number(value, 6)}", align="L" if x == left else "R")
        for offset, (name, colour, data) in enumerate(series):
            if not data:
                continue
            pdf.set_draw_color(*colour)
            pdf.set_line_width(0.5)
            xy = [(left + (x - x_min) / x_span * width, top + height - (y - y_min) / y_span * height) for x, y in data]
            if len(xy) == 1:
                pdf.circle(xy[0][0], xy[0][1], 0.8)
            else:
                pdf.polyline(xy)
            pdf.set_text_color(*colour)
            pdf.set_xy(left + offset * 40, top + height + 5)
            pdf.cell(38, 4, f"— {name}")
        pdf.set_line_width(0.2)
        pdf.set_draw_color(0)
        pdf.set_text_color(*_TEXT)
        pdf.set_xy(pdf.l_margin, top + height + 11)


def render_pdf(report: EvaluationReport) -> bytes:
    return _Writer(report).write()
