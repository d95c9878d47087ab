"""How a party decides, as arrays: walk-aways, red lines, deferred issues, consent (docs/analysis.md §1).

One rule, used by the point scorecard (:mod:`.scorecard`, a batch of one) and by Monte Carlo
(:mod:`parley.analysis.uncertainty.montecarlo`, a batch of draws), so that the two never tell
different stories. Shapes: ``B`` draws, ``P`` plans, ``Q`` samples of a plan's outcome (a
deferred issue is uncertain: the point scorecard integrates over ``Q`` quantiles of its
range; Monte Carlo draws one value per draw, ``Q = 1``), ``N`` actors, ``M`` issues.

- An actor's **walk-away** on issue ``j``: its ``outside_option`` there, else the scenario's
  ``no_agreement`` position, else the status quo (the fallback when no no-agreement outcome
  is declared). Its reservation utility is the utility of that point.
- A **hard red line** ``{max: b}`` / ``{min: b}`` is crossed when the outcome on the issue lies
  beyond ``b``; a text that crosses one is refused whatever it gives elsewhere. A **soft**
  one costs its ``penalty`` (utility units) instead.
- Actor ``i`` **accepts** when it crosses no hard red line and
  ``gain = E[u_i(plan)] − u_i(walk-away) − penalties > tolerance``; with a logit scale
  ``λ > 0`` (random utility), it accepts with probability ``1 / (1 + exp(−gain / λ))``.
- **Consent**: a text *moves* issue ``j`` when it defers it or puts it off its status quo. For
  a moved ``consent: change`` issue, every veto holder must consent (a group: by
  ``group_veto``); for a moved ``consent: renewal`` issue, the move goes through when any
  one member of any veto holder accepts (only unanimity keeps the status quo). A **deal**
  needs every signatory's consent and every consent rule to hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from parley.scenario.core import Plan, Scenario

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

DEFAULT_LOGIT_SCALE = 0.02
"""parley's assumption (not from a source): the scale ``λ`` of the random-utility term in
:func:`parley.analysis.plans.brief.brief`, in the utility units of docs/analysis.md §1.1. A gain
of one ``λ`` is accepted with probability 0.73, of three ``λ`` with 0.95: a gain of 0.02 is a
2 %-of-scale move on one fully salient issue under linear loss — about the precision with which
an analyst places a position on a scale — so gains inside that band are treated as close calls
rather than verdicts."""

QUANTILE_SAMPLES = 64
"""Midpoint quantiles a deferred issue's range is integrated over in the point scorecard."""


@dataclass(frozen=True)
class Holder:
    """One veto holder of one issue: the issue's column, the holder's name and member rows."""

    issue: int
    name: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class Signatory:
    """An actor or group whose consent makes a deal, with its member rows."""

    name: str
    rows: tuple[int, ...]


def signatories_of(scenario: Scenario) -> tuple[Signatory, ...]:
    """The scenario's ``signatories`` (default: its belligerents; else nobody) with member rows."""
    names = list(scenario.spec.signatories) or list(scenario.spec.belligerents)
    ids = scenario.actor_ids
    return tuple(
        Signatory(n, tuple(ids.index(m) for m in scenario.group_members(n))) for n in names if scenario.group_members(n)
    )


def holders_of(scenario: Scenario) -> tuple[Holder, ...]:
    """Every veto holder of every issue, with member rows (holders with no members left out)."""
    ids = scenario.actor_ids
    out = []
    for j, issue in enumerate(scenario.issues):
        for h in issue.vetoes:
            rows = tuple(ids.index(m) for m in scenario.group_members(h))
            if rows:
                out.append(Holder(j, h, rows))
    return tuple(out)


def no_agreement_point(scenario: Scenario) -> FloatArray:
    """(M,) the declared no-agreement position of each issue, NaN where none is declared."""
    na = scenario.spec.no_agreement
    given = na.positions if na is not None else {}
    return np.array([given[k].position if k in given else np.nan for k in scenario.issue_ids], dtype=float)


def red_lines(scenario: Scenario) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
    """(N, M) point values of each actor's red-line ``min`` and ``max`` (NaN: none), ``soft`` and ``penalty``."""
    n, m = len(scenario.actors), len(scenario.issues)
    lo, hi = np.full((n, m), np.nan), np.full((n, m), np.nan)
    soft, penalty = np.zeros((n, m), dtype=bool), np.zeros((n, m))
    col = {k: j for j, k in enumerate(scenario.issue_ids)}
    for i, a in enumerate(scenario.spec.actors):
        for key, st in a.stances.items():
            red = st.red_line
            if red is None:
                continue
            j = col[key]
            if red.min is not None:
                lo[i, j] = red.min
            if red.max is not None:
                hi[i, j] = red.max
            soft[i, j], penalty[i, j] = red.soft, red.penalty
    return lo, hi, soft, penalty


