"""Inline SVG charts (no scripts, no external assets): grouped bars, a heatmap and a line chart."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BASE_COLOUR = "#9aa5b1"
TUNED_COLOUR = "#2f6fdb"
EVAL_COLOUR = "#d9822b"


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def grouped_bars(title: str, rows: Sequence[tuple[str, float, float]]) -> str:
    """One pair of bars (base, tuned) per metric, scaled to the largest value shown."""
    width, bar_h, gap, label_w = 560, 12, 10, 170
    top = 28
    height = top + len(rows) * (2 * bar_h + gap) + 24
    scale_max = max([max(b, t) for _, b, t in rows] + [1e-12])
    span = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart bars" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (name, base, tuned) in enumerate(rows):
        y = top + i * (2 * bar_h + gap)
        parts.append(f'<text x="0" y="{y + bar_h + 4}" font-size="12">{escape(name)}</text>')
        for offset, value, colour, who in ((0, base, BASE_COLOUR, "base"), (bar_h, tuned, TUNED_COLOUR, "tuned")):
            length = max(0.0, value) / scale_max * span
            parts.append(
                f'<rect x="{label_w}" y="{y + offset}" width="{length:.1f}" height="{bar_h - 1}" '
                f'fill="{colour}" data-metric="{escape(name)}" data-model="{who}"><title>{who} '
                f"{escape(name)} = {_fmt(value)}</title></rect>"
            )
            parts.append(
                f'<text x="{label_w + length + 4:.1f}" y="{y + offset + bar_h - 2}" font-size="10">{_fmt(value)}</text>'
            )
    legend_y = height - 8
    parts.append(f'<rect x="{label_w}" y="{legend_y - 9}" width="10" height="10" fill="{BASE_COLOUR}"/>')
    parts.append(f'<text x="{label_w + 14}" y="{legend_y}" font-size="11">base</text>')
    parts.append(f'<rect x="{label_w + 60}" y="{legend_y - 9}" width="10" height="10" fill="{TUNED_COLOUR}"/>')
    parts.append(f'<text x="{label_w + 74}" y="{legend_y}" font-size="11">tuned</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(title: str, labels: Sequence[str], counts: Sequence[Sequence[int]]) -> str:
    """Confusion matrix: rows are references, columns predictions; shade = share of the row."""
    cell, label_w, top = 44, 120, 40
    size = len(labels)
    width, height = label_w + size * cell + 10, top + size * cell + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart heatmap" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>',
    ]
    for j, label in enumerate(labels):
        parts.append(
            f'<text x="{label_w + j * cell + cell / 2}" y="{top - 6}" font-size="10" '
            f'text-anchor="middle">{escape(label[:8])}</text>'
        )
    for i, label in enumerate(labels):
        row_total = sum(counts[i]) or 1
        parts.append(f'<text x="0" y="{top + i * cell + cell / 2 + 4}" font-size="11">{escape(label)}</text>')
        for j, count in enumerate(counts[i]):
            share = count / row_total
            colour = f"rgba(47,111,219,{0.08 + 0.92 * share:.3f})"
            x, y = label_w + j * cell, top + i * cell
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{colour}" '
                f'data-row="{i}" data-col="{j}" data-count="{count}"><title>reference {escape(label)}, '
                f"predicted {escape(labels[j])}: {count}</title></rect>"
            )
            parts.append(
                f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 3}" font-size="11" '
                f'text-anchor="middle">{count}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, series: Sequence[tuple[str, Sequence[tuple[float, float]]]]) -> str:
    """Loss against step, one polyline per series, shared axes."""
    width, height, pad = 560, 240, 40
    points = [p for _, data in series for p in data]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = min(ys), max(ys)
    x_span, y_span = (x_hi - x_lo) or 1.0, (y_hi - y_lo) or 1.0

    def at(x: float, y: float) -> str:
        px = pad + (x - x_lo) / x_span * (width - 2 * pad)
        py = height - pad - (y - y_lo) / y_span * (height - 2 * pad)
        return f"{px:.1f},{py:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart line" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#555"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#555"/>',
        f'<text x="{pad}" y="{height - pad + 14}" font-size="10">{_fmt(x_lo)}</text>',
        f'<text x="{width - pad}" y="{height - pad + 14}" font-size="10" text-anchor="end">{_fmt(x_hi)}</text>',
        f'<text x="2" y="{height - pad}" font-size="10">{_fmt(y_lo)}</text>',
        f'<text x="2" y="{pad + 4}" font-size="10">{_fmt(y_hi)}</text>',
    ]
    for index, (name, data) in enumerate(series):
        colour = TUNED_COLOUR if index == 0 else EVAL_COLOUR
        path = " ".join(at(x, y) for x, y in data)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}" '
            f'data-series="{escape(name)}"><title>{escape(name)}</title></polyline>'
        )
        parts.append(
            f'<text x="{width - pad - 80}" y="{pad + 14 * index}" font-size="11" fill="{colour}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
