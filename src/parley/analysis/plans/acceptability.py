"""Quantities known or uncertain, and the probability that a settlement is acceptable (docs/analysis.md §2.5).

A settlement ``x`` on the 0–1 scale of :mod:`parley.analysis.plans.bargaining` is acceptable to
both sides iff ``p − δ_A − c_A ≤ x ≤ p + δ_B + c_B``. :func:`p_acceptable` integrates that
event over independent distributions of ``p``, ``c_A`` and ``c_B`` with
``scipy.integrate.quad`` — exact where ``p`` is known, never by sampling.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scipy import integrate, stats

from parley.errors import Problem, ScenarioError


@dataclass(frozen=True)
class Fixed:
    """A known value, usable where a distribution is expected (``P(X ≥ t)`` is 1 or 0)."""

    value: float

    def mean(self) -> float:
        """The value."""
        return self.value

    def sf_ge(self, t: float) -> float:
        """``P(X ≥ t)``."""
        return 1.0 if self.value >= t - 1e-12 else 0.0

    def describe(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {"distribution": "fixed", "value": self.value}


@dataclass(frozen=True)
class Uncertain:
    """A continuous distribution (a frozen ``scipy.stats`` one) and its description."""

    dist: Any
    spec: Mapping[str, Any]

    def mean(self) -> float:
        """The distribution's mean."""
        return float(self.dist.mean())

    def sf_ge(self, t: float) -> float:
        """``P(X ≥ t)``."""
        return float(self.dist.sf(t))

    def describe(self) -> dict[str, Any]:
        """JSON-ready description."""
        return dict(self.spec)

    def breaks(self) -> list[float]:
        """Where the density has kinks or ends (finite support ends)."""
        lo, hi = self.dist.support()
        return [float(v) for v in (lo, hi) if math.isfinite(v)]


Quantity = Fixed | Uncertain


def distribution(spec: float | Mapping[str, Any] | Quantity | Any, where: str = "value") -> Quantity:
    """A number, a ``{"distribution": ...}`` mapping or a frozen scipy distribution as a Quantity.

    Mappings: ``{"distribution": "beta", "a": .., "b": ..}``, ``{"distribution": "uniform",
    "low": .., "high": ..}``, ``{"distribution": "normal", "mean": .., "sd": ..}``,
    ``{"distribution": "triangular", "low": .., "mode": .., "high": ..}``, or
    ``{"distribution": "beta", "mean": m, "concentration": k}`` (``a = m k``, ``b = (1 − m) k``).

    Raises
    ------
    ScenarioError
        For a mapping that names no known distribution or lacks its parameters.
    """
    if isinstance(spec, (Fixed, Uncertain)):
        return spec
    if isinstance(spec, bool):
        raise ScenarioError("bargaining inputs", [Problem(where, "expected a number or a distribution")])
    if isinstance(spec, (int, float)):
        return Fixed(float(spec))
    if hasattr(spec, "sf") and hasattr(spec, "support"):
        return Uncertain(spec, {"distribution": getattr(getattr(spec, "dist", None), "name", "scipy")})
    if not isinstance(spec, Mapping):
        raise ScenarioError("bargaining inputs", [Problem(where, f"expected a number or a distribution, got {spec!r}")])
    kind = spec.get("distribution")
    try:
        if kind == "fixed":
            return Fixed(float(spec["value"]))
        if kind == "beta":
            if "mean" in spec:
                m, k = float(spec["mean"]), float(spec["concentration"])
                a, b = m * k, (1 - m) * k
            else:
                a, b = float(spec["a"]), float(spec["b"])
            if not (a > 0 and b > 0):
                raise ValueError("beta needs a > 0 and b > 0")
            return Uncertain(stats.beta(a, b), {"distribution": "beta", "a": a, "b": b})
        if kind == "uniform":
            lo, hi = float(spec["low"]), float(spec["high"])
            if not hi > lo:
                raise ValueError("uniform needs high > low")
            return Uncertain(stats.uniform(lo, hi - lo), {"distribution": "uniform", "low": lo, "high": hi})
        if kind == "normal":
            mu, sd = float(spec["mean"]), float(spec["sd"])
            if not sd > 0:
                raise ValueError("normal needs sd > 0")
            return Uncertain(stats.norm(mu, sd), {"distribution": "normal", "mean": mu, "sd": sd})
        if kind == "triangular":
            lo, mode, hi = float(spec["low"]), float(spec["mode"]), float(spec["high"])
            if not lo <= mode <= hi or not hi > lo:
                raise ValueError("triangular needs low ≤ mode ≤ high, low < high")
            c = (mode - lo) / (hi - lo)
            return Uncertain(
                stats.triang(c, lo, hi - lo), {"distribution": "triangular", "low": lo, "mode": mode, "high": hi}
            )
    except KeyError as e:
        raise ScenarioError("bargaining inputs", [Problem(where, f"'{kind}' needs {e.args[0]}")]) from None
    except (TypeError, ValueError) as e:
        raise ScenarioError("bargaining inputs", [Problem(where, str(e))]) from None
    raise ScenarioError(
        "bargaining inputs",
        [Problem(where, f"unknown distribution {kind!r}; use fixed, beta, uniform, normal or triangular")],
    )


