"""One transaction per batch of imported rows: written whole, or rolled back whole and
reported with the lines it held."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from storefront.extensions import db
from storefront.imports.reading import Report, RowProblem

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
