"""Scoring the texts on the table: how each actor rates each plan (docs/analysis.md §1).

For every plan and actor this module computes the actor's utility of the plan, of the
status quo, of its reservation and of each model's forecast; whether it accepts; who gains
and who loses on each provision; the capability-weighted share of support; the veto
players and whether they consent; the Nash product against the disagreement point; Pareto
dominance between plans; and the concession index — the salience-weighted share of the
distance between an actor's ideal and its opponent's that the plan gives away.

Definitions (all written out in docs/analysis.md):

- utility of an outcome ``z`` for actor ``i``: ``u_i(z) = −Σ_j s_ij L(|z_j − x_ij| / span_j)``
  over the issues scored for ``i``, with ``L(d) = d`` (linear) or ``d²`` (quadratic), the
  scenario's ``utility`` unless overridden;
- reservation (walk-away) ``r_ij``: the actor's ``outside_option`` on the issue where given,
  else the scenario's ``no_agreement`` position, else (no no-agreement outcome declared) the
  issue's status quo; on an issue with none of these, ``no_reference`` decides: ``"exclude"``
  leaves the issue out of every score of that actor, ``"worst"`` takes the end of the scale
  farthest from the actor (as parley's Nash model does);
- a plan's outcome: its position on each issue it addresses; a deferred issue is uncertain
  over its range (the utility is the expected one); an issue the text does not mention stays
  at the status quo under a deal and is reported (``unaddressed``); with no status quo either,
  the issue stays unsettled and each actor gets its reservation there;
- the actor accepts iff it crosses none of its hard red lines and
  ``u_i(plan) − u_i(reservation) − soft penalties > tolerance``
  (:mod:`parley.analysis.plans.decision`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from parley._random import SeedLike
from parley.analysis.plans.decision import (
    accept_arrays,
    deferred_range,
    group_consents,
    loss,
    plan_samples,
    signatories_of,
)
from parley.analysis.plans.scoring import (
    STATUS_QUO,
    Basis,
    BoolArray,
    FloatArray,
    ScoringOptions,
    consent,
    default_models,
    finite_or_none,
    select_plans,
    veto_holders,
)
from parley.errors import Problem, ScenarioError
from parley.models.base import get_model
from parley.scenario.core import Plan, Scenario

__all__ = [
    "ActorScore",
    "AlternativeScore",
    "PlanScore",
    "PlanScorecard",
    "ProvisionEffect",
    "VetoCheck",
    "score_plans",
]


def forecast_spread(
    issue_ids: Sequence[str], outcomes: Sequence[Mapping[str, float]]
) -> dict[str, tuple[float, float]]:
    """Per issue, the [min, max] of the models' forecasts (issues no model settles left out)."""
    out: dict[str, tuple[float, float]] = {}
    for k in issue_ids:
        values = [float(o[k]) for o in outcomes if k in o and np.isfinite(o[k])]
        if values:
            out[k] = (min(values), max(values))
    return out


@dataclass(frozen=True)
class ActorScore:
    """One actor's view of one alternative (a plan, the status quo or a forecast).

    Attributes
    ----------
    utility : ``u_i`` of the alternative
    gain : ``utility − reservation``
    accepts : ``gain > tolerance``
    concession : concession index toward the actor's opponent (NaN when undefined)
    concession_by_issue : the clipped share given away on each issue counted
    red_lines : issues where the alternative crosses a hard red line of the actor (it refuses)
    penalty : soft red-line penalties subtracted from ``gain``
    """

    actor: str
    utility: float
    gain: float
    accepts: bool
    concession: float
    concession_by_issue: Mapping[str, float] = field(default_factory=dict)
    red_lines: tuple[str, ...] = ()
    penalty: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "utility": finite_or_none(self.utility),
            "gain": finite_or_none(self.gain),
            "accepts": self.accepts,
            "red_lines_crossed": list(self.red_lines),
            "penalty": finite_or_none(self.penalty),
            "concession": finite_or_none(self.concession),
            "concession_by_issue": {k: finite_or_none(v) for k, v in self.concession_by_issue.items()},
        }


