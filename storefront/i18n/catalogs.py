"""The translation catalogs: extracting the texts of the shop or of a plugin package, bringing
each language's ``messages.po`` up to date, compiling ``messages.mo``, and checking that
nothing is missing or stale (the test suite runs the check). ``storefront translations``
is the command; Babel does the work.

English is the language the code is written in, so only the other languages have catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from storefront.i18n import LANGUAGE_NAMES

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
JINJA_OPTIONS = {"trimmed": "true", "newstyle_gettext": "true"}
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
_FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class CatalogSource:
    """Texts read from ``folders`` (Python files and Jinja templates under them), translated
    in ``translations/<language>/LC_MESSAGES/messages.po``."""

    name: str
    translations: Path
    folders: list[Path] = field(default_factory=list)

    def po_file(self, language: str) -> Path:
        return self.translations / language / "LC_MESSAGES" / f"{DOMAIN}.po"

    def languages(self) -> list[str]:
        """The languages this source has a catalog for."""
        if not self.translations.is_dir():
            return []
        return sorted(p.name for p in self.translations.iterdir()
                      if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file())


def shop_source() -> CatalogSource:
    """The shop, its contract and its themes (from a source checkout)."""
    return CatalogSource("storefront", PROJECT_ROOT / "storefront" / "translations",
                         [PROJECT_ROOT / "storefront", PROJECT_ROOT / "hooks",
                          PROJECT_ROOT / "themes"])


def package_source(package: Path) -> CatalogSource:
    """A plugin package: its modules and templates, its own ``translations`` folder."""
    package = package.resolve()
    return CatalogSource(package.name, package / "translations", [package])


def built_in_sources() -> list[CatalogSource]:
    """The shop and each built-in plugin: all must be translated into every language."""
    plugins = sorted(p for p in (PROJECT_ROOT / "loyalty_plugins").iterdir()
                     if (p / "__init__.py").is_file())
    return [shop_source(), *(package_source(p) for p in plugins)]


def _method_map(folder: Path) -> list[tuple[str, str]]:
    """Templates (pages, and mail as .txt) and Python files."""
    if folder.name == "themes":
        return [("**.html", "jinja2"), ("**.txt", "jinja2")]
    return [(f"{where}templates/**.{suffix}", "jinja2") for where in ("**/", "")
            for suffix in ("html", "txt")] + [("**.py", "python")]


def _skipped(filename: str) -> bool:
    parts = Path(filename).parts
    return "migrations" in parts or "__pycache__" in parts or "scaffold_template" in parts


def extract(source: CatalogSource) -> Catalog:
    """Every text of ``source`` marked for translation, with where it is used."""
    # A fixed date: an update that changes no text changes no file.
    template = Catalog(project=source.name, locale=SOURCE_LANGUAGE, creation_date=_FIXED_DATE)
    for folder in source.folders:
        for filename, lineno, message, comments, context in extract_from_dir(
                folder, _method_map(folder), {"**.html": JINJA_OPTIONS, "**.txt": JINJA_OPTIONS},
                KEYWORDS,
                comment_tags=("Translators:",), strip_comment_tags=True):
            if _skipped(filename):
                continue
            location = (str(Path(folder.name) / filename), lineno)
            template.add(message, None, [location], auto_comments=comments, context=context)
    return template


def update(source: CatalogSource, languages: list[str] | None = None) -> list[str]:
    """Bring each catalog of ``source`` (and any of ``languages`` it lacks) up to date with
    its texts, then compile it. Texts no longer used are dropped; new ones are left empty
    for a translator. Returns a line per catalog saying what changed."""
    template = extract(source)
    report = []
    for language in sorted(set(source.languages()) | set(languages or [])):
        po = source.po_file(language)
        if po.is_file():
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, project=source.name, fuzzy=False,
                              creation_date=_FIXED_DATE, revision_date=_FIXED_DATE,
                              header_comment=f"# The texts of {source.name} in {language}.\n")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        po.parent.mkdir(parents=True, exist_ok=True)
        with po.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, omit_header=False,
                     include_previous=False)
        compile_catalog(source, language)
        missing = sum(1 for m in catalog if m.id and not _translated(m))
        report.append(f"{po}: {len(template)} texts, {missing} to translate")
    return report


def compile_catalog(source: CatalogSource, language: str) -> Path:
    po = source.po_file(language)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    mo = po.with_suffix(".mo")
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    if not mo.is_file() or mo.read_bytes() != buffer.getvalue():
        mo.write_bytes(buffer.getvalue())
    return mo


def check(source: CatalogSource, languages: list[str] | None = None) -> list[str]:
    """What is wrong with ``source``'s catalogs: a text with no translation (or only a
    fuzzy one), a translation of a text no longer used, a .mo older than its .po."""
    template = extract(source)
    wanted = {m.id: m for m in template if m.id}
    problems = []
    for language in languages if languages is not None else source.languages():
        po = source.po_file(language)
        if not po.is_file():
            problems.append(f"{po}: missing ({len(wanted)} texts to translate)")
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        have = {m.id: m for m in catalog if m.id}
        for msgid, message in wanted.items():
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
            found = have.get(msgid)
            if found is None or not _translated(found):
                problems.append(f"{po}: no translation of {_shown(msgid)} ({where})")
            elif found.fuzzy:
                problems.append(f"{po}: the translation of {_shown(msgid)} is marked fuzzy")
        for msgid in have.keys() - wanted.keys():
            problems.append(f"{po}: {_shown(msgid)} is no longer used")
        mo = po.with_suffix(".mo")
        if not mo.is_file() or _compiled(mo) != _compiled_from(catalog):
            problems.append(f"{mo}: out of date with {po.name} (storefront translations "
                            "update compiles it)")
    return problems


def all_languages() -> list[str]:
    return [code for code in LANGUAGE_NAMES if code != SOURCE_LANGUAGE]


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(strings)


def _shown(msgid) -> str:
    return repr(msgid[0] if isinstance(msgid, tuple | list) else msgid)


def _compiled(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return _messages(read_mo(handle))


def _compiled_from(catalog: Catalog) -> dict:
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _messages(read_mo(buffer))


def _messages(catalog: Catalog) -> dict:
    """msgid -> msgstr, a plural's forms as tuples (read_mo gives lists)."""
    def frozen(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {frozen(m.id): frozen(m.string) for m in catalog if m.id}
