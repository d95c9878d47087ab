"""Grouped, repeated, nested cross-validation on DEU; fitting the stacked ensemble (docs/models.md#ensemble).

What is validated
-----------------
Every model (members of the stack, the other registered models, the baselines) and the
stacked ensemble (:mod:`parley.models.ensemble`), on the scoreable DEU issues
(:func:`parley.scenario.importers.deu.load_deu`).

Folds are **grouped by proposal** (:func:`grouped_folds`): the issues of one legislative
proposal are never split between training and test, so nothing learned from an issue's
outcome, or from the outcomes of other issues of its proposal, reaches its forecast. The
base models fit nothing, so their forecasts are computed once (multi-issue models, exchange
and SMP, once per proposal, as :func:`parley.analysis.backtest.backtest_deu` runs them) and
reused in every fold; a base model's features for an issue are its forecasts, which use
actors' positions, saliences and capabilities only, never an outcome. Only the stack is
fitted per fold.

**Nested**: in each outer fold the stack is fitted on the training proposals, and the
80% interval's conformal quantile comes from an inner grouped CV within those training
proposals (the out-of-fold residuals of stacks fitted without them); the test proposals
are touched only to be scored. For a base model the quantile is taken from its residuals on
the training proposals (it fits nothing, so they are out of sample).

The whole is **repeated** with fresh fold assignments (``repeats``; repeat ``r`` draws its
folds from child stream ``r`` of ``seed``).

Reported per model: MAE, median AE, share within 10, the difference in MAE from the
compromise model with a 95% interval from a cluster bootstrap by proposal (proposals
resampled with replacement; the ensemble's per-issue error is its mean over repeats),
and each interval kind's coverage and mean width in CV. The number of variants tried
(stack specifications x interval kinds) is part of the result.

Fitting the shipped stack (:func:`fit_ensemble`): the LAD stack on all issues; its interval
quantile from the pooled out-of-fold residuals of the CV; each member's quantile from its
residuals on all issues; and the provenance (file name and SHA-256, folds, repeats, seed,
date, CV score, verdict).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linprog

from parley._random import SeedLike, as_generator, child_generators
from parley.analysis.backtest import BASELINES, WITHIN, backtest_deu
from parley.errors import ParleyError
from parley.models.base import Model, get_model
from parley.models.calibration import (
    DEFAULT_MEMBERS,
    INTERVAL_KINDS,
    INTERVAL_LABEL,
    INTERVAL_LEVEL,
    SPREAD_FLOOR,
    Calibration,
    EnsembleFit,
    Member,
    half_width,
    interval_bounds,
    pareto_range,
    spread,
)
from parley.models.ensemble import apply_stack
from parley.scenario.importers.deu import DeuDataset, load_deu

__all__ = [
    "CVResult",
    "CVScore",
    "base_predictions",
    "cluster_bootstrap_diff",
    "conformal_quantile",
    "cross_validate",
    "fit_ensemble",
    "fit_lad",
    "grouped_folds",
]

STACK_VARIANTS = 1
"""Stack specifications tried: one, fixed before any CV was run (the members of
:data:`~parley.models.calibration.DEFAULT_MEMBERS`, LAD, non-negative weights, an intercept,
clip to the actors' range)."""

BETTER_BY = 0.01
"""The ensemble is called better than compromise when its CV MAE is at least this fraction lower."""


def fit_lad(X: np.ndarray, y: np.ndarray, *, intercept: bool = True) -> tuple[float, np.ndarray]:
    """Least-absolute-deviation fit ``y ≈ b₀ + X w`` with ``w ≥ 0`` (a linear programme).

    Minimises Σ (u⁺ᵢ + u⁻ᵢ) subject to b₀ + X w + u⁺ − u⁻ = y, w, u⁺, u⁻ ≥ 0, b₀ free
    (``scipy.optimize.linprog``, HiGHS).

    Parameters
    ----------
    X
        (n, k) features.
    y
        (n,) targets.
    intercept
        Fit b₀ (else b₀ = 0).

    Returns
    -------
    tuple
        ``(b0, w)``.

    Raises
    ------
    ParleyError
        When the inputs are not finite or the solver fails.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = X.shape
    if y.shape != (n,):
        raise ParleyError(f"fit_lad: y has shape {y.shape}, expected ({n},)")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ParleyError("fit_lad: features and targets must be finite")
    eye = np.eye(n)
    A = np.hstack([np.ones((n, 1)), X, eye, -eye])
    c = np.concatenate([np.zeros(1 + k), np.ones(2 * n)])
    bounds = [(None, None) if intercept else (0.0, 0.0)] + [(0.0, None)] * (k + 2 * n)
    res = linprog(c, A_eq=A, b_eq=y, bounds=bounds, method="highs")
    if res.status != 0:
        raise ParleyError(f"fit_lad: the linear programme failed: {res.message}")
    return float(res.x[0]), np.maximum(res.x[1 : 1 + k], 0.0)


def grouped_folds(groups: Sequence[Any] | np.ndarray, k: int, rng: SeedLike = None) -> list[np.ndarray]:
    """Split items into ``k`` folds so that all items of a group fall in the same fold.

    Groups are taken in random order and each goes to the fold with the fewest items so far
    (ties: the lowest fold), so folds are balanced in items.

    Parameters
    ----------
    groups
        (n,) the group of each item (e.g. its proposal).
    k
        Number of folds, 2 ≤ k ≤ number of groups.
    rng
        Seed of the random order.

    Returns
    -------
    list of numpy.ndarray
        The item indices of each fold, sorted; together a partition of ``range(n)``.
    """
    labels, index = np.unique(np.asarray(groups), return_inverse=True)
    if not 2 <= k <= len(labels):
        raise ParleyError(f"folds must be between 2 and the number of groups ({len(labels)}), not {k}")
    sizes = np.bincount(index, minlength=len(labels))
    order = as_generator(rng).permutation(len(labels))
    load = np.zeros(k, dtype=int)
    fold_of = np.empty(len(labels), dtype=int)
    for g in order:
        f = int(np.argmin(load))
        fold_of[g] = f
        load[f] += sizes[g]
    item_fold = fold_of[index]
    return [np.flatnonzero(item_fold == f) for f in range(k)]


def conformal_quantile(scores: np.ndarray, level: float = INTERVAL_LEVEL) -> float:
    """The split-conformal quantile: the ⌈(n+1)·level⌉-th smallest of ``n`` scores (inf if that exceeds n).

    With exchangeable scores, a new score is ≤ this value with probability ≥ ``level``
    (Vovk et al. 2005; Lei et al. 2018).
    """
    s = np.sort(np.asarray(scores, dtype=float)[np.isfinite(scores)])
    n = s.size
    rank = math.ceil((n + 1) * level)
    if n == 0 or rank > n:
        return math.inf
    return float(s[rank - 1])


def cluster_bootstrap_diff(
    diff: np.ndarray, groups: np.ndarray, *, draws: int = 2000, rng: SeedLike = None
) -> tuple[float, float, float]:
    """Mean of per-item differences and its 95% percentile interval, resampling whole groups.

    Parameters
    ----------
    diff
        (n,) per-item differences (e.g. a model's absolute error minus compromise's).
    groups
        (n,) group of each item (proposal).
    draws
        Bootstrap draws.
    rng
        Seed of the draws.

    Returns
    -------
    tuple
        ``(mean, lower, upper)``.
    """
    labels, index = np.unique(groups, return_inverse=True)
    sums = np.bincount(index, weights=diff, minlength=len(labels))
    counts = np.bincount(index, minlength=len(labels)).astype(float)
    gen = as_generator(rng)
    picks = gen.integers(0, len(labels), size=(draws, len(labels)))
    boot = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return float(diff.mean()), float(lo), float(hi)


@dataclass(frozen=True)
class BasePredictions:
    """Every base model's forecast for every DEU issue, computed once.

    Attributes
    ----------
    dataset : the data set
    forecasts : per label, (C,) forecasts on the natural scale (NaN where the model failed)
    members : the stack's members (their labels are keys of ``forecasts``)
    outcome : (C,) known outcomes
    groups : (C,) proposal of each issue
    lower, upper : (C,) each issue's scale
    lo, hi : (C,) lowest and highest position of the actors with a stance (scale fractions)
    sd : (C,) standard deviation of those positions (scale fractions)
    grouping : per label, how it was run (``"issue"`` or ``"proposal"``)
    """

    dataset: DeuDataset
    forecasts: dict[str, np.ndarray]
    members: tuple[Member, ...]
    outcome: np.ndarray
    groups: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    sd: np.ndarray
    grouping: Mapping[str, str] = field(default_factory=dict)

    def fraction(self, values: np.ndarray) -> np.ndarray:
        """Natural-scale values as fractions of each issue's scale."""
        return (values - self.lower) / (self.upper - self.lower)

    def member_matrix(self) -> np.ndarray:
        """(C, K) the members' forecasts as scale fractions."""
        return np.column_stack([self.fraction(self.forecasts[m.label]) for m in self.members])


def base_predictions(
    data: str | Path | DeuDataset,
    models: Sequence[str] = (),
    members: Sequence[Member] = DEFAULT_MEMBERS,
    *,
    capability: str | None = None,
    rng: SeedLike = None,
) -> BasePredictions:
    """Run the stack's members and any other named models once on every DEU issue.

    Each runs as :func:`parley.analysis.backtest.backtest_deu` runs it (exchange and SMP by
    proposal, the others by issue). A named model with a member's label is not run twice.
    """
    dataset = data if isinstance(data, DeuDataset) else load_deu(data, capability=capability or "gdp")
    objects: list[str | Model] = [get_model(m.model, m.param_dict) for m in members]
    labels = [m.label for m in members]
    for name in models:
        if name not in labels and name != "ensemble":
            objects.append(name if name in BASELINES else get_model(name))
            labels.append(name)
    result = backtest_deu(dataset, models=objects, rng=rng)
    forecasts = {lab: np.array(f, dtype=float) for lab, f in zip(labels, result.forecasts.values(), strict=True)}
    grouping = {lab: s.by for lab, s in zip(labels, result.scores.values(), strict=True)}
    stances = [c.scenario.stances() for c in dataset.cases]
    lo_hi = [pareto_range(s) for s in stances]
    return BasePredictions(
        dataset=dataset,
        forecasts=forecasts,
        members=tuple(members),
        outcome=np.array(result.outcomes, dtype=float),
        groups=np.array([c.proposal for c in dataset.cases]),
        lower=np.array([float(s.lower[0]) for s in stances]),
        upper=np.array([float(s.upper[0]) for s in stances]),
        lo=np.array([float(a[0][0, 0]) for a in lo_hi]),
        hi=np.array([float(a[1][0, 0]) for a in lo_hi]),
        sd=np.array([float(spread(s)[0, 0]) for s in stances]),
        grouping=grouping,
    )


@dataclass(frozen=True)
class CVScore:
    """One model's cross-validated scores.

    Attributes
    ----------
    n : issues scored
    mae, median_ae, within_10 : mean over repeats (identical in every repeat for a base model)
    mae_repeats : the MAE of each repeat
    diff : MAE minus compromise's MAE (mean of per-issue differences)
    diff_ci : 95% cluster-bootstrap interval of ``diff`` (by proposal)
    coverage, width : per interval kind, share of issues inside the CV interval and its mean width
    by : how the model was run (issue / proposal / stack)
    """

    n: int
    mae: float
    median_ae: float
    within_10: float
    mae_repeats: tuple[float, ...]
    diff: float
    diff_ci: tuple[float, float]
    coverage: dict[str, float]
    width: dict[str, float]
    by: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``mae`` where the plain backtest has it)."""
        return {
            "n": self.n,
            "mae": self.mae,
            "median_ae": self.median_ae,
            "within_10": self.within_10,
            "mae_repeats": list(self.mae_repeats),
            "diff_vs_compromise": self.diff,
            "diff_ci95": list(self.diff_ci),
            "interval_coverage": self.coverage,
            "interval_width": self.width,
            "by": self.by,
        }


@dataclass(frozen=True)
class CVResult:
    """Cross-validated scores of every model and the ensemble.

    ``oof`` holds, per repeat, the ensemble's out-of-fold forecasts (scale fractions) used to
    calibrate the shipped interval.
    """

    source: str
    capability: str
    issues: int
    proposals: int
    folds: int
    repeats: int
    seed: int
    level: float
    scores: dict[str, CVScore]
    variants: dict[str, int]
    verdict: str
    oof: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """``{"models": {label: {...}}, "cv": {...}, "variants_tried": ..., "verdict": ...}``."""
        return {
            "models": {k: s.to_dict() for k, s in self.scores.items()},
            "capability": self.capability,
            "source": self.source,
            "issues": self.issues,
            "cv": {
                "folds": self.folds,
                "repeats": self.repeats,
                "seed": self.seed,
                "grouped_by": "proposal",
                "proposals": self.proposals,
                "nested": "stack weights and interval quantiles fitted inside each outer fold",
                "interval_level": self.level,
                "interval_label": INTERVAL_LABEL,
            },
            "variants_tried": self.variants,
            "verdict": self.verdict,
        }


def _stack_predict(
    Z: np.ndarray, y: np.ndarray, bp: BasePredictions, train: np.ndarray, test: np.ndarray
) -> np.ndarray:
    b0, w = fit_lad(Z[train], y[train])
    return apply_stack(Z[test], b0, w, bp.lo[test], bp.hi[test])


def _scale(kind: str, sd: np.ndarray) -> np.ndarray:
    return np.ones_like(sd) if kind == "absolute" else sd + SPREAD_FLOOR


def _verdict(ens: float, comp: float, ci: tuple[float, float]) -> str:
    """Better only when the MAE is at least 1% lower *and* the bootstrap interval of the difference is below 0."""
    gain = 1.0 - ens / comp
    if gain >= BETTER_BY and ci[1] < 0:
        return f"better than compromise: MAE {100 * gain:.1f}% lower in grouped CV, 95% interval of the difference < 0"
    if gain >= BETTER_BY:
        return (
            f"not shown to be better than compromise: MAE {100 * gain:.1f}% lower in grouped CV, but the 95% "
            "interval of the difference includes 0; a hedge across models, not a proven improvement"
        )
    return (
        f"NOT better than compromise by 1% in grouped CV (MAE {100 * gain:.1f}% lower): "
        "a hedge across models, not an improvement"
    )


def cross_validate(
    bp: BasePredictions,
    *,
    folds: int = 5,
    repeats: int = 10,
    seed: int = 0,
    level: float = INTERVAL_LEVEL,
    draws: int = 2000,
) -> CVResult:
    """Grouped, repeated, nested CV of every base model in ``bp`` and the stack (see the module docstring).

    Raises
    ------
    ParleyError
        For folds or repeats out of range, or when compromise is not among the models.
    """
    if repeats < 1:
        raise ParleyError(f"repeats must be at least 1, not {repeats}")
    if "compromise" not in bp.forecasts:
        raise ParleyError("the CV compares every model with 'compromise', which must be among the models")
    ok = np.all(np.isfinite(bp.member_matrix()), axis=1)
    if not ok.all():
        bad = [bp.dataset.cases[i].issue_id for i in np.flatnonzero(~ok)]
        raise ParleyError(f"a member of the stack gave no forecast on {len(bad)} issue(s): {', '.join(bad[:5])}")
    Z = bp.member_matrix()
    y = bp.fraction(bp.outcome)
    span = bp.upper - bp.lower
    c = len(y)
    streams = child_generators(seed, repeats + 1)
    oof = np.full((repeats, c), np.nan)
    ens_cover: dict[str, np.ndarray] = {k: np.zeros((repeats, c), dtype=bool) for k in INTERVAL_KINDS}
    ens_width: dict[str, np.ndarray] = {k: np.zeros((repeats, c)) for k in INTERVAL_KINDS}
    Table = dict[str, dict[str, np.ndarray]]
    base_cover: Table = {lab: {k: np.zeros((repeats, c), dtype=bool) for k in INTERVAL_KINDS} for lab in bp.forecasts}
    base_width: Table = {lab: {k: np.zeros((repeats, c)) for k in INTERVAL_KINDS} for lab in bp.forecasts}
    for r in range(repeats):
        outer_rng, inner_rng = streams[r].spawn(2)
        for test in grouped_folds(bp.groups, folds, outer_rng):
            train = np.setdiff1d(np.arange(c), test)
            oof[r, test] = _stack_predict(Z, y, bp, train, test)
            inner = np.full(train.size, np.nan)
            for itest in grouped_folds(bp.groups[train], folds, inner_rng):
                itrain = np.setdiff1d(np.arange(train.size), itest)
                inner[itest] = _stack_predict(Z, y, bp, train[itrain], train[itest])
            for kind in INTERVAL_KINDS:
                q = conformal_quantile(np.abs(y[train] - inner) / _scale(kind, bp.sd[train]), level)
                bounds = interval_bounds(oof[r, test], half_width(q, kind, bp.sd[test]))
                ens_cover[kind][r, test] = (bounds[:, 0] <= y[test] + 1e-12) & (y[test] <= bounds[:, 1] + 1e-12)
                ens_width[kind][r, test] = (bounds[:, 1] - bounds[:, 0]) * span[test]
                for lab, f in bp.forecasts.items():
                    fz = bp.fraction(f)
                    qb = conformal_quantile(np.abs(y[train] - fz[train]) / _scale(kind, bp.sd[train]), level)
                    bb = interval_bounds(fz[test], half_width(qb, kind, bp.sd[test]))
                    base_cover[lab][kind][r, test] = (bb[:, 0] <= y[test] + 1e-12) & (y[test] <= bb[:, 1] + 1e-12)
                    base_width[lab][kind][r, test] = (bb[:, 1] - bb[:, 0]) * span[test]
    comp_err = np.abs(bp.forecasts["compromise"] - bp.outcome)
    boot_seed = int(streams[repeats].integers(2**63))  # the same proposal resamples for every model
    scores: dict[str, CVScore] = {}

    def score(
        err_by_repeat: np.ndarray, cover: Mapping[str, np.ndarray], width: Mapping[str, np.ndarray], by: str
    ) -> CVScore:
        finite = np.all(np.isfinite(err_by_repeat), axis=0)
        e = err_by_repeat[:, finite]
        per_issue = e.mean(axis=0)
        diff, lo, hi = cluster_bootstrap_diff(
            per_issue - comp_err[finite], bp.groups[finite], draws=draws, rng=boot_seed
        )
        return CVScore(
            n=int(finite.sum()),
            mae=float(e.mean(axis=1).mean()),
            median_ae=float(np.median(e, axis=1).mean()),
            within_10=float((e <= WITHIN + 1e-9).mean(axis=1).mean()),
            mae_repeats=tuple(float(x) for x in e.mean(axis=1)),
            diff=diff,
            diff_ci=(lo, hi),
            coverage={k: float(v[:, finite].mean()) for k, v in cover.items()},
            width={k: float(v[:, finite].mean()) for k, v in width.items()},
            by=by,
        )

    for lab, f in bp.forecasts.items():
        err = np.tile(np.abs(f - bp.outcome), (repeats, 1))
        scores[lab] = score(err, base_cover[lab], base_width[lab], bp.grouping.get(lab, "issue"))
    ens_err = np.abs(bp.lower + span * oof - bp.outcome)
    scores["ensemble"] = score(ens_err, ens_cover, ens_width, "stack")
    ens = scores["ensemble"]
    return CVResult(
        source=bp.dataset.source,
        capability=bp.dataset.capability,
        issues=c,
        proposals=len(np.unique(bp.groups)),
        folds=folds,
        repeats=repeats,
        seed=seed,
        level=level,
        scores=scores,
        variants={
            "stack": STACK_VARIANTS,
            "intervals": len(INTERVAL_KINDS),
            "total": STACK_VARIANTS * len(INTERVAL_KINDS),
        },
        verdict=_verdict(ens.mae, scores["compromise"].mae, ens.diff_ci),
        oof=oof,
    )


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fit_ensemble(bp: BasePredictions, cv: CVResult, *, command: str = "") -> EnsembleFit:
    """Fit the stack on every issue and calibrate its intervals from the CV's out-of-fold residuals.

    The ensemble's quantile per interval kind is the ⌈(C+1)·level⌉/C quantile of its pooled
    out-of-fold scores over all repeats (C issues); each member's is the split-conformal
    quantile of its residuals on all issues (members fit nothing).
    """
    Z = bp.member_matrix()
    y = bp.fraction(bp.outcome)
    b0, w = fit_lad(Z, y)
    c = len(y)
    level = cv.level
    calibration: dict[str, Calibration] = {}
    pooled_rank = min(1.0, math.ceil((c + 1) * level) / c)
    calibration["ensemble"] = Calibration(
        {k: float(np.quantile((np.abs(y - cv.oof) / _scale(k, bp.sd)).ravel(), pooled_rank, method="higher"))
         for k in INTERVAL_KINDS},
        c,
    )
    for m in bp.members:
        r = np.abs(y - bp.fraction(bp.forecasts[m.label]))
        full = get_model(m.model, m.param_dict).params()
        calibration[m.label] = Calibration(
            {k: conformal_quantile(r / _scale(k, bp.sd), level) for k in INTERVAL_KINDS}, c, {"model": m.model, **full}
        )
    source = bp.dataset.source
    ens = cv.scores["ensemble"]
    provenance = {
        "data": Path(source).name,
        "sha256": _sha256(source) if Path(source).is_file() else "",
        "capability": bp.dataset.capability,
        "issues": c,
        "proposals": cv.proposals,
        "cv": {"folds": cv.folds, "repeats": cv.repeats, "seed": cv.seed, "grouped_by": "proposal", "nested": True},
        "created": dt.date.today().isoformat(),
        "cv_score": {
            "ensemble_mae": ens.mae,
            "compromise_mae": cv.scores["compromise"].mae,
            "difference": ens.diff,
            "difference_ci95": list(ens.diff_ci),
            "interval_coverage": ens.coverage,
            "interval_width": ens.width,
        },
        "verdict": cv.verdict,
        "variants_tried": cv.variants,
        "member_mae_in_sample": {
            m.label: float(np.mean(np.abs(bp.forecasts[m.label] - bp.outcome))) for m in bp.members
        },
        "command": command,
    }
    from parley._version import __version__

    provenance["parley_version"] = __version__
    return EnsembleFit(
        members=bp.members,
        intercept=b0,
        weights=tuple(float(x) for x in w),
        calibration=calibration,
        level=level,
        provenance=provenance,
    )


def validate_deu(
    data: str | Path | DeuDataset,
    models: Sequence[str] = (),
    *,
    capability: str | None = None,
    folds: int = 5,
    repeats: int = 10,
    seed: int = 0,
) -> tuple[BasePredictions, CVResult]:
    """Base predictions and the grouped, repeated, nested CV in one call (what ``parley backtest deu --cv`` runs).

    Raises
    ------
    ParleyError
        For an unreadable file, an unknown model, or folds/repeats out of range.
    """
    if folds < 2:
        raise ParleyError(f"--cv needs at least 2 folds, not {folds}")
    if repeats < 1:
        raise ParleyError(f"--repeats must be at least 1, not {repeats}")
    bp = base_predictions(data, models, capability=capability, rng=seed)
    if not 2 <= folds <= len(np.unique(bp.groups)) // 2:
        raise ParleyError(
            f"--cv {folds}: with {len(np.unique(bp.groups))} proposals, use between 2 and "
            f"{len(np.unique(bp.groups)) // 2} folds (nested CV splits the training folds again)"
        )
    return bp, cross_validate(bp, folds=folds, repeats=repeats, seed=seed)


def fitted_on(path: str | Path) -> bool:
    """Whether the shipped ensemble was fitted on this very file (same SHA-256): then its score there is in-sample."""
    from parley.models.calibration import shipped_fit

    fit = shipped_fit()
    return fit is not None and Path(path).is_file() and fit.provenance.get("sha256") == _sha256(str(path))


def write_fit(fit: EnsembleFit, path: str | Path) -> Path:
    """Write a fitted stack as JSON (atomically); copy it to ``src/parley/data/ensemble.json`` to ship it."""
    import json

    from parley._files import write_text_atomic
    from parley._json import json_safe

    return write_text_atomic(path, json.dumps(json_safe(fit.to_dict()), indent=2, ensure_ascii=False) + "\n")