@dataclass(frozen=True)
class ProvisionEffect:
    """Who gains and who loses on one provision, against the status quo of its issue.

    ``effects`` holds each actor's salience-weighted utility change on the issue,
    ``s_ij [L(|q_j − x_ij|) − L(|p − x_ij|)]`` (``q`` the status quo, or the actor's
    reservation where the issue has none), for the actors with a stance there.
    """

    index: int
    point: str
    text: str
    category: str
    issue: str | None
    position: float | None
    gainers: tuple[str, ...]
    losers: tuple[str, ...]
    unaffected: tuple[str, ...]
    effects: Mapping[str, float]
    note: str = ""
    inherited_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "index": self.index,
            "point": self.point,
            "text": self.text,
            "category": self.category,
            "issue": self.issue,
            "position": self.position,
            "gainers": list(self.gainers),
            "losers": list(self.losers),
            "unaffected": list(self.unaffected),
            "effects": {k: finite_or_none(v) for k, v in self.effects.items()},
            "note": self.note,
            "inherited_from": self.inherited_from,
        }


@dataclass(frozen=True)
class VetoCheck:
    """One veto holder of one issue a plan moves, and whether it consents.

    ``consent`` is the issue's rule: ``"change"`` (the holder's no blocks the move) or
    ``"renewal"`` (the status quo lapses unless every holder renews it: ``consents`` is True
    when any member accepts, and the issue's rule holds when any holder consents).
    """

    issue: str
    holder: str
    kind: Literal["actor", "group"]
    members: tuple[str, ...]
    accepting: tuple[str, ...]
    consents: bool
    rule: str
    consent: str = "change"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "issue": self.issue,
            "holder": self.holder,
            "kind": self.kind,
            "members": list(self.members),
            "accepting": list(self.accepting),
            "consents": self.consents,
            "rule": self.rule,
            "consent": self.consent,
        }


@dataclass(frozen=True)
class PlanScore:
    """Everything scored for one plan.

    Attributes
    ----------
    outcome : the plan's outcome per issue (None where unsettled; a deferred issue's expected value)
    unaddressed : issues the plan does not mention at all (under a deal they stay at the status quo)
    deferred : issues the plan leaves to later talks: ``{issue: {low, high, basis}}``
    signatories : each signatory's consent (``{name: bool}``)
    deal : every signatory consents and every consent rule holds
    inherited : issues settled by provisions the plan inherits from the text it revises
        (a plan with ``inherit: true``)
    actors : one :class:`ActorScore` per actor
    support : capability share of the actors that accept
    vetoes, vetoes_pass : each veto holder of each issue the plan settles; all consent?
    nash_product : ``Π_i max(g_i, 0)`` over ``nash_actors`` (0 when anyone does not gain)
    nash_log : ``Σ_i log g_i`` when all gain, else None
    not_gaining : ``nash_actors`` with gain ≤ tolerance
    provisions : one :class:`ProvisionEffect` per provision
    """

    plan: str
    title: str
    proposer: str | None
    outcome: Mapping[str, float]
    unaddressed: tuple[str, ...]
    inherited: tuple[str, ...]
    actors: tuple[ActorScore, ...]
    support: float
    vetoes: tuple[VetoCheck, ...]
    vetoes_pass: bool
    nash_product: float
    nash_log: float | None
    not_gaining: tuple[str, ...]
    provisions: tuple[ProvisionEffect, ...]
    deferred: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    signatories: Mapping[str, bool] = field(default_factory=dict)
    deal: bool = False

    def actor(self, actor_id: str) -> ActorScore:
        """The score of one actor."""
        for a in self.actors:
            if a.actor == actor_id:
                return a
        raise KeyError(actor_id)

    @property
    def accepting(self) -> tuple[str, ...]:
        """Actors that accept."""
        return tuple(a.actor for a in self.actors if a.accepts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "id": self.plan,
            "title": self.title,
            "proposer": self.proposer,
            "outcome": {k: finite_or_none(v) for k, v in self.outcome.items()},
            "unaddressed": list(self.unaddressed),
            "deferred": {k: dict(v) for k, v in self.deferred.items()},
            "inherited": list(self.inherited),
            "signatories": dict(self.signatories),
            "deal": self.deal,
            "actors": {a.actor: a.to_dict() for a in self.actors},
            "accepting": list(self.accepting),
            "support": finite_or_none(self.support),
            "vetoes": [v.to_dict() for v in self.vetoes],
            "vetoes_pass": self.vetoes_pass,
            "nash": {
                "product": finite_or_none(self.nash_product),
                "log": finite_or_none(self.nash_log),
                "not_gaining": list(self.not_gaining),
            },
            "provisions": [p.to_dict() for p in self.provisions],
        }


