"""Backtests: how close models come to negotiations whose outcomes are known.

:func:`backtest_deu` scores models on the DEU data set (MODELS.md §7). Each scoreable
issue is a one-issue scenario on 0–100 (see :func:`parley.scenario.importers.load_deu`
for which issues and actors count); a model's error on an issue is
``|forecast − outcome|``. Besides registered models (by name, via
:func:`parley.models.get_model`, or as model objects) three baselines are built in:

``mean-unweighted``
    the plain mean of the positions of the actors that count;
``median-unweighted``
    the plain median of those positions; for an even count, the average of the two
    middle positions (``statistics.median``);
``constant50``
    the middle of the issue's scale, 50 on DEU's 0–100 scale.

A baseline name takes precedence over a registered model of the same name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from parley._random import SeedLike, child_generators
from parley.errors import ModelError, ParleyError
from parley.models.base import BatchForecast, Model, get_model
from parley.scenario.core import Scenario, Stances
from parley.scenario.importers import DeuDataset, load_deu

__all__ = [
    "BASELINES",
    "DEFAULT_MODELS",
    "BacktestResult",
    "ModelScore",
    "backtest_deu",
]

WITHIN = 10.0
"""An issue is forecast 'within 10' when |forecast − outcome| ≤ this, on the 0–100 scale."""


def _counts(stances: Stances) -> np.ndarray:
    return stances.mask.sum(axis=1)


@dataclass(frozen=True)
class MeanUnweighted(Model):
    """Baseline: the plain mean of the positions of the actors with a stance."""

    name = "mean-unweighted"

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        """Mean over the actor axis, masked actors left out; NaN where no actor has a stance."""
        n = _counts(stances)
        total = np.where(stances.mask, stances.positions, 0.0).sum(axis=1)
        return BatchForecast(outcomes=np.where(n > 0, total / np.maximum(n, 1), np.nan))


@dataclass(frozen=True)
class MedianUnweighted(Model):
    """Baseline: the plain median of the positions (average of the middle two for an even count)."""

    name = "median-unweighted"

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        """Median over the actor axis, masked actors left out; NaN where no actor has a stance."""
        n = _counts(stances)
        ordered = np.sort(np.where(stances.mask, stances.positions, np.inf), axis=1)
        lo = np.take_along_axis(ordered, np.maximum(n - 1, 0)[:, None, :] // 2, axis=1)[:, 0, :]
        hi = np.take_along_axis(ordered, (n // 2)[:, None, :], axis=1)[:, 0, :]
        with np.errstate(invalid="ignore"):
            return BatchForecast(outcomes=np.where(n > 0, (lo + hi) / 2.0, np.nan))


@dataclass(frozen=True)
class Constant50(Model):
    """Baseline: the middle of each issue's scale (50 on 0–100), whatever the actors want."""

    name = "constant50"

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        """The scale's midpoint for every variant."""
        b = stances.shape[0]
        return BatchForecast(outcomes=np.tile((stances.lower + stances.upper) / 2.0, (b, 1)))


BASELINES: dict[str, type[Model]] = {
    "mean-unweighted": MeanUnweighted,
    "median-unweighted": MedianUnweighted,
    "constant50": Constant50,
}
"""The built-in baselines, by name."""

DEFAULT_MODELS: tuple[str, ...] = (
    "compromise",
    "median",
    "nash",
    "mean-unweighted",
    "median-unweighted",
    "constant50",
)
"""What :func:`backtest_deu` scores when no models are named."""


@dataclass(frozen=True)
class ModelScore:
    """How one model did over the issues of a backtest.

    Attributes
    ----------
    n : issues scored (the model gave a finite forecast)
    mae : mean absolute error
    median_ae : median absolute error
    within_10 : share of scored issues with absolute error ≤ 10
    failed : issues on which the model raised or gave no finite forecast
    failures : ``(issue_id, reason)`` for each of those
    """

    n: int
    mae: float
    median_ae: float
    within_10: float
    failed: int = 0
    failures: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; ``failures`` only when there are some."""
        out: dict[str, Any] = {
            "n": self.n,
            "mae": self.mae,
            "median_ae": self.median_ae,
            "within_10": self.within_10,
            "failed": self.failed,
        }
        if self.failures:
            out["failures"] = [{"issue": i, "error": e} for i, e in self.failures]
        return out


@dataclass(frozen=True)
class BacktestResult:
    """Scores of several models on one data set.

    Attributes
    ----------
    source : the data set's file
    capability : the capability proxy used (``"gdp"`` or ``"equal"``)
    issue_ids : the issues scored, in file order
    outcomes : their known outcomes
    scores : per model label, its :class:`ModelScore`
    forecasts : per model label, its forecast for each issue (NaN where it failed)
    """

    source: str
    capability: str
    issue_ids: tuple[str, ...]
    outcomes: tuple[float, ...]
    scores: dict[str, ModelScore] = field(default_factory=dict)
    forecasts: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"models": {label: {n, mae, median_ae, within_10, failed}}, "capability", "source", "issues"}``."""
        return {
            "models": {name: s.to_dict() for name, s in self.scores.items()},
            "capability": self.capability,
            "source": self.source,
            "issues": len(self.issue_ids),
        }


def _label(model: Model) -> str:
    """The model's name, with the parameters that differ from its defaults."""
    changed = []
    for f in dataclasses.fields(model):  # type: ignore[arg-type]
        default = f.default if f.default is not dataclasses.MISSING else None
        value = getattr(model, f.name)
        if value != default:
            changed.append(f"{f.name}={value}")
    return f"{model.name}({', '.join(changed)})" if changed else model.name


