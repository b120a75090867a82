"""Read Markdown files with YAML front matter from content/ and validate them.

A bad file never crashes a request: it is reported (file, field, problem) by
``storefront content check`` and skipped, with a logged warning, at run time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storefront.content.images import is_address, readable_picture
from storefront.money import parse_money

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

log = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


# PyYAML and markdown-it are imported on the first file read, not by every process that
# imports this module (the app does, for SLUG_RE): a command with no file to read skips them.
@cache
def _yaml() -> tuple[Any, Any]:
    """PyYAML and libyaml's safe loader when PyYAML was built with it (about 10x faster),
    else the pure-Python one."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # html=False: raw HTML in Markdown is escaped, so content cannot inject script.
    return MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class ContentProblem:
    path: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.problem}"


@dataclass
class ProductSource:
    path: str
    slug: str
    sku: str
    title: str
    price: int
    stock: int
    category: str = ""
    cost: int | None = None  # what one costs the shop, minor units (optional)
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    image: str = ""  # a file under content/ (images/x.jpg) or an address (/static/x.jpg)
    image_alt: str = ""
    active: bool = True
    body_html: str = ""
    image_file: Path | None = None  # the picture under content/ that ``image`` names
    translations: dict[str, ProductTranslation] = field(default_factory=dict)  # by language


@dataclass
class ProductTranslation:
    """colombia-huila.es.md: the words of colombia-huila.md in Spanish. Price, stock and the
    rest are the product's own; a field left out here (None) is read from it."""

    path: str
    main: str  # the file it translates, as named in its folder: "colombia-huila.md"
    language: str
    title: str
    summary: str | None = None
    image_alt: str | None = None
    body_html: str | None = None


@dataclass
class PageSource:
    path: str
    slug: str
    title: str
    body_html: str
    in_nav: bool = False
    language: str = ""  # "es" for about.es.md, a translation of about.md
    translations: dict[str, PageSource] = field(default_factory=dict)  # language -> page

    def in_language(self, language: str) -> PageSource:
        """The page as written in ``language``, else as written in the main file."""
        return self.translations.get(language, self)


@dataclass
class ContentSet:
    products: list[ProductSource] = field(default_factory=list)
    pages: dict[str, PageSource] = field(default_factory=dict)
    problems: list[ContentProblem] = field(default_factory=list)
    # Translations of product files that are missing or invalid (each also a problem).
    orphans: list[ProductTranslation] = field(default_factory=list)


class _Invalid(Exception):
    def __init__(self, field_name: str, problem: str):
        self.field_name, self.problem = field_name, problem


def render_markdown(text: str) -> str:
    return _markdown().render(text)


def front_matter(text: str) -> tuple[dict, str]:
    """The public form of split_front_matter: ValueError("field: problem")."""
    try:
        return split_front_matter(text)
    except _Invalid as exc:
        raise ValueError(f"{exc.field_name}: {exc.problem}") from exc


def split_front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        raise _Invalid("front matter", "the file must start with a '---' line")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise _Invalid("front matter", "no closing '---' line")
    head = parts[0][3:]
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    yaml, loader = _yaml()
    try:
        meta = yaml.load(head, Loader=loader) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise _Invalid("front matter", f"invalid YAML: {exc}".splitlines()[0]) from exc
    if not isinstance(meta, dict):
        raise _Invalid("front matter", "must be a mapping of field: value")
    return meta, body


def _text(meta: dict, name: str, required: bool = False, max_len: int = 500) -> str:
    value = meta.get(name)
    if value is None:
        if required:
            raise _Invalid(name, "is required")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Invalid(name, "must be text")
    value = str(value).strip()
    if required and not value:
        raise _Invalid(name, "must not be empty")
    if len(value) > max_len:
        raise _Invalid(name, f"is longer than {max_len} characters")
    return value


def _slug(meta: dict, path: Path) -> str:
    slug = _text(meta, "slug") or path.stem
    if not SLUG_RE.match(slug):
        raise _Invalid("slug", f"{slug!r} must be lowercase letters, digits and hyphens")
    return slug


TRANSLATED_FIELDS = ("title", "summary", "image_alt")


def parse_product(path: Path, text: str) -> ProductSource | ProductTranslation:
    """A product file, or a translation of one (a language before the suffix)."""
    main, language = split_language(path)
    if language:
        return _parse_product_translation(path, main.name, language, text)
    meta, body = split_front_matter(text)
    sku = _text(meta, "sku", required=True, max_len=64)
    if not SKU_RE.match(sku):
        raise _Invalid("sku", f"{sku!r} may hold only letters, digits, '.', '_' and '-'")
    if "price" not in meta:
        raise _Invalid("price", "is required")
    try:
        price = parse_money(meta["price"])
    except ValueError as exc:
        raise _Invalid("price", str(exc)) from exc
    cost = _cost(meta)
    stock = meta.get("stock", 0)
    if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
        raise _Invalid("stock", "must be a whole number, 0 or more")
    tags = meta.get("tags", []) or []
    if not isinstance(tags, list) or not all(
        isinstance(t, str) and SLUG_RE.match(t) for t in tags
    ):
        raise _Invalid("tags", "must be a list of lowercase words or hyphenated words")
    category = _text(meta, "category", max_len=64)
    if category and not SLUG_RE.match(category):
        raise _Invalid("category", f"{category!r} must be lowercase letters, digits and hyphens")
    active = meta.get("active", True)
    if not isinstance(active, bool):
        raise _Invalid("active", "must be true or false")
    image, image_file = _image(meta, path)
    return ProductSource(
        path=str(path), slug=_slug(meta, path), sku=sku,
        title=_text(meta, "title", required=True, max_len=200), price=price, stock=stock,
        cost=cost, category=category, tags=tags, summary=_text(meta, "summary"),
        image=image, image_alt=_text(meta, "image_alt", max_len=300), active=active,
        body_html=render_markdown(body), image_file=image_file,
    )