@dataclass(frozen=True)
class AlternativeScore:
    """The status quo or a model's forecast, scored like a plan (utilities and concessions)."""

    name: str
    outcome: Mapping[str, float]
    actors: tuple[ActorScore, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "outcome": {k: finite_or_none(v) for k, v in self.outcome.items()},
            "actors": {a.actor: a.to_dict() for a in self.actors},
        }


@dataclass(frozen=True)
class PlanScorecard:
    """Every plan scored for every actor, beside the status quo and the models' forecasts.

    Attributes
    ----------
    capability : each actor's capability (the mean of its per-issue capabilities over the
        issues where it has a stance) — the weight of its support
    reservation : each actor's utility of walking away
    opponents : each actor's opponent for the concession index (None when it has none)
    unscored : per actor, the issues where it has a stance but no reference (left out)
    status_quo, forecasts : alternatives scored like plans
    dominance : ``(a, b)`` pairs where alternative ``a`` Pareto-dominates ``b`` (plans and
        the status quo)
    """

    scenario_id: str
    options: ScoringOptions
    utility_form: str
    actor_ids: tuple[str, ...]
    capability: Mapping[str, float]
    reservation: Mapping[str, float]
    opponents: Mapping[str, str | None]
    unscored: Mapping[str, tuple[str, ...]]
    status_quo: AlternativeScore
    forecasts: Mapping[str, AlternativeScore]
    plans: tuple[PlanScore, ...]
    dominance: tuple[tuple[str, str], ...]

    def plan(self, plan_id: str) -> PlanScore:
        """The score of one plan."""
        for p in self.plans:
            if p.plan == plan_id:
                return p
        raise KeyError(plan_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "scenario_id": self.scenario_id,
            "options": self.options.to_dict(),
            "utility": self.utility_form,
            "actors": {
                a: {
                    "capability": finite_or_none(self.capability[a]),
                    "reservation": finite_or_none(self.reservation[a]),
                    "opponent": self.opponents[a],
                    "unscored_issues": list(self.unscored[a]),
                }
                for a in self.actor_ids
            },
            "status_quo": self.status_quo.to_dict(),
            "forecasts": {k: v.to_dict() for k, v in self.forecasts.items()},
            "plans": [p.to_dict() for p in self.plans],
            "dominance": [{"dominant": a, "dominated": b} for a, b in self.dominance],
        }


def _evaluate(basis: Basis, samples: FloatArray) -> tuple[FloatArray, FloatArray, BoolArray, BoolArray, FloatArray]:
    """Expected utility, gain, hard refusal, acceptance (N,) and crossing share (N, M) of outcome samples (Q, M)."""
    x, w = basis.x[None], basis.weights[None]
    res = np.where(basis.scored, basis.reservation, basis.x)[None]
    gain, hard, accept, crossing = accept_arrays(
        x,
        w,
        res,
        samples[None, None],
        basis.red_min[None],
        basis.red_max[None],
        basis.red_soft,
        basis.red_penalty,
        quadratic=basis.quadratic,
        tolerance=basis.options.tolerance,
    )
    u_res = -(loss(res[0] - x[0], basis.quadratic) * w[0]).sum(axis=-1)
    soft_cost = (crossing[0, 0] * np.where(basis.red_soft, basis.red_penalty, 0.0)).sum(axis=-1)
    util = gain[0, 0] + u_res + soft_cost
    return util, gain[0, 0], hard[0, 0], accept[0, 0], crossing[0, 0]


