"""Where a page of the shop lands in the static site, and the link that reaches it there.

A page is known by the path the shop serves it at (its *key*): ``/``, ``/products/x``,
``/category/coffee?page=2``. The only query string a static page may have is the listing
pager's ``page=N``. A path whose last segment has a suffix (``/community/feed.atom``) is
written as that file; any other path becomes a folder with an ``index.html``, reached by the
same path with a trailing slash (``/products/x/``), which every web server serves from the
domain root without configuration. Page ``N`` of a listing lives under ``<listing>/page/N/``.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from urllib.parse import urlsplit

_PAGE_QUERY = re.compile(r"^page=([1-9][0-9]{0,5})$")


class PathError(ValueError):
    """A page path the static site cannot hold."""


def page_key(path: str, page: int = 1) -> str:
    """The key of page ``page`` of the listing at ``path`` (page 1 has no query)."""
    return path if page == 1 else f"{path}?page={page}"


def canonical(path: str, query: str = "") -> str | None:
    """The key for a request path and query, or None when the query makes it dynamic."""
    if not query:
        return path
    match = _PAGE_QUERY.match(query)
    return page_key(path, int(match.group(1))) if match else None


# A build asks for every page's file and link several times (listing, checks, links,
# sitemap); the answers depend on the key alone.
@lru_cache(maxsize=16384)
def _split(key: str) -> tuple[str, int]:
    parts = urlsplit(key)
    path = parts.path
    if (not path.startswith("/") or parts.scheme or parts.netloc or parts.fragment
            or posixpath.normpath(path).rstrip("/") != path.rstrip("/") or "\\" in path):
        raise PathError(f"{key!r} is not a clean path on the shop (like /products/x)")
    page = 1
    if parts.query:
        match = _PAGE_QUERY.match(parts.query)
        if not match:
            raise PathError(f"{key!r}: a static page can have no query string but ?page=N")
        page = int(match.group(1))
    return path, page


def _is_file(path: str) -> bool:
    return not path.endswith("/") and "." in path.rsplit("/", 1)[-1]


def _folder(key: str) -> str:
    path, page = _split(key)
    folder = path.strip("/")
    if page > 1:
        folder = posixpath.join(folder, "page", str(page))
    return folder


@lru_cache(maxsize=16384)
def output_file(key: str) -> str:
    """The file, relative to the output folder: ``products/x/index.html``."""
    path, page = _split(key)
    if _is_file(path) and page == 1:
        return path.lstrip("/")
    return posixpath.join(_folder(key), "index.html")


@lru_cache(maxsize=16384)
def static_href(key: str) -> str:
    """The root-relative link to the page on the static site: ``/products/x/``."""
    path, page = _split(key)
    if _is_file(path) and page == 1:
        return path
    folder = _folder(key)
    return f"/{folder}/" if folder else "/"
