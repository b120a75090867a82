"""Settings on the command line: list and table values read as JSON, tables printed aligned."""

from __future__ import annotations

import json

from hooks.types import FieldType, SettingField
from storefront.plugins.settings import display, editable
from storefront.plugins.settings_form import table_cells


def takes_json(field: SettingField) -> bool:
    return field.type in (FieldType.LIST, FieldType.TABLE)


def json_example(field: SettingField) -> str:
    if field.type is FieldType.TABLE:
        return "[{" + ", ".join(f'"{column.name}": ...' for column in field.columns) + "}]"
    return '["first", "second"]'


def from_json(field: SettingField, text: str) -> object:
    """A list or table value typed on the command line. Numbers are kept as the text they
    were typed as, so that 300 in a money column means 300.00, as in the admin form."""
    try:
        return json.loads(text, parse_int=str, parse_float=str)
    except json.JSONDecodeError as exc:
        raise ValueError(f"must be JSON like {json_example(field)} ({exc.msg} at character "
                         f"{exc.pos + 1})") from exc


def shown(field: SettingField, value: object) -> list[str]:
    """The value as lines to print: one line, or a table's rows aligned under a header."""
    if field.type is not FieldType.TABLE:
        return [display(field, value)]
    rows = table_cells(field, value)
    if not rows:
        return ["(no rows)"]
    header = ["row", *(column.name for column in field.columns)]
    lines = [[str(number), *row.values()] for number, row in enumerate(rows, start=1)]
    widths = [max(len(line[i]) for line in (header, *lines)) for i in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
            .rstrip() for line in (header, *lines)]


def as_json(schema: list[SettingField], stored: dict) -> str:
    """Every setting in the form the command accepts back (secrets masked)."""
    return json.dumps({field.name: editable(field, stored.get(field.name, field.default))
                       for field in schema}, indent=2, ensure_ascii=False)
