"""Reading an import file: CSV rows streamed with their line numbers, the bytes read so far for
a progress bar, and the problems found, each with its line and reason."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from storefront.money import parse_money


class RowProblem(ValueError):
    """A row cannot be imported: ``field`` names the column."""

    def __init__(self, column: str, problem: str) -> None:
        super().__init__(f"{column}: {problem}")


@dataclass
class Report:
    imported: int = 0  # orders or customers written
    already: int = 0  # found from an earlier import of the same rows: left as they are
    skipped: int = 0  # left out on purpose (an order the other shop has not been paid for)
    problems: list[str] = field(default_factory=list)  # "line 7: total: must be an amount"

    def problem(self, line: int | str, text: str) -> None:
        self.problems.append(f"line {line}: {text}")


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read from it (for the progress bar)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)


def rows(path: Path, counter: list[CountingReader]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a CSV file with a header row (UTF-8, a byte
    order mark allowed); columns named case- and space-insensitively. ``counter`` receives the
    reader whose ``count`` says how far the file has been read."""
    with path.open("rb") as raw:
        counting = CountingReader(raw)
        counter.append(counting)
        text = io.TextIOWrapper(io.BufferedReader(counting), encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return
        names = [column.strip().lower() for column in header]
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            yield reader.line_num, dict(zip(names, (v.strip() for v in values), strict=False))


def required(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise RowProblem(column, "is required")
    return value


def amount(row: dict[str, str], column: str, default: int | None = None) -> int:
    value = row.get(column, "")
    if not value and default is not None:
        return default
    try:
        return parse_money(required(row, column))
    except ValueError as exc:
        raise RowProblem(column, f"{value!r} {exc}") from exc


def optional_amount(row: dict[str, str], column: str) -> int | None:
    """An amount like 12.50, or None when the column is empty or missing."""
    return amount(row, column) if row.get(column, "") else None


def whole_number(row: dict[str, str], column: str, default: int) -> int:
    value = row.get(column, "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise RowProblem(column, f"{value!r} is not a whole number") from exc
    if number < 0:
        raise RowProblem(column, f"{value!r} must not be negative")
    return number


def moment(row: dict[str, str], column: str, default: datetime | None = None) -> datetime:
    """A date (2024-01-31) or a date and time, with an offset or in UTC (2024-01-31T10:22,
    2024-01-31 10:22:33 +0100, as Shopify writes it), as naive UTC."""
    value = row.get(column, "")
    if not value and default is not None:
        return default
    required(row, column)
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        try:
            found = datetime.strptime(value, "%Y-%m-%d %H:%M:%S %z")
        except ValueError as exc:
            raise RowProblem(column, f"{value!r} is not a date like 2024-01-31 or "
                             "2024-01-31 10:22:33 +0100") from exc
    if found.tzinfo is not None:
        found = found.astimezone(UTC).replace(tzinfo=None)
    return found


def email_address(row: dict[str, str], column: str = "email") -> str:
    value = required(row, column).lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or len(value) > 254:
        raise RowProblem(column, f"{value!r} is not an e-mail address")
    return value
