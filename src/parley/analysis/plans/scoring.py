"""The arithmetic of plan scoring: options, and the arrays every score is computed from.

:class:`Basis` holds, for one scenario and one :class:`ScoringOptions`, the actors'
positions, saliences, reservations and capabilities, and computes utilities and concession
indices for any outcome vector, vectorised over actors and issues. docs/analysis.md §1
defines every quantity; :mod:`parley.analysis.plans.scorecard` builds the results from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from parley.errors import Problem, ScenarioError
from parley.scenario.checks import did_you_mean
from parley.scenario.core import Plan, Scenario

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

STATIC_MODELS: tuple[str, ...] = ("compromise", "median", "nash")
"""The one-shot models every plan analysis forecasts with by default."""

FAST_MODELS: tuple[str, ...] = ("bdm", "smp", "exchange")
"""Other registered models that run in well under two seconds on a case-sized scenario
(measured on examples/ukraine-2025); added to the default when registered."""

STATUS_QUO = "(status quo)"
"""The name the status quo goes by where it stands beside plans (Pareto dominance)."""


def default_models() -> tuple[str, ...]:
    """The static models plus the registered fast ones (:data:`FAST_MODELS`)."""
    from parley.models import available_models

    known = available_models()
    return STATIC_MODELS + tuple(m for m in FAST_MODELS if m in known)


def finite_or_none(x: Any) -> float | None:
    """``float(x)``, or None for NaN, infinity or None: JSON-ready numbers."""
    if x is None:
        return None
    v = float(x)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class ScoringOptions:
    """How plans are scored (every choice of docs/analysis.md §1 that is a parameter).

    Attributes
    ----------
    utility : ``"linear"`` or ``"quadratic"`` loss; None uses the scenario's ``utility``
    no_reference : what an issue with neither status quo nor outside option counts as:
        ``"exclude"`` (left out of that actor's scores) or ``"worst"`` (the scale end
        farthest from the actor)
    group_veto : how a group named in ``vetoes`` consents: ``"unanimity"`` (every member
        accepts: the EU's and NATO's rule for accession and foreign-policy decisions) or
        ``"capability_majority"`` (members accepting hold more than ``group_majority`` of
        the group's capability)
    group_majority : the share for ``"capability_majority"``
    opponents : actor id → the actor whose ideal its concession index is measured toward
        (overrides the default: the other belligerent; for non-belligerents the
        belligerent farthest from it; with no belligerents, the actor farthest from it)
    disagreement : the Nash product's disagreement point: each actor's ``"reservation"``
        (status quo or outside option) or the ``"status_quo"`` itself
    nash_actors : whose gains enter the Nash product; None: the belligerents when the
        scenario names them, else every actor
    stated : score with the actors' stated rather than revealed positions
    tolerance : a gain within this of 0 counts as indifference (not acceptance)
    logit_scale : ``λ`` of the random-utility term in Monte Carlo (0: none; docs/analysis.md §1.4;
        the brief's default is :data:`parley.analysis.plans.decision.DEFAULT_LOGIT_SCALE`)
    """

    utility: Literal["linear", "quadratic"] | None = None
    no_reference: Literal["exclude", "worst"] = "exclude"
    group_veto: Literal["unanimity", "capability_majority"] = "unanimity"
    group_majority: float = 0.5
    opponents: tuple[tuple[str, str], ...] | Mapping[str, str] = ()
    disagreement: Literal["reservation", "status_quo"] = "reservation"
    nash_actors: tuple[str, ...] | None = None
    stated: bool = False
    tolerance: float = 1e-9
    logit_scale: float = 0.0

    def __post_init__(self) -> None:
        if not (
            isinstance(self.logit_scale, (int, float)) and math.isfinite(self.logit_scale) and self.logit_scale >= 0
        ):
            raise ScenarioError("options", [Problem("logit_scale", f"must be a number ≥ 0, got {self.logit_scale!r}")])

    def to_dict(self) -> dict[str, Any]:
        """The options as a JSON-ready mapping."""
        out = asdict(self)
        out["opponents"] = dict(self.opponents.items() if isinstance(self.opponents, Mapping) else self.opponents)
        out["nash_actors"] = list(self.nash_actors) if self.nash_actors is not None else None
        return out


class Basis:
    """The arrays every score is computed from, for one scenario and one set of options.

    Built once per scenario; shapes ``N`` actors × ``M`` issues.
    """

    def __init__(self, scenario: Scenario, options: ScoringOptions) -> None:
        self.scenario = scenario
        self.options = options
        self.quadratic = (options.utility or scenario.spec.utility) == "quadratic"
        self.mask: BoolArray = np.asarray(scenario.mask, dtype=bool)
        src = scenario.stated if options.stated else scenario.positions
        mid = (scenario.lower + scenario.upper) / 2.0
        self.x: FloatArray = np.where(self.mask, src, mid[None, :])
        self.s: FloatArray = np.where(self.mask, scenario.saliences, 0.0)
        self.lower: FloatArray = scenario.lower
        self.upper: FloatArray = scenario.upper
        self.span: FloatArray = scenario.upper - scenario.lower
        self.sq: FloatArray = scenario.status_quo
        col = {k: j for j, k in enumerate(scenario.issue_ids)}
        n, m = self.mask.shape
        outside = np.full((n, m), np.nan)
        for i, a in enumerate(scenario.spec.actors):
            for key, value in a.outside_option.items():
                outside[i, col[key]] = value
        self.outside = outside
        from parley.analysis.plans.decision import no_agreement_point, red_lines

        self.no_agreement: FloatArray = no_agreement_point(scenario)
        self.walkaway: FloatArray = np.where(np.isnan(self.no_agreement), self.sq, self.no_agreement)
        res = np.where(np.isnan(outside), self.walkaway[None, :], outside)
        if options.no_reference == "worst":
            worst = np.where(np.abs(self.x - self.lower) >= np.abs(self.x - self.upper), self.lower, self.upper)
            res = np.where(np.isnan(res), worst, res)
        self.reservation: FloatArray = res
        self.scored: BoolArray = self.mask & ~np.isnan(res)
        caps = np.asarray(scenario.capabilities, dtype=float)
        counts = self.mask.sum(axis=1)
        own = np.where(self.mask, caps, 0.0).sum(axis=1) / np.maximum(counts, 1)
        self.capability: FloatArray = np.where(counts > 0, own, caps.mean(axis=1))
        self.actor_ids = scenario.actor_ids
        self.issue_ids = scenario.issue_ids
        self.red_min, self.red_max, self.red_soft, self.red_penalty = red_lines(scenario)

    @property
    def weights(self) -> FloatArray:
        """(N, M) ``s_ij / span_j`` (linear) or ``s_ij / span_j²`` (quadratic), 0 where not scored."""
        return np.where(self.scored, self.s, 0.0) / (self.span**2 if self.quadratic else self.span)

    def loss(self, z: FloatArray) -> FloatArray:
        """Per actor and issue, ``s_ij L(|z_ij − x_ij| / span_j)`` (0 where not scored); ``z`` (..., N, M)."""
        d = np.abs(z - self.x) / self.span
        lost = d**2 if self.quadratic else d
        return np.where(self.scored, self.s * np.nan_to_num(lost), 0.0)

    def complete(self, outcome: FloatArray) -> FloatArray:
        """Outcome vectors (..., M), NaN where unsettled, as each actor gets them: (..., N, M)."""
        z = np.asarray(outcome, dtype=float)[..., None, :]
        return np.where(np.isnan(z), self.reservation, z)

    def utility(self, outcome: FloatArray) -> FloatArray:
        """Utility of each outcome (..., M) for each actor: (..., N)."""
        return -self.loss(self.complete(outcome)).sum(axis=-1)

    def plan_outcome(self, plan: Plan) -> FloatArray:
        """A plan's position on each issue it settles, the status quo elsewhere (NaN if none).

        A deferred issue is not settled: NaN here (see :func:`parley.analysis.plans.decision.plan_samples`).
        """
        pos, deferred = plan.positions, plan.deferred
        return np.array(
            [pos.get(k, np.nan if k in deferred else self.sq[j]) for j, k in enumerate(self.issue_ids)], dtype=float
        )

    @property
    def reservation_utility(self) -> FloatArray:
        """Each actor's utility of walking away: (N,)."""
        return -self.loss(self.reservation).sum(axis=-1)

    def distance_to(self) -> FloatArray:
        """(N, N) salience-weighted mean normalised distance of actor i to actor k over shared issues.

        Weights are actor ``i``'s saliences (the row's point of view); NaN where they share none.
        """
        d = np.abs(self.x[:, None, :] - self.x[None, :, :]) / self.span
        shared = self.mask[:, None, :] & self.mask[None, :, :]
        w = np.where(shared, self.s[:, None, :], 0.0)
        total = w.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (w * d).sum(axis=-1) / np.where(total > 0, total, 1.0), np.nan)

    def opponents(self) -> list[int | None]:
        """Row of each actor's opponent for the concession index (docs/analysis.md §1.6)."""
        ids = self.actor_ids
        given = self.options.opponents
        given = dict(given.items() if isinstance(given, Mapping) else given)
        problems = [
            Problem(f"opponents.{a}", f"'{b}' is not an actor{did_you_mean(b, ids)}")
            for a, b in given.items()
            if b not in ids
        ] + [Problem("opponents", f"'{a}' is not an actor{did_you_mean(a, ids)}") for a in given if a not in ids]
        if problems:
            raise ScenarioError(self.scenario.source, problems)
        n = len(ids)
        bell = [ids.index(b) for b in self.scenario.spec.belligerents if b in ids]
        pool = np.zeros((n, n), dtype=bool)
        if len(bell) == 2:
            pool[:, bell] = True
        else:
            pool[:, :] = True
        np.fill_diagonal(pool, False)
        dist = np.where(pool, self.distance_to(), np.nan)
        found: BoolArray = np.asarray(~np.isnan(dist).all(axis=1))
        farthest = np.argmax(np.where(np.isnan(dist), -np.inf, dist), axis=1)
        out: list[int | None] = [int(k) if ok else None for k, ok in zip(farthest, found, strict=True)]
        if len(bell) == 2:
            out[bell[0]], out[bell[1]] = bell[1], bell[0]
        for a, b in given.items():
            out[ids.index(a)] = ids.index(b)
        return out

    def concession(self, outcome: FloatArray, opponents: Sequence[int | None]) -> tuple[FloatArray, FloatArray]:
        """Concession index per actor (N,) and the clipped share given away per issue (N, M).

        ``g_ij = clip((z_j − x_ij) / (x_oj − x_ij), 0, 1)`` on issues where both actor and
        opponent have a stance, their ideals differ and the outcome is settled;
        index = ``Σ_j s_ij |x_oj − x_ij|/span_j g_ij / Σ_j s_ij |x_oj − x_ij|/span_j``.
        """
        n = len(self.actor_ids)
        has = np.array([o is not None for o in opponents])
        o_idx = np.array([o if o is not None else 0 for o in opponents], dtype=int)
        xo = self.x[o_idx]
        valid = self.mask & self.mask[o_idx] & has[:, None] & (xo != self.x) & ~np.isnan(outcome)[None, :]
        gap = np.where(valid, xo - self.x, 1.0)
        share = np.clip((np.asarray(outcome)[None, :] - self.x) / gap, 0.0, 1.0)
        share = np.where(valid, share, np.nan)
        w = np.where(valid, self.s * np.abs(xo - self.x) / self.span, 0.0)
        total = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            index = np.where(total > 0, (w * np.nan_to_num(share)).sum(axis=1) / np.where(total > 0, total, 1), np.nan)
        return index.reshape(n), share


def select_plans(scenario: Scenario, plan_ids: Sequence[str] | None) -> tuple[Plan, ...]:
    """The scenario's plans with these ids (all when None), each once, in the order first given.

    Raises
    ------
    ScenarioError
        Naming every id that is no plan of the scenario.
    """
    if plan_ids is None:
        return scenario.plans
    plan_ids = list(dict.fromkeys(plan_ids))
    known = [p.id for p in scenario.plans]
    problems = [
        Problem("plans", f"no plan '{p}'{did_you_mean(p, known)}; known: {', '.join(known) or 'none'}")
        for p in plan_ids
        if p not in known
    ]
    if problems:
        raise ScenarioError(scenario.source, problems)
    return tuple(scenario.plan(p) for p in plan_ids)


def moves(scenario: Scenario, plan: Plan) -> tuple[str, ...]:
    """Issues the plan moves: deferred, or settled off the status quo (or on an issue with none)."""
    out = []
    for k, v in plan.positions.items():
        q = scenario.issue(k).status_quo
        if q is None or abs(v - q) > 1e-12:
            out.append(k)
    return tuple(out) + tuple(plan.deferred)


def veto_holders(scenario: Scenario, plan: Plan) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(issue, holder, members)`` for each veto holder of each issue the plan moves (:func:`moves`)."""
    out = []
    for issue_id in moves(scenario, plan):
        for holder in scenario.issue(issue_id).vetoes:
            out.append((issue_id, holder, scenario.group_members(holder)))
    return out


def consent(
    members: Sequence[int], accepts: BoolArray, capability: FloatArray, options: ScoringOptions
) -> NDArray[np.bool_]:
    """Whether a veto holder with these member rows consents, for each acceptance row of ``accepts`` (K, N)."""
    acc = np.atleast_2d(accepts)
    if not members:
        return np.ones(acc.shape[0], dtype=bool)
    cols = acc[:, list(members)]
    if options.group_veto == "unanimity" or len(members) == 1:
        return np.asarray(cols.all(axis=1))
    c = capability[list(members)]
    return np.asarray((cols @ c) / c.sum() > options.group_majority)
