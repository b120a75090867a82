from urllib.parse import urlsplit

from flask import current_app, request


def is_safe_local_path(target: str | None) -> bool:
    """True only for a path on this site: '/account', not '//evil', '/\\evil' or 'http://'."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_local_path(target) else default


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def from_this_site() -> bool:
    """Whether a POST comes from a page of this shop: its Origin (every current browser sends
    one with a form's POST), else its Referer, is the shop's own origin, as the request
    reached it or as ``BASE_URL`` names it (behind a proxy that ends TLS). Another site's
    page cannot make a browser send this shop's origin."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not source:
        return False
    own = {request.host_url.rstrip("/"), _origin(current_app.config["BASE_URL"])} - {""}
    return any(source == site or source.startswith(site + "/") for site in own)
