"""Content pages, read from content/pages/ and cached until a file changes."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from storefront.content.loader import PageSource, load_content


def _signature(root: Path) -> tuple:
    folder = root / "pages"
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.md")))


def page_index() -> dict[str, PageSource]:
    root = Path(current_app.config["CONTENT_DIR"])
    cache = current_app.extensions.setdefault("storefront.pages", {})
    signature = _signature(root)
    if cache.get("signature") != signature:
        cache["pages"] = load_content(root).pages
        cache["signature"] = signature
    return cache["pages"]