def _resolve(models: Sequence[str | Model]) -> dict[str, Model]:
    out: dict[str, Model] = {}
    for m in models:
        if isinstance(m, str):
            label, model = m, (BASELINES[m]() if m in BASELINES else get_model(m))
        elif isinstance(m, Model):
            label, model = _label(m), m
        else:
            raise ModelError(f"a model must be a name or a parley Model, not {type(m).__name__}")
        if label in out:
            raise ModelError(f"model '{label}' is named twice")
        out[label] = model
    if not out:
        raise ModelError("name at least one model to score")
    return out


def _batch(scenarios: Sequence[Scenario]) -> Stances:
    """One-issue scenarios on the same scale as one batch, actors padded with masked entries."""
    items = [s.stances() for s in scenarios]
    n = max(st.shape[1] for st in items)
    mid = (items[0].lower + items[0].upper) / 2.0

    def pad(a: np.ndarray, fill: float | bool) -> np.ndarray:
        extra = np.full((1, n - a.shape[1], a.shape[2]), fill, dtype=a.dtype)
        return np.concatenate([a, extra], axis=1)

    return Stances(
        positions=np.concatenate([pad(st.positions, float(mid[0])) for st in items]),
        saliences=np.concatenate([pad(st.saliences, 0.0) for st in items]),
        capabilities=np.concatenate([pad(st.capabilities, 1.0) for st in items]),
        mask=np.concatenate([pad(st.mask, False) for st in items]),
        lower=items[0].lower,
        upper=items[0].upper,
        reference=np.concatenate([st.reference for st in items]),
    )


def _forecasts(
    model: Model, dataset: DeuDataset, stances: Stances, rng: SeedLike
) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Forecasts for every case (NaN where the model failed) and the failures.

    All cases go in one batch; if the batch raises, each case is run alone on its own
    random stream (the stream it has in the batch), so one bad issue costs only itself.
    """
    c = len(dataset.cases)
    try:
        out = np.asarray(model.forecast_batch(stances, rng=rng).outcomes, dtype=float)[:, 0]
        errors: dict[int, str] = {}
    except Exception:  # a model's failure on one issue must not end the backtest
        streams = child_generators(rng, c)
        out = np.full(c, np.nan)
        errors = {}
        for k, case in enumerate(dataset.cases):
            try:
                batch = model.forecast_batch(case.scenario.stances(), rng=[streams[k]])
                out[k] = float(np.asarray(batch.outcomes, dtype=float)[0, 0])
            except Exception as err:
                errors[k] = f"{type(err).__name__}: {err}"
    failures = []
    for k, case in enumerate(dataset.cases):
        if k in errors:
            failures.append((case.issue_id, errors[k]))
        elif not np.isfinite(out[k]):
            out[k] = np.nan
            failures.append((case.issue_id, "no finite forecast"))
    return out, failures


def _score(forecast: np.ndarray, outcome: np.ndarray, failures: list[tuple[str, str]]) -> ModelScore:
    ok = np.isfinite(forecast)
    err = np.abs(forecast[ok] - outcome[ok])
    if err.size == 0:
        return ModelScore(0, float("nan"), float("nan"), float("nan"), len(failures), tuple(failures))
    return ModelScore(
        n=int(err.size),
        mae=float(err.mean()),
        median_ae=float(np.median(err)),
        within_10=float(np.mean(err <= WITHIN + 1e-9)),
        failed=len(failures),
        failures=tuple(failures),
    )


def backtest_deu(
    data: str | Path | DeuDataset,
    models: Sequence[str | Model] = DEFAULT_MODELS,
    capability: str | None = None,
    *,
    rng: SeedLike = None,
) -> BacktestResult:
    """Score models against the known outcomes of the DEU data set.

    Parameters
    ----------
    data
        The DEU file (e.g. ``deu_train.tsv``), or a data set read with
        :func:`~parley.scenario.importers.load_deu`.
    models
        Registered model names, baseline names (:data:`BASELINES`) or model objects; a
        model object is labelled by its name and the parameters it changes.
    capability
        ``"gdp"`` (default for a file) or ``"equal"``; for a data set, its own (giving a
        different one is an error).
    rng
        Seed for models that draw; issue ``k`` uses random stream ``k``.

    Returns
    -------
    BacktestResult
        Per model: issues scored, mean and median absolute error, share within 10, and the
        issues on which it failed (raised, or gave no finite forecast).

    Raises
    ------
    ScenarioError
        For a file that cannot be read as a DEU data set.
    ModelError
        For an unknown model name.
    """
    if isinstance(data, DeuDataset):
        if capability is not None and capability != data.capability:
            raise ParleyError(
                f"the data set was read with capability '{data.capability}', not '{capability}'; "
                f"read it again with load_deu(..., capability='{capability}')"
            )
        dataset = data
    else:
        dataset = load_deu(data, capability=capability or "gdp")
    resolved = _resolve(models)
    outcome = np.array([c.outcome for c in dataset.cases], dtype=float)
    scores: dict[str, ModelScore] = {}
    forecasts: dict[str, tuple[float, ...]] = {}
    stances = _batch([c.scenario for c in dataset.cases]) if dataset.cases else None
    for label, model in resolved.items():
        if stances is None:
            forecast, failures = np.zeros(0), list[tuple[str, str]]()
        else:
            forecast, failures = _forecasts(model, dataset, stances, rng)
        scores[label] = _score(forecast, outcome, failures)
        forecasts[label] = tuple(float(x) for x in forecast)
    return BacktestResult(
        source=dataset.source,
        capability=dataset.capability,
        issue_ids=tuple(c.issue_id for c in dataset.cases),
        outcomes=tuple(float(x) for x in outcome),
        scores=scores,
        forecasts=forecasts,
    )
