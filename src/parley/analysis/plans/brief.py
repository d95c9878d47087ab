"""The bottom line first: for each text, how likely a deal is, who decides it and what would change it.

:func:`brief` runs the point scorecard (:func:`~parley.analysis.plans.scorecard.score_plans`,
for the models' forecasts and point gains) and one Monte Carlo run
(:func:`~parley.analysis.uncertainty.montecarlo.monte_carlo`) over every uncertain input — positions,
saliences, capabilities, red lines, the no-agreement outcome, deferred issues — with the
random-utility (logit) term of :mod:`parley.analysis.plans.decision`. From the draws it reads, per
text (docs/analysis.md §9):

- ``P(deal)`` with a 95 % Wilson interval: the share of draws in which every signatory
  consents and every consent rule holds;
- ``P(accept)`` of each signatory and of each veto holder of an issue the text moves (a group:
  its consent by the group rule; under a renewal rule: that some member lets the status quo lapse);
- the **pivotal party**: the one whose consent alone would turn the most draws into deals
  (Banzhaf's swing, counted over draws); ties and no-swing cases go to the least willing party;
- the **provisions that decide it**: each point of the text re-scored without that point
  (its issue back at the status quo), on the same draws; a point *flips* the pivotal party when
  dropping it moves its ``P(accept)`` across one half;
- the **smallest change** to one provision that brings the pivotal party to yes
  (``P(accept) ≥ 0.5``), found by a grid search over each addressed issue's scale;
- a one-line **headline forecast** per issue: the median of the models' forecasts, their spread
  and what it means, and the 5–95 % band of the Monte Carlo model's forecast.

A probability is reported as exactly 0 or 1 only when nothing uncertain can move it (no
uncertain input and no logit term, or a fixed red line crossed by a fixed provision);
``certain`` says so and ``why`` says which. Otherwise a share of 0 or 1 over the draws is
reported with its interval, as "< upper bound" or "> lower bound".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from parley._random import root_seed
from parley.analysis.plans.decision import (
    DEFAULT_LOGIT_SCALE,
    Holder,
    Signatory,
    accept_arrays,
    consent,
    group_consents,
    holders_of,
    signatories_of,
)
from parley.analysis.plans.scorecard import PlanScorecard, forecast_spread, score_plans
from parley.analysis.plans.scoring import (
    FloatArray,
    ScoringOptions,
    default_models,
    finite_or_none,
    moves,
    select_plans,
)
from parley.analysis.uncertainty.experiment import Experiment
from parley.analysis.uncertainty.montecarlo import MonteCarloResult, monte_carlo
from parley.scenario.core import Plan, Scenario

__all__ = ["Brief", "IssueHeadline", "PlanBrief", "Probability", "brief", "wilson"]

GRID = 41
"""Points of an issue's scale the smallest-change search tries (plus the current position)."""

SEARCH_DRAWS = 400
"""Draws the smallest-change grid search uses (the chosen change is re-scored on all draws)."""


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval for ``k`` successes in ``n`` trials (95 % by default)."""
    if n == 0:
        return 0.0, 1.0
    phat = k / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


@dataclass(frozen=True)
class Probability:
    """A probability estimated from draws: share, 95 % interval, and whether it is certain.

    ``certain`` is True only when nothing uncertain can move it; ``why`` says what fixes it.
    """

    p: float
    low: float
    high: float
    n: int
    certain: bool = False
    why: str = ""

    @classmethod
    def of(cls, hits: np.ndarray, *, certain: bool = False, why: str = "") -> Probability:
        """From a boolean array of draws."""
        n = int(hits.size)
        k = int(np.count_nonzero(hits))
        if certain:
            v = k / n if n else 0.0
            return cls(v, v, v, n, True, why)
        lo, hi = wilson(k, n)
        return cls(k / n if n else math.nan, lo, hi, n, False, why)

    def text(self) -> str:
        """``"37% (35–39%)"``; a share of 0 or 1 that is not certain as ``"< 0.2%"`` / ``"> 99.8%"``."""
        if self.certain:
            return f"{100 * self.p:.0f}% (certain: {self.why})"
        if self.p <= 0.0:
            return f"< {100 * self.high:.2g}%"
        if self.p >= 1.0:
            return f"> {100 * self.low:.3g}%"
        # one decimal where whole percents would round a share that is not certain to 0% or 100%
        d = 1 if min(self.low, 1 - self.high) < 0.005 else 0
        return f"{100 * self.p:.{d}f}% ({100 * self.low:.{d}f}–{100 * self.high:.{d}f}%)"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "p": finite_or_none(self.p),
            "interval": [finite_or_none(self.low), finite_or_none(self.high)],
            "draws": self.n,
            "certain": bool(self.certain),
            "why": self.why,
            "text": self.text(),
        }


@dataclass(frozen=True)
class Party:
    """A signatory or veto holder of a text and how likely it is to say yes."""

    name: str
    roles: tuple[str, ...]
    members: tuple[str, ...]
    accept: Probability
    refuses_red_line: float
    gain: float | None
    swing: float
    label: str = ""
    """How to call it in a sentence: an actor's short name, a group's id as the scenario writes it."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "label": self.label or self.name,
            "roles": list(self.roles),
            "members": list(self.members),
            "p_accept": self.accept.to_dict(),
            "p_red_line_crossed": finite_or_none(self.refuses_red_line),
            "gain": finite_or_none(self.gain),
            "swing": finite_or_none(self.swing),
        }


