"""Charts drawn on the server as SVG with pygal, put in the page as they are: they show without
JavaScript, load nothing from elsewhere, and take the theme's colours and font.

Each chart is an image with a name and a description (``role="img"``, its ``<title>`` and
``<desc>``); the page shows the same figures in a table beside it. Series are told apart by
their dash pattern as well as their colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import count

from markupsafe import Markup

# The theme's own colours (both themes define these; the fallbacks are the default theme's),
# each with a contrast of at least 4.5:1 on the page's background.
INK, ACCENT, MUTED = "var(--ink, #1f2328)", "var(--accent, #7a3e00)", "var(--muted, #57606a)"
LINE = "var(--line, #d8d2c4)"  # the guides: faint, as the theme's rules
SERIES_COLOURS = (ACCENT, INK, MUTED)
DASHES = (None, "6,4", "2,3")  # solid, dashed, dotted: readable without the colours

_ids = count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence  # numbers, or (x, y) pairs on an XY chart


@dataclass(frozen=True)
class Chart:
    """What a chart shows: ``kind`` is "line", "bar", "stacked" (stacked bars) or "xy"."""

    kind: str
    title: str
    description: str  # the figures' gist in a sentence, for those who do not see the picture
    series: Sequence[Series]
    labels: Sequence[str] = ()  # of the x axis (not for "xy")
    formatter: Callable[[float], str] = str  # of the values and the y axis
    x_formatter: Callable[[float], str] = str  # of the x axis ("xy" only)
    options: dict = field(default_factory=dict)  # more pygal settings (ranges, labels)


_KINDS = {"line": "Line", "bar": "Bar", "stacked": "StackedBar", "xy": "XY"}  # pygal's classes


@cache
def _style():
    from pygal.style import Style

    return Style(
        background="transparent", plot_background="transparent", font_family="inherit",
        foreground=INK, foreground_strong=INK, foreground_subtle=MUTED,
        guide_stroke_color=LINE, major_guide_stroke_color=LINE,
        colors=SERIES_COLOURS, value_colors=(INK,) * len(SERIES_COLOURS),
        opacity="1", opacity_hover="1", stroke_opacity="1", stroke_opacity_hover="1",
        stroke_width="3", stroke_width_hover="4",
        label_font_size=14, major_label_font_size=14, legend_font_size=15, title_font_size=17,
        value_font_size=14, tooltip_font_size=14, no_data_font_size=20,
    )


def _accessible(title: str, description: str) -> Callable:
    """An xml filter naming the drawing for assistive technology (an image labelled by its
    title and described by its description) and leaving out pygal's inline script (the
    shop's pages run none)."""
    number = next(_ids)

    def name_it(root):
        from pygal.etree import etree

        defs = root.find("defs")
        for script in defs.findall("script"):  # pygal's config for its tooltips: not used
            defs.remove(script)
        title_id, desc_id = f"chart-title-{number}", f"chart-desc-{number}"
        title_node = root.find("title")  # pygal's, "Pygal" when the chart draws no title
        title_node.text = title
        title_node.set("id", title_id)
        desc = etree.Element("desc", id=desc_id)
        desc.text = description
        root.insert(list(root).index(title_node) + 1, desc)
        root.set("role", "img")
        root.set("aria-labelledby", title_id)
        root.set("aria-describedby", desc_id)
        root.set("focusable", "false")
        return root

    return name_it


def whole_ticks(highest: float, most: int = 6) -> list[int]:
    """Whole-number marks for an axis of counts from 0 to at least ``highest``, a round step
    apart (1, 2 or 5 times a power of ten), at most about ``most`` of them."""
    wanted = max(highest, 1) / (most - 1)
    power = 10 ** max(0, math.floor(math.log10(wanted)))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= wanted)
    return list(range(0, math.ceil(highest / step) * step + 1, step)) if highest else [0, 1]


def render(chart: Chart) -> Markup:
    """The chart as inline SVG markup (escaped by pygal: names and labels are safe)."""
    import pygal  # on the first page with a chart, not at start-up

    drawing = getattr(pygal, _KINDS[chart.kind])(
        style=_style(), js=(), disable_xml_declaration=True, explicit_size=False,
        width=800, height=360, legend_at_bottom=True,  # the page's heading names it
        show_legend=len(chart.series) > 1, value_formatter=chart.formatter,
        x_value_formatter=chart.x_formatter, truncate_label=-1, truncate_legend=-1,
        x_label_rotation=30 if len(chart.labels) > 12 else 0,
        show_minor_x_labels=len(chart.labels) <= 12, x_labels_major_count=12,
        margin=12, margin_right=36, dots_size=3, legend_box_size=16,
        classes=("pygal-chart", "insights-chart"), **chart.options)
    drawing.add_xml_filter(_accessible(chart.title, chart.description))
    if chart.labels:
        drawing.x_labels = list(chart.labels)
    for series, dash in zip(chart.series, DASHES * len(chart.series), strict=False):
        drawing.add(series.name, list(series.values),
                    stroke_style={"dasharray": dash} if dash else None)
    return Markup(drawing.render(is_unicode=True))  # noqa: S704 - escaped by its etree
