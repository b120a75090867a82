"""The survey charts: SVG drawn on the server with pygal (as the insights pages draw theirs,
see "Charts" in docs/plugins.md), put in the page as it is. Each is an image with a name and
a description for screen readers; the page has the same figures in a table beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count

from markupsafe import Markup

INK, ACCENT, MUTED = "var(--ink, #1f2328)", "var(--accent, #7a3e00)", "var(--muted, #57606a)"
LINE = "var(--line, #d8d2c4)"
DASHES = (None, "6,4", "2,3")  # told apart without the colours too
_ids = count(1)


def _style():
    from pygal.style import Style

    return Style(background="transparent", plot_background="transparent",
                 font_family="inherit", foreground=INK, foreground_strong=INK,
                 foreground_subtle=MUTED, guide_stroke_color=LINE,
                 major_guide_stroke_color=LINE, colors=(ACCENT, INK, MUTED),
                 value_colors=(INK, INK, INK), opacity="1", opacity_hover="1",
                 label_font_size=14, major_label_font_size=14, legend_font_size=15,
                 value_font_size=14, no_data_font_size=20)


def _named(title: str, description: str) -> Callable:
    """Name the drawing for assistive technology; leave out pygal's inline script."""
    number = next(_ids)

    def name_it(root):
        from pygal.etree import etree

        defs = root.find("defs")
        for script in defs.findall("script"):
            defs.remove(script)
        title_node = root.find("title")
        title_node.text = title
        title_node.set("id", f"surveys-chart-title-{number}")
        desc = etree.Element("desc", id=f"surveys-chart-desc-{number}")
        desc.text = description
        root.insert(list(root).index(title_node) + 1, desc)
        root.set("role", "img")
        root.set("aria-labelledby", f"surveys-chart-title-{number}")
        root.set("aria-describedby", f"surveys-chart-desc-{number}")
        root.set("focusable", "false")
        return root

    return name_it


def render(kind: str, title: str, description: str, labels: Sequence[str],
           series: Sequence[tuple[str, Sequence[float | None]]],
           formatter: Callable[[float], str] = str, **options) -> Markup:
    """``kind``: "line", "bar" or "stacked" (stacked bars)."""
    import pygal  # on the first page with a chart, not at start-up

    drawing = {"line": pygal.Line, "bar": pygal.Bar, "stacked": pygal.StackedBar}[kind](
        style=_style(), js=(), disable_xml_declaration=True, explicit_size=False, width=800,
        height=340, legend_at_bottom=True, show_legend=len(series) > 1,
        value_formatter=formatter, truncate_label=-1, truncate_legend=-1,
        x_label_rotation=30 if len(labels) > 12 else 0, margin=12, margin_right=36,
        classes=("pygal-chart", "surveys-chart"), **options)
    drawing.add_xml_filter(_named(title, description))
    drawing.x_labels = list(labels)
    for (name, values), dash in zip(series, DASHES, strict=False):
        drawing.add(name, list(values), stroke_style={"dasharray": dash} if dash else None)
    return Markup(drawing.render(is_unicode=True))  # noqa: S704 - escaped by pygal's etree