def _actor_scores(
    basis: Basis, outcome: FloatArray, opponents: Sequence[int | None], samples: FloatArray | None = None
) -> tuple[ActorScore, ...]:
    util, gain, _hard, accept, crossing = _evaluate(basis, outcome[None, :] if samples is None else samples)
    penalty = (crossing * np.where(basis.red_soft, basis.red_penalty, 0.0)).sum(axis=-1)
    conc, share = basis.concession(outcome, opponents)
    out = []
    for i, a in enumerate(basis.actor_ids):
        by_issue = {k: float(share[i, j]) for j, k in enumerate(basis.issue_ids) if not np.isnan(share[i, j])}
        crossed = tuple(k for j, k in enumerate(basis.issue_ids) if crossing[i, j] > 0.5 and not basis.red_soft[i, j])
        out.append(
            ActorScore(
                a, float(util[i]), float(gain[i]), bool(accept[i]), float(conc[i]), by_issue, crossed, float(penalty[i])
            )
        )
    return tuple(out)


def _provision_effects(basis: Basis, plan: Plan, samples: FloatArray) -> tuple[ProvisionEffect, ...]:
    tol = basis.options.tolerance
    ref = np.where(np.isnan(basis.sq)[None, :], basis.reservation, basis.sq[None, :])
    out = []
    for k, prov in enumerate(plan.provisions):
        if prov.issue is not None and prov.deferred is not None and prov.position is None:
            j = basis.issue_ids.index(prov.issue)
            rows = np.flatnonzero(basis.mask[:, j])
            known = rows[~np.isnan(ref[rows, j])]
            col = samples[:, j][:, None]
            d_ref = np.abs(ref[known, j] - basis.x[known, j]) / basis.span[j]
            d_new = np.abs(col - basis.x[known, j][None, :]) / basis.span[j]
            if basis.quadratic:
                d_ref, d_new = d_ref**2, d_new**2
            eff = basis.s[known, j] * (d_ref - d_new.mean(axis=0))
            ids = [basis.actor_ids[i] for i in known]
            out.append(
                ProvisionEffect(
                    k,
                    prov.point,
                    prov.text,
                    prov.category,
                    prov.issue,
                    None,
                    tuple(a for a, e in zip(ids, eff, strict=True) if e > tol),
                    tuple(a for a, e in zip(ids, eff, strict=True) if e < -tol),
                    tuple(a for a, e in zip(ids, eff, strict=True) if abs(e) <= tol),
                    {a: float(e) for a, e in zip(ids, eff, strict=True)},
                    f"deferred: scored over [{samples[:, j].min():g}, {samples[:, j].max():g}] (expected effect)",
                    prov.inherited_from,
                )
            )
            continue
        if prov.issue is None or prov.position is None:
            out.append(
                ProvisionEffect(
                    k,
                    prov.point,
                    prov.text,
                    prov.category,
                    None,
                    None,
                    (),
                    (),
                    (),
                    {},
                    prov.no_issue_reason,
                    prov.inherited_from,
                )
            )
            continue
        j = basis.issue_ids.index(prov.issue)
        rows = np.flatnonzero(basis.mask[:, j])
        known = rows[~np.isnan(ref[rows, j])]
        d_ref = np.abs(ref[known, j] - basis.x[known, j]) / basis.span[j]
        d_new = np.abs(prov.position - basis.x[known, j]) / basis.span[j]
        if basis.quadratic:
            d_ref, d_new = d_ref**2, d_new**2
        eff = basis.s[known, j] * (d_ref - d_new)
        ids = [basis.actor_ids[i] for i in known]
        missing = [basis.actor_ids[i] for i in np.setdiff1d(rows, known)]
        note = f"no status quo or outside option for: {', '.join(missing)}" if missing else ""
        out.append(
            ProvisionEffect(
                k,
                prov.point,
                prov.text,
                prov.category,
                prov.issue,
                prov.position,
                tuple(a for a, e in zip(ids, eff, strict=True) if e > tol),
                tuple(a for a, e in zip(ids, eff, strict=True) if e < -tol),
                tuple(a for a, e in zip(ids, eff, strict=True) if abs(e) <= tol),
                {a: float(e) for a, e in zip(ids, eff, strict=True)},
                note,
                prov.inherited_from,
            )
        )
    return tuple(out)


