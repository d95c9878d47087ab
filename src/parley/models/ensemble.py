"""A stacked ensemble of parley's own models, with calibrated intervals (docs/models.md#ensemble).

The forecast on an issue is a weighted sum of the members' forecasts (compromise, Nash,
exchange, SMP, the unweighted mean and the weighted median: :data:`DEFAULT_MEMBERS`), each
first normalised to the issue's scale (0 = lower end, 1 = upper end), plus an intercept:

    ẑ = b₀ + Σ_k w_k z_k,   w_k ≥ 0,

and then clipped to the range of the positions of the actors with a stance on the issue
(the Pareto set of single-peaked actors on one dimension). The clip keeps the outcome on
the scale and makes unanimity hold whatever the intercept: when every actor stands at x the
range is the point x. The weights are fitted by least absolute error on the DEU training
data (:func:`parley.analysis.validation.fit_ensemble`, via
``parley backtest deu PATH --fit-ensemble -o weights.json``) and ship with parley in
``parley/data/ensemble.json`` with their provenance; on a new scenario the ensemble runs
the members on it and applies those weights.

Intervals: 80% split-conformal, from the stack's out-of-fold absolute residuals on the
training data (``interval="absolute"``), or from those residuals divided by the spread of
positions (``interval="spread"``: half-width q·(sd + 0.05)), clipped to the scale. They are
calibrated on EU legislative bargaining (:data:`~parley.models.calibration.INTERVAL_LABEL`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parley._random import SeedLike, child_generators
from parley.errors import ModelError
from parley.models.base import BatchForecast, FloatArray, Model, get_model, register
from parley.models.calibration import (
    DEFAULT_MEMBERS,
    EnsembleFit,
    IntervalKind,
    half_width,
    interval_bounds,
    interval_info,
    pareto_range,
    read_fit,
    shipped_fit,
    spread,
)
from parley.scenario.core import Stances

__all__ = ["DEFAULT_MEMBERS", "Ensemble", "apply_stack", "member_features"]


def apply_stack(
    features: FloatArray, intercept: float, weights: FloatArray, lo: FloatArray, hi: FloatArray
) -> FloatArray:
    """``clip(intercept + features @ weights, lo, hi)``.

    Parameters
    ----------
    features
        (..., K) the members' outcomes as scale fractions.
    intercept, weights
        The stack (scale fractions; K non-negative weights).
    lo, hi
        (...) the lowest and highest position of the actors with a stance (scale fractions).

    Returns
    -------
    numpy.ndarray
        (...) the stacked outcome as a scale fraction; NaN where a member or the range is NaN.
    """
    raw = intercept + np.asarray(features, dtype=float) @ np.asarray(weights, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.minimum(np.maximum(raw, lo), hi)


def member_features(
    fit: EnsembleFit, stances: Stances, rng: SeedLike | Sequence[SeedLike] = None
) -> tuple[FloatArray, FloatArray]:
    """Run every member on ``stances``: (B, M, K) outcomes as scale fractions, and (B, M, K) natural.

    Variant ``b`` gives member ``k`` child ``k`` of its random stream ``b``.

    Raises
    ------
    ModelError
        Naming the member that failed.
    """
    b, _, m = stances.shape
    streams = [g.spawn(len(fit.members)) for g in child_generators(rng, b)]
    natural = np.empty((b, m, len(fit.members)))
    for k, member in enumerate(fit.members):
        model = get_model(member.model, member.param_dict)
        try:
            out = model.forecast_batch(stances, rng=[streams[i][k] for i in range(b)]).outcomes
        except Exception as err:  # say which member failed, whatever it raised
            raise ModelError(f"ensemble member '{member.label}' ({member.model}) failed: {err}") from err
        natural[..., k] = np.asarray(out, dtype=float)
    span = stances.upper - stances.lower
    return (natural - stances.lower[None, :, None]) / span[None, :, None], natural


@register
@dataclass(frozen=True)
class Ensemble(Model):
    """Stacked ensemble: non-negative LAD weights over compromise, Nash, exchange, SMP, mean and median, with 80% intervals."""  # noqa: E501

    name = "ensemble"
    reference = (
        "Wolpert 1992 (stacked generalization); Breiman 1996 (stacked regressions, non-negative weights); "
        "Vovk et al. 2005 and Lei et al. 2018 (split-conformal intervals); members as cited by each model; "
        "parley docs, Models § ensemble (docs/models.md#ensemble)"
    )
    weights: str = field(
        default="", metadata={"help": "weights file written by `backtest deu --fit-ensemble` ('' = the shipped fit)"}
    )
    interval: IntervalKind = field(
        default="absolute", metadata={"help": "interval kind: absolute residuals, or scaled by the spread of positions"}
    )

    @classmethod
    def fitted_data(cls) -> dict[str, Any] | None:
        """The shipped weights, calibration and provenance, with a one-line summary."""
        fit = shipped_fit()
        return None if fit is None else {"summary": fit.summary(), **fit.to_dict()}

    def fit(self) -> EnsembleFit:
        """The fitted stack this model applies."""
        return read_fit(self.weights)

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        """Run the members, apply the stack, clip to the actors' range, and add the calibrated intervals."""
        fit = self.fit()
        if self.interval not in ("absolute", "spread"):
            raise ModelError(f"interval must be 'absolute' or 'spread', not {self.interval!r}")
        features, natural = member_features(fit, stances, rng)
        lo, hi = pareto_range(stances)
        z = apply_stack(features, fit.intercept, np.asarray(fit.weights), lo, hi)
        span = stances.upper - stances.lower
        outcomes = stances.lower + span * z
        intervals = None
        cal = fit.calibration.get("ensemble")
        if cal is not None and self.interval in cal.q:
            bounds = interval_bounds(z, half_width(cal.q[self.interval], self.interval, spread(stances)))
            intervals = stances.lower[None, :, None] + span[None, :, None] * bounds
        info = interval_info("ensemble", self.interval, fit) if intervals is not None else None
        diagnostics = []
        labels = [m.label for m in fit.members]
        for i in range(z.shape[0]):
            d: dict[str, Any] = {
                "members": {m.label: natural[i, :, k].tolist() for k, m in enumerate(fit.members)},
                "stack": {"intercept": fit.intercept, **dict(zip(labels, fit.weights, strict=True))},
                "fit": {k: fit.provenance.get(k) for k in ("data", "sha256", "created", "verdict")},
            }
            if info is not None:
                d["interval"] = info
            diagnostics.append(d)
        return BatchForecast(outcomes=outcomes, diagnostics=tuple(diagnostics), intervals=intervals)
