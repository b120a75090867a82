"""Community articles: Markdown files with YAML front matter in content/community/.

A file that does not validate is reported by ``storefront content check`` (file, field,
problem) and, at run time, left out with a logged warning: it never breaks a page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from markupsafe import Markup

from hooks import FolderCache, InvalidField, read_fields, render_markdown

log = logging.getLogger("storefront.plugins.community")

FOLDER = "community"
FIELDS = {"title", "date", "author", "topics", "audience", "teaser", "slug"}
REQUIRED = ("title", "date", "author", "topics", "audience")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AUDIENCE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Addresses under /community/ that are not articles.
RESERVED_SLUGS = frozenset({"topics", "comments", "moderation", "static", "feed"})
PARAGRAPH_RE = re.compile(r"<p>.*?</p>", re.S)


@dataclass(frozen=True)
class Article:
    slug: str
    source: str  # the file under the content folder: community/tea-tasting.md
    title: str
    date: date
    author: str
    topics: tuple[str, ...]
    audience: str  # public | members | a tier code (the lowest tier that may read it)
    teaser_html: Markup  # what everyone may see: the teaser field or the first paragraph
    body_html: Markup

    @property
    def is_public(self) -> bool:
        return self.audience == "public"


def _text(meta: dict, name: str, max_len: int = 200) -> str:
    value = meta.get(name)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidField(name, "must be text")
    value = str(value).strip()
    if not value:
        raise InvalidField(name, "must not be empty")
    if len(value) > max_len:
        raise InvalidField(name, f"is longer than {max_len} characters")
    return value


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidField("date", "must be a date like 2026-03-14") from exc


def _topics(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(
            isinstance(t, str) and SLUG_RE.match(t) for t in value):
        raise InvalidField("topics", "must be a list of one or more lowercase words or "
                                "hyphenated words, like [brewing, tea]")
    return tuple(dict.fromkeys(value))


def _audience(value: object) -> str:
    audience = str(value).strip()
    if not AUDIENCE_RE.match(audience):
        raise InvalidField("audience", "must be public, members or a tier code such as silver")
    return audience


def _teaser(meta: dict, body_html: str, audience: str) -> Markup:
    if meta.get("teaser") is not None:
        return render_markdown(_text(meta, "teaser", max_len=1000))
    first = PARAGRAPH_RE.search(body_html)
    if first is None:
        return Markup("")
    if audience != "public" and first.group(0).strip() == body_html.strip():
        # Its only paragraph would be shown to everyone as the teaser.
        raise InvalidField("teaser", "an article that is not public needs a teaser field or more "
                                "than one paragraph")
    return Markup(first.group(0))  # noqa: S704 - rendered by render_markdown, html escaped


def parse(stem: str, source: str, text: str) -> Article:
    meta, body = read_fields(text, FIELDS, REQUIRED)
    slug = _text(meta, "slug") if meta.get("slug") is not None else stem
    if not SLUG_RE.match(slug):
        raise InvalidField("slug", f"{slug!r} must be lowercase letters, digits and hyphens")
    if slug in RESERVED_SLUGS:
        raise InvalidField("slug", f"{slug!r} is taken by a community page; choose another")
    audience = _audience(meta["audience"])
    body_html = render_markdown(body)
    if not body.strip():
        raise InvalidField("body", "the article has no text after the front matter")
    return Article(slug=slug, source=source, title=_text(meta, "title"),
                   date=_date(meta["date"]), author=_text(meta, "author", max_len=120),
                   topics=_topics(meta["topics"]), audience=audience,
                   teaser_html=_teaser(meta, str(body_html), audience), body_html=body_html)


def folder(root: str | Path | None = None) -> Path:
    return Path(root or current_app.config["CONTENT_DIR"]) / FOLDER


def read_folder(where: Path, shown: Path, tiers: Collection[str] | None = None,
                ) -> tuple[list[Article], list[tuple[str, str, str]]]:
    """Every valid article (newest first) and every problem as (file, field, problem); a file
    is named relative to ``shown``. With ``tiers`` (the codes of the tier ladder), an article
    for a tier not in it is a problem too."""
    articles: list[Article] = []
    problems: list[tuple[str, str, str]] = []
    seen: dict[str, str] = {}
    for path in sorted(where.glob("*.md")) if where.is_dir() else []:
        name = str(path.relative_to(shown)) if shown in path.parents else str(path)
        try:
            article = parse(path.stem, f"{FOLDER}/{path.name}", path.read_text(encoding="utf-8"))
        except InvalidField as exc:
            problems.append((name, exc.field, exc.problem))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append((name, "file", f"cannot be read: {exc}"))
            continue
        if article.slug in seen:
            problems.append((name, "slug", f"{article.slug!r} is already used by "
                                           f"{seen[article.slug]}"))
            continue
        if tiers is not None and article.audience not in ("public", "members", *tiers):
            problems.append((name, "audience", f"{article.audience!r} is not a tier (the tier "
                                               f"ladder has {', '.join(tiers) or 'none'})"))
            continue
        seen[article.slug] = name
        articles.append(article)
    articles.sort(key=lambda a: (a.date, a.title), reverse=True)
    return articles, problems


def check(root: str | Path, tiers: Collection[str] | None) -> list[tuple[str, str, str]]:
    root = Path(root)
    return read_folder(folder(root), root.parent, tiers)[1]


def _read(where: Path) -> list[Article]:
    articles, problems = read_folder(where, where.parent.parent)
    for name, field, problem in problems:
        log.warning("community article skipped: %s: %s: %s", name, field, problem)
    return articles


_files = FolderCache(_read)


def all_articles() -> list[Article]:
    """Every valid article, newest first; files are read again only when they change."""
    return _files.get(folder())


def find(slug: str) -> Article | None:
    return next((a for a in all_articles() if a.slug == slug), None)


def topics(articles: list[Article]) -> list[str]:
    return sorted({t for a in articles for t in a.topics})
