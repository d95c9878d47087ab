"""Backtests: how close models come to negotiations whose outcomes are known.

:func:`backtest_deu` scores models on the DEU data set (docs/models.md#deu); which issues and
actors count is :func:`parley.scenario.importers.deu.load_deu`'s rule. A model's error on an issue
is ``|forecast − outcome|``, and every scoreable issue is scored once, whatever the
grouping below, so the numbers of all rows are comparable (same issues, same rule).

**Grouping** (``by``). What a model is run on:

``"issue"``
    each issue alone, as a one-issue scenario on 0–100;
``"proposal"``
    the issues of one legislative proposal together, as one multi-issue scenario
    (:attr:`parley.scenario.importers.deu.DeuDataset.proposals`; an actor is masked on the issues of
    the proposal where it has no stance); the model forecasts all of them at once and each
    is scored as before.

Models that work across issues (:data:`ACROSS_ISSUES`: Stokman's exchange model, which
trades positions between the issues of one proposal as Arregui, Stokman & Thomson 2006
ran it, KTAB's multi-dimensional SMP, and the ensemble, which stacks them) are run by
proposal unless told otherwise; all others by issue. On one issue no exchange is possible,
so ``exchange`` by issue is the compromise model. Per-issue models (compromise, median, Nash, BDM, the baselines) give
the same forecasts either way.

Besides registered models (by name, via :func:`parley.models.get_model`, or as model
objects) three baselines are built in:

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

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from parley._random import SeedLike, child_generators
from parley.errors import ModelError, ParleyError
from parley.models.base import BatchForecast, Model, get_model
from parley.scenario.core import Scenario, Stances
from parley.scenario.importers.deu import DeuDataset, load_deu

__all__ = [
    "ACROSS_ISSUES",
    "BASELINES",
    "DEFAULT_MODELS",
    "BacktestResult",
    "Grouping",
    "ModelScore",
    "backtest_deu",
    "default_grouping",
]

Grouping = Literal["issue", "proposal"]
"""What a model is run on: each issue alone, or the issues of one proposal together."""

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
    "bdm",
    "smp",
    "exchange",
    "mean-unweighted",
    "median-unweighted",
    "constant50",
)
"""What :func:`backtest_deu` scores when no models are named: every registered model and the baselines."""

ACROSS_ISSUES: frozenset[str] = frozenset({"exchange", "smp", "ensemble"})
"""Models (by registered name) whose forecast on an issue depends on the other issues of the
scenario (the ensemble stacks exchange and SMP); :func:`default_grouping` runs them by proposal."""


def default_grouping(model: Model) -> Grouping:
    """``"proposal"`` for a model that works across issues (:data:`ACROSS_ISSUES`), else ``"issue"``."""
    return "proposal" if model.name in ACROSS_ISSUES else "issue"


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
    by : the grouping the model was run with, ``"issue"`` or ``"proposal"``
    """

    n: int
    mae: float
    median_ae: float
    within_10: float
    failed: int = 0
    failures: tuple[tuple[str, str], ...] = ()
    by: Grouping = "issue"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; ``failures`` only when there are some."""
        out: dict[str, Any] = {
            "n": self.n,
            "mae": self.mae,
            "median_ae": self.median_ae,
            "within_10": self.within_10,
            "failed": self.failed,
            "by": self.by,
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
        """``{"models": {label: {n, mae, median_ae, within_10, failed, by}}, "capability", "source", "issues"}``."""
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


def _batch(items: Sequence[Stances]) -> Stances:
    """Batches of one with the same issues' scales as one batch, actors padded with masked entries."""
    n = max(st.shape[1] for st in items)
    mid = (items[0].lower + items[0].upper) / 2.0

    def pad(a: np.ndarray, fill: float | bool | np.ndarray) -> np.ndarray:
        extra = np.broadcast_to(np.asarray(fill, dtype=a.dtype), (1, n - a.shape[1], a.shape[2]))
        return np.concatenate([a, extra], axis=1)

    return Stances(
        positions=np.concatenate([pad(st.positions, mid) for st in items]),
        saliences=np.concatenate([pad(st.saliences, 0.0) for st in items]),
        capabilities=np.concatenate([pad(st.capabilities, 1.0) for st in items]),
        mask=np.concatenate([pad(st.mask, False) for st in items]),
        lower=items[0].lower,
        upper=items[0].upper,
        reference=np.concatenate([st.reference for st in items]),
    )


@dataclass(frozen=True)
class _Unit:
    """One scenario a model is run on, and the cases its issues (columns) are scored as."""

    scenario: Scenario
    cases: tuple[int, ...]


def _units(dataset: DeuDataset, by: Grouping) -> list[_Unit]:
    """One unit per case (``by="issue"``) or per proposal (``by="proposal"``)."""
    if by == "issue":
        return [_Unit(c.scenario, (k,)) for k, c in enumerate(dataset.cases)]
    index = {c.issue_id: k for k, c in enumerate(dataset.cases)}
    return [_Unit(p.scenario, tuple(index[i] for i in p.issue_ids)) for p in dataset.proposals]


