"""The bargaining range of war (Fearon 1995; Powell 2006): docs/analysis.md §2 and docs/models.md#analyses.

Two sides, A and B (by default the scenario's ``belligerents``, A first). Every outcome is
put on one 0–1 scale: on an issue, ``t = (z − x_B) / (x_A − x_B)`` clipped to [0, 1], so 1
is A's ideal and 0 is B's (A prefers higher); the composite is the weighted mean of ``t``
over the issues the sides dispute, weighted by the mean of their two saliences. War is
Fearon's lottery: A wins — and imposes its ideal — with probability ``p``, at cost ``c_A``;
B at ``c_B``. A settlement ``x`` is acceptable to both iff ``p − c_A ≤ x ≤ p + c_B``.

An outside option moves a side's war value: if A's refusal costs it ``δ_A`` of its chance
(allies withdraw aid), A accepts down to ``p − δ_A − c_A``; likewise B up to ``p + δ_B + c_B``.
``P(acceptable)`` for uncertain ``p`` and costs is integrated (``scipy.integrate.quad``).
A plan's military terms imply a shift ``Δp`` by a stated rule (the contest success
function, :class:`MilitaryRule`); a plan inside today's range but outside the shifted one
has Powell's commitment problem.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from parley.analysis.plans.acceptability import Fixed, Quantity, distribution, odds_shift, p_acceptable
from parley.analysis.plans.scoring import FloatArray, finite_or_none, select_plans
from parley.analysis.plans.vocabulary import MILITARY_TAGS, detect
from parley.errors import ParleyError, Problem, ScenarioError
from parley.scenario.core import Plan, Scenario
from parley.scenario.schema import ShockSpec
from parley.scenario.shocks import apply_shock

__all__ = [
    "BargainingOptions",
    "BargainingRange",
    "MilitaryRule",
    "MilitaryTerm",
    "PlanInRange",
    "bargaining_range",
    "check_input",
    "input_problem",
    "military_terms",
]


@dataclass(frozen=True)
class MilitaryRule:
    """The rule from a plan's military terms to an implied shift in ``p`` (docs/analysis.md §2.5).

    A term on issue ``j`` that moves it from the status quo ``q`` to the plan's ``v``
    constrains the belligerent that loses by the move. It keeps the fraction
    ``r = |v − e| / |q − e|`` of that capability, ``e`` being the scale end the move goes
    toward (read as: none of it left). The side's war capability is multiplied by
    ``M = 1 − φ (1 − Π r^ε)``, ``ε`` the term's elasticity and ``φ`` the belligerent's own share
    of its side's weight. With the ratio-form contest success function
    ``p = C_A^m / (C_A^m + C_B^m)`` (Tullock 1980; Hirshleifer 1989), the odds of ``p``
    change by ``(M_A / M_B)^m``.

    Attributes
    ----------
    elasticity : per tag, how capability scales with what the term keeps: ``army_cap`` 1
        (capability in proportion to force size — an assumption, stated), ``weapons_limit``
        and ``territory`` 0 (flagged, not quantified, until you give a value)
    decisiveness : ``m``, the contest success function's exponent
    terms : explicit ``(issue, tag)`` pairs that override detection for those issues
    keywords : detect untagged terms from the provision text
    """

    elasticity: tuple[tuple[str, float], ...] = (("army_cap", 1.0), ("weapons_limit", 0.0), ("territory", 0.0))
    decisiveness: float = 1.0
    terms: tuple[tuple[str, str], ...] = ()
    keywords: bool = True

    def elasticity_of(self, tag: str) -> float:
        """The elasticity for a tag (0 when not listed)."""
        return dict(self.elasticity).get(tag, 0.0)


_RANGES: dict[str, tuple[float, float, str]] = {
    "p": (0.0, 1.0, "A's chance of winning a war"),
    "cost_a": (0.0, math.inf, "A's cost of war on the 0–1 scale"),
    "cost_b": (0.0, math.inf, "B's cost of war on the 0–1 scale"),
}


def input_problem(name: str, value: Quantity) -> str | None:
    """What is wrong with a value of ``p``, ``cost_a`` or ``cost_b``, or None when it fits.

    ``p`` must lie in [0, 1] and a cost at or above 0, both finite. A distribution must have
    such a mean and a support whose finite ends lie in that range too (a normal one, with
    unbounded support, is judged by its mean).
    """
    lo, hi, what = _RANGES[name]
    bounds = "between 0 and 1" if math.isfinite(hi) else "a finite number ≥ 0"
    if isinstance(value, Fixed):
        v = value.value
        if not (math.isfinite(v) and lo <= v <= hi):
            return f"{name} ({what}) must be {bounds}, got {v:g}"
        return None
    mean = value.mean()
    if not (math.isfinite(mean) and lo <= mean <= hi):
        return f"{name} ({what}) must be {bounds}; the distribution's mean is {mean:g}"
    ends = [e for e in value.breaks() if not lo <= e <= hi]
    if ends:
        return f"{name} ({what}) must be {bounds}; the distribution reaches {ends[0]:g}"
    return None


def check_input(name: str, value: Any) -> Quantity:
    """``value`` of ``p``, ``cost_a`` or ``cost_b`` as a Quantity, checked to lie in its range.

    Raises
    ------
    ParleyError
        When the value (or the distribution's mean or support) is outside its range or not finite.
    ScenarioError
        For a malformed distribution mapping.
    """
    q = distribution(value, name)
    problem = input_problem(name, q)
    if problem is not None:
        raise ParleyError(problem)
    return q


@dataclass(frozen=True)
class BargainingOptions:
    """Inputs of the bargaining range; each None takes the default documented in docs/analysis.md §2.

    ``p`` default: derived from the two sides' coalitions (``p_rule``); ``cost_a`` and
    ``cost_b``: ``metadata.bargaining`` of the scenario, else ``default_cost`` (an assumption,
    reported as one). Each may be a number, a distribution mapping or a frozen scipy
    distribution. ``refusal_shift_*`` is ``δ``; ``refusal_shock_*`` derives ``δ`` from a
    scenario shock (the change in the derived ``p`` when it is applied). ``allies_a`` and
    ``allies_b`` (actor ids or group names) fix each side's coalition by declaration instead
    of by position; when either is given, both sides are taken as declared (the side itself
    plus the members named).
    """

    sides: tuple[str, str] | None = None
    issue: str | None = None
    p: Any = None
    cost_a: Any = None
    cost_b: Any = None
    refusal_shift_a: float = 0.0
    refusal_shift_b: float = 0.0
    refusal_shock_a: str | ShockSpec | None = None
    refusal_shock_b: str | ShockSpec | None = None
    p_rule: Literal["coalitions", "belligerents"] = "coalitions"
    allies_a: tuple[str, ...] = ()
    allies_b: tuple[str, ...] = ()
    p_weights: Literal["capability*salience", "capability"] = "capability*salience"
    default_cost: float = 0.1
    military: MilitaryRule = field(default_factory=MilitaryRule)

    def __post_init__(self) -> None:
        for name in ("p", "cost_a", "cost_b"):
            value = getattr(self, name)
            if value is not None:
                check_input(name, value)
        cost = self.default_cost
        if not (isinstance(cost, (int, float)) and math.isfinite(cost) and cost >= 0):
            raise ParleyError(f"default_cost must be a finite number ≥ 0, got {self.default_cost!r}")
        for name in ("refusal_shift_a", "refusal_shift_b"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise ParleyError(f"{name} must be a finite number, got {value!r}")


@dataclass(frozen=True)
class MilitaryTerm:
    """One provision that shifts the balance of power, and what the rule makes of it.

    ``plan`` is the text the provision is written in (the revised text's, when inherited).
    """

    plan: str
    provision: int
    point: str
    text: str
    tag: str
    how: str
    issue: str | None
    side: str | None
    retained: float | None
    elasticity: float
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "plan": self.plan,
            "provision": self.provision,
            "point": self.point,
            "text": self.text,
            "tag": self.tag,
            "how": self.how,
            "issue": self.issue,
            "side": self.side,
            "retained": finite_or_none(self.retained),
            "elasticity": self.elasticity,
            "note": self.note,
        }


@dataclass(frozen=True)
class PlanInRange:
    """Where one plan falls in the bargaining range, today and after its military terms."""

    plan: str
    x: float
    issues_used: tuple[str, ...]
    margin_a: float
    margin_b: float
    inside: bool
    inside_no_outside: bool
    p_acceptable: float
    p_acceptable_no_outside: float
    terms: tuple[MilitaryTerm, ...]
    delta_p: float
    p_after: float
    lower_after: float
    upper_after: float
    inside_after: bool
    p_acceptable_after: float
    commitment_problem: bool
    accepts_a: bool | None = None
    accepts_b: bool | None = None

    @property
    def agrees_with_scorecard(self) -> bool | None:
        """Whether "inside the range" and "both sides accept in the scorecard" say the same."""
        if self.accepts_a is None or self.accepts_b is None:
            return None
        return self.inside == (self.accepts_a and self.accepts_b)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "plan": self.plan,
            "x": finite_or_none(self.x),
            "issues_used": list(self.issues_used),
            "margin_a": finite_or_none(self.margin_a),
            "margin_b": finite_or_none(self.margin_b),
            "inside": self.inside,
            "inside_without_outside_options": self.inside_no_outside,
            "p_acceptable": finite_or_none(self.p_acceptable),
            "p_acceptable_no_outside": finite_or_none(self.p_acceptable_no_outside),
            "military_terms": [t.to_dict() for t in self.terms],
            "delta_p": finite_or_none(self.delta_p),
            "p_after": finite_or_none(self.p_after),
            "range_after": [finite_or_none(self.lower_after), finite_or_none(self.upper_after)],
            "inside_after": self.inside_after,
            "p_acceptable_after": finite_or_none(self.p_acceptable_after),
            "commitment_problem": self.commitment_problem,
            "scorecard": {
                "accepts_a": self.accepts_a,
                "accepts_b": self.accepts_b,
                "agrees": self.agrees_with_scorecard,
                "note": "the scorecard's verdicts for the two sides' actors (same walk-away, utility and sides); "
                "the range is Fearon's one-dimensional war lottery, the scorecard the full utilities: where they "
                "differ, the scorecard's verdict is the one the deal probability uses",
            },
        }


@dataclass(frozen=True)
class BargainingRange:
    """The bargaining range of two sides and the plans' places in it.

    ``lower``/``upper`` include the outside-option shifts; ``lower_base``/``upper_base`` do not.
    ``inputs`` says where each of ``p``, ``cost_a``, ``cost_b``, ``shift_a``, ``shift_b`` came from.
    """

    side_a: str
    side_b: str
    issue: str | None
    weights: Mapping[str, float]
    p: float
    cost_a: float
    cost_b: float
    shift_a: float
    shift_b: float
    lower: float
    upper: float
    lower_base: float
    upper_base: float
    inputs: Mapping[str, Mapping[str, Any]]
    coalition_a: tuple[str, ...]
    coalition_b: tuple[str, ...]
    share_a: float
    share_b: float
    status_quo: float | None
    plans: tuple[PlanInRange, ...]

    def plan(self, plan_id: str) -> PlanInRange:
        """One plan's place in the range."""
        for p in self.plans:
            if p.plan == plan_id:
                return p
        raise KeyError(plan_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "sides": [self.side_a, self.side_b],
            "issue": self.issue,
            "scale": "0 = B's ideal, 1 = A's ideal (A prefers higher)",
            "weights": dict(self.weights),
            "p": self.p,
            "cost_a": self.cost_a,
            "cost_b": self.cost_b,
            "shift_a": self.shift_a,
            "shift_b": self.shift_b,
            "range": [self.lower, self.upper],
            "range_without_outside_options": [self.lower_base, self.upper_base],
            "inputs": {k: dict(v) for k, v in self.inputs.items()},
            "coalitions": {"a": list(self.coalition_a), "b": list(self.coalition_b)},
            "own_share": {"a": self.share_a, "b": self.share_b},
            "status_quo": finite_or_none(self.status_quo),
            "plans": [p.to_dict() for p in self.plans],
        }


def _expand(scenario: Scenario, names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        for member in scenario.group_members(name):
            if member not in out:
                out.append(member)
    return out


def default_sides(scenario: Scenario) -> tuple[str, ...]:
    """The two sides' representative actors: the first actor of each declared side, else the
    belligerents, else two signatories that are actors; ``()`` when there are none."""
    spec = scenario.spec
    if spec.sides is not None:
        a, b = _expand(scenario, spec.sides.a.members), _expand(scenario, spec.sides.b.members)
        if a and b:
            return (a[0], b[0])
    if len(spec.belligerents) == 2:
        return tuple(spec.belligerents)
    sig = [s for s in spec.signatories if s in scenario.actor_ids]
    return tuple(sig) if len(sig) == 2 else ()


def declared_coalitions(scenario: Scenario, a: str, b: str) -> tuple[list[str], list[str], str]:
    """The members of A's and B's sides: the scenario's ``sides`` when declared (and they hold
    ``a`` and ``b``), else each side's actor plus the actors sharing a declared group with it
    and not with the other (an actor in both is on neither); never from positions."""
    spec = scenario.spec
    if spec.sides is not None:
        sa, sb = _expand(scenario, spec.sides.a.members), _expand(scenario, spec.sides.b.members)
        if a in sb and b in sa:
            sa, sb = sb, sa
        if a in sa and b in sb:
            both = set(sa) & set(sb)
            return [m for m in sa if m not in both], [m for m in sb if m not in both], "the scenario's sides"
    ga = set(scenario.actors[scenario.actor_index(a)].groups)
    gb = set(scenario.actors[scenario.actor_index(b)].groups)
    only_a, only_b = ga - gb, gb - ga
    ma = [x.id for x in scenario.actors if x.id == a or (set(x.groups) & only_a)]
    mb = [x.id for x in scenario.actors if x.id == b or (set(x.groups) & only_b)]
    both = set(ma) & set(mb)
    return [m for m in ma if m not in both], [m for m in mb if m not in both], "shared declared groups"


class _Frame:
    """The two sides' disputed issues, weights and the derived ``p`` for one scenario."""

    def __init__(self, scenario: Scenario, a: str, b: str, issue: str | None, options: BargainingOptions) -> None:
        ids = scenario.actor_ids
        self.how = "belligerents alone"
        missing = [s for s in (a, b) if s not in ids]
        if missing:
            raise ScenarioError(scenario.source, [Problem("sides", f"'{s}' is not an actor") for s in missing])
        self.ia, self.ib = ids.index(a), ids.index(b)
        mask, x, s = scenario.mask, scenario.positions, scenario.saliences
        disputed = mask[self.ia] & mask[self.ib] & (x[self.ia] != x[self.ib])
        if issue is not None:
            if issue not in scenario.issue_ids:
                raise ScenarioError(scenario.source, [Problem("issue", f"'{issue}' is not an issue")])
            j = scenario.issue_ids.index(issue)
            if not disputed[j]:
                raise ParleyError(f"'{a}' and '{b}' do not dispute '{issue}' (a stance each, different positions)")
            keep = np.zeros_like(disputed)
            keep[j] = True
            disputed = keep
        if not disputed.any():
            raise ParleyError(f"'{a}' and '{b}' dispute no issue: no bargaining range")
        self.cols = np.flatnonzero(disputed)
        self.issue_ids = tuple(scenario.issue_ids[j] for j in self.cols)
        self.w = (s[self.ia, self.cols] + s[self.ib, self.cols]) / 2.0
        if not self.w.sum() > 0:
            self.w = np.ones_like(self.w)
        self.xa, self.xb = x[self.ia, self.cols], x[self.ib, self.cols]
        self.span = (scenario.upper - scenario.lower)[self.cols]
        # coalitions: declared (options, the scenario's `sides`, or shared groups), never by position
        m = mask[:, self.cols]
        wm = np.where(m, self.w, 0.0)
        tot = wm.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            cap = (wm * scenario.capabilities[:, self.cols]).sum(axis=1) / tot
        engaged = (wm * np.where(m, s[:, self.cols], 0.0)).sum(axis=1) / self.w.sum()
        weight = np.where(tot > 0, cap * (engaged if options.p_weights == "capability*salience" else 1.0), 0.0)
        side_a, side_b = np.zeros(len(ids), dtype=bool), np.zeros(len(ids), dtype=bool)
        side_a[self.ia], side_b[self.ib] = True, True
        if options.allies_a or options.allies_b:
            groups = {g for actor in scenario.actors for g in actor.groups}
            for side, names, where in ((side_a, options.allies_a, "allies_a"), (side_b, options.allies_b, "allies_b")):
                bad = [g for g in names if g not in ids and g not in groups]
                if bad:
                    raise ScenarioError(
                        scenario.source, [Problem(where, f"'{g}' is not an actor or group") for g in bad]
                    )
                for g in names:
                    for member in scenario.group_members(g):
                        side[ids.index(member)] = True
            if (side_a & side_b).any():
                both = [ids[k] for k in np.flatnonzero(side_a & side_b)]
                raise ParleyError(f"declared on both sides: {', '.join(both)}")
        elif options.p_rule == "coalitions":
            members_a, members_b, self.how = declared_coalitions(scenario, a, b)
            for member in members_a:
                side_a[ids.index(member)] = True
            for member in members_b:
                side_b[ids.index(member)] = True
        self.coalition_a = tuple(ids[k] for k in np.flatnonzero(side_a))
        self.coalition_b = tuple(ids[k] for k in np.flatnonzero(side_b))
        wa, wb = float(weight[side_a].sum()), float(weight[side_b].sum())
        self.p = wa / (wa + wb) if wa + wb > 0 else 0.5
        self.share_a = float(weight[self.ia]) / wa if wa > 0 else 1.0
        self.share_b = float(weight[self.ib]) / wb if wb > 0 else 1.0

    def place(self, outcome: FloatArray) -> tuple[float, tuple[str, ...]]:
        """An outcome (M,) on the 0–1 scale, and the disputed issues it settles."""
        z = outcome[self.cols]
        ok = ~np.isnan(z)
        if not ok.any():
            return float("nan"), ()
        t = np.clip((z - self.xb) / (self.xa - self.xb), 0.0, 1.0)
        x = float((self.w[ok] * t[ok]).sum() / self.w[ok].sum())
        return x, tuple(k for k, good in zip(self.issue_ids, ok, strict=True) if good)


def military_terms(scenario: Scenario, plan: Plan, side_a: str, side_b: str, rule: MilitaryRule) -> list[MilitaryTerm]:
    """The plan's provisions (inherited ones included) that shift the balance of power.

    Each comes with the side it constrains and the fraction of that capability it keeps.
    """
    explicit = dict(rule.terms)
    out = []
    ia, ib = scenario.actor_index(side_a), scenario.actor_index(side_b)
    items = [(prov.inherited_from or plan.id, k, prov) for k, prov in enumerate(plan.provisions)]
    for source, k, prov in items:
        tag, how = None, None
        if prov.issue is not None and prov.issue in explicit:
            tag, how = explicit[prov.issue], "explicit"
        else:
            for t in MILITARY_TAGS:
                how = detect(prov, t, keywords=rule.keywords)
                if how:
                    tag = t.id
                    break
        if tag is None or how is None:
            continue
        e = rule.elasticity_of(tag)

        base = MilitaryTerm(source, k, prov.point, prov.text, tag, how, prov.issue, None, None, e)
        if prov.issue is None or prov.position is None:
            out.append(replace(base, side=None, retained=None, note="maps to no issue position"))
            continue
        issue = scenario.issue(prov.issue)
        j = scenario.issue_ids.index(prov.issue)
        q, v = issue.status_quo, prov.position
        if q is None:
            out.append(replace(base, side=None, retained=None, note="issue has no status quo"))
            continue
        if v == q:
            out.append(replace(base, side=None, retained=1.0, note="no change from the status quo"))
            continue
        losers = [
            name
            for name, i in ((side_a, ia), (side_b, ib))
            if scenario.mask[i, j] and abs(v - scenario.positions[i, j]) > abs(q - scenario.positions[i, j])
        ]
        if len(losers) != 1:
            why = "both sides lose by the move" if losers else "neither side loses by the move"
            out.append(replace(base, side=None, retained=None, note=why + ": not attributed"))
            continue
        end = issue.lower if v < q else issue.upper
        retained = abs(v - end) / abs(q - end)
        out.append(
            replace(
                base, side=losers[0], retained=retained, note="" if e > 0 else "elasticity 0: flagged, not quantified"
            )
        )
    return out


def _walkaway_place(scenario: Scenario, frame: _Frame) -> float | None:
    """The no-agreement outcome on the 0–1 scale, or None when the scenario declares none on a disputed issue."""
    from parley.analysis.plans.decision import no_agreement_point

    na = no_agreement_point(scenario)
    if np.isnan(na[frame.cols]).all():
        return None
    x, used = frame.place(np.where(np.isnan(na), scenario.status_quo, na))
    return x if used and math.isfinite(x) else None


def _inputs(
    scenario: Scenario, options: BargainingOptions, frame: _Frame
) -> tuple[dict[str, Quantity], dict[str, dict[str, Any]]]:
    meta = scenario.spec.metadata.get("bargaining", {}) if isinstance(scenario.spec.metadata, Mapping) else {}
    meta = meta if isinstance(meta, Mapping) else {}
    values: dict[str, Quantity] = {}
    info: dict[str, dict[str, Any]] = {}
    for name in ("p", "cost_a", "cost_b"):
        given = getattr(options, name)
        if given is not None:
            values[name], source = distribution(given, name), "given"
        elif name in meta:
            where = f"metadata.bargaining.{name}"
            values[name], source = distribution(meta[name], where), "scenario metadata.bargaining"
            problem = input_problem(name, values[name])
            if problem is not None:
                raise ScenarioError(scenario.source, [Problem(where, problem)])
        elif name == "p" and _walkaway_place(scenario, frame) is not None:
            values[name] = Fixed(float(_walkaway_place(scenario, frame)))  # type: ignore[arg-type]
            source = (
                "the scenario's no-agreement outcome placed on the 0–1 scale: what fighting on is expected to "
                "yield, the same walk-away the scorecard uses"
            )
        elif name == "p":
            values[name] = Fixed(frame.p)
            rule = (
                "declared coalitions (allies given)"
                if options.allies_a or options.allies_b
                else f"declared coalitions ({frame.how})"
                if options.p_rule == "coalitions"
                else "belligerents alone"
            )
            source = (
                f"derived: {options.p_weights}-weighted share of the two sides ({rule}); a proxy, not military odds"
            )
        else:
            values[name], source = Fixed(options.default_cost), "assumed: parley's default, not from the scenario"
        info[name] = {**values[name].describe(), "point": values[name].mean(), "source": source}
    return values, info


def bargaining_range(
    scenario: Scenario, plans: Sequence[str] | None = None, *, options: BargainingOptions | None = None
) -> BargainingRange:
    """The two sides' bargaining range and where each plan (all when None) falls in it.

    Raises
    ------
    ScenarioError
        For unknown sides, issue, plan or shock, or bad distribution inputs.
    ParleyError
        When the scenario names no belligerents and no ``sides`` are given, or the sides
        dispute no issue.
    """
    options = options or BargainingOptions()
    sides = options.sides or default_sides(scenario)
    if len(sides) != 2:
        raise ParleyError("no bargaining range: the scenario names no belligerents (nor sides); give two sides")
    a, b = sides[0], sides[1]
    chosen = select_plans(scenario, plans)
    frame = _Frame(scenario, a, b, options.issue, options)
    values, info = _inputs(scenario, options, frame)
    shifts = {"shift_a": options.refusal_shift_a, "shift_b": options.refusal_shift_b}
    for key, shock, sign in (("shift_a", options.refusal_shock_a, 1.0), ("shift_b", options.refusal_shock_b, -1.0)):
        if shock is not None:
            shocked = _Frame(apply_shock(scenario, shock), a, b, options.issue, options)
            shifts[key] = sign * (frame.p - shocked.p)
            sid = shock if isinstance(shock, str) else shock.id
            info[key] = {"value": shifts[key], "source": f"shock '{sid}': derived p {frame.p:.4g} → {shocked.p:.4g}"}
        else:
            info[key] = {"value": shifts[key], "source": "given" if shifts[key] else "none"}
    p, ca, cb = values["p"], values["cost_a"], values["cost_b"]
    pv, cav, cbv = p.mean(), ca.mean(), cb.mean()
    da, db = shifts["shift_a"], shifts["shift_b"]
    lower, upper = pv - da - cav, pv + db + cbv
    m = options.military.decisiveness
    from parley.analysis.plans.scorecard import score_plans

    card = score_plans(scenario, [p.id for p in chosen], models=[])
    placed = []
    for plan in chosen:
        pos = plan.positions
        z = np.array([pos.get(k, scenario.status_quo[j]) for j, k in enumerate(scenario.issue_ids)], dtype=float)
        x, used = frame.place(z)
        terms = military_terms(scenario, plan, a, b, options.military)
        keep = {a: 1.0, b: 1.0}
        for t in terms:
            if t.side is not None and t.retained is not None:
                keep[t.side] *= t.retained**t.elasticity
        mult_a = 1.0 - frame.share_a * (1.0 - keep[a])
        mult_b = 1.0 - frame.share_b * (1.0 - keep[b])
        factor = (mult_a / mult_b) ** m if mult_b > 0 else math.inf
        p_after = odds_shift(pv, factor) if math.isfinite(factor) else 1.0
        lo_after, hi_after = p_after - cav, p_after + cbv
        inside = bool(lower - 1e-12 <= x <= upper + 1e-12)
        inside_base = bool(pv - cav - 1e-12 <= x <= pv + cbv + 1e-12)
        inside_after = bool(lo_after - 1e-12 <= x <= hi_after + 1e-12)
        nan = float("nan")
        placed.append(
            PlanInRange(
                plan=plan.id,
                x=x,
                issues_used=used,
                margin_a=x - lower,
                margin_b=upper - x,
                inside=inside,
                inside_no_outside=inside_base,
                p_acceptable=p_acceptable(x, p, ca, cb, shift_a=da, shift_b=db) if used else nan,
                p_acceptable_no_outside=p_acceptable(x, p, ca, cb) if used else nan,
                terms=tuple(terms),
                delta_p=p_after - pv,
                p_after=p_after,
                lower_after=lo_after,
                upper_after=hi_after,
                inside_after=inside_after,
                p_acceptable_after=(
                    p_acceptable(x, p, ca, cb, odds_factor=factor) if used and math.isfinite(factor) else nan
                ),
                commitment_problem=inside_base and not inside_after,
                accepts_a=card.plan(plan.id).actor(a).accepts,
                accepts_b=card.plan(plan.id).actor(b).accepts,
            )
        )
    sq, sq_used = frame.place(scenario.status_quo)
    return BargainingRange(
        side_a=a,
        side_b=b,
        issue=options.issue,
        weights={k: float(w) for k, w in zip(frame.issue_ids, frame.w, strict=True)},
        p=pv,
        cost_a=cav,
        cost_b=cbv,
        shift_a=da,
        shift_b=db,
        lower=lower,
        upper=upper,
        lower_base=pv - cav,
        upper_base=pv + cbv,
        inputs=info,
        coalition_a=frame.coalition_a,
        coalition_b=frame.coalition_b,
        share_a=frame.share_a,
        share_b=frame.share_b,
        status_quo=sq if sq_used else None,
        plans=tuple(placed),
    )