def deferred_quantiles(low: float, high: float, mode: float | None, distribution: str, q: int) -> FloatArray:
    """``q`` midpoint quantiles of a uniform or triangular range (equal weights)."""
    u = (np.arange(q) + 0.5) / q
    if distribution == "uniform" or high <= low:
        return low + u * (high - low)
    c = (low + high) / 2 if mode is None else mode  # as the Monte Carlo draws it (uncertainty/inputs.py)
    f = (c - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (c - low))
    right = high - np.sqrt((1 - u) * (high - low) * (high - c))
    return np.where(u < f, left, right)


def plan_samples(
    scenario: Scenario, plan: Plan, spread: dict[str, tuple[float, float]] | None, q: int = QUANTILE_SAMPLES
) -> FloatArray:
    """(Q, M) equally likely outcomes of a plan: its positions, the status quo where it is silent,
    and ``Q`` quantiles of each deferred issue's range (declared, else ``spread``: the models'
    forecasts' [min, max], else the issue's whole scale). ``Q = 1`` when nothing is deferred."""
    sq = scenario.status_quo
    pos = plan.positions
    base = np.array([pos.get(k, sq[j]) for j, k in enumerate(scenario.issue_ids)], dtype=float)
    deferred = plan.deferred
    if not deferred:
        return base[None, :]
    out = np.repeat(base[None, :], q, axis=0)
    for key, d in deferred.items():
        j = scenario.issue_ids.index(key)
        issue = scenario.issues[j]
        if d.low is not None and d.high is not None:
            lo, hi = d.low, d.high
        elif spread is not None and key in spread:
            lo, hi = spread[key]
        else:
            lo, hi = issue.lower, issue.upper
        out[:, j] = deferred_quantiles(lo, hi, d.mode, d.distribution, q)
    return out


def deferred_range(
    scenario: Scenario, plan: Plan, key: str, spread: dict[str, tuple[float, float]] | None
) -> tuple[float, float, str]:
    """The range a deferred issue is scored over and where it comes from."""
    d = plan.deferred[key]
    if d.low is not None and d.high is not None:
        return d.low, d.high, "declared range"
    if spread is not None and key in spread:
        return spread[key][0], spread[key][1], "spread of the models' forecasts"
    issue = scenario.issue(key)
    return issue.lower, issue.upper, "whole scale (no range and no forecasts)"


def loss(d: FloatArray, quadratic: bool) -> FloatArray:
    """``L(d)``: ``d²`` or ``|d|``."""
    return d * d if quadratic else np.abs(d)


def group_consents(
    accept: BoolArray,
    rows: tuple[int, ...],
    capability: FloatArray,
    rule: Literal["unanimity", "capability_majority"],
    majority: float,
) -> BoolArray:
    """Whether a holder with these member rows consents, for acceptance ``(..., N)``; capability ``(..., N)``."""
    cols = accept[..., list(rows)]
    if rule == "unanimity" or len(rows) == 1:
        return np.asarray(cols.all(axis=-1))
    c = np.broadcast_to(capability, accept.shape)[..., list(rows)]
    return np.asarray((cols * c).sum(axis=-1) / c.sum(axis=-1) > majority)


@dataclass(frozen=True)
class ConsentResult:
    """Per plan: each signatory's consent, each veto holder's consent and each rule's verdict, and the deal.

    Shapes: leading ``(B, P)``; ``signatory`` (…, S), ``holder`` (…, H) (True where the rule
    does not apply: the text does not move that issue), ``deal`` (…).
    """

    signatory: BoolArray
    holder: BoolArray
    applies: BoolArray
    rules_hold: BoolArray
    deal: BoolArray


