"""Texts and amounts in the reader's language.

A plugin marks each text a person reads with ``gettext`` (or ``_``, its usual name), and keeps
the translations in ``translations/<language>/LC_MESSAGES/messages.po`` beside its module;
``storefront translations update --package <folder>`` writes and compiles them. Templates use
``_()`` the same way. docs/plugins.md, "Translations", has the whole story.
"""

from __future__ import annotations

from typing import Any

import flask_babel


def gettext(text: str, **values: Any) -> str:
    """``text`` in the reader's language, its ``%(name)s`` placeholders filled from
    ``values``: ``gettext("%(points)s points", points=120)``."""
    return flask_babel.gettext(text, **values)


def N_(text: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark ``text`` for translation and give it back untranslated: for a text kept in the
    database in English and shown later in the reader's language with ``gettext(text)``
    (a reward's label, a ledger reason). Since 2.6."""
    return text


def ngettext(singular: str, plural: str, number: int, **values: Any) -> str:
    """The singular or plural of a text for ``number``, in the reader's language; ``%(num)s``
    is ``number`` as the language writes it: ``ngettext("%(num)s point", "%(num)s points",
    12500)`` is "12,500 points" in English, "12.500 puntos" in Spanish."""
    text = flask_babel.get_translations().ungettext(singular, plural, number)
    return text % {"num": _written(number), **values}


def lazy_gettext(text: str, **values: Any) -> Any:
    """``gettext`` put off until the text is shown: for texts made when a module is imported
    (setting labels, form labels), before anyone's language is known."""
    return flask_babel.lazy_gettext(text, **values)


def money(minor: int, currency: str | None = None) -> str:
    """``minor`` units of ``currency`` (the shop's by default) as the reader's language writes
    them: "€1,234.50" in English, "1.234,50 €" in Spanish. Templates have ``| money``."""
    from storefront.i18n import money as shop_money

    return shop_money(minor, currency)


def number(value: int, signed: bool = False) -> str:
    """A whole number as the reader's language writes it: 12500 is "12,500" in English,
    "12.500" in Spanish; ``signed`` puts a "+" before a positive one (a change of points).
    Templates have ``| number``."""
    return _written(value, signed)


def _written(value: int, signed: bool = False) -> str:
    from storefront.i18n import number as shop_number

    return shop_number(value, signed)


def language() -> str:
    """The code of the reader's language (``"es"``); the shop's default out of a request."""
    from storefront.i18n import current_language

    return current_language()


def spreadsheet_safe(text: str) -> str:
    """A CSV cell that spreadsheet programs show as text, never run as a formula: text that
    starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a ``'`` before it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
