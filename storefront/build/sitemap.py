"""sitemap.xml (sitemaps.org protocol) with the absolute URLs of the static site."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
FILENAME = "sitemap.xml"


def sitemap_xml(site_url: str, hrefs: Iterable[str]) -> bytes:
    """``hrefs`` are root-relative static links (``/products/x/``). Written as text, laid out
    as ElementTree's ``indent`` would (a tenth of the time for a thousand URLs)."""
    base = escape(site_url.rstrip("/"), quote=False)
    urls = "".join(f"  <url>\n    <loc>{base}{escape(href, quote=False)}</loc>\n  </url>\n"
                   for href in sorted(set(hrefs)))
    return (f"<?xml version='1.0' encoding='utf-8'?>\n<urlset xmlns=\"{NS}\">\n{urls}"
            "</urlset>\n").encode()
