"""Charts drawn on the server as inline SVG: no script, no network, readable by screen readers
through their title and a data table next to each chart."""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


def line_chart(title: str, labels: list[str], actual: list[float], planned: list[float]) -> Markup:
    """Cumulative completions (solid) against the straight line to the target (dashed)."""
    if not labels:
        return Markup("")
    top = max(max(actual, default=0), max(planned, default=0), 1)
    x_of = _scale(len(labels))
    y_of = lambda value: TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)  # noqa: E731
    actual_path = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(actual))
    planned_path = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(planned))
    ticks = "".join(
        f'<text x="{x_of(i):.1f}" y="{HEIGHT - 12}" text-anchor="middle" class="tick">{escape(label)}</text>'
        for i, label in enumerate(labels) if i % max(1, len(labels) // 8) == 0)
    return Markup(
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" class="chart">'
        f'<title>{escape(title)}</title>{_y_axis(top)}'
        f'<polyline points="{planned_path}" class="planned" fill="none"/>'
        f'<polyline points="{actual_path}" class="actual" fill="none"/>{ticks}'
        f'<g class="legend"><line x1="{LEFT + 8}" y1="{TOP + 6}" x2="{LEFT + 30}" y2="{TOP + 6}" class="actual"/>'
        f'<text x="{LEFT + 36}" y="{TOP + 10}">累计完成</text>'
        f'<line x1="{LEFT + 110}" y1="{TOP + 6}" x2="{LEFT + 132}" y2="{TOP + 6}" class="planned"/>'
        f'<text x="{LEFT + 138}" y="{TOP + 10}">按期完成目标所需进度</text></g></svg>')


def bar_chart(title: str, rows: list[tuple[str, int, int]]) -> Markup:
    """Horizontal bars per row: (label, city-group count, market count), stacked."""
    if not rows:
        return Markup("")
    row_height, label_width, legend = 26, 110, 26
    height = TOP + legend + row_height * len(rows) + 8
    top = max(max(city + market for _, city, market in rows), 1)
    span = WIDTH - label_width - RIGHT - 50
    bars = []
    for index, (label, city, market) in enumerate(rows):
        y = TOP + legend + index * row_height
        city_width, market_width = span * city / top, span * market / top
        bars.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{city_width:.1f}" height="16" class="city"/>'
            f'<rect x="{label_width + city_width:.1f}" y="{y + 3}" width="{market_width:.1f}" height="16" class="market"/>'
            f'<text x="{label_width + city_width + market_width + 6:.1f}" y="{y + 15}">{city + market}</text>')
    return Markup(
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" class="chart">'
        f'<title>{escape(title)}</title>'
        f'<g class="legend"><rect x="{label_width}" y="{TOP}" width="14" height="12" class="city"/>'
        f'<text x="{label_width + 20}" y="{TOP + 11}">城发集团收购</text>'
        f'<rect x="{label_width + 120}" y="{TOP}" width="14" height="12" class="market"/>'
        f'<text x="{label_width + 140}" y="{TOP + 11}">市场交易</text></g>{"".join(bars)}</svg>')


def _scale(count: int):
    step = (WIDTH - LEFT - RIGHT) / max(count - 1, 1)
    return lambda index: LEFT + index * step


def _y_axis(top: float) -> str:
    lines = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = TOP + (HEIGHT - TOP - BOTTOM) * (1 - fraction)
        lines.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{round(top * fraction)}</text>')
    return "".join(lines)
