from urllib.parse import urlsplit


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
