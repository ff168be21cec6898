"""Charts drawn on the server as SVG (pygal) and handed to the page as a data URI for an <img>, so
the page needs no script or inline style (Content-Security-Policy). Every chart's numbers are
also in a table beside it (templates/reports/_chart.html)."""

import base64
import re
from functools import lru_cache

import pygal
from pygal.style import Style

from . import suppression

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    title_font_size=14,
)

_SCRIPT = re.compile(rb"<script.*?</script>", re.DOTALL)


def bar_chart(title, labels, values, *, percent=False):
    """A horizontal bar chart as a `data:image/svg+xml;base64,…` URI. Suppressed values (strings)
    and None are left out of the drawing (their table cell says why). The same chart is drawn
    once per process: a published release's charts, which never change, cost nothing after the
    first view."""
    drawn = tuple(
        None if value is None or suppression.is_suppressed(value) else float(value)
        for value in values
    )
    return _draw(str(title), tuple(str(label) for label in labels), drawn, percent)


@lru_cache(maxsize=512)
def _draw(title, labels, drawn, percent):
    chart = pygal.HorizontalBar(
        title=title,
        show_legend=False,
        js=[],
        width=640,
        height=max(160, 28 * len(labels) + 90),
        style=STYLE,
        print_values=True,
        value_formatter=(lambda v: f"{v:.1f} %") if percent else (lambda v: f"{v:,.0f}"),
        range=(0, 100) if percent else None,
        include_x_axis=True,
        truncate_label=40,
        no_data_text="—",
    )
    chart.x_labels = list(labels)
    chart.add(title, list(drawn))
    svg = _SCRIPT.sub(b"", chart.render())
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
