"""Charts drawn on the server as SVG: pure functions from rows of numbers to SVG text (no JavaScript).

Every label is escaped; every size comes from the data (the label column from the longest label, the
height from the number of rows). A bar's length is its value over the largest value of the chart, times
the width of the plot, so bars compare exactly as the numbers of the table beside them do. Each bar is a
`<rect class="bar">` carrying `data-label` and `data-value`, with a `<title>` a mouse or screen reader
finds.
"""

import unicodedata

from markupsafe import Markup, escape

FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif"
FONT_SIZE = 13
ROW = 24  # height of one row
BAR = 16  # thickness of one bar
PLOT = 360  # width of the plot of a bar chart
HALF = 220  # width of each side of a pyramid
GAP = 8
PAD = 10
LABEL_MAX = 16  # characters of a label drawn; the full label stays in the bar's title
COLOURS = ("#1f4e79", "#c0504d")
AXIS = "#888"
TEXT = "#222"


def text_width(text):
    """The width of `text` in pixels at FONT_SIZE: wide (Chinese) characters 1 em, others about 0.6 em."""
    return sum(FONT_SIZE if unicodedata.east_asian_width(c) in "WF" else FONT_SIZE * 0.6 for c in str(text))


def _short(label):
    label = str(label)
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def _number(value):
    return f"{value:,}" if isinstance(value, int) else str(value)


def _fmt(x):
    """A coordinate with at most two decimals, no trailing zeros."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _length(value, largest, width):
    return value / largest * width if largest > 0 else 0.0


def _svg(width, height, title, body):
    """Wrap drawn elements in an <svg> of the given size, with its title for screen readers."""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{_fmt(width)}" height="{_fmt(height)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(height)}" font-family="{FONT}" font-size="{FONT_SIZE}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _bar(x, y, width, label, value, unit, colour, extra=""):
    tip = f"{label}：{_number(value)} {unit}".rstrip()
    return (
        f'<rect class="bar{extra}" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(width)}" height="{BAR}" fill="{colour}" '
        f'data-label="{escape(label)}" data-value="{escape(value)}"><title>{escape(tip)}</title></rect>'
    )


def _text(x, y, text, anchor="start", weight=None):
    bold = ' font-weight="bold"' if weight else ""
    return f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}" fill="{TEXT}"{bold}>{escape(text)}</text>'


def bar_chart(rows, title, unit="人"):
    """Return an SVG horizontal bar chart of (label, value) rows, one bar per row in the order given."""
    rows = [(str(label), value) for label, value in rows]
    largest = max((value for _, value in rows), default=0)
    label_width = max((text_width(_short(label)) for label, _ in rows), default=0) + GAP
    value_width = max((text_width(_number(value)) for _, value in rows), default=0) + GAP
    x0 = PAD + label_width
    width = x0 + PLOT + GAP + value_width + PAD
    height = PAD * 2 + ROW * max(len(rows), 1)
    body = [f'<line x1="{_fmt(x0)}" y1="{PAD}" x2="{_fmt(x0)}" y2="{_fmt(height - PAD)}" stroke="{AXIS}"/>']
    for number, (label, value) in enumerate(rows):
        top = PAD + number * ROW
        middle = top + ROW / 2 + FONT_SIZE * 0.35
        length = _length(value, largest, PLOT)
        body.append(_text(x0 - GAP / 2, middle, _short(label), "end"))
        body.append(_bar(x0, top + (ROW - BAR) / 2, length, label, value, unit, COLOURS[0]))
        body.append(_text(x0 + length + GAP / 2, middle, _number(value)))
    return _svg(width, height, title, body)


def pyramid_chart(rows, title, sides=("男", "女"), unit="人"):
    """Return an SVG two-sided bar chart (a population pyramid) of (label, left, right) rows.

    Rows are drawn top to bottom in the order given (give the oldest band first); labels sit in the
    middle, the left side's bars grow leftwards, the right side's rightwards, both on one scale.
    """
    rows = [(str(label), left, right) for label, left, right in rows]
    largest = max((max(left, right) for _, left, right in rows), default=0)
    label_width = max([text_width(_short(label)) for label, _, _ in rows] + [0]) + 2 * GAP
    value_width = max([text_width(_number(v)) for _, left, right in rows for v in (left, right)] + [0]) + GAP
    centre_left = PAD + value_width + HALF
    centre_right = centre_left + label_width
    width = centre_right + HALF + value_width + PAD
    top0 = PAD + ROW  # the first row holds the side names
    height = top0 + ROW * max(len(rows), 1) + PAD
    body = [
        _text(centre_left - GAP / 2, PAD + FONT_SIZE, sides[0], "end", weight=True),
        _text(centre_right + GAP / 2, PAD + FONT_SIZE, sides[1], "start", weight=True),
        f'<line x1="{_fmt(centre_left)}" y1="{top0}" x2="{_fmt(centre_left)}" y2="{_fmt(height - PAD)}" stroke="{AXIS}"/>',
        f'<line x1="{_fmt(centre_right)}" y1="{top0}" x2="{_fmt(centre_right)}" y2="{_fmt(height - PAD)}" stroke="{AXIS}"/>',
    ]
    for number, (label, left, right) in enumerate(rows):
        top = top0 + number * ROW
        middle = top + ROW / 2 + FONT_SIZE * 0.35
        bar_top = top + (ROW - BAR) / 2
        left_length, right_length = _length(left, largest, HALF), _length(right, largest, HALF)
        body.append(_text((centre_left + centre_right) / 2, middle, _short(label), "middle"))
        body.append(
            _bar(centre_left - left_length, bar_top, left_length, f"{label} {sides[0]}", left, unit, COLOURS[0], " left")
        )
        body.append(_text(centre_left - left_length - GAP / 2, middle, _number(left), "end"))
        body.append(_bar(centre_right, bar_top, right_length, f"{label} {sides[1]}", right, unit, COLOURS[1], " right"))
        body.append(_text(centre_right + right_length + GAP / 2, middle, _number(right)))
    return _svg(width, height, title, body)