@dataclass(frozen=True)
class DecidingProvision:
    """One point of a text and what dropping it does to the pivotal party and the deal."""

    point: str
    text: str
    issue: str
    p_accept_without: float
    effect: float
    flips: bool
    crosses_red_line: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "point": self.point,
            "text": self.text,
            "issue": self.issue,
            "p_accept_without": finite_or_none(self.p_accept_without),
            "effect": finite_or_none(self.effect),
            "flips": bool(self.flips),
            "crosses_red_line": bool(self.crosses_red_line),
        }


@dataclass(frozen=True)
class SmallestChange:
    """The smallest move of one provision that brings the pivotal party to yes."""

    issue: str
    point: str
    current: float | None
    proposed: float
    share_of_scale: float
    p_accept: Probability
    p_deal: Probability

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "issue": self.issue,
            "point": self.point,
            "from": finite_or_none(self.current),
            "to": self.proposed,
            "share_of_scale": self.share_of_scale,
            "p_accept": self.p_accept.to_dict(),
            "p_deal": self.p_deal.to_dict(),
        }


@dataclass(frozen=True)
class PlanBrief:
    """The bottom line for one text."""

    plan: str
    title: str
    deal: Probability
    parties: tuple[Party, ...]
    pivotal: str | None
    pivotal_why: str
    deciding: tuple[DecidingProvision, ...]
    smallest_change: SmallestChange | None
    smallest_change_note: str
    unaddressed: tuple[str, ...]
    deferred: Mapping[str, Mapping[str, Any]]
    pivotal_label: str | None = None
    """The pivotal party's short name (an actor's name without its parenthesis; a group's id as written)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "plan": self.plan,
            "title": self.title,
            "p_deal": self.deal.to_dict(),
            "parties": [p.to_dict() for p in self.parties],
            "pivotal": self.pivotal,
            "pivotal_label": self.pivotal_label,
            "pivotal_why": self.pivotal_why,
            "deciding_provisions": [d.to_dict() for d in self.deciding],
            "smallest_change": self.smallest_change.to_dict() if self.smallest_change else None,
            "smallest_change_note": self.smallest_change_note,
            "unaddressed": list(self.unaddressed),
            "deferred": {k: dict(v) for k, v in self.deferred.items()},
        }


@dataclass(frozen=True)
class IssueHeadline:
    """The headline forecast of one issue across models."""

    issue: str
    label: str
    value: float
    low: float
    high: float
    spread_share: float
    models: Mapping[str, float]
    band: tuple[float, float]
    meaning: str

    def line(self) -> str:
        """One line: value, model spread and what it means, input band."""
        return (
            f"{self.label}: {self.value:.3g} (models {self.low:.3g}–{self.high:.3g}, "
            f"{100 * self.spread_share:.0f}% of the scale: {self.meaning}; "
            f"inputs: 90% of draws {self.band[0]:.3g}–{self.band[1]:.3g})"
        )

    @property
    def agreement(self) -> str:
        """The meaning in a word or two: "agree", "differ somewhat", "disagree" or "none settles it"."""
        return _agreement(self.spread_share)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "issue": self.issue,
            "label": self.label,
            "agreement": self.agreement,
            "forecast": finite_or_none(self.value),
            "models": {k: finite_or_none(v) for k, v in self.models.items()},
            "spread": [finite_or_none(self.low), finite_or_none(self.high)],
            "spread_share_of_scale": finite_or_none(self.spread_share),
            "meaning": self.meaning,
            "band_90": [finite_or_none(self.band[0]), finite_or_none(self.band[1])],
            "line": self.line(),
        }


@dataclass(frozen=True)
class Brief:
    """The bottom line of a scenario: every text's chance of a deal, then the issues' headlines."""

    scenario_id: str
    title: str
    n: int
    seed: int | None
    model: str
    logit_scale: float
    walkaway: str
    signatories: tuple[str, ...]
    signatories_note: str
    plans: tuple[PlanBrief, ...]
    headlines: tuple[IssueHeadline, ...]
    conclusion: str
    lead: str = ""
    """The conclusion without its list of who refuses each text for certain (a display that lists the texts
    one by one says that itself); the conclusion where it has no such list."""

    def plan(self, plan_id: str) -> PlanBrief:
        """The brief of one text."""
        for p in self.plans:
            if p.plan == plan_id:
                return p
        raise KeyError(plan_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "kind": "brief",
            "scenario_id": self.scenario_id,
            "title": self.title,
            "conclusion": self.conclusion,
            "lead": self.lead or self.conclusion,
            "draws": self.n,
            "seed": self.seed,
            "model": self.model,
            "logit_scale": {
                "value": self.logit_scale,
                "source": "parley's assumption (docs/analysis.md §1.4)"
                if self.logit_scale == DEFAULT_LOGIT_SCALE
                else "given",
            },
            "walkaway": self.walkaway,
            "signatories": list(self.signatories),
            "signatories_note": self.signatories_note,
            "plans": [p.to_dict() for p in self.plans],
            "headlines": [h.to_dict() for h in self.headlines],
        }


class _Draws:
    """The Monte Carlo draws rebuilt once, so that plan variants are scored on the same draws."""

    def __init__(
        self, scenario: Scenario, mc: MonteCarloResult, options: ScoringOptions, entropy: Any, rows: slice
    ) -> None:
        from parley.analysis.plans.scoring import Basis

        values = mc.inputs[rows]
        self.stances = mc.space.stances(values)
        self.extras = mc.space.extras(values)
        self.forecast = mc.outcomes[rows]
        b = self.stances.shape[0]
        basis = Basis(scenario, options)
        self.basis = basis
        x, s = self.stances.positions, np.where(self.stances.mask, self.stances.saliences, 0.0)
        na = self.extras.no_agreement
        walk = np.where(np.isnan(na), basis.sq[None, :], na)
        res = np.where(np.isnan(basis.outside)[None], walk[:, None, :], basis.outside[None])
        if options.no_reference == "worst":
            lo, hi = self.stances.lower, self.stances.upper
            res = np.where(np.isnan(res), np.where(np.abs(x - lo) >= np.abs(x - hi), lo, hi), res)
        self.res = np.where(np.isnan(res) | ~basis.scored[None], x, res)
        span = self.stances.upper - self.stances.lower
        self.w = np.where(basis.scored, s, 0.0) / (span**2 if basis.quadratic else span)
        self.x = x
        self.options = options
        counts = self.stances.mask.sum(axis=2)
        own = np.where(self.stances.mask, self.stances.capabilities, 0.0).sum(axis=2) / np.maximum(counts, 1)
        self.capability = np.where(counts > 0, own, self.stances.capabilities.mean(axis=2))
        self.entropy = entropy
        self.start = rows.start or 0
        self.b = b
        self._uniforms: dict[int, np.ndarray] = {}

    def uniforms(self, plan_index: int, n_plans: int) -> np.ndarray | None:
        """(B, N) the logit term's uniforms of one scenario plan, as Monte Carlo drew them."""
        if self.options.logit_scale <= 0:
            return None
        if plan_index not in self._uniforms:
            # each draw's stream gives every plan's row at once: draw them all on the first call
            n = self.x.shape[1]
            rows = [
                np.random.default_rng(np.random.SeedSequence(self.entropy, spawn_key=(i, 1))).random((n_plans, n))
                for i in range(self.start, self.start + self.b)
            ]
            every = np.stack(rows) if rows else np.empty((0, n_plans, n))
            for k in range(n_plans):
                self._uniforms[k] = every[:, k, :]
        return self._uniforms[plan_index]

    def accept(self, z: FloatArray, plan_index: int, n_plans: int) -> np.ndarray:
        """(B, V, N) acceptance of outcome variants ``z`` (B or 1, V, M) of one plan on these draws."""
        v = z.shape[1]
        u = self.uniforms(plan_index, n_plans)
        _, _, acc, _ = accept_arrays(
            self.x,
            self.w,
            self.res,
            np.broadcast_to(z, (self.b, v, z.shape[2]))[:, :, None, :],
            self.extras.red_min,
            self.extras.red_max,
            self.basis.red_soft,
            self.basis.red_penalty,
            quadratic=self.basis.quadratic,
            tolerance=self.options.tolerance,
            logit_scale=self.options.logit_scale,
            uniforms=None if u is None else np.broadcast_to(u[:, None, :], (self.b, v, u.shape[1])),
        )
        return acc

    def accept_changes(
        self,
        plan_index: int,
        n_plans: int,
        z: FloatArray,
        cols: np.ndarray,
        values: FloatArray,
        rows: tuple[int, ...] | None = None,
    ) -> np.ndarray:
        """(B, V, N) acceptance of variants of outcome ``z`` (B, M) that each change one issue.

        Variant ``v`` sets issue ``cols[v]`` to ``values[:, v]`` (B, V); the rest of ``z`` stays.
        Utility and red lines are separable by issue, so only the changed column is re-scored —
        the same numbers as :func:`~parley.analysis.plans.decision.accept_arrays` on the full vector.
        With ``rows``, only those actors are scored (the last axis is then ``len(rows)``).
        """
        from parley.analysis.plans.decision import loss

        r = list(range(self.x.shape[1])) if rows is None else list(rows)
        quad = self.basis.quadratic
        x, w, res = self.x[:, r], self.w[:, r], self.res[:, r]
        red_max, red_min = self.extras.red_max[:, r], self.extras.red_min[:, r]
        soft, penalty = self.basis.red_soft[r], self.basis.red_penalty[r]
        zf = np.where(np.isnan(z)[:, None, :], res, z[:, None, :])  # (B, N, M)
        per = w * loss(zf - x, quad)
        with np.errstate(invalid="ignore"):
            cross = (zf > red_max + 1e-12) | (zf < red_min - 1e-12)
        softpen = np.where(soft, penalty, 0.0)  # (N, M)
        hard_mask = cross & ~soft
        u_res = -(w * loss(res - x, quad)).sum(axis=-1)  # (B, N)
        total, pen, hard_n = per.sum(axis=-1), (cross * softpen).sum(axis=-1), hard_mask.sum(axis=-1)
        # the changed column of each variant: (B, N, V)
        xj, wj, rj = x[:, :, cols], w[:, :, cols], res[:, :, cols]
        vals = np.where(np.isnan(values)[:, None, :], rj, values[:, None, :])
        lj = wj * loss(vals - xj, quad)
        with np.errstate(invalid="ignore"):
            cj = (vals > red_max[:, :, cols] + 1e-12) | (vals < red_min[:, :, cols] - 1e-12)
        sp = softpen[:, cols][None]
        soft_j = soft[:, cols][None]
        gain = (
            -(total[:, :, None] - per[:, :, cols] + lj)
            - u_res[:, :, None]
            - (pen[:, :, None] - cross[:, :, cols] * sp + cj * sp)
        )
        hard = (hard_n[:, :, None] - hard_mask[:, :, cols] + (cj & ~soft_j)) > 0
        gain, hard = np.swapaxes(gain, 1, 2), np.swapaxes(hard, 1, 2)  # (B, V, N)
        u = self.uniforms(plan_index, n_plans)
        if self.options.logit_scale > 0 and u is not None:
            prob = 0.5 * (1.0 + np.tanh(gain / (2.0 * self.options.logit_scale)))
            return np.asarray((u[:, None, r] < prob) & ~hard)
        return np.asarray((gain > self.options.tolerance) & ~hard)

    def plan_z(self, plan_index: int, points: FloatArray, deferred: np.ndarray) -> FloatArray:
        """(B, 1, M) the outcome of a scenario plan in each draw (deferred issues drawn)."""
        z = np.broadcast_to(points, (self.b, points.shape[-1])).copy()
        drawn = self.extras.deferred[:, plan_index, :]
        z = np.where(deferred[None] & ~np.isnan(drawn), drawn, z)
        to_f = self.extras.to_forecast[plan_index]
        z = np.where(to_f[None] & deferred[None], self.forecast, z)
        return z[:, None, :]


