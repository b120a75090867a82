"""One transaction per batch of imported rows: written whole, or rolled back whole and
reported with the lines it held."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from storefront.extensions import db
from storefront.imports.reading import CountingReader, Report, RowProblem

Item = TypeVar("Item")


def commit_batch(write: Callable[[list[Item], Report], None], batch: list[Item],
                 report: Report, first_line: int, last_line: int) -> None:
    """``write`` the batch and commit; on a refusal (the database's, or a ``RowProblem``) roll
    it back, undo what ``write`` counted and report the lines as not imported."""
    imported, already, problems = report.imported, report.already, len(report.problems)
    try:
        write(batch, report)
        db.session.commit()
    except (SQLAlchemyError, RowProblem) as exc:
        db.session.rollback()
        report.imported, report.already = imported, already
        del report.problems[problems:]
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        report.problem(f"{first_line}-{last_line}",
                       f"not imported, nothing of these lines was written: {reason}")


def write_in_batches(items: Iterable[Item], write: Callable[[list[Item], Report], None],
                     report: Report, size: int, lines: Callable[[Item], tuple[int, int]],
                     counter: list[CountingReader],
                     progress: Callable[[int], None] | None = None) -> Report:
    """``commit_batch`` the items ``size`` at a time (``lines``: the first and last line of
    the file an item came from); ``progress`` is told how many bytes of the file have been
    read (``counter``) after each batch."""
    batch: list[Item] = []

    def flush() -> None:
        commit_batch(write, batch, report, lines(batch[0])[0], lines(batch[-1])[1])
        batch.clear()
        if progress is not None and counter:
            progress(counter[0].count)

    for item in items:
        batch.append(item)
        if len(batch) == size:
            flush()
    if batch:
        flush()
    if progress is not None and counter:
        progress(counter[0].count)
    return report


def refresh_statistics(tables: Iterable[str]) -> None:
    """After a large import: the database's statistics of these tables made current, so its
    planner sees their new size; on PostgreSQL also their visibility map, so figures read
    the order history from its index alone (VACUUM, which runs outside a transaction)."""
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.exec_driver_sql(f"VACUUM ANALYZE {table}" if postgres
                                       else f"ANALYZE {table}")