def _vetoes(scenario: Scenario, basis: Basis, plan: Plan, accepts: BoolArray) -> tuple[tuple[VetoCheck, ...], bool]:
    """Each veto holder of each issue the plan moves, and whether every consent rule holds."""
    ids = basis.actor_ids
    out = []
    renewal_ok: dict[str, bool] = {}
    change_ok = True
    for issue_id, holder, members in veto_holders(scenario, plan):
        rows = [ids.index(m) for m in members]
        kind: Literal["actor", "group"] = "actor" if holder in ids else "group"
        accepting = tuple(m for m, r in zip(members, rows, strict=True) if accepts[r])
        if scenario.issue(issue_id).consent == "renewal":
            ok = bool(accepting) or not members
            renewal_ok[issue_id] = renewal_ok.get(issue_id, False) or ok
            rule = "renewal: the status quo lapses unless every member renews it (any member accepting lets it move)"
            out.append(VetoCheck(issue_id, holder, kind, members, accepting, ok, rule, "renewal"))
            continue
        ok = bool(consent(rows, accepts, basis.capability, basis.options)[0])
        change_ok = change_ok and ok
        rule = (
            "actor"
            if kind == "actor"
            else (
                "unanimity"
                if basis.options.group_veto == "unanimity"
                else f"capability share > {basis.options.group_majority:g}"
            )
        )
        if not members:
            rule += " (no members in the scenario: cannot block)"
        out.append(VetoCheck(issue_id, holder, kind, members, accepting, ok, rule, "change"))
    return tuple(out), change_ok and all(renewal_ok.values())


def _dominance(names: Sequence[str], utilities: FloatArray, tol: float) -> tuple[tuple[str, str], ...]:
    """Pairs (a, b): ``a`` weakly better for all actors and strictly for one. ``utilities`` (K, N)."""
    diff = utilities[:, None, :] - utilities[None, :, :]
    dom = (diff >= -tol).all(axis=-1) & (diff > tol).any(axis=-1)
    return tuple((names[a], names[b]) for a, b in zip(*np.nonzero(dom), strict=True))