def _party_consent(
    accept: np.ndarray, rows: tuple[int, ...], renewal: bool, cap: FloatArray, opt: ScoringOptions
) -> np.ndarray:
    if renewal:
        return np.asarray(accept[..., list(rows)].any(axis=-1))
    return group_consents(accept, rows, cap, opt.group_veto, opt.group_majority)


def _deal(
    accept: np.ndarray,
    moved: np.ndarray,
    cap: FloatArray,
    signatories: tuple[Signatory, ...],
    holders: tuple[Holder, ...],
    renewal: np.ndarray,
    opt: ScoringOptions,
) -> np.ndarray:
    """(B, V) deals for acceptance (B, V, N) and moved issues (V, M)."""
    return consent(accept, moved, cap, signatories, holders, renewal, opt.group_veto, opt.group_majority).deal


def _agreement(share: float) -> str:
    if not math.isfinite(share):
        return "none settles it"
    return "agree" if share <= 0.10 else "differ somewhat" if share <= 0.25 else "disagree"


def _meaning(share: float) -> str:
    if not math.isfinite(share):
        return "no model settles it"
    if share <= 0.10:
        return "the models agree: the forecast does not hinge on how bargaining is modelled"
    if share <= 0.25:
        return "the models differ somewhat: read the value as the middle of a band"
    return "the models disagree: the outcome depends on which theory of bargaining holds; read it as a range"


