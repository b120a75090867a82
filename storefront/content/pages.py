"""Content pages, read from content/pages/ and cached until a file changes."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app

from storefront.content.loader import ContentProblem, PageSource, load_pages

log = logging.getLogger(__name__)


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
        problems: list[ContentProblem] = []
        cache["pages"] = load_pages(root, problems)  # the product files are not read
        for problem in problems:
            log.warning("content skipped: %s", problem)
        cache["signature"] = signature
    return cache["pages"]