def _cost(meta: dict) -> int | None:
    """``cost``: what one unit costs the shop, an amount like ``price``; None when left out."""
    if meta.get("cost") is None:
        return None
    try:
        return parse_money(meta["cost"])
    except ValueError as exc:
        raise _Invalid("cost", str(exc)) from exc


def _parse_product_translation(path: Path, main: str, language: str, text: str
                               ) -> ProductTranslation:
    meta, body = split_front_matter(text)
    for name in meta:
        if name not in TRANSLATED_FIELDS:
            raise _Invalid(name, f"is set in {main} only: a translation holds "
                           f"{', '.join(TRANSLATED_FIELDS)} and the text")
    return ProductTranslation(
        path=str(path), main=main, language=language,
        title=_text(meta, "title", required=True, max_len=200),
        summary=_text(meta, "summary") or None,
        image_alt=_text(meta, "image_alt", max_len=300) or None,
        body_html=render_markdown(body) if body.strip() else None,
    )


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")


def _image(meta: dict, path: Path) -> tuple[str, Path | None]:
    """``image``: an address as it is, or a picture file under content/ that exists
    (returned too)."""
    image = _text(meta, "image", max_len=300)
    if not image or is_address(image):
        return image, None
    root = path.resolve().parent.parent
    found = (root / image).resolve()
    if root not in found.parents:
        raise _Invalid("image", f"{image!r} must be a file under the content folder")
    if found.suffix.lower() not in IMAGE_SUFFIXES:
        raise _Invalid("image", f"{image!r} must be a JPEG, PNG, WebP or GIF picture")
    if not found.is_file():
        raise _Invalid("image", f"{image!r} does not exist (looked for {found})")
    if not readable_picture(found):
        raise _Invalid("image", f"{image!r} cannot be read as a picture")
    return image, found


# about.es.md is about.md in Spanish: a two-letter language code before the suffix.
_LANGUAGE_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<language>[a-z]{2})$")


def split_language(path: Path) -> tuple[Path, str]:
    """(``about.md``, ``"es"``) for ``about.es.md``; (``path``, ``""``) for ``about.md``."""
    found = _LANGUAGE_SUFFIX.match(path.stem)
    if found is None:
        return path, ""
    return path.with_name(found["stem"] + path.suffix), found["language"]


def parse_page(path: Path, text: str) -> PageSource:
    main, language = split_language(path)
    meta, body = split_front_matter(text)
    in_nav = meta.get("in_nav", False)
    if not isinstance(in_nav, bool):
        raise _Invalid("in_nav", "must be true or false")
    return PageSource(str(path), _slug(meta, main), _text(meta, "title", required=True),
                      render_markdown(body), in_nav, language)


def read_file(path: Path, root: Path, parser, problems: list[ContentProblem],
              data: bytes | None = None):
    """Parse one file with ``parser``; None (and a problem appended) when it is invalid.
    ``data``: the file's bytes when the caller has read them already."""
    shown = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
    try:
        if data is None:
            text = path.read_text(encoding="utf-8")
        else:  # as read_text would: UTF-8, universal newlines
            text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        item = parser(path, text)
    except _Invalid as exc:
        problems.append(ContentProblem(shown, exc.field_name, exc.problem))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ContentProblem(shown, "file", f"cannot be read: {exc}"))
        return None
    item.path = shown
    return item


def load_content(root: Path) -> ContentSet:
    result = ContentSet()
    seen: dict[tuple[str, str], str] = {}
    by_file: dict[str, ProductSource] = {}
    translations: list[ProductTranslation] = []
    for path in sorted((root / "products").glob("*.md")):
        product = read_file(path, root, parse_product, result.problems)
        if isinstance(product, ProductTranslation):
            translations.append(product)
            continue
        if product is None:
            continue
        clash = [(f, v) for f, v in (("slug", product.slug), ("sku", product.sku))
                 if (f, v) in seen]
        if clash:
            f, v = clash[0]
            result.problems.append(
                ContentProblem(product.path, f, f"{v!r} is already used by {seen[(f, v)]}")
            )
            continue
        seen[("slug", product.slug)] = seen[("sku", product.sku)] = product.path
        result.products.append(product)
        by_file[Path(product.path).name] = product
    for translation in translations:
        translated = by_file.get(translation.main)
        if translated is None:
            result.orphans.append(translation)
            result.problems.append(orphan_translation(translation.path, translation.main))
        else:
            translated.translations[translation.language] = translation
    result.pages = load_pages(root, result.problems)
    log_skipped(result.problems)
    return result


def log_skipped(problems: list[ContentProblem]) -> None:
    for problem in problems:
        log.warning("content skipped: %s", problem)


def load_pages(root: Path, problems: list[ContentProblem]) -> dict[str, PageSource]:
    """The valid files of ``root/pages`` by slug, each with its translations (about.es.md);
    the others are added to ``problems``."""
    pages: dict[str, PageSource] = {}
    translations = []
    for path in sorted((root / "pages").glob("*.md")):
        page = read_file(path, root, parse_page, problems)
        if page is not None and page.language:
            translations.append(page)
        elif page is not None:
            pages[page.slug] = page
    for page in translations:
        if page.slug in pages:
            pages[page.slug].translations[page.language] = page
        else:
            problems.append(orphan_translation(page.path, f"{page.slug}.md"))
    return pages


def orphan_translation(path: str, main: str) -> ContentProblem:
    return ContentProblem(path, "file", f"translates {main}, which does not exist "
                          "(or is not valid)")
