"""sitemap.xml (sitemaps.org protocol) with the absolute URLs of the static site."""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET  # noqa: S405 - we write XML, we never parse it

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
FILENAME = "sitemap.xml"


def sitemap_xml(site_url: str, hrefs: Iterable[str]) -> bytes:
    """``hrefs`` are root-relative static links (``/products/x/``)."""
    root = ET.Element("urlset", xmlns=NS)
    base = site_url.rstrip("/")
    for href in sorted(set(hrefs)):
        ET.SubElement(ET.SubElement(root, "url"), "loc").text = base + href
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
