"""What people type, as the pages show it: Markdown rendered by the shop, then cleaned by nh3
with an allow-list, as the community plugin shows discussions (no images, no headings, links
only to the web or mail)."""

from __future__ import annotations

from markupsafe import Markup

from hooks import render_markdown

TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> Markup:
    import nh3  # on the first complaint shown, not at start-up

    html = nh3.clean(str(render_markdown(text)), tags=TAGS, attributes=ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="nofollow noopener")
    return Markup(html)  # noqa: S704 - sanitised by nh3 with an allow-list