def brief(
    scenario: Scenario,
    plans: Sequence[str] | None = None,
    *,
    n: int = 2000,
    seed: int | None = None,
    model: str = "compromise",
    models: Sequence[str] | None = None,
    logit_scale: float = DEFAULT_LOGIT_SCALE,
    options: ScoringOptions | None = None,
    search: bool = True,
) -> Brief:
    """The bottom line for a scenario's texts (all when ``plans`` is None); see the module docstring.

    Parameters
    ----------
    scenario
        The scenario.
    plans
        Ids of the texts to brief.
    n, seed, model
        Monte Carlo draws, seed (None: fresh entropy, recorded) and the model whose forecast a
        deferred issue without a range falls back to in each draw.
    models
        Models of the headline forecasts and of a deferred issue's spread (default:
        :func:`~parley.analysis.plans.scorecard.default_models`).
    logit_scale
        ``λ`` of the random-utility term (0: none); default
        :data:`~parley.analysis.plans.decision.DEFAULT_LOGIT_SCALE`, parley's assumption.
    options
        Scoring options (its ``logit_scale`` is replaced by ``logit_scale``).
    search
        Run the smallest-change search.

    Raises
    ------
    ScenarioError
        For an unknown plan.
    ParleyError
        For a bad number of draws, seed or logit scale.
    """
    options = dataclasses.replace(options or ScoringOptions(), logit_scale=logit_scale)
    chosen = select_plans(scenario, plans)
    model_names = tuple(models) if models is not None else default_models()
    card = score_plans(scenario, [p.id for p in chosen], options=options, models=model_names, rng=seed)
    spread = forecast_spread(scenario.issue_ids, [f.outcome for f in card.forecasts.values()])
    root = root_seed(seed)
    experiment = Experiment.of(scenario, model, options=options, spread=spread)
    mc = monte_carlo(experiment, n, rng=root, runner="sequential")
    draws = _Draws(scenario, mc, options, root.entropy, slice(0, mc.n))
    few = _Draws(scenario, mc, options, root.entropy, slice(0, min(mc.n, SEARCH_DRAWS)))
    nothing_uncertain = mc.space.size == 0 and logit_scale == 0 and not mc.space._to_forecast.any()
    plan_ids = [p.id for p in scenario.plans]
    sigs = signatories_of(scenario)
    holders = holders_of(scenario)
    renewal = np.array([i.consent == "renewal" for i in scenario.issues], dtype=bool)
    briefs = [
        _plan_brief(
            scenario,
            card,
            mc,
            draws,
            few,
            plan,
            plan_ids.index(plan.id),
            sigs,
            holders,
            renewal,
            options,
            nothing_uncertain,
            spread,
            search,
        )
        for plan in chosen
    ]
    headlines = _headlines(scenario, card, mc)
    if scenario.spec.no_agreement is not None and scenario.spec.no_agreement.positions:
        walk = (
            "each actor's walk-away is the scenario's no-agreement outcome "
            f"({', '.join(scenario.spec.no_agreement.positions)}; the status quo elsewhere), "
            "or its own outside option"
        )
    else:
        walk = (
            "the scenario declares no no-agreement outcome: each actor's walk-away is the status quo "
            "(or its own outside option) — a fallback, not a finding"
        )
    if scenario.spec.signatories:
        note = "declared by the scenario"
    elif scenario.spec.belligerents:
        note = "the scenario names no signatories: its belligerents are taken as the signatories"
    else:
        note = "the scenario names neither signatories nor belligerents: a deal needs only the consent rules"
    conclusion, lead = _conclusion(briefs)
    return Brief(
        scenario_id=scenario.scenario_id,
        title=scenario.title,
        n=mc.n,
        seed=mc.seed,
        model=mc.model,
        logit_scale=logit_scale,
        walkaway=walk,
        signatories=tuple(s.name for s in sigs),
        signatories_note=note,
        plans=tuple(briefs),
        headlines=headlines,
        conclusion=conclusion,
        lead=lead,
    )


