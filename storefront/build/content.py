"""Bring the products in the database up to date with content/, reading only changed files.

The build renders pages through the shop, which reads products from the database, so it
syncs them first, as ``storefront content sync`` does. The manifest remembers, per file, the
SKU and slug it held; on a rebuild only new or changed files are parsed and written, files
that disappeared hide their product. When anything does not add up (a first build, a fresh
database, two files claiming one SKU or slug) the whole folder is loaded and synced the
ordinary way.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from storefront.build import parallel
from storefront.build.sources import FileStates, Record, scandir_md
from storefront.catalog.models import Product, ProductText
from storefront.catalog.sync import apply_source, replace_texts, source_columns, sync_products
from storefront.content.loader import (
    ContentProblem,
    PageSource,
    ProductSource,
    ProductTranslation,
    load_content,
    orphan_translation,
    parse_page,
    parse_product,
    read_file,
)
from storefront.extensions import db

# The table's columns, not the ORM attributes: the build's reads and inserts stay Core
# (a first ORM statement costs a process some 7 ms of set-up; the build needs none).
PRODUCT = Product.__table__.c
# Active products from content/ (plugins' products, such as event tickets, are not listed).
CATALOGUE = (PRODUCT.active.is_(True), PRODUCT.plugin == "")

TEXT = ProductText.__table__.c

# {"sku", "slug"} for a product, {"translates", "language"} for a product's translation
# (products/x.es.md translates "products/x.md"), {"slug"} for a page, or {"problem"}
Meta = dict[str, str]


@dataclass
class ContentIndex:
    products: dict[str, Meta] = field(default_factory=dict)  # "products/x.md" -> meta
    pages: dict[str, Meta] = field(default_factory=dict)  # "pages/about.md" -> meta
    problems: list[str] = field(default_factory=list)
    parsed: int = 0  # files read and parsed this run


ParseJob = tuple[Path, Path, Callable]  # file, content root, parser
# What one file gives: the parsed source (None when invalid), its problems, and its
# record for FileStates, or None when it could not be read.
Parsed = tuple[Any, list[ContentProblem], Record | None]


def _parse(job: ParseJob) -> Parsed:
    """Read and parse one file (in a worker process when there are many); the record is of
    the bytes parsed (read once for both)."""
    path, root, parser = job
    problems: list[ContentProblem] = []
    try:
        st = path.stat()
        data = path.read_bytes()
    except OSError:  # read_file reports it
        return read_file(path, root, parser, problems), problems, None
    record = (st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())
    return read_file(path, root, parser, problems, data), problems, record


def _scan(root: Path, folder: str, parser: Callable, states: FileStates,
          previous: dict[str, Meta], index: ContentIndex,
          meta_of: Callable[[object], Meta], jobs: int = 1) -> tuple[dict[str, Meta], list]:
    """Meta of every file of ``root/folder``; the parsed sources of new or changed ones,
    parsed in ``jobs`` processes when there are many."""
    metas: dict[str, Meta] = {}
    todo: list[tuple[str, Path]] = []
    for path in scandir_md(root / folder):
        rel = f"{folder}/{path.name}"
        if rel in previous and not states.changed(path):
            metas[rel] = previous[rel]
        else:
            metas[rel] = {}  # keeps the folder's order; filled in below
            todo.append((rel, path))
    fresh = []
    parsed = list(parallel.run(_parse, [(path, root, parser) for _, path in todo], jobs,
                               warm=[0]))
    for (rel, path), (item, problems, record) in zip(todo, parsed, strict=True):
        index.parsed += 1
        if record is not None:
            states.remember(path, record)
        if item is None:
            metas[rel] = {"problem": str(problems[0])}
        else:
            metas[rel] = meta_of(item)
            fresh.append(item)
    return metas, fresh


def _product_meta(src: ProductSource | ProductTranslation) -> Meta:
    if isinstance(src, ProductTranslation):
        return {"translates": f"products/{src.main}", "language": src.language}
    return {"sku": src.sku, "slug": src.slug}


def translations_of(metas: dict[str, Meta]) -> dict[str, list[str]]:
    """The translation files of each product file: {"products/x.md": ["products/x.es.md"]}."""
    found: dict[str, list[str]] = {}
    for rel, meta in metas.items():
        if "translates" in meta:
            found.setdefault(meta["translates"], []).append(rel)
    return found


def _page_meta(src: PageSource) -> Meta:
    return {"slug": src.slug}


def _clash(metas: dict[str, Meta]) -> bool:
    valid = [m for m in metas.values() if "sku" in m]
    return any(n > 1 for n in Counter(m["sku"] for m in valid).values()) or any(
        n > 1 for n in Counter(m["slug"] for m in valid).values())


def _database_matches(metas: dict[str, Meta]) -> bool:
    expected = {(m["sku"], m["slug"]) for m in metas.values() if "sku" in m}
    actual = {tuple(row) for row in db.session.execute(
        select(PRODUCT.sku, PRODUCT.slug).where(*CATALOGUE))}
    expected_texts = {(metas[m["translates"]]["sku"], m["language"])
                      for m in metas.values()
                      if "sku" in metas.get(m.get("translates", ""), {})}
    actual_texts = {tuple(row) for row in db.session.execute(
        select(PRODUCT.sku, TEXT.language).join_from(Product.__table__, ProductText.__table__)
        .where(*CATALOGUE))}
    return actual == expected and actual_texts == expected_texts


def _orphans(root: Path, metas: dict[str, Meta]) -> list[str]:
    """The translations whose product file is missing or invalid, as problems."""
    return [str(orphan_translation(f"{root.name}/{rel}", meta["translates"].split("/")[1]))
            for rel, meta in metas.items()
            if "translates" in meta and "sku" not in metas.get(meta["translates"], {})]


def _sync_texts(root: Path, metas: dict[str, Meta], mains: set[str]) -> None:
    """Make the words in other languages of the products of these files what their
    translation files say now."""
    files = translations_of(metas)
    mains = {rel for rel in mains if "sku" in metas.get(rel, {})}
    if not mains:
        return
    ids = dict(db.session.execute(select(PRODUCT.sku, PRODUCT.id).where(
        PRODUCT.plugin == "", PRODUCT.sku.in_([metas[rel]["sku"] for rel in mains]))).all())
    texts = {}
    for rel in mains:
        parsed = (read_file(root / t, root, parse_product, []) for t in files.get(rel, []))
        texts[ids[metas[rel]["sku"]]] = [t for t in parsed if isinstance(t, ProductTranslation)]
    replace_texts(texts)


def _new_row(src: ProductSource) -> dict:
    """The columns of a new product, for one bulk INSERT (the others take their defaults,
    as with ``Product(sku=, stock=)`` and ``apply_source``)."""
    return {"sku": src.sku, "stock": src.stock, **source_columns(src)}


def _upsert(sources: list[ProductSource], gone_skus: set[str]) -> None:
    # The SKUs first (one column, no list of 1,000 parameters); ORM objects only for the
    # products that change, usually few.
    known = set(db.session.scalars(select(PRODUCT.sku).where(PRODUCT.plugin == "")))
    changed = [src for src in sources if src.sku in known]
    if changed:
        existing = {p.sku: p for p in db.session.scalars(select(Product).where(
            Product.plugin == "", Product.sku.in_([src.sku for src in changed])))}
        for src in changed:
            apply_source(existing[src.sku], src)
    new = [_new_row(src) for src in sources if src.sku not in known]
    if new:  # a first build adds every product: one executemany, not 1,000 ORM inserts
        db.session.flush()  # the changed products first, as the ORM would order them
        db.session.execute(insert(Product.__table__), new)  # Core: the rows as they are
    if gone_skus:
        db.session.execute(update(Product).where(Product.plugin == "",
                                                 Product.sku.in_(gone_skus))
                           .values(active=False))
    db.session.commit()


def _full_sync(root: Path, states: FileStates) -> tuple[dict[str, Meta], int]:
    """Load and sync every product file the ordinary way; their metas and how many."""
    content = load_content(root)
    sync_products(content)
    for path in scandir_md(root / "products"):
        states.sha(path)  # remembered, so the next build sees them unchanged

    def rel(shown: str) -> str:
        return (root.parent / shown).relative_to(root).as_posix()

    products = {rel(src.path): _product_meta(src) for src in content.products}
    translations = [*(t for src in content.products for t in src.translations.values()),
                    *content.orphans]
    products.update({rel(t.path): _product_meta(t) for t in translations})
    orphans = {t.path for t in content.orphans}  # said again by sync_content
    for problem in content.problems:
        if problem.path.startswith(f"{root.name}/products/") and problem.path not in orphans:
            products[rel(problem.path)] = {"problem": str(problem)}
    return dict(sorted(products.items())), len(products)


def _sync_products(root: Path, states: FileStates, previous: dict[str, Meta],
                   index: ContentIndex, jobs: int) -> dict[str, Meta]:
    metas, fresh = _scan(root, "products", parse_product, states, previous, index,
                         _product_meta, jobs)
    if _clash(metas):
        metas, index.parsed = _full_sync(root, states)
        return metas
    now_skus = {m["sku"] for m in metas.values() if "sku" in m}
    gone = {m["sku"] for m in previous.values() if "sku" in m} - now_skus
    products = [src for src in fresh if isinstance(src, ProductSource)]
    if products or gone:
        _upsert(products, gone)
    # Products whose translations may differ from the database's: a translation file new,
    # changed or gone, or the product's own file new or changed (it may hold another SKU).
    touched = {f"products/{Path(src.path).name}" for src in products}
    touched |= {f"products/{src.main}" for src in fresh if isinstance(src, ProductTranslation)}
    touched |= {m["translates"] for rel, m in previous.items()
                if "translates" in m and metas.get(rel) != m}
    if touched:
        _sync_texts(root, metas, touched)
        db.session.commit()
    if not _database_matches(metas):  # a fresh database, or one synced from other files
        metas, index.parsed = _full_sync(root, states)
    return metas


def sync_content(root: Path, states: FileStates, previous: dict[str, dict[str, Meta]],
                 jobs: int = 1) -> ContentIndex:
    """Sync new and changed product files into the database; return what every product and
    page file holds. Many changed files are parsed in ``jobs`` processes."""
    index = ContentIndex()
    index.products = _sync_products(root, states, previous.get("products", {}), index, jobs)
    index.pages, _ = _scan(root, "pages", parse_page, states, previous.get("pages", {}),
                           index, _page_meta, jobs)
    index.problems = [m["problem"] for m in (*index.products.values(), *index.pages.values())
                      if "problem" in m] + _orphans(root, index.products)
    return index
