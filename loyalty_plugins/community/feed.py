"""The Atom feed of public articles.

Built with the standard library's ElementTree rather than a template or a feed library:
every text is escaped by the serialiser (no chance of a broken or injected feed from an
article's title), and it adds no dependency for the dozen elements Atom needs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - writes XML, never parses any
from datetime import date

from loyalty_plugins.community.articles import Article

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def atom(articles: list[Article], base_url: str, title: str) -> bytes:
    """The feed document for ``articles`` (public ones only: the caller filters), with
    absolute links under ``base_url``."""
    base = base_url.rstrip("/")
    feed = ET.Element("feed", xmlns=ATOM)  # plain names in Atom's default namespace
    _add(feed, "title", title)
    _add(feed, "id", f"{base}/community/")
    _add(feed, "updated", _stamp(max((a.date for a in articles), default=date(2000, 1, 1))))
    _add(feed, "link", rel="self", type="application/atom+xml",
         href=f"{base}/community/feed.atom")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base}/community/")
    for article in articles:
        url = f"{base}/community/{article.slug}"
        entry = _add(feed, "entry")
        _add(entry, "title", article.title)
        _add(entry, "id", url)
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "published", _stamp(article.date))
        _add(entry, "updated", _stamp(article.date))
        _add(_add(entry, "author"), "name", article.author)
        for topic in article.topics:
            _add(entry, "category", term=topic)
        _add(entry, "summary", str(article.teaser_html), type="html")
        _add(entry, "content", str(article.body_html), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
