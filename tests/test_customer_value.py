"""Customer value and churn risk from the published models (issue 15): the BG/NBD and
Gamma-Gamma fits of loyalty_plugins/insights/value.py reproduce the parameters their authors
published for the CDNOW sample, and the per-customer figures that lifetimes 0.11.3 computes
from them."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from loyalty_plugins.insights.value import BetaGeo, FitError, GammaGamma

DATA = Path(__file__).parent / "data" / "cdnow_summary.csv"


@pytest.fixture(scope="module")
def cdnow() -> dict[str, np.ndarray]:
    with DATA.open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 2357
    return {name: np.array([float(row[name]) for row in rows])
            for name in ("x", "t_x", "T", "zbar")}


@pytest.fixture(scope="module")
def bg(cdnow) -> BetaGeo:
    return BetaGeo.fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_the_bg_nbd_fit_gives_the_published_cdnow_parameters(bg):
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert getattr(bg, name) == pytest.approx(value, rel=0.01), name


def test_the_gamma_gamma_fit_gives_the_published_cdnow_parameters(cdnow):
    gg = GammaGamma.fit(cdnow["x"], cdnow["zbar"])
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert getattr(gg, name) == pytest.approx(value, rel=0.01), name
    # Customers 1, 2, 3 and 11 of the sample, as lifetimes 0.11.3 computes them.
    picked = [0, 1, 2, 10]
    assert gg.expected_value(cdnow["x"][picked], cdnow["zbar"][picked]) == pytest.approx(
        [24.6586, 18.9115, 35.1710, 29.9028], rel=1e-4)


def test_each_customer_gets_a_chance_of_being_active_and_purchases_to_expect(bg, cdnow):
    picked = [0, 1, 2, 10]  # 2 repeats late, 1 early, none, 5 repeats
    x, t_x, T = (cdnow[name][picked] for name in ("x", "t_x", "T"))  # noqa: N806
    assert bg.probability_alive(x, t_x, T) == pytest.approx(
        [0.72661, 0.21223, 1.0, 0.49143], rel=1e-4)
    assert bg.expected_purchases(39, x, t_x, T) == pytest.approx(
        [1.22591, 0.20325, 0.19478, 1.87099], rel=1e-4)


def test_a_history_too_short_to_fit_says_so():
    with pytest.raises(FitError, match="at least 10 customers"):
        BetaGeo.fit([0, 1], [0, 2.0], [10, 10])
    with pytest.raises(FitError, match="repeat purchases"):
        GammaGamma.fit([0] * 20, [0] * 20)


def test_a_history_without_a_best_fit_says_so_rather_than_where_the_search_stopped():
    # Ten customers alike (one repeat purchase a week in, known for two weeks): the likelihood
    # keeps rising towards a bound, and the search ends at its cap of evaluations.
    with pytest.raises(FitError, match="did not converge"):
        BetaGeo.fit([1.0] * 10, [1.0] * 10, [2.0] * 10)
