"""Threat-protection charts drawn on the server as SVG (issue #23, item 5): no script, no
network, no build step. Readable without colour: every series has its own fill pattern
(solid, stripes, dots, cross-hatch) and its name in the legend, every bar and marker a
<title>, the SVG a <title> and <desc>, and under each chart the same numbers as a table.

    buckets(times)                   time buckets for a set of event times
    stacked_bars(...)                a pool's sign-ins per bucket, stacked by one field
    timeline(...)                    a user's events on a time line, numbered as the table

Everything given is escaped; callers pass plain values.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from ..templates import Markup, esc

# Bucket widths tried in order: the first giving at most MAX_BUCKETS buckets is used.
_WIDTHS = ((60, "minute"), (600, "10 minutes"), (3600, "hour"), (6 * 3600, "6 hours"),
           (86400, "day"), (7 * 86400, "week"), (30 * 86400, "30 days"))
MAX_BUCKETS = 24

# Fill patterns: each series is told apart by its texture and its label, colour only helps.
_PATTERNS = (
    ("solid", ""),
    ("stripes", '<path d="M0,6 L6,0" stroke="#000" stroke-width="1.5"/>'),
    ("dots", '<circle cx="3" cy="3" r="1.4" fill="#000"/>'),
    ("cross", '<path d="M0,0 L6,6 M6,0 L0,6" stroke="#000" stroke-width="1"/>'),
    ("lines", '<path d="M0,3 L6,3" stroke="#000" stroke-width="1.5"/>'),
)
_COLOURS = ("#c8ebd0", "#fff3a8", "#fcd5a0", "#f7b3b3", "#b9dcf5")


@dataclass(frozen=True)
class Buckets:
    start: float        # the first bucket's start (a multiple of width)
    width: int          # seconds
    unit: str           # "hour", ...
    count: int

    def index(self, when: float) -> int:
        return min(self.count - 1, max(0, int((when - self.start) // self.width)))

    def label(self, i: int) -> str:
        start = self.start + i * self.width
        fmt = "%Y-%m-%d" if self.width >= 86400 else "%Y-%m-%d %H:%M"
        return time.strftime(fmt, time.gmtime(start))

    def short(self, i: int) -> str:
        """The axis label: the label without the year."""
        return self.label(i)[5:]


def buckets(times: list[float]) -> Buckets:
    """The narrowest bucket width that puts `times` in at most MAX_BUCKETS buckets."""
    low, high = (min(times), max(times)) if times else (0.0, 0.0)
    for width, unit in _WIDTHS:
        start = low // width * width
        count = int((high - start) // width) + 1
        if count <= MAX_BUCKETS:
            return Buckets(start, width, unit, count)
    width, unit = _WIDTHS[-1]
    start = low // width * width
    return Buckets(start, width, unit, int((high - start) // width) + 1)


def _defs(ident: str, indexes: list[int]) -> str:
    """A pattern per series, by the series' place in the caller's list: the same series
    looks the same on every chart."""
    out = []
    for i in indexes:
        name, mark = _PATTERNS[i % len(_PATTERNS)]
        out.append(f'<pattern id="{ident}-p{i}" width="6" height="6" '
                   f'patternUnits="userSpaceOnUse" data-pattern="{name}">'
                   f'<rect width="6" height="6" fill="{_COLOURS[i % len(_COLOURS)]}"/>'
                   f'{mark}</pattern>')
    return f'<defs>{"".join(out)}</defs>'


def _table(ident: str, caption: str, corner: str, rows: list[str], columns: list[str],
           cells: list[list[int]]) -> str:
    head = f'<th scope="col">{esc(corner)}</th>' + "".join(
        f'<th scope="col">{esc(c)}</th>' for c in columns) + '<th scope="col">Total</th>'
    body = "".join(
        f'<tr><th scope="row">{esc(label)}</th>'
        + "".join(f'<td data-series="{esc(c)}">{n}</td>' for c, n in zip(columns, counts,
                                                                         strict=True))
        + f'<td class="total">{sum(counts)}</td></tr>'
        for label, counts in zip(rows, cells, strict=True))
    return (f'<div class="scroll"><table class="chart-data" id="{esc(ident)}-data">'
            f'<caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


def stacked_bars(ident: str, title: str, events: list[tuple[float, str]],
                 series: list[str]) -> Markup:
    """A <figure>: bars of events per time bucket, each bar stacked by series (the value
    each event has: its risk level, its decision...), then the same counts as a table.
    `events`: (time, series value); values not in `series` are added at the end."""
    names = list(series) + sorted({s for _, s in events} - set(series))
    if not events:
        return Markup(f'<figure class="chart" id="{esc(ident)}"><figcaption>{esc(title)}'
                      f'</figcaption><p class="muted">No events yet.</p></figure>')
    cut = buckets([t for t, _ in events])
    counts = [[0] * len(names) for _ in range(cut.count)]
    for when, value in events:
        counts[cut.index(when)][names.index(value)] += 1
    # Only the series that occur get a legend entry and a column.
    used = [i for i in range(len(names)) if any(row[i] for row in counts)]
    shown = [names[i] for i in used]
    width, height, left, top, bottom = 660, 260, 64, 16, 64
    plot_w, plot_h = width - left - 150, height - top - bottom
    peak = max(sum(row) for row in counts) or 1
    bar = plot_w / cut.count
    parts = []
    for b, row in enumerate(counts):
        y = top + plot_h
        for i in used:
            n = row[i]
            if not n:
                continue
            h = n / peak * plot_h
            y -= h
            parts.append(
                f'<rect class="bar" x="{left + b * bar + 2:.1f}" y="{y:.1f}" '
                f'width="{max(bar - 4, 1):.1f}" height="{h:.1f}" fill="url(#{esc(ident)}-p{i})"'
                f' stroke="#16191f" stroke-width="0.6" data-bucket="{esc(cut.label(b))}" '
                f'data-series="{esc(names[i])}" data-count="{n}">'
                f'<title>{esc(cut.label(b))}: {n} {esc(names[i])}</title></rect>')
        total = sum(row)
        if total:
            parts.append(f'<text x="{left + b * bar + bar / 2:.1f}" y="{y - 3:.1f}" '
                         f'text-anchor="middle" font-size="10">{total}</text>')
    # Axes: the count scale and, under every few bars, the bucket's start.
    axis = (f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
            f'stroke="#545b64"/><line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
            f'stroke="#545b64"/>'
            f'<text x="{left - 6}" y="{top + 8}" text-anchor="end" font-size="10">{peak}</text>'
            f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="10">0</text>')
    step = max(1, cut.count // 6)
    for b in range(0, cut.count, step):
        x = left + b * bar + bar / 2
        axis += (f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" '
                 f'text-anchor="end" transform="rotate(-30 {x:.1f} {top + plot_h + 14})">'
                 f'{esc(cut.short(b))}</text>')
    legend = "".join(
        f'<g class="legend-item"><rect x="{width - 140}" y="{top + k * 22}" width="16" '
        f'height="16" fill="url(#{esc(ident)}-p{i})" stroke="#16191f"/>'
        f'<text x="{width - 118}" y="{top + k * 22 + 12}" font-size="12">{esc(names[i])}</text>'
        f'</g>' for k, i in enumerate(used))
    summary = "; ".join(f"{name}: {sum(row[i] for row in counts)}"
                        for name, i in zip(shown, used, strict=True))
    desc = (f"{len(events)} events in {cut.count} bucket(s) of one {cut.unit}, from "
            f"{cut.label(0)} UTC. Totals: {summary}. The table below has every count.")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-labelledby="{esc(ident)}-t {esc(ident)}-d"'
           f' class="chart-svg"><title id="{esc(ident)}-t">{esc(title)}</title>'
           f'<desc id="{esc(ident)}-d">{esc(desc)}</desc>{_defs(ident, used)}'
           f'{axis}{"".join(parts)}{legend}</svg>')
    table = _table(ident, f"{title} (per {cut.unit}, UTC)", "From",
                   [cut.label(b) for b in range(cut.count)], shown,
                   [[row[i] for i in used] for row in counts])
    return Markup(f'<figure class="chart" id="{esc(ident)}"><figcaption>{esc(title)}'
                  f'</figcaption>{svg}{table}</figure>')


# Marker shapes of the user timeline, one per risk level (the shape tells them apart).
_SHAPES = {"No risk": "circle", "Low": "square", "Medium": "triangle", "High": "diamond"}


def _marker(shape: str, x: float, y: float) -> str:
    r = 7
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}"'
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r:.1f},{y + r:.1f} '
                f'{x - r:.1f},{y + r:.1f}"')
    if shape == "diamond":
        return (f'<polygon points="{x:.1f},{y - r - 2:.1f} {x + r + 2:.1f},{y:.1f} '
                f'{x:.1f},{y + r + 2:.1f} {x - r - 2:.1f},{y:.1f}"')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}"'


@dataclass(frozen=True)
class Point:
    """One event of a user's timeline."""
    number: int         # the row number in the table beside the chart
    when: float
    level: str          # "No risk", "Low", "Medium", "High"
    label: str          # what the marker's <title> says (event, decision, signals)