def _plan_brief(
    scenario: Scenario,
    card: PlanScorecard,
    mc: MonteCarloResult,
    draws: _Draws,
    few: _Draws,
    plan: Plan,
    k: int,
    sigs: tuple[Signatory, ...],
    holders: tuple[Holder, ...],
    renewal: np.ndarray,
    options: ScoringOptions,
    nothing_uncertain: bool,
    spread: Mapping[str, tuple[float, float]],
    search: bool,
) -> PlanBrief:
    ids = scenario.actor_ids
    score = card.plan(plan.id)
    n_plans = len(scenario.plans)
    accept = mc.accept[:, k, :]  # (B, N)
    refuse = mc.refuse[:, k, :]
    deal = mc.deal[:, k]
    moved_names = set(moves(scenario, plan))
    moved = np.array([[key in moved_names for key in scenario.issue_ids]], dtype=bool)
    # a refusal nothing uncertain can move: a fixed red line crossed by a fixed provision
    uncertain_red = {(i.actor, i.issue) for i in mc.space.inputs if i.kind == "red_line"}
    fixed_no = np.zeros(len(ids), dtype=bool)
    for i, a in enumerate(ids):
        crossed = score.actor(a).red_lines
        fixed_no[i] = any((a, j) not in uncertain_red and j not in plan.deferred for j in crossed)
    # parties: signatories, then veto holders of issues the text moves
    parties: dict[str, dict[str, Any]] = {}
    for sg in sigs:
        parties.setdefault(sg.name, {"roles": [], "rows": sg.rows, "renewal": False})["roles"].append("signatory")
    for h in holders:
        if scenario.issue_ids[h.issue] not in moved_names:
            continue
        entry = parties.setdefault(h.name, {"roles": [], "rows": h.rows, "renewal": bool(renewal[h.issue])})
        role = f"veto on {scenario.issue_ids[h.issue]}" + (" (renewal)" if renewal[h.issue] else "")
        entry["roles"].append(role)
        entry["renewal"] = entry["renewal"] and bool(renewal[h.issue])
    cap = draws.capability
    out_parties = []
    for name, entry in parties.items():
        rows = entry["rows"]
        yes = _party_consent(accept, rows, entry["renewal"], cap, options)
        certain_no = (not entry["renewal"]) and options.group_veto == "unanimity" and bool(fixed_no[list(rows)].any())
        why = ""
        if nothing_uncertain:
            why = "no uncertain input and no logit term"
        elif certain_no:
            who = [scenario.actors[r].short_name for r in rows if fixed_no[r]]
            why = f"{', '.join(who)}: a fixed red line crossed by a fixed provision"
        forced = accept.copy()
        forced[:, list(rows)] = True
        swing = float(np.mean(_deal(forced[:, None, :], moved, cap, sigs, holders, renewal, options)[:, 0] & ~deal))
        out_parties.append(
            Party(
                name,
                tuple(entry["roles"]),
                tuple(ids[r] for r in rows),
                Probability.of(yes, certain=nothing_uncertain or certain_no, why=why),
                float(refuse[:, list(rows)].any(axis=1).mean()),
                score.actor(name).gain if name in ids else None,
                swing,
                label=scenario.actors[ids.index(name)].short_name if name in ids else name,
            )
        )
    deal_certain = nothing_uncertain or any(
        p.accept.certain
        and p.accept.p == 0.0
        and ("signatory" in p.roles or any(not r.endswith("(renewal)") for r in p.roles))
        for p in out_parties
    )
    deal_why = (
        "no uncertain input and no logit term"
        if nothing_uncertain
        else next((p.accept.why for p in out_parties if p.accept.certain and p.accept.p == 0.0), "")
    )
    p_deal = Probability.of(deal, certain=deal_certain, why=deal_why)
    # the pivotal party
    pivotal: str | None = None
    pivotal_label: str | None = None
    pivotal_why = "no signatory or veto holder"
    piv_rows: tuple[int, ...] = ()
    piv_renewal = False
    if out_parties:
        best = max(out_parties, key=lambda p: (p.swing, -p.accept.p))
        if best.swing > 0:
            pivotal = best.name
            pivotal_why = f"its consent alone would turn {100 * best.swing:.0f}% of the draws into deals"
        else:
            # the least willing; among equals, one that refuses for certain before one that refused in every draw
            best = min(out_parties, key=lambda p: (p.accept.p, not p.accept.certain))
            pivotal = best.name
            pivotal_why = "no single party's consent turns a draw into a deal; this is the least willing " + (
                "(it refuses for certain)" if best.accept.certain else f"(P(accept) {best.accept.text()})"
            )
        pivotal_label = best.label
        piv_rows = parties[best.name]["rows"]
        piv_renewal = parties[best.name]["renewal"]
    deciding: list[DecidingProvision] = []
    change: SmallestChange | None = None
    change_note = ""
    if pivotal is not None:
        base_points = np.array([_plan_points(scenario, plan)], dtype=float)
        base_def = np.array([[key in plan.deferred for key in scenario.issue_ids]])
        p_now = float(_party_consent(accept, piv_rows, piv_renewal, cap, options).mean())
        # provisions that decide it: drop each point, re-score on the same draws
        variants, meta = [], []
        for idx, prov in enumerate(plan.provisions):
            if prov.issue is None:
                continue
            rest = dataclasses.replace(plan, provisions=plan.provisions[:idx] + plan.provisions[idx + 1 :])
            variants.append((_plan_points(scenario, rest), [key in rest.deferred for key in scenario.issue_ids]))
            meta.append(prov)
        if variants:
            base_z = draws.plan_z(k, base_points[0], base_def[0])[:, 0, :]
            cols = np.array([scenario.issue_ids.index(str(prov.issue)) for prov in meta])
            vals = np.stack(
                [
                    draws.plan_z(k, np.array(pts), np.array(d))[:, 0, c]
                    for (pts, d), c in zip(variants, cols, strict=True)
                ],
                axis=1,
            )
            acc = draws.accept_changes(k, n_plans, base_z, cols, vals, piv_rows)
            local = tuple(range(len(piv_rows)))
            yes = _party_consent(acc, local, piv_renewal, cap[:, None, list(piv_rows)], options).mean(axis=0)
            for prov, p_without in zip(meta, yes, strict=True):
                j = scenario.issue_ids.index(str(prov.issue))
                crosses = prov.position is not None and any(
                    prov.position > card_red(draws, r, j, "max") + 1e-12
                    or prov.position < card_red(draws, r, j, "min") - 1e-12
                    for r in piv_rows
                )
                effect = float(p_without - p_now)
                deciding.append(
                    DecidingProvision(
                        prov.point,
                        prov.text,
                        str(prov.issue),
                        float(p_without),
                        effect,
                        bool((p_now < 0.5) != (p_without < 0.5)),
                        bool(crosses),
                    )
                )
            deciding.sort(key=lambda d: (-abs(d.effect), d.point))
            deciding = [d for d in deciding if abs(d.effect) > 0 or d.crosses_red_line][:5]
        if p_now >= 0.5:
            change_note = f"{pivotal_label} already says yes more often than not (P(accept) {100 * p_now:.0f}%)"
        elif not search:
            change_note = "search not run"
        else:
            change, change_note = _smallest_change(
                scenario,
                plan,
                k,
                n_plans,
                base_points[0],
                base_def[0],
                draws,
                few,
                piv_rows,
                piv_renewal,
                options,
                sigs,
                holders,
                renewal,
            )
    deferred = {key: dict(v) for key, v in score.deferred.items()}
    return PlanBrief(
        plan=plan.id,
        title=plan.title,
        deal=p_deal,
        parties=tuple(out_parties),
        pivotal=pivotal,
        pivotal_why=pivotal_why,
        deciding=tuple(deciding),
        smallest_change=change,
        smallest_change_note=change_note,
        unaddressed=score.unaddressed,
        deferred=deferred,
        pivotal_label=pivotal_label,
    )


