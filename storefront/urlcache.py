"""``url_for`` for templates, remembered per app: most links of a page never change.

A page of the shop builds a dozen links (style sheet, navigation, footer, category, tags)
that are the same for every request. Building one costs Werkzeug a rule lookup, quoting and
string work; remembering the result per (script root, host, endpoint, values) gives the same
string for a dict lookup. The (script root, host) table is found once per request and kept
on the request object, so each link costs one lookup in it. Anything that could make the URL
depend on more than that key is passed straight to Flask: ``_external``/``_anchor``/
``_method``/``_scheme``, relative endpoints (``.name``), values that are not plain strings
or numbers, apps with ``url_defaults`` callbacks, and calls outside a request.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, has_request_context, request

PLAIN = (str, int)
_LINKS = "_storefront_links"  # attribute of the request: its (script root, host) table
MAX_SITES = 64


def cached_url_for(app: Flask, limit: int = 4096) -> Callable[..., str]:
    tables: dict[tuple[str, str], dict[tuple, str]] = {}
    build = app.url_for

    def links_of_request() -> dict[tuple, str] | None:
        """The table for this request's script root and host, found once per request; None
        outside a request or when ``url_defaults`` callbacks could change a link."""
        if not has_request_context() or any(app.url_default_functions.values()):
            return None
        req = request._get_current_object()
        links = req.__dict__.get(_LINKS)
        if links is None:
            site = (req.script_root, req.host)
            links = tables.get(site)
            if links is None:
                if len(tables) >= MAX_SITES:  # the Host header is the client's: stay bounded
                    tables.clear()
                links = tables[site] = {}
            req.__dict__[_LINKS] = links
        return links

    def url_for(endpoint: str, **values: object) -> str:
        if endpoint[:1] == ".":
            return build(endpoint, **values)
        for name, value in values.items():
            if type(value) not in PLAIN or name[:1] == "_":
                return build(endpoint, **values)
        links = links_of_request()
        if links is None:
            return build(endpoint, **values)
        key = (endpoint, *values.items())  # keyword order only makes a second entry
        url = links.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(links) >= limit:  # links come from the catalogue: bounded, but be sure
                links.clear()
            links[key] = url
        return url

    return url_for
