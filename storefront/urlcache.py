"""``url_for`` for templates, remembered per app: most links of a page never change.

A page of the shop builds a dozen links (style sheet, navigation, footer, category, tags)
that are the same for every request. Building one costs Werkzeug a rule lookup, quoting and
string work; remembering the result per (script root, host, endpoint, values) gives the same
string for a dict lookup. Anything that could make the URL depend on more than that key is
passed straight to Flask: ``_external``/``_anchor``/``_method``/``_scheme``, relative
endpoints (``.name``), values that are not plain strings or numbers, apps with
``url_defaults`` callbacks, and calls outside a request.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, has_request_context, request

PLAIN = (str, int)


def cached_url_for(app: Flask, limit: int = 4096) -> Callable[..., str]:
    cache: dict[tuple, str] = {}
    build = app.url_for

    def url_for(endpoint: str, **values: object) -> str:
        if (endpoint.startswith(".") or not has_request_context()
                or any(app.url_default_functions.values())
                or not all(type(v) in PLAIN and k[0] != "_" for k, v in values.items())):
            return build(endpoint, **values)
        key = (request.script_root, request.host, endpoint, *sorted(values.items()))
        url = cache.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(cache) >= limit:  # links come from the catalogue: bounded, but be sure
                cache.clear()
            cache[key] = url
        return url

    return url_for