def card_red(draws: _Draws, row: int, col: int, side: str) -> float:
    """The point value of a red-line bound (±inf where none)."""
    v = (draws.basis.red_max if side == "max" else draws.basis.red_min)[row, col]
    if np.isnan(v):
        return math.inf if side == "max" else -math.inf
    return float(v)


def _plan_points(scenario: Scenario, plan: Plan) -> list[float]:
    sq = scenario.status_quo
    pos, deferred = plan.positions, plan.deferred
    return [float(pos.get(key, np.nan if key in deferred else sq[j])) for j, key in enumerate(scenario.issue_ids)]


def _smallest_change(
    scenario: Scenario,
    plan: Plan,
    k: int,
    n_plans: int,
    points: FloatArray,
    deferred: np.ndarray,
    draws: _Draws,
    few: _Draws,
    rows: tuple[int, ...],
    renewal_party: bool,
    options: ScoringOptions,
    sigs: tuple[Signatory, ...],
    holders: tuple[Holder, ...],
    renewal: np.ndarray,
) -> tuple[SmallestChange | None, str]:
    """Grid search over each addressed issue's scale for the nearest value that brings the party to yes."""
    addressed: dict[str, str] = {}
    for prov in plan.provisions:
        if prov.issue is not None:
            addressed.setdefault(prov.issue, prov.point)
    candidates = []
    for key in addressed:
        j = scenario.issue_ids.index(key)
        issue = scenario.issues[j]
        grid = np.linspace(issue.lower, issue.upper, GRID)
        for v in grid:
            pts = points.copy()
            pts[j] = np.round(v, 10)
            d = deferred.copy()
            d[j] = False
            cur = points[j]
            dist = (
                abs(v - cur) / issue.span if np.isfinite(cur) else abs(v - (issue.lower + issue.upper) / 2) / issue.span
            )
            candidates.append((key, j, float(np.round(v, 10)), float(dist), pts, d))
    if not candidates:
        return None, "the text addresses no issue"
    base_z = few.plan_z(k, points, deferred)[:, 0, :]
    cols = np.array([c[1] for c in candidates])
    vals = np.broadcast_to(np.array([c[2] for c in candidates])[None, :], (few.b, len(candidates)))
    acc = few.accept_changes(k, n_plans, base_z, cols, np.array(vals), rows)
    local = tuple(range(len(rows)))
    yes = _party_consent(acc, local, renewal_party, few.capability[:, None, list(rows)], options).mean(axis=0)
    ok = [c for c, y in zip(candidates, yes, strict=True) if y >= 0.5]
    if not ok:
        return (
            None,
            "no change to a single provision brings the pivotal party to yes (searched every addressed issue's scale)",
        )
    key, j, v, dist, pts, d = min(ok, key=lambda c: (c[3], c[0]))
    z1 = draws.plan_z(k, pts, d)
    acc1 = draws.accept(z1, k, n_plans)
    yes1 = _party_consent(acc1, rows, renewal_party, draws.capability[:, None, :], options)[:, 0]
    moved_names = set(moves(scenario, plan)) | {key}
    moved = np.array([[name in moved_names for name in scenario.issue_ids]], dtype=bool)
    deal1 = _deal(acc1, moved, draws.capability, sigs, holders, renewal, options)[:, 0]
    cur = float(points[j]) if np.isfinite(points[j]) else None
    return (
        SmallestChange(key, (dict(addressed)[key]), cur, v, dist, Probability.of(yes1), Probability.of(deal1)),
        f"searched {GRID} points of each addressed issue's scale on {few.b} draws; re-scored on all {draws.b}",
    )


