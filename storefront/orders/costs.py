"""The cost of goods of an order: each line keeps its product's cost of the moment it was
placed (or the cost an import gave), and the order adds them up.

When only some lines have a cost, the order's ``cost_total`` adds the known ones and
``uncosted_lines`` counts the others, so figures can say how much revenue had no cost; when
no line has one, ``cost_total`` is None."""

from __future__ import annotations

from collections.abc import Iterable


def cost_of_goods(lines: Iterable[tuple[int | None, int]]) -> tuple[int | None, int]:
    """(cost total, lines without a cost) of lines given as (unit cost or None, quantity)."""
    total, known, unknown = 0, 0, 0
    for unit_cost, quantity in lines:
        if unit_cost is None:
            unknown += 1
        else:
            total += unit_cost * quantity
            known += 1
    return (total if known else None), unknown
