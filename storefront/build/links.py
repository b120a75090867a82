"""Rewrite the links of a rendered page for the static site.

- a link to another page of the static site becomes its static address (``/products/x`` ->
  ``/products/x/``, ``/?page=2`` -> ``/page/2/``), root-relative: the site is served from
  the root of its domain;
- a link to a copied asset (``/static/style.css``) stays as it is;
- any other link on the shop (cart, log in, search, account, member pages, form actions)
  becomes an absolute URL on the shop (``BASE_URL``), where it works;
- absolute URLs, fragments and relative links are left alone.

Only ``href``, ``src`` and ``action`` attributes written in double quotes are rewritten:
that is how Jinja templates and the Markdown renderer write them; text in a page never
matches because autoescaping turns its quotes into entities.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping
from urllib.parse import urlsplit

from markupsafe import escape

from storefront.build.paths import canonical

# HTML separates attributes by ASCII whitespace and names them in ASCII letters: matching
# just those (not Unicode spaces, nor the long s that Unicode case folding equates with "s")
# is also a fifth faster.
_WS = r"[ \t\n\r\f]"
_ATTRIBUTE = re.compile(rf'({_WS}(?:href|src|action){_WS}*={_WS}*")([^"]*)(")',
                        re.IGNORECASE | re.ASCII)


class LinkRewriter:
    def __init__(self, pages: Mapping[str, str], assets: Collection[str], shop_url: str):
        """``pages``: key -> static href; ``assets``: URL paths of copied files."""
        self._pages = pages
        self._assets = assets
        self._shop = shop_url.rstrip("/")
        # Attribute as written -> as rewritten. Every page repeats the same header, nav and
        # footer links, and listings the same product links: each is worked out once.
        self._done: dict[str, str] = {}

    def url(self, value: str) -> str:
        if not value.startswith("/") or value.startswith("//"):
            return value
        parts = urlsplit(value)
        key = canonical(parts.path, parts.query)
        if key is not None and key in self._pages:
            return self._pages[key] + (f"#{parts.fragment}" if parts.fragment else "")
        if parts.path in self._assets:
            return value
        return self._shop + value

    def html(self, text: str) -> str:
        done = self._done

        def replace(match: re.Match) -> str:
            found = match.group(0)
            try:
                return done[found]
            except KeyError:
                pass
            raw = match.group(2)
            value = html.unescape(raw)
            new = self.url(value)
            done[found] = result = (found if new == value
                                    else f"{match.group(1)}{escape(new)}\"")
            return result

        return _ATTRIBUTE.sub(replace, text)