def _forecasts(
    model: Model, dataset: DeuDataset, units: list[_Unit], rng: SeedLike
) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Forecasts for every case (NaN where the model failed) and the failures.

    Unit ``u`` draws from random stream ``u``. Units with the same number of issues go in
    one batch, actors padded with masked entries; if a batch raises, each of its units is
    run alone on its own stream (as it stood before the batch), so one bad unit costs
    only its own issues.
    """
    c = len(dataset.cases)
    out = np.full(c, np.nan)
    errors: dict[int, str] = {}
    streams = child_generators(rng, len(units))
    shapes: dict[int, list[int]] = {}
    for u, unit in enumerate(units):
        shapes.setdefault(len(unit.cases), []).append(u)
    for members in shapes.values():
        fresh = [copy.deepcopy(streams[u]) for u in members]
        try:
            batch = model.forecast_batch(
                _batch([units[u].scenario.stances() for u in members]), rng=[streams[u] for u in members]
            )
            result = np.asarray(batch.outcomes, dtype=float)
            for row, u in enumerate(members):
                out[list(units[u].cases)] = result[row]
        except Exception:  # a model's failure on one unit must not end the backtest
            for gen, u in zip(fresh, members, strict=True):
                try:
                    alone = model.forecast_batch(units[u].scenario.stances(), rng=[gen])
                    out[list(units[u].cases)] = np.asarray(alone.outcomes, dtype=float)[0]
                except Exception as err:
                    errors.update(dict.fromkeys(units[u].cases, f"{type(err).__name__}: {err}"))
    failures = []
    for k, case in enumerate(dataset.cases):
        if k in errors:
            failures.append((case.issue_id, errors[k]))
        elif not np.isfinite(out[k]):
            out[k] = np.nan
            failures.append((case.issue_id, "no finite forecast"))
    return out, failures


def _score(
    forecast: np.ndarray, outcome: np.ndarray, failures: list[tuple[str, str]], by: Grouping
) -> ModelScore:
    ok = np.isfinite(forecast)
    err = np.abs(forecast[ok] - outcome[ok])
    if err.size == 0:
        return ModelScore(0, float("nan"), float("nan"), float("nan"), len(failures), tuple(failures), by)
    return ModelScore(
        n=int(err.size),
        mae=float(err.mean()),
        median_ae=float(np.median(err)),
        within_10=float(np.mean(err <= WITHIN + 1e-9)),
        failed=len(failures),
        failures=tuple(failures),
        by=by,
    )


def backtest_deu(
    data: str | Path | DeuDataset,
    models: Sequence[str | Model] = DEFAULT_MODELS,
    capability: str | None = None,
    *,
    by: Grouping | None = None,
    rng: SeedLike = None,
) -> BacktestResult:
    """Score models against the known outcomes of the DEU data set.

    Parameters
    ----------
    data
        The DEU file (e.g. ``deu_train.tsv``), or a data set read with
        :func:`~parley.scenario.importers.deu.load_deu`.
    models
        Registered model names, baseline names (:data:`BASELINES`) or model objects; a
        model object is labelled by its name and the parameters it changes.
    capability
        ``"gdp"`` (default for a file) or ``"equal"``; for a data set, its own (giving a
        different one is an error).
    by
        ``"issue"``: run every model on each issue alone; ``"proposal"``: on the issues of
        each proposal together (see the module docstring). None (default): each model
        its own :func:`default_grouping` (by proposal for :data:`ACROSS_ISSUES`, else by
        issue). Either way every scoreable issue is scored once; each row records its
        grouping (:attr:`ModelScore.by`).
    rng
        Seed for models that draw; run ``k`` (issue ``k``, or proposal ``k`` in order of
        first appearance) uses random stream ``k``.

    Returns
    -------
    BacktestResult
        Per model: issues scored, mean and median absolute error, share within 10, the
        issues on which it failed (raised, or gave no finite forecast) and the grouping.

    Raises
    ------
    ScenarioError
        For a file that cannot be read as a DEU data set.
    ModelError
        For an unknown model name.
    ParleyError
        For an unknown grouping, or a capability the data set was not read with.
    """
    if by is not None and by not in get_args(Grouping):
        raise ParleyError(f"by must be 'issue' or 'proposal', not {by!r}")
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
    units: dict[str, list[_Unit]] = {}
    for label, model in resolved.items():
        grouping: Grouping = by or default_grouping(model)
        if grouping not in units:
            units[grouping] = _units(dataset, grouping)
        forecast, failures = _forecasts(model, dataset, units[grouping], rng)
        scores[label] = _score(forecast, outcome, failures, grouping)
        forecasts[label] = tuple(float(x) for x in forecast)
    return BacktestResult(
        source=dataset.source,
        capability=dataset.capability,
        issue_ids=tuple(c.issue_id for c in dataset.cases),
        outcomes=tuple(float(x) for x in outcome),
        scores=scores,
        forecasts=forecasts,
    )
