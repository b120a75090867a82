"""Content pages, read from content/pages/ and cached until a file changes."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from storefront.content.loader import ContentProblem, PageSource, load_pages, log_skipped


def _signature(root: Path) -> tuple:
    folder = root / "pages"
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.md")))


def page_for(slug: str, language: str) -> PageSource | None:
    """The content page ``slug`` as written in ``language`` (about.es.md), else as written in
    its main file (about.md); None when there is no such page."""
    page = page_index().get(slug)
    return page.in_language(language) if page is not None else None


def page_index() -> dict[str, PageSource]:
    root = Path(current_app.config["CONTENT_DIR"])
    cache = current_app.extensions.setdefault("storefront.pages", {})
    signature = _signature(root)
    if cache.get("signature") != signature:
        problems: list[ContentProblem] = []
        cache["pages"] = load_pages(root, problems)  # the product files are not read
        log_skipped(problems)
        cache["signature"] = signature
    return cache["pages"]