def score_plans(
    scenario: Scenario,
    plans: Sequence[str] | None = None,
    *,
    options: ScoringOptions | None = None,
    models: Sequence[str] | None = None,
    model_params: Mapping[str, Mapping[str, Any]] | None = None,
    rng: SeedLike = None,
) -> PlanScorecard:
    """Score plans for every actor, beside the status quo and the models' forecasts.

    Parameters
    ----------
    scenario
        The scenario.
    plans
        Ids of the plans to score (an id given twice is scored once); all of the scenario's when None.
    options
        Scoring choices (:class:`ScoringOptions`).
    models
        Registered models whose forecasts are scored too; None: :func:`default_models`.
    model_params
        Parameters per model name.
    rng
        Seed for models that draw.

    Raises
    ------
    ScenarioError
        For an unknown plan or opponent.
    ModelError
        For an unknown model or parameter.
    """
    options = options or ScoringOptions()
    chosen = select_plans(scenario, plans)
    basis = Basis(scenario, options)
    ids = basis.actor_ids
    opp = basis.opponents()
    res_u = basis.reservation_utility
    tol = options.tolerance

    def outcome_map(z: FloatArray) -> dict[str, float]:
        return {k: float(v) for k, v in zip(basis.issue_ids, z, strict=True)}

    sq_scores = _actor_scores(basis, basis.sq, opp)
    forecasts: dict[str, AlternativeScore] = {}
    for name in models if models is not None else default_models():
        f = get_model(name, (model_params or {}).get(name)).forecast(scenario, rng=rng, stated=options.stated)
        z = np.array([f.outcomes[k] for k in basis.issue_ids], dtype=float)
        forecasts[name] = AlternativeScore(name, outcome_map(z), _actor_scores(basis, z, opp))
    spread = forecast_spread(basis.issue_ids, [f.outcome for f in forecasts.values()])
    signatories = signatories_of(scenario)

    if options.nash_actors is not None:
        unknown = [a for a in options.nash_actors if a not in ids]
        if unknown:
            raise ScenarioError(scenario.source, [Problem("nash_actors", f"'{a}' is not an actor") for a in unknown])
        nash_rows = [ids.index(a) for a in options.nash_actors]
    elif len(scenario.spec.belligerents) == 2 and all(b in ids for b in scenario.spec.belligerents):
        nash_rows = [ids.index(b) for b in scenario.spec.belligerents]
    else:
        nash_rows = list(range(len(ids)))
    d_nash = res_u if options.disagreement == "reservation" else basis.utility(basis.sq)

    scores = []
    plan_utils = []
    for plan in chosen:
        z = basis.plan_outcome(plan)
        samples = plan_samples(scenario, plan, spread)
        actors = _actor_scores(basis, z, opp, samples)
        accepts = np.array([a.accepts for a in actors])
        util = np.array([a.utility for a in actors])
        plan_utils.append(util)
        cap = basis.capability
        support = float(cap[accepts].sum() / cap.sum())
        vetoes, rules_hold = _vetoes(scenario, basis, plan, accepts)
        signed = {
            sg.name: bool(group_consents(accepts, sg.rows, cap, options.group_veto, options.group_majority))
            for sg in signatories
        }
        deferred = {}
        for key in plan.deferred:
            lo, hi, how = deferred_range(scenario, plan, key, spread)
            deferred[key] = {"low": lo, "high": hi, "basis": how}
        z_shown = np.where(np.isnan(z), np.nanmean(samples, axis=0) if len(samples) > 1 else z, z)
        g = (util - d_nash)[nash_rows]
        positive = g > tol
        product = float(np.prod(np.where(positive, g, 0.0))) if len(g) else float("nan")
        log = float(np.sum(np.log(g))) if len(g) and positive.all() else None
        scores.append(
            PlanScore(
                plan=plan.id,
                title=plan.title,
                proposer=plan.proposer,
                outcome=outcome_map(z_shown),
                unaddressed=plan.unaddressed(basis.issue_ids),
                inherited=tuple(
                    dict.fromkeys(v.issue for v in plan.provisions if v.inherited_from and v.issue is not None)
                ),
                actors=actors,
                support=support,
                vetoes=vetoes,
                vetoes_pass=rules_hold,
                nash_product=product,
                nash_log=log,
                not_gaining=tuple(ids[r] for r, ok in zip(nash_rows, positive, strict=True) if not ok),
                provisions=_provision_effects(basis, plan, samples),
                deferred=deferred,
                signatories=signed,
                deal=rules_hold and all(signed.values()),
            )
        )
    names = [p.id for p in chosen] + [STATUS_QUO]
    all_utils = np.array([*plan_utils, [a.utility for a in sq_scores]])
    return PlanScorecard(
        scenario_id=scenario.scenario_id,
        options=options,
        utility_form="quadratic" if basis.quadratic else "linear",
        actor_ids=ids,
        capability={a: float(c) for a, c in zip(ids, basis.capability, strict=True)},
        reservation={a: float(u) for a, u in zip(ids, res_u, strict=True)},
        opponents={a: (ids[o] if o is not None else None) for a, o in zip(ids, opp, strict=True)},
        unscored={
            a: tuple(k for j, k in enumerate(basis.issue_ids) if basis.mask[i, j] and not basis.scored[i, j])
            for i, a in enumerate(ids)
        },
        status_quo=AlternativeScore(STATUS_QUO, outcome_map(basis.sq), sq_scores),
        forecasts=forecasts,
        plans=tuple(scores),
        dominance=_dominance(names, all_utils, tol),
    )
