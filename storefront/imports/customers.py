"""`storefront import customers FILE.csv`: customer accounts from another shop, with their
opening points balances.

A customer is known by e-mail address: one already in the shop is left as it is, so the import
can be run again. An imported account has no password: its owner sets one with "Forgot your
password?", which also proves the address. An opening balance goes through the points plugin's
``points_grant`` with the reason "opening balance" and a key per address, so it is granted once
however often the file is imported. No welcome message, event or bonus comes of an import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import insert, select

from hooks import call, provided
from storefront.accounts.models import Role, User
from storefront.extensions import db
from storefront.imports.batch import write_in_batches
from storefront.imports.reading import Report, RowProblem, email_address, moment, rows, whole_number
from storefront.timeutil import utcnow

BATCH = 1000
OPENING_REASON = "opening balance"


@dataclass
class Customer:
    line: int
    email: str
    name: str
    joined: datetime
    language: str
    points: int


def _customer_of(number: int, row: dict[str, str], now: datetime) -> Customer:
    language = row.get("language", "").lower()
    if language and language not in current_app.config["LANGUAGES"]:
        raise RowProblem("language", f"{language!r} is not one of the shop's languages "
                         f"({', '.join(current_app.config['LANGUAGES'])})")
    return Customer(line=number, email=email_address(row), name=row.get("name", "")[:120],
                    joined=moment(row, "joined", default=now), language=language,
                    points=whole_number(row, "points", 0))


def write_customers(batch: list[Customer], report: Report) -> None:
    """Write a batch of customer accounts; an address the shop knows is counted in
    ``report.already``."""
    emails = {c.email for c in batch}
    known = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    new, seen = [], set()
    for customer in batch:
        if customer.email in known or customer.email in seen:
            report.already += 1
        else:
            seen.add(customer.email)
            new.append(customer)
    if new:
        db.session.execute(insert(User), [
            {"email": c.email, "name": c.name, "password_hash": "", "role": Role.CUSTOMER.value,
             "language": c.language, "created_at": c.joined} for c in new])
    report.imported += len(new)
    opening = [c for c in batch if c.points]
    if not opening:
        return
    if not provided("points_grant"):
        raise RowProblem("points", "the points plugin is not enabled: enable it to import "
                         "opening balances")
    ids = dict(db.session.execute(select(User.email, User.id).where(
        User.email.in_({c.email for c in opening}))).all())
    for customer in opening:
        call("points_grant", user_id=ids[customer.email], points=customer.points,
             reason=OPENING_REASON, key=f"import:opening:{customer.email}", actor="import")


def import_customers(path: Path, progress: Callable[[int], None] | None = None) -> Report:
    """Import the customers of a CSV file (docs/owner-guide.md, "Importing history")."""
    report = Report()
    counter: list = []
    now = utcnow()

    def customers() -> Iterator[Customer]:
        for number, row in rows(path, counter):
            try:
                yield _customer_of(number, row, now)
            except RowProblem as exc:
                report.problem(number, str(exc))

    return write_in_batches(customers(), write_customers, report, BATCH,
                            lambda customer: (customer.line, customer.line), counter, progress)
