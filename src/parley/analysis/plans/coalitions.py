"""Coalitions and fissures (docs/analysis.md §3): alignment, blocs, group cohesion, pivotal actors.

- **Alignment** of actors ``i`` and ``k``: ``D_ik = Σ_j w_ikj |x_ij − x_kj| / span_j / Σ_j w_ikj``
  over the issues where both have a stance, ``w_ikj = (s_ij + s_kj) / 2``; 0 = same positions,
  1 = opposite ends of every scale; NaN when they share no issue.
- **Blocs**: hierarchical clustering of ``D`` (``scipy.cluster.hierarchy``, average linkage
  by default), cut at distance ``threshold``; pairs that share no issue count as 1.
- **Cohesion** of a declared group (actors' ``groups``) under the status quo and each plan:
  members accepting (by count and by capability) and the spread of their gains and utilities.
- **Pivotal actors** of a plan: those whose switch alone (accepting ↔ not) changes whether
  the plan passes, i.e. capability-weighted support above ``threshold`` *and* every veto
  holder consenting (a swing in Banzhaf's sense, Banzhaf 1965).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from parley.analysis.plans.scorecard import AlternativeScore, PlanScorecard, score_plans
from parley.analysis.plans.scoring import BoolArray, FloatArray, ScoringOptions, consent, finite_or_none, veto_holders
from parley.errors import ParleyError, Problem, ScenarioError
from parley.scenario.checks import did_you_mean
from parley.scenario.core import Scenario


def _check_share(name: str, value: float, what: str) -> None:
    """Raise ParleyError unless ``value`` is a finite number in [0, 1]."""
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool) and 0.0 <= value <= 1.0
    if not ok:  # NaN fails the comparison too
        raise ParleyError(f"{name} ({what}) must be between 0 and 1, got {value!r}")


@dataclass(frozen=True)
class Alignment:
    """Pairwise distance of actors' positions over the issues they share.

    Attributes
    ----------
    distance : (N, N) symmetric, 0 on the diagonal, NaN where a pair shares no issue
    shared : (N, N) number of issues both actors have a stance on
    """

    actor_ids: tuple[str, ...]
    distance: FloatArray
    shared: np.ndarray

    def between(self, a: str, b: str) -> float:
        """``D`` of two actors."""
        return float(self.distance[self.actor_ids.index(a), self.actor_ids.index(b)])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "actors": list(self.actor_ids),
            "distance": [[finite_or_none(v) for v in row] for row in self.distance],
            "shared_issues": self.shared.astype(int).tolist(),
        }


def alignment(scenario: Scenario, *, stated: bool = False) -> Alignment:
    """Salience-weighted mean normalised distance between every pair of actors."""
    x = scenario.stated if stated else scenario.positions
    mask = scenario.mask
    s = np.where(mask, scenario.saliences, 0.0)
    span = scenario.upper - scenario.lower
    both = mask[:, None, :] & mask[None, :, :]
    d = np.where(both, np.abs(np.nan_to_num(x)[:, None, :] - np.nan_to_num(x)[None, :, :]) / span, 0.0)
    w = np.where(both, (s[:, None, :] + s[None, :, :]) / 2.0, 0.0)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.where(total > 0, (w * d).sum(axis=-1) / np.where(total > 0, total, 1.0), np.nan)
    np.fill_diagonal(dist, 0.0)
    dist.setflags(write=False)
    return Alignment(scenario.actor_ids, dist, both.sum(axis=-1))


@dataclass(frozen=True)
class Blocs:
    """Blocs found by hierarchical clustering of the alignment distances.

    ``linkage`` is scipy's linkage matrix (so other cuts can be read off it);
    ``unshared_pairs`` counts pairs that share no issue (taken as distance 1).
    """

    threshold: float
    method: str
    blocs: tuple[tuple[str, ...], ...]
    linkage: FloatArray
    unshared_pairs: int

    def bloc_of(self, actor: str) -> tuple[str, ...]:
        """The bloc an actor belongs to."""
        for b in self.blocs:
            if actor in b:
                return b
        raise KeyError(actor)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "threshold": self.threshold,
            "method": self.method,
            "blocs": [list(b) for b in self.blocs],
            "linkage": self.linkage.tolist(),
            "unshared_pairs": self.unshared_pairs,
        }


def blocs(
    scenario: Scenario,
    *,
    threshold: float = 0.25,
    method: Literal["average", "complete", "single", "weighted"] = "average",
    stated: bool = False,
) -> Blocs:
    """Cluster actors on their alignment distance and cut the tree at ``threshold``.

    With average linkage (UPGMA), two blocs merge while the mean distance between their
    members is at most ``threshold``. Blocs are listed by total capability, largest first.

    Raises
    ------
    ParleyError
        When ``threshold`` is not a number between 0 and 1 (distances lie in [0, 1]).
    """
    _check_share("bloc threshold", threshold, "an alignment distance")
    al = alignment(scenario, stated=stated)
    n = len(al.actor_ids)
    if n == 1:
        return Blocs(threshold, method, (al.actor_ids,), np.zeros((0, 4)), 0)
    dist = np.where(np.isnan(al.distance), 1.0, al.distance)
    dist = (dist + dist.T) / 2.0
    np.fill_diagonal(dist, 0.0)
    link = hierarchy.linkage(squareform(dist, checks=False), method=method)
    labels = hierarchy.fcluster(link, t=threshold, criterion="distance")
    cap = np.where(scenario.mask, scenario.capabilities, 0.0).sum(axis=1) / np.maximum(scenario.mask.sum(axis=1), 1)
    groups = [np.flatnonzero(labels == lab) for lab in np.unique(labels)]
    groups.sort(key=lambda g: (-cap[g].sum(), int(g[0])))
    unshared = int(np.isnan(al.distance[np.triu_indices(n, 1)]).sum())
    return Blocs(threshold, method, tuple(tuple(al.actor_ids[i] for i in g) for g in groups), link, unshared)


@dataclass(frozen=True)
class Cohesion:
    """How a group's members stand on one alternative (a plan or the status quo).

    ``accepting``: members whose gain over their reservation exceeds the tolerance;
    ``share``: their count share; ``capability_share``: their capability share;
    ``gain_*`` and ``utility_sd`` describe the spread of members' gains and utilities
    (population standard deviation).
    """

    alternative: str
    accepting: tuple[str, ...]
    share: float
    capability_share: float
    gain_mean: float
    gain_sd: float
    gain_min: float
    gain_max: float
    utility_sd: float

    @property
    def split(self) -> bool:
        """Some members accept and some do not."""
        return 0.0 < self.share < 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "alternative": self.alternative,
            "accepting": list(self.accepting),
            "share": self.share,
            "capability_share": self.capability_share,
            "split": self.split,
            "gain": {
                "mean": finite_or_none(self.gain_mean),
                "sd": finite_or_none(self.gain_sd),
                "min": finite_or_none(self.gain_min),
                "max": finite_or_none(self.gain_max),
            },
            "utility_sd": finite_or_none(self.utility_sd),
        }


@dataclass(frozen=True)
class GroupCohesion:
    """A declared group: its members, their positional spread, and cohesion per alternative.

    ``spread`` is the mean alignment distance over pairs of members that share an issue.
    """

    group: str
    members: tuple[str, ...]
    spread: float
    status_quo: Cohesion
    plans: tuple[Cohesion, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "group": self.group,
            "members": list(self.members),
            "spread": finite_or_none(self.spread),
            "status_quo": self.status_quo.to_dict(),
            "plans": {c.alternative: c.to_dict() for c in self.plans},
        }


def _cohesion(name: str, alt: AlternativeScore, rows: list[int], capability: FloatArray) -> Cohesion:
    acc = np.array([alt.actors[r].accepts for r in rows])
    gain = np.array([alt.actors[r].gain for r in rows])
    util = np.array([alt.actors[r].utility for r in rows])
    cap = capability[rows]
    return Cohesion(
        alternative=name,
        accepting=tuple(alt.actors[r].actor for r, a in zip(rows, acc, strict=True) if a),
        share=float(acc.mean()),
        capability_share=float(cap[acc].sum() / cap.sum()),
        gain_mean=float(gain.mean()),
        gain_sd=float(gain.std()),
        gain_min=float(gain.min()),
        gain_max=float(gain.max()),
        utility_sd=float(util.std()),
    )


def cohesion(
    scenario: Scenario, scorecard: PlanScorecard, groups: Sequence[str] | None = None, *, stated: bool = False
) -> tuple[GroupCohesion, ...]:
    """Cohesion of declared groups (all when None) under the status quo and each scored plan.

    Raises
    ------
    ScenarioError
        For a name that is no group of the scenario.
    """
    declared = sorted({g for a in scenario.actors for g in a.groups})
    names = list(groups) if groups is not None else declared
    bad = [g for g in names if g not in declared]
    if bad:
        raise ScenarioError(
            scenario.source,
            [Problem("groups", f"'{g}' is not a group of this scenario{did_you_mean(g, declared)}") for g in bad],
        )
    ids = scorecard.actor_ids
    capability = np.array([scorecard.capability[a] for a in ids])
    al = alignment(scenario, stated=stated)
    out = []
    for g in names:
        members = scenario.group_members(g)
        rows = [ids.index(m) for m in members]
        sub = al.distance[np.ix_(rows, rows)][np.triu_indices(len(rows), 1)]
        spread = float(np.nanmean(sub)) if sub.size and not np.isnan(sub).all() else float("nan")
        plans = tuple(
            _cohesion(p.plan, AlternativeScore(p.plan, p.outcome, p.actors), rows, capability) for p in scorecard.plans
        )
        out.append(
            GroupCohesion(g, members, spread, _cohesion("status quo", scorecard.status_quo, rows, capability), plans)
        )
    return tuple(out)


@dataclass(frozen=True)
class Pivot:
    """An actor whose switch alone changes whether a plan passes, and why."""

    actor: str
    direction: Literal["defection", "conversion"]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"actor": self.actor, "direction": self.direction, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class PlanPivots:
    """Whether a plan passes (support above ``threshold`` and every veto consenting) and its pivots."""

    plan: str
    support: float
    threshold: float
    vetoes_pass: bool
    passes: bool
    pivots: tuple[Pivot, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "plan": self.plan,
            "support": self.support,
            "threshold": self.threshold,
            "vetoes_pass": self.vetoes_pass,
            "passes": self.passes,
            "pivots": [p.to_dict() for p in self.pivots],
        }


def pivots(scenario: Scenario, scorecard: PlanScorecard, *, threshold: float = 0.5) -> tuple[PlanPivots, ...]:
    """For each scored plan, the actors whose switch alone flips whether it passes.

    Every actor's switch is evaluated at once: row ``i`` of the flip matrix is the
    acceptance vector with actor ``i`` switched.

    Raises
    ------
    ParleyError
        When ``threshold`` is not a number between 0 and 1 (it is a capability share).
    """
    _check_share("threshold", threshold, "the capability share a plan needs to pass")
    ids = scorecard.actor_ids
    n = len(ids)
    cap = np.array([scorecard.capability[a] for a in ids])
    out = []
    for ps in scorecard.plans:
        acc: BoolArray = np.array([a.accepts for a in ps.actors])
        flips = acc[None, :] ^ np.eye(n, dtype=bool)
        support = flips @ cap / cap.sum()
        over_now = ps.support > threshold
        over = support > threshold
        holders = veto_holders(scenario, scenario.plan(ps.plan))
        now_ok = np.ones(1, dtype=bool)
        all_ok = np.ones(n, dtype=bool)
        changes: list[tuple[str, np.ndarray]] = []
        for issue, holder, members in holders:
            rows = [ids.index(m) for m in members]
            now = consent(rows, acc, cap, scorecard.options)
            after = consent(rows, flips, cap, scorecard.options)
            now_ok &= now
            all_ok &= after
            changes.append((f"veto of '{holder}' on '{issue}'", after != now[0]))
        passes_now = bool(over_now and now_ok[0])
        passes = over & all_ok
        result = []
        for i in np.flatnonzero(passes != passes_now):
            reasons = []
            if over[i] != over_now:
                reasons.append(f"support {ps.support:.3g} → {support[i]:.3g} (threshold {threshold:g})")
            reasons += [what for what, changed in changes if changed[i]]
            result.append(Pivot(ids[i], "defection" if acc[i] else "conversion", tuple(reasons)))
        out.append(PlanPivots(ps.plan, ps.support, threshold, ps.vetoes_pass, passes_now, tuple(result)))
    return tuple(out)


@dataclass(frozen=True)
class CoalitionAnalysis:
    """Alignment, blocs, cohesion of declared groups and pivotal actors, for one scenario."""

    scenario_id: str
    alignment: Alignment
    blocs: Blocs
    groups: tuple[GroupCohesion, ...]
    pivots: tuple[PlanPivots, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "scenario_id": self.scenario_id,
            "alignment": self.alignment.to_dict(),
            "blocs": self.blocs.to_dict(),
            "groups": [g.to_dict() for g in self.groups],
            "pivots": [p.to_dict() for p in self.pivots],
        }


def coalition_analysis(
    scenario: Scenario,
    plans: Sequence[str] | None = None,
    *,
    options: ScoringOptions | None = None,
    threshold: float = 0.5,
    bloc_threshold: float = 0.25,
    groups: Sequence[str] | None = None,
) -> CoalitionAnalysis:
    """Everything of docs/analysis.md §3 for a scenario and its plans (all when None).

    Raises
    ------
    ParleyError
        When ``threshold`` or ``bloc_threshold`` is not a number between 0 and 1.
    ScenarioError
        For an unknown plan or group.
    """
    _check_share("threshold", threshold, "the capability share a plan needs to pass")
    _check_share("bloc threshold", bloc_threshold, "an alignment distance")
    options = options or ScoringOptions()
    card = score_plans(scenario, plans, options=options, models=())
    return CoalitionAnalysis(
        scenario_id=scenario.scenario_id,
        alignment=alignment(scenario, stated=options.stated),
        blocs=blocs(scenario, threshold=bloc_threshold, stated=options.stated),
        groups=cohesion(scenario, card, groups, stated=options.stated),
        pivots=pivots(scenario, card, threshold=threshold),
    )