def timeline(ident: str, title: str, points: list[Point]) -> Markup:
    """A user's events left (oldest) to right (newest), one row per risk level; each marker
    shaped by its level and numbered as the events table beside it."""
    if not points:
        return Markup(f'<figure class="chart" id="{esc(ident)}"><figcaption>{esc(title)}'
                      f'</figcaption><p class="muted">No events yet.</p></figure>')
    levels = list(_SHAPES)
    width, left, right, top, row_h = 640, 96, 24, 16, 34
    height = top + row_h * len(levels) + 40
    low = min(p.when for p in points)
    high = max(p.when for p in points)
    span = (high - low) or 1.0
    plot_w = width - left - right
    grid = "".join(
        f'<line x1="{left}" y1="{top + k * row_h + row_h / 2}" x2="{width - right}" '
        f'y2="{top + k * row_h + row_h / 2}" stroke="#d5dbdb" stroke-dasharray="3 3"/>'
        f'<text x="{left - 8}" y="{top + k * row_h + row_h / 2 + 4}" text-anchor="end" '
        f'font-size="11">{esc(level)}</text>' for k, level in enumerate(levels))
    marks = []
    for p in points:
        k = levels.index(p.level) if p.level in levels else 0
        x = left + 8 + (p.when - low) / span * (plot_w - 16) if high > low \
            else left + plot_w / 2
        y = top + k * row_h + row_h / 2
        marks.append(
            f'<g class="point" data-number="{p.number}" data-level="{esc(p.level)}">'
            f'<title>#{p.number} {esc(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(p.when)))}'
            f' UTC, {esc(p.level)}: {esc(p.label)}</title>'
            f'{_marker(_SHAPES.get(p.level, "circle"), x, y)} fill="#fff" stroke="#16191f" '
            f'stroke-width="1.5"/><text x="{x:.1f}" y="{y - 10:.1f}" text-anchor="middle" '
            f'font-size="10">{p.number}</text></g>')
    axis_y = top + row_h * len(levels) + 14
    fmt = "%Y-%m-%d %H:%M"
    axis = (f'<text x="{left}" y="{axis_y}" font-size="10">'
            f'{esc(time.strftime(fmt, time.gmtime(low)))} UTC</text>'
            f'<text x="{width - right}" y="{axis_y}" font-size="10" text-anchor="end">'
            f'{esc(time.strftime(fmt, time.gmtime(high)))} UTC</text>')
    counts = "; ".join(f"{level}: {sum(p.level == level for p in points)}" for level in levels)
    desc = (f"{len(points)} events from oldest (left) to newest (right), one row per risk level "
            f"(circle: no risk, square: low, triangle: medium, diamond: high), numbered as "
            f"the events table. {counts}.")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-labelledby="{esc(ident)}-t {esc(ident)}-d"'
           f' class="chart-svg"><title id="{esc(ident)}-t">{esc(title)}</title>'
           f'<desc id="{esc(ident)}-d">{esc(desc)}</desc>{grid}{axis}{"".join(marks)}</svg>')
    return Markup(f'<figure class="chart" id="{esc(ident)}"><figcaption>{esc(title)}'
                  f'</figcaption>{svg}</figure>')
