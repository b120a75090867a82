"""The admin settings form: what its inputs show, and the changes a submitted form asks for.

A list is a text area with one item per line. A table is a grid of inputs named
``<setting>-<row>-<column>`` with one empty row to fill in (a script adds more) and a
"remove" box per row; rows left empty are ignored, so the form works without scripts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from hooks.types import FieldType, SettingField
from storefront.plugins.settings import MASK, display


def cell_name(field: SettingField, row: int, column: SettingField) -> str:
    return f"{field.name}-{row}-{column.name}"


def remove_name(field: SettingField) -> str:
    return f"{field.name}-remove"  # not an identifier: never a column's input


def placeholder(column: SettingField) -> str:
    """What an empty cell stands for: the column's default."""
    return display(column, column.default)


def form_values(schema: list[SettingField], values: Mapping) -> dict[str, object]:
    """What each input shows for ``values`` (stored settings, or a form sent back with
    problems): text for most fields, one line per item for a list, rows of cell texts for a
    table. Secrets show the mask."""
    shown: dict[str, object] = {}
    for field in schema:
        value = values.get(field.name, field.default)
        if field.type is FieldType.TABLE:
            shown[field.name] = table_cells(field, value)
        elif field.type is FieldType.LIST:
            items = value if isinstance(value, list | tuple) else []
            shown[field.name] = "\n".join(display(field.item_field, item) for item in items)
        elif field.secret:
            shown[field.name] = MASK if value else ""
        else:
            shown[field.name] = display(field, value)
    return shown


def table_cells(field: SettingField, rows: object) -> list[dict[str, str]]:
    if not isinstance(rows, list | tuple):
        return []
    return [{column.name: display(column, row.get(column.name, column.default))
             for column in field.columns} for row in rows if isinstance(row, Mapping)]


def changes_from_form(schema: list[SettingField], form: MultiDict) -> dict[str, object]:
    changes: dict[str, object] = {}
    for field in schema:
        if field.type is FieldType.BOOLEAN:
            changes[field.name] = "true" if form.get(field.name) else "false"
        elif field.type is FieldType.LIST:
            changes[field.name] = _lines(form.get(field.name, ""))
        elif field.type is FieldType.TABLE:
            changes[field.name] = _table(field, form)
        else:
            changes[field.name] = form.get(field.name, "")
    return changes


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _table(field: SettingField, form: MultiDict) -> list[dict[str, object]]:
    """The rows in the order of their numbers; removed and empty rows left out."""
    pattern = re.compile(rf"{re.escape(field.name)}-(\d+)-\w+")
    numbers = sorted({int(match.group(1)) for key in form
                      if (match := pattern.fullmatch(key))})
    removed = set(form.getlist(remove_name(field)))
    rows = []
    for number in numbers:
        if str(number) in removed:
            continue
        row = {column.name: _cell(column, form.get(cell_name(field, number, column)))
               for column in field.columns}
        if any(value not in ("", [], "false") for value in row.values()):
            rows.append(row)
    return rows


def _cell(column: SettingField, text: str | None) -> object:
    if column.type is FieldType.BOOLEAN:
        return "true" if text else "false"
    if column.type is FieldType.LIST:
        return [item.strip() for item in (text or "").split(",") if item.strip()]
    return (text or "").strip()