def _headlines(scenario: Scenario, card: PlanScorecard, mc: MonteCarloResult) -> tuple[IssueHeadline, ...]:
    q = mc.quantiles()
    out = []
    for issue in scenario.issues:
        values = {name: float(f.outcome[issue.id]) for name, f in card.forecasts.items()}
        finite = [v for v in values.values() if math.isfinite(v)]
        if finite:
            value, lo, hi = float(np.median(finite)), min(finite), max(finite)
            share = (hi - lo) / issue.span
        else:
            value = lo = hi = share = math.nan
        band = (q[issue.id]["q05"], q[issue.id]["q95"])
        out.append(IssueHeadline(issue.id, issue.label, value, lo, hi, share, values, band, _meaning(share)))
    return tuple(out)


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _conclusion(briefs: Sequence[PlanBrief]) -> tuple[str, str]:
    """The bottom line, and its lead: the same without the list of who refuses each text for certain."""
    if not briefs:
        return ("No text on the table to assess.",) * 2
    if all(b.deal.certain and b.deal.p == 0.0 for b in briefs):
        # nothing uncertain can save any text: name who refuses each, not a "best" among equals
        by_party: dict[str, list[str]] = {}
        for b in briefs:
            refusing = [p.label for p in b.parties if p.accept.certain and p.accept.p == 0.0] or [b.deal.why]
            by_party.setdefault(_and(refusing), []).append(b.plan)
        who = "; ".join(f"{_and(plans)} by {party}" for party, plans in by_party.items())
        lead = (
            "No text on the table can be signed as written: each crosses a fixed red line of a party whose "
            "consent it needs, whatever the uncertain inputs"
        )
        return f"{lead} (refused for certain: {who}).", f"{lead}."
    best = max(briefs, key=lambda b: b.deal.p)
    lead = f"The likeliest deal is {best.plan}: P(deal) {best.deal.text()}"
    if best.deal.p < 0.05:
        lead = f"No text on the table is likely to be signed; the best, {best.plan}, has P(deal) {best.deal.text()}"
    parts = [lead]
    if best.unaddressed:
        parts.append(
            f"caution: {best.plan} does not mention {len(best.unaddressed)} issue"
            f"{'s' if len(best.unaddressed) != 1 else ''} ({', '.join(best.unaddressed[:4])}"
            f"{', …' if len(best.unaddressed) > 4 else ''}), which stay at the status quo under a deal"
        )
    if best.pivotal:
        parts.append(f"{best.pivotal_label or best.pivotal} is pivotal ({best.pivotal_why})")
    if best.smallest_change is not None:
        c = best.smallest_change
        parts.append(
            f"moving {c.issue} (point {c.point or '–'}) from {c.current if c.current is not None else '–'} to "
            f"{c.proposed:.3g} would bring {best.pivotal_label or best.pivotal} to yes "
            f"({c.p_accept.text()}; P(deal) then {c.p_deal.text()})"
        )
    elif best.smallest_change_note:
        parts.append(best.smallest_change_note)
    text = "; ".join(parts) + "."
    return text, text