def odds_shift(p: float, factor: float) -> float:
    """``p'`` with ``p'/(1 − p') = factor · p/(1 − p)`` (the contest success function's odds form)."""
    if factor == 1.0 or p <= 0.0 or p >= 1.0:
        return p
    odds = p / (1.0 - p) * factor
    return odds / (1.0 + odds)


def p_acceptable(
    x: float,
    p: float | Quantity,
    cost_a: float | Quantity,
    cost_b: float | Quantity,
    *,
    shift_a: float = 0.0,
    shift_b: float = 0.0,
    odds_factor: float = 1.0,
) -> float:
    """``P(p' − δ_A − c_A ≤ x ≤ p' + δ_B + c_B)`` for independent ``p``, ``c_A``, ``c_B``.

    ``p' = p`` unless ``odds_factor`` ≠ 1, when ``p'/(1 − p') = odds_factor · p/(1 − p)``.
    Given ``p``, the event is ``c_A ≥ p' − δ_A − x`` and ``c_B ≥ x − p' − δ_B``, so
    ``P = ∫ f(p) P(c_A ≥ p' − δ_A − x) P(c_B ≥ x − p' − δ_B) dp`` — exact for a known ``p``,
    otherwise integrated with ``scipy.integrate.quad`` split at every point where a cost's
    distribution ends or jumps.
    """
    pd, ca, cb = distribution(p, "p"), distribution(cost_a, "cost_a"), distribution(cost_b, "cost_b")

    def given(pv: float) -> float:
        q = odds_shift(pv, odds_factor)
        return ca.sf_ge(q - shift_a - x) * cb.sf_ge(x - q - shift_b)

    if isinstance(pd, Fixed):
        return given(pd.value)
    lo, hi = (float(v) for v in pd.dist.support())
    if not math.isfinite(lo):
        lo = float(pd.dist.ppf(1e-12))
    if not math.isfinite(hi):
        hi = float(pd.dist.ppf(1 - 1e-12))

    def cost_points(c: Quantity) -> list[float]:
        return [c.value] if isinstance(c, Fixed) else c.breaks()

    def back(q: float) -> float:  # p with p' = q
        return odds_shift(q, 1.0 / odds_factor) if 0.0 < q < 1.0 else q

    qs = [x + shift_a + c for c in cost_points(ca)] + [x - shift_b - c for c in cost_points(cb)]
    points = sorted({back(q) for q in qs if lo < back(q) < hi})
    edges = [lo, *points, hi]
    total = 0.0
    for a, b in itertools.pairwise(edges):
        value, _ = integrate.quad(lambda v: float(pd.dist.pdf(v)) * given(v), a, b, limit=200)
        total += value
    return float(min(max(total, 0.0), 1.0))
