"""Tiny server-rendered SVG charts for reports (the PDF runs no JavaScript, and the share page needs none).

Every text that reaches the SVG is escaped; numbers are formatted here. The result is safe to mark_safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = "DejaVu Sans, Arial, sans-serif"


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _label_every(count: int, room: int) -> int:
    return max(1, -(-count // room))


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    colour: str,
    title: str,
    width: int = 640,
    height: int = 220,
    target: float | None = None,
    target_label: str = "",
) -> str:
    """A vertical bar chart; ``target`` draws a dashed horizontal line (e.g. the 6-hour answer target)."""
    left, right, top, bottom = 44, 10, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max([*values, target or 0, 0]))
    parts = _frame(width, height, title, peak, left, top, plot_w, plot_h)
    n = max(len(values), 1)
    slot = plot_w / n
    bar = max(slot * 0.7, 1)
    every = _label_every(n, 12)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * (value / peak) if peak else 0
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{escape(colour)}">'
            f"<title>{escape(label)}: {_fmt(value)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 14}" font-size="9" '
                f'text-anchor="middle" fill="#555">{escape(label)}</text>'
            )
    if target is not None:
        y = top + plot_h - plot_h * (target / peak)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c0392b" '
            'stroke-dasharray="5 3" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{left + plot_w}" y="{y - 3:.1f}" font-size="9" text-anchor="end" fill="#c0392b">'
            f"{escape(target_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    colour: str,
    title: str,
    width: int = 640,
    height: int = 220,
) -> str:
    """A line chart with dots (one series)."""
    left, right, top, bottom = 44, 10, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max([*values, 0]))
    parts = _frame(width, height, title, peak, left, top, plot_w, plot_h)
    n = len(values)
    step = plot_w / max(n - 1, 1)
    points = [
        (left + (i * step if n > 1 else plot_w / 2), top + plot_h - plot_h * (v / peak))
        for i, v in enumerate(values)
    ]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{escape(colour)}" stroke-width="2"/>')
        for x, y in points if n <= 60 else []:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{escape(colour)}"/>')
    every = _label_every(n, 10)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{points[i][0]:.1f}" y="{height - bottom + 14}" font-size="9" text-anchor="middle" '
                f'fill="#555">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def multi_line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    *,
    title: str,
    width: int = 640,
    height: int = 240,
    from_zero: bool = True,
) -> str:
    """Several lines (name, colour, values; ``None`` leaves a gap) with a legend under the title. With
    ``from_zero=False`` the axis spans the values only (follower counts change little against their size)."""
    left, right, top, bottom = 52, 10, 40, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [v for _n, _c, values in series for v in values if v is not None]
    low = 0.0 if from_zero or not known else float(min(known))
    high = max([*known, 0]) if known else 0
    span = _nice_max(high - low) if high > low else (abs(high) or 1.0)
    parts = _frame(width, height, title, span, left, top, plot_w, plot_h, low=low)
    n = len(labels)
    step = plot_w / max(n - 1, 1)

    def x_of(i: int) -> float:
        return left + (i * step if n > 1 else plot_w / 2)

    legend_x = left
    for name, colour, values in series:
        parts.append(f'<rect x="{legend_x}" y="20" width="10" height="10" fill="{escape(colour)}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="29" font-size="10" fill="#333">{escape(name)}</text>')
        legend_x += 24 + 7 * len(name)
        run: list[str] = []
        for i, value in enumerate(values):
            if value is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{escape(colour)}" stroke-width="2"/>'
                    )
                run = []
                continue
            y = top + plot_h - plot_h * ((value - low) / span)
            run.append(f"{x_of(i):.1f},{y:.1f}")
            if n <= 60:
                parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y:.1f}" r="2.5" fill="{escape(colour)}"/>')
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{escape(colour)}" stroke-width="2"/>'
            )
    every = _label_every(n, 10)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{x_of(i):.1f}" y="{height - bottom + 14}" font-size="9" text-anchor="middle" '
                f'fill="#555">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _frame(width, height, title, peak, left, top, plot_w, plot_h, low: float = 0.0) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" font-family="{FONT}">',
        f'<text x="{left}" y="14" font-size="12" font-weight="bold" fill="#222">{escape(title)}</text>',
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h - plot_h * fraction
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end" fill="#555">'
            f"{_fmt(low + peak * fraction)}</text>"
        )
    return parts
