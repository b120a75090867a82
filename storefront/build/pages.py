"""The pages of the static site and what each is made from.

Core pages: the home page and the category and tag listings (every page of their pager),
one page per active product, one per content page. Plugins add theirs with the
``shop_static_pages`` hook. Each page carries a fingerprint of its sources; it is rendered
again when that fingerprint, or the site's (templates, settings, code), changes.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from storefront.build.content import CATALOGUE, PRODUCT, TEXT, ContentIndex, translations_of
from storefront.build.manifest import FILENAME as MANIFEST_FILE
from storefront.build.paths import PathError, output_file, page_key, static_href
from storefront.build.sitemap import FILENAME as SITEMAP_FILE
from storefront.build.sources import FileStates, digest
from storefront.catalog.views import PAGE_SIZE
from storefront.extensions import db
from storefront.plugins.dispatch import PluginFailed, each


class BuildError(RuntimeError):
    """The build cannot go on; the message names the page or plugin."""


@dataclass(frozen=True)
class BuildPage:
    key: str  # the path the shop serves it at, e.g. /products/x or /?page=2
    deps: str  # fingerprint of its sources
    in_sitemap: bool = True
    origin: str = "core"  # "core" or the plugin that listed it
    # The language it is written in when the site has several, each under /<language>/.
    language: str = ""

    @property
    def id(self) -> str:
        """Its name in the manifest: the key, after ``<language>:`` when there is one."""
        return f"{self.language}:{self.key}" if self.language else self.key

    @property
    def file(self) -> str:
        prefix = f"{self.language}/" if self.language else ""
        return prefix + output_file(self.key)

    @property
    def href(self) -> str:
        return (f"/{self.language}" if self.language else "") + static_href(self.key)


def in_languages(pages: list[BuildPage], languages: list[str]) -> list[BuildPage]:
    """Each page once per language, under /<language>/; one language keeps the plain paths."""
    if len(languages) < 2:
        return pages
    return [replace(page, language=language) for language in languages for page in pages]


def content_pages(root: Path, states: FileStates, index: ContentIndex) -> list[BuildPage]:
    translations = translations_of(index.products)
    pages = [BuildPage(f"/products/{m['slug']}",
                       states.many(root / r for r in [rel, *translations.get(rel, [])]))
             for rel, m in index.products.items() if "slug" in m]
    by_slug: dict[str, list[str]] = defaultdict(list)
    for rel, meta in index.pages.items():
        if "slug" in meta:
            by_slug[meta["slug"]].append(rel)
    pages += [BuildPage(f"/pages/{slug}", states.many(root / r for r in rels))
              for slug, rels in by_slug.items()]
    return pages


_CARD = (PRODUCT.slug, PRODUCT.title, PRODUCT.summary, PRODUCT.price, PRODUCT.image,
         PRODUCT.category, PRODUCT.tags)


def listing_pages() -> tuple[list[BuildPage], list[str]]:
    """The listings' pages, each fingerprinted by what its product cards show; and the
    categories (every page's navigation may list them)."""
    words: dict[int, list[tuple]] = defaultdict(list)  # the cards' titles in other languages
    for product_id, *text in db.session.execute(select(TEXT.product_id, TEXT.language,
                                                       TEXT.title, TEXT.summary)):
        words[product_id].append(tuple(text))
    cards = sorted((*row[1:], sorted(words[row[0]])) for row in db.session.execute(
        select(PRODUCT.id, *_CARD).where(*CATALOGUE)))
    listings: dict[str, list[tuple]] = {"/": cards}
    for card in cards:
        category, tags = card[5], card[6]
        if category:
            listings.setdefault(f"/category/{category}", []).append(card)
        for tag in filter(None, tags.split(",")):
            listings.setdefault(f"/tag/{tag}", []).append(card)
    pages = []
    for path, members in listings.items():
        deps = digest(json.dumps(members, default=str))
        count = max(1, math.ceil(len(members) / PAGE_SIZE))
        pages += [BuildPage(page_key(path, n), deps, in_sitemap=n == 1)
                  for n in range(1, count + 1)]
    categories = sorted({c[5] for c in cards if c[5]})
    return pages, categories


def _source_fingerprint(root: Path, source: str, states: FileStates, plugin: str) -> str:
    pure = PurePosixPath(source)
    if pure.is_absolute() or ".." in pure.parts or not source:
        raise BuildError(f"plugin {plugin}: source {source!r} must be a path inside the "
                         "content folder, like 'community/tea.md' or 'community/'")
    if source.endswith("/"):
        return states.folder(root / source)
    return states.sha(root / source)


def plugin_pages(root: Path, states: FileStates) -> list[BuildPage]:
    """Every enabled plugin's ``shop_static_pages``; a plugin that fails stops the build
    (leaving its pages out would delete them from the site)."""
    pages = []
    try:
        for plugin, found in each("shop_static_pages"):
            for item in found:
                deps = digest(*(_source_fingerprint(root, s, states, plugin)
                                for s in item.sources))
                pages.append(BuildPage(item.path, deps, item.in_sitemap, plugin))
    except PluginFailed as exc:
        raise BuildError(str(exc)) from exc
    return pages


RESERVED = frozenset({SITEMAP_FILE, MANIFEST_FILE})  # written by the build itself


def check_unique(pages: list[BuildPage]) -> None:
    """Two pages may not claim one path or one output file, nor the build's own files."""
    seen: dict[str, BuildPage] = {}
    for page in pages:
        try:
            target = output_file(page.key)
        except PathError as exc:
            raise BuildError(f"{page.origin}: {exc}") from exc
        if target in RESERVED:
            raise BuildError(f"{page.origin}: {page.key} would overwrite the build's {target}")
        other = seen.get(target)
        if other is not None:
            raise BuildError(f"{page.key} ({page.origin}) and {other.key} ({other.origin}) "
                             f"would both be written to {target}")
        seen[target] = page
