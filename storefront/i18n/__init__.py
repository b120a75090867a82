"""Languages: every text a person reads goes through gettext (Flask-Babel), and money, numbers
and dates are formatted by Babel for the language of the request.

The language of a request is chosen by storefront.web.language (the switcher, the saved
choice, Accept-Language). Out of a request (the worker's mail) it is DEFAULT_LANGUAGE unless
the caller forces the recipient's with ``flask_babel.force_locale``.

Catalogs: ``storefront/translations`` for the shop and its themes, and a ``translations``
folder beside each plugin's module for that plugin's texts (docs/plugins.md, "Translations").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_decimal
from babel.support import Translations
from flask import Flask, current_app
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context

from storefront.config import ConfigError
from storefront.money import format_money

CORE_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# The name each language has in itself, as the switcher shows it.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def check_languages(languages: object, default: object) -> list[str]:
    """LANGUAGES as a list of codes this shop has texts for, with DEFAULT_LANGUAGE among them;
    else a ConfigError naming the setting."""
    if isinstance(languages, str):
        languages = [code.strip() for code in languages.split(",") if code.strip()]
    known = ", ".join(LANGUAGE_NAMES)
    if (not isinstance(languages, list | tuple) or not languages
            or not set(languages) <= set(LANGUAGE_NAMES)):
        raise ConfigError(f"LANGUAGES {languages!r} must list codes out of: {known}")
    if default not in languages:
        raise ConfigError(f"DEFAULT_LANGUAGE {default!r} must be one of LANGUAGES {languages!r}")
    return list(languages)


def current_language() -> str:
    """The code of the request's language ("es"); the default out of a request."""
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["DEFAULT_LANGUAGE"]


def money(minor: int, currency: str | None = None) -> str:
    """``minor`` units of ``currency`` (the shop's by default) as the current language
    writes them: "€1,234.50" in English, "1.234,50 €" in Spanish."""
    return format_money(minor, currency or current_app.config["CURRENCY"], current_language())


def number(value: int, signed: bool = False) -> str:
    """A whole number as the current language writes it: "12,500" in English, "12.500" in
    Spanish (where four digits stay together: "1500"); ``signed``: "+50" for a positive one."""
    written = format_decimal(value, locale=current_language())
    return f"+{written}" if signed and value > 0 else written


def day(value: date | datetime) -> str:
    """A date as the language writes it in full: "5 December 2026", "5 de diciembre de 2026"
    (a datetime: its date in the shop's time zone)."""
    if isinstance(value, datetime):
        value = _in_shop_time(value).date()
    return format_date(value, "long", locale=current_language())


def moment(value: datetime) -> str:
    """A date and time in the shop's time zone: "Dec 5, 2026, 4:30 PM", "5 dic 2026, 16:30"."""
    language, local = current_language(), _in_shop_time(value)
    return (get_datetime_format("medium", locale=language)
            .replace("{1}", format_date(local, "medium", locale=language))
            .replace("{0}", format_time(local, "short", locale=language)))


def deadline_text(value: datetime) -> str:
    """A deadline in full, with the shop's time zone: "Saturday, December 12, 2026, 4:30 PM
    (Europe/Madrid)", "sábado, 12 de diciembre de 2026, 16:30 (Europe/Madrid)"."""
    language, local = current_language(), _in_shop_time(value)
    return (f"{format_date(local, 'full', locale=language)}, "
            f"{format_time(local, 'short', locale=language)} ({local.tzinfo})")


def _in_shop_time(value: datetime) -> datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # the database keeps UTC
    return aware.astimezone(ZoneInfo(current_app.config["SHOP_TIMEZONE"]))


def languages() -> list[tuple[str, str]]:
    """(code, name in itself) of each language the shop offers, for the switcher."""
    return [(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]]


# A template's texts are translated with the catalog its render started with, kept in the
# render's context: Flask-Babel's own lookup of the request's catalog costs some 7 µs for
# each text, a page has dozens of them, and the catalog cannot change during a render.
_CATALOG = "_storefront_catalog"


def _catalog_of(context: Context) -> Translations:
    catalog = context.get(_CATALOG)
    return catalog if catalog is not None else get_translations()  # a macro without context


@pass_context
def _gettext(context: Context, text: str) -> str:
    return _catalog_of(context).ugettext(text)


# In a plural text, the number it is about (``%(num)s``, or ``%(count)s`` in a {% trans %}
# block) is written as the language writes numbers ("12.500 puntos"), as hooks.ngettext does.
def _numbers_written(text: str, value: int) -> str:
    if "%(num)s" not in text and "%(count)s" not in text:
        return text
    written = number(value)
    return text.replace("%(num)s", written).replace("%(count)s", written)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, value: int) -> str:
    return _numbers_written(_catalog_of(context).ungettext(singular, plural, value), value)


@pass_context
def _pgettext(context: Context, where: str, text: str) -> str:
    return _catalog_of(context).upgettext(where, text)


@pass_context
def _npgettext(context: Context, where: str, singular: str, plural: str, value: int) -> str:
    return _numbers_written(_catalog_of(context).unpgettext(where, singular, plural, value),
                            value)


def init_app(app: Flask, locale_selector: Callable[[], str | None],
             directories: list[str]) -> None:
    """Flask-Babel on ``app``, the request's language from ``locale_selector``, the catalogs
    from ``directories`` (a later one wins a text both have); the template filters."""
    app.config["LANGUAGES"] = check_languages(app.config["LANGUAGES"],
                                              app.config["DEFAULT_LANGUAGE"])
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LANGUAGE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["SHOP_TIMEZONE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)
    Babel(app, locale_selector=locale_selector)
    app.jinja_env.install_gettext_callables(_gettext, _ngettext, newstyle=True,
                                            pgettext=_pgettext, npgettext=_npgettext)
    app.context_processor(lambda: {_CATALOG: get_translations()})
    app.jinja_env.filters.update(money=money, number=number, day=day, moment=moment,
                                 deadline=deadline_text)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks span lines freely
    app.jinja_env.globals.update(current_language=current_language, shop_languages=languages)