def consent(
    accept: BoolArray,
    moved: BoolArray,
    capability: FloatArray,
    signatories: tuple[Signatory, ...],
    holders: tuple[Holder, ...],
    renewal: BoolArray,
    rule: Literal["unanimity", "capability_majority"],
    majority: float,
) -> ConsentResult:
    """Signatories' consent, veto holders' consent and the deal, for acceptance ``accept`` (B, P, N).

    ``moved`` (P, M): where each plan moves an issue; ``capability`` (B, N); ``renewal`` (M,).
    A change-rule holder's consent is its group rule; under a renewal rule, a holder "consents"
    (lets the status quo lapse) when any of its members accepts, and the issue's rule holds when
    any holder does.
    """
    b, p, _ = accept.shape
    cap = capability[:, None, :]
    sig = (
        np.stack([group_consents(accept, s.rows, cap, rule, majority) for s in signatories], axis=-1)
        if signatories
        else np.ones((b, p, 0), dtype=bool)
    )
    hold = np.ones((b, p, len(holders)), dtype=bool)
    applies = np.zeros((p, len(holders)), dtype=bool)
    rules_ok = np.ones((b, p), dtype=bool)
    renew_any: dict[int, BoolArray] = {}
    for k, h in enumerate(holders):
        applies[:, k] = moved[:, h.issue]
        if renewal[h.issue]:
            yes = accept[..., list(h.rows)].any(axis=-1)
            renew_any[h.issue] = renew_any.get(h.issue, np.zeros((b, p), dtype=bool)) | yes
        else:
            yes = group_consents(accept, h.rows, cap, rule, majority)
            rules_ok &= yes | ~applies[None, :, k]
        hold[..., k] = yes | ~applies[None, :, k]
    for j, yes in renew_any.items():
        rules_ok &= yes | ~moved[None, :, j]
    deal = sig.all(axis=-1) & rules_ok
    return ConsentResult(sig, hold, applies, rules_ok, deal)


def moved_issues(samples: FloatArray, sq: FloatArray, deferred: BoolArray) -> BoolArray:
    """(P, M) where each plan moves an issue: deferred, or settled off its status quo (or with none).

    ``samples`` (P, Q, M) the plans' outcomes (NaN: unsettled), ``deferred`` (P, M).
    """
    settled = ~np.isnan(samples).all(axis=1)
    with np.errstate(invalid="ignore"):
        off = np.isnan(sq)[None, :] | (np.abs(np.nanmean(samples, axis=1) - sq[None, :]) > 1e-12)
    return deferred | (settled & off)


def accept_arrays(
    x: FloatArray,
    w: FloatArray,
    reservation: FloatArray,
    outcomes: FloatArray,
    red_min: FloatArray,
    red_max: FloatArray,
    soft: BoolArray,
    penalty: FloatArray,
    *,
    quadratic: bool,
    tolerance: float,
    logit_scale: float = 0.0,
    uniforms: FloatArray | None = None,
    hard_share: float = 0.5,
) -> tuple[FloatArray, BoolArray, BoolArray, FloatArray]:
    """Gain, hard refusal, acceptance and each issue's crossing share for every draw, plan and actor.

    Parameters
    ----------
    x, w : (B, N, M) ideal points and weights ``s / span`` (linear) or ``s / span²`` (0 where not scored)
    reservation : (B, N, M) walk-away points (finite where scored)
    outcomes : (B, P, Q, M) the plans' outcomes (NaN where a plan leaves an issue unsettled)
    red_min, red_max : (B, N, M) red-line bounds, NaN where none
    soft, penalty : (N, M) soft red lines and their penalties
    logit_scale, uniforms : random-utility scale ``λ`` and (B, P, N) uniform numbers: with
        ``λ > 0`` an actor accepts when ``u < 1 / (1 + exp(−gain/λ))``
    hard_share : a hard red line counts as crossed when more than this share of the ``Q``
        samples cross it (``Q = 1``: when the outcome crosses it)

    Returns
    -------
    gain (B, P, N), hard (B, P, N), accept (B, P, N), crossing (B, P, N, M) share of samples beyond a red line
    """
    z = outcomes[:, :, :, None, :]  # (B, P, Q, 1, M)
    xx = x[:, None, None]  # (B, 1, 1, N, M)
    res = reservation[:, None, None]
    z_full = np.where(np.isnan(z), res, z)
    u_plan = -(loss(z_full - xx, quadratic) * w[:, None, None]).sum(axis=-1).mean(axis=2)  # (B, P, N)
    u_res = -(loss(reservation - x, quadratic) * w).sum(axis=-1)  # (B, N)
    with np.errstate(invalid="ignore"):
        beyond = (z_full > red_max[:, None, None] + 1e-12) | (z_full < red_min[:, None, None] - 1e-12)
    crossing = beyond.mean(axis=2)  # (B, P, N, M)
    soft_cost = (crossing * np.where(soft, penalty, 0.0)).sum(axis=-1)
    hard = ((crossing > hard_share) & ~soft).any(axis=-1)
    gain = u_plan - u_res[:, None, :] - soft_cost
    if logit_scale > 0 and uniforms is not None:
        prob = 0.5 * (1.0 + np.tanh(gain / (2.0 * logit_scale)))
        accept = (uniforms < prob) & ~hard
    else:
        accept = (gain > tolerance) & ~hard
    return gain, hard, accept, crossing
