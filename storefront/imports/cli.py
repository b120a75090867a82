"""`storefront import customers|orders FILE.csv` (docs/owner-guide.md, "Importing history")."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from storefront.cli_schema import with_current_schema
from storefront.imports.batch import refresh_statistics
from storefront.imports.reading import Report

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("import")
def import_cli() -> None:
    """Customers and order history from another shop (CSV files)."""


def _run(path: Path, what: str, importer: Callable[..., Report],
         tables: tuple[str, ...]) -> None:
    started = time.perf_counter()
    size = path.stat().st_size
    # On a terminal a bar shows how much of the file is read; elsewhere only the summary.
    with click.progressbar(length=size, label=f"Importing {what}", file=sys.stderr) as bar:
        done = [0]

        def progress(read: int) -> None:
            bar.update(read - done[0])
            done[0] = read

        report = importer(path, progress=progress)
    if report.imported:
        refresh_statistics(tables)
    for problem in report.problems:
        click.echo(f"{path.name}: {problem}", err=True)
    skipped = f", {report.skipped} not paid and left out" if report.skipped else ""
    click.echo(f"Imported {report.imported} {what} ({report.already} already imported"
               f"{skipped}, {len(report.problems)} lines with problems) in "
               f"{time.perf_counter() - started:.1f} s.")
    if report.problems:
        raise SystemExit(1)


@import_cli.command("orders")
@click.argument("path", metavar="FILE.csv", type=FILE)
@with_current_schema
def import_orders_command(path: Path) -> None:
    """Order history: our columns, or Shopify's order export."""
    from storefront.imports.orders import import_orders

    _run(path, "orders", import_orders, ("shop_order", "order_line"))


@import_cli.command("customers")
@click.argument("path", metavar="FILE.csv", type=FILE)
@with_current_schema
def import_customers_command(path: Path) -> None:
    """Customer accounts, with opening points balances."""
    from storefront.imports.customers import import_customers

    _run(path, "customers", import_customers, ("user_account",))
