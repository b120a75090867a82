"""What plugins put into a page: the template slots, panels (each shown to the roles that
may read it), navigation links and the style sheets and scripts they add."""

from __future__ import annotations

from collections.abc import Iterable

from flask import g
from markupsafe import Markup, escape

from hooks.types import Panel
from storefront import plugins
from storefront.web.reader import customer_view


def nav_links() -> list:
    links = plugins.collect("shop_nav_links", customer=customer_view())
    return sorted(links, key=lambda link: (link.order, link.label))


def assets() -> list:
    """The plugins' style sheets and scripts; asked once per request (base.html needs the
    list twice: css in the head, js at the end)."""
    if "storefront_assets" not in g:
        g.storefront_assets = plugins.collect("shop_extra_assets")
    return g.storefront_assets


def panels(hook_name: str, *, extra: Iterable[Panel] = (), **kwargs) -> list[Panel]:
    """The plugins' panels (and the core's ``extra`` ones) the reader's role may see, in
    order."""
    reader = customer_view()
    found = [panel for panel in [*extra, *plugins.collect(hook_name, **kwargs)]
             if panel.role == "customer" or reader.has_role(panel.role)]
    return sorted(found, key=lambda panel: (panel.order, panel.title))


def render_slot(name: str, **context) -> Markup | str:
    """Collect what plugins render into a named slot of the page (or of a text message:
    ``TEXT_SLOTS`` hold plain text, one plugin's answer a paragraph)."""
    results = plugins.collect("shop_template_slot", name=name, context=context)
    if not results:  # the usual answer: no plugin fills this slot on this page
        return "" if name in TEXT_SLOTS else _EMPTY
    if name in TEXT_SLOTS:
        return "\n\n".join(str(r).strip() for r in results if r)
    return Markup("").join(r if isinstance(r, Markup) else escape(r) for r in results if r)


_EMPTY = Markup("")
# Slots of text messages (notifications/*.txt, not autoescaped): what plugins give is text.
TEXT_SLOTS = frozenset({"order_paid_message"})
