"""Customer value from a published model, fitted by maximum likelihood.

- **BG/NBD** (Fader, Hardie and Lee, "Counting Your Customers the Easy Way", Marketing Science
  24(2), 2005): while a customer is active they buy at a Poisson rate (gamma-distributed over
  customers, ``r`` and ``alpha``); after each purchase they drop out with a probability
  (beta-distributed, ``a`` and ``b``). From a customer's repeat purchases ``x``, the time of
  the last one ``t_x`` and their age ``T`` (all in the same unit, here weeks) it gives the
  probability they are still active and the purchases to expect.
- **Gamma-Gamma** (Fader, Hardie and Lee, "RFM and CLV: Using Iso-Value Curves for Customer
  Base Analysis", Journal of Marketing Research 42(4), 2005): the value of a customer's
  purchases varies around their own mean, which varies over customers (``p``, ``q``,
  ``gamma``); from ``x`` repeat purchases of mean value ``m`` it gives the value to expect
  of their next ones.

Why fitted here: ``lifetimes``, the library that implemented both, is archived, and
``pymc-marketing`` (maintained) adds some 790 MB and fits by priors rather than by maximum
likelihood, which moves the published CDNOW parameters by 10-14 %. The log-likelihoods below
are the papers' own, maximised with scipy; tests/test_customer_value.py checks them against
the published CDNOW figures (r 0.243, alpha 4.414, a 0.793, b 2.426; p 6.25, q 3.74, gamma
15.44).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


class FitError(ValueError):
    """The model cannot be fitted to these customers (too few, or no repeat purchases)."""


def _maximise(negative_ll, start: np.ndarray) -> np.ndarray:
    """Parameters (all positive: fitted as logarithms) that minimise ``negative_ll``, the mean
    negative log-likelihood per customer (so the tolerance means the same for 2,000 customers
    as for 100,000)."""
    # The search tries extreme parameters on its way (a log of 0, inf - inf): those give an
    # infinite or NaN likelihood, which it leaves, so NumPy need not warn of each.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        found = minimize(lambda logs: negative_ll(np.exp(logs)), np.log(start),
                         method="Nelder-Mead",
                         options={"xatol": 1e-6, "fatol": 1e-10, "maxiter": 4000,
                                  "maxfev": 4000})
    if not (found.success and np.all(np.isfinite(found.x))):
        # A history with no maximum inside the parameters' range (a handful of customers,
        # nearly all with one order) drifts towards a bound until the evaluation cap: its
        # parameters would be wherever the search stopped.
        raise FitError(f"the fit did not converge: {found.message}")
    return np.exp(found.x)


@dataclass(frozen=True)
class BetaGeo:
    """A fitted BG/NBD model."""

    r: float
    alpha: float
    a: float
    b: float

    @classmethod
    def fit(cls, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BetaGeo:  # noqa: N803
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
        if len(x) < 10 or not np.any(x > 0):
            raise FitError("at least 10 customers, some with a repeat purchase, are needed")

        def negative_ll(params: np.ndarray) -> float:
            return -float(np.mean(cls(*params)._log_likelihood(x, t_x, T)))

        return cls(*_maximise(negative_ll, np.array([1.0, 1.0, 1.0, 1.0])))

    def _log_likelihood(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:  # noqa: N803
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b)
        a3 = -(r + x) * np.log(alpha + T)
        repeat = x > 0
        a4 = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
                      - (r + x) * np.log(alpha + t_x), -np.inf)
        return a1 + a2 + np.logaddexp(a3, a4)

    def _dropout_odds(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:  # noqa: N803
        """a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x), 0 without repeats."""
        repeat = x > 0
        odds = (self.a / np.where(repeat, self.b + x - 1, 1.0)
                * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x))
        return np.where(repeat, odds, 0.0)

    def probability_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:  # noqa: N803
        """The probability that each customer is still active."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
        return 1.0 / (1.0 + self._dropout_odds(x, t_x, T))

    def expected_purchases(self, t: float, x: ArrayLike, t_x: ArrayLike, T: ArrayLike  # noqa: N803
                           ) -> np.ndarray:
        """The purchases each customer is expected to make in the next ``t`` units."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        part = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
            r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        return (a + b + x - 1) / (a - 1) * part / (1.0 + self._dropout_odds(x, t_x, T))


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma model of the value of customers' purchases."""

    p: float
    q: float
    gamma: float

    @classmethod
    def fit(cls, x: ArrayLike, mean_value: ArrayLike) -> GammaGamma:
        """From customers with at least one repeat purchase: how many (``x``) and the mean
        value of those purchases."""
        x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
        keep = (x > 0) & (m > 0)
        x, m = x[keep], m[keep]
        if len(x) < 10:
            raise FitError("at least 10 customers with repeat purchases are needed")

        def negative_ll(params: np.ndarray) -> float:
            p, q, gamma = params
            ll = (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(gamma)
                  + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(
                      gamma + m * x))
            return -float(np.mean(ll))

        return cls(*_maximise(negative_ll, np.array([1.0, 1.0, 1.0])))

    def expected_value(self, x: ArrayLike, mean_value: ArrayLike) -> np.ndarray:
        """The value each customer's next purchases are expected to have: the population's
        mean for a customer without repeat purchases, moving towards their own mean as they
        buy more."""
        x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
        return (self.p * (self.gamma + x * m)) / (self.p * x + self.q - 1)
