"""Live what-if: one text's brief after moving an actor's position, salience or capability.

A what-if is the brief of :func:`parley.analysis.plans.brief.brief` for one text, on the scenario
with some inputs changed, with the forecast of one model. It is built to answer while a slider
moves:

- the changes are written into the scenario's own spec with ``model_copy`` and the arrays are
  rebuilt by :meth:`~parley.scenario.core.Scenario.from_spec` (about 2 ms on the 2025 case),
  with no YAML and no re-validation; :func:`check_changes` has checked each value against the
  scenario beforehand (ids exist, positions on the issue's scale, saliences in [0, 1],
  capabilities > 0);
- the point forecast is that of one model (default ``compromise``; ``bdm``, ``smp``,
  ``exchange`` on request), not the six models of a full brief, which is what makes
  ``parley brief`` take seconds;
- the Monte Carlo takes :data:`DEFAULT_DRAWS` draws by default, with a fixed default seed so
  that two slider positions are compared on the same draws (common random numbers).

How a change is applied, so that a slider moves the whole input and not only its point value:

- **position**: the stance's position is set; its ``uncertainty`` range (low, high, and mode
  where given) moves with it by the same amount, clipped to the issue's scale;
- **salience**: the salience is set; a ``salience_range`` moves with it, clipped to [0, 1];
- **capability**: the actor's capability (its largest, where it differs by issue) is set;
  per-issue capabilities and a ``capability_range`` are scaled by the same factor.

Red lines, outside options and the no-agreement outcome do not move. A what-if with no change
is the scenario's own brief of that text with the chosen model's forecast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from parley.errors import Problem, ScenarioError
from parley.scenario.checks import did_you_mean
from parley.scenario.core import Scenario
from parley.scenario.schema import ActorSpec, Stance, Uncertainty

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "Change",
    "apply_changes",
    "check_changes",
    "sliders",
    "whatif",
]

ChangeField = Literal["position", "salience", "capability"]

DEFAULT_DRAWS = 400
"""Monte Carlo draws of a what-if (``parley brief`` takes 2000): P(deal) within about ±5 points
(95 %), and the same number as the brief's smallest-change search, so that search runs on all draws."""

DEFAULT_SEED = 20251119
"""The seed a what-if uses when none is given: fixed, so that slider positions share their draws."""


@dataclass(frozen=True)
class Change:
    """Set ``field`` of ``actor`` (on ``issue`` for a position or a salience) to ``value``."""

    actor: str
    field: ChangeField
    value: float
    issue: str | None = None


def capability_of(actor: ActorSpec) -> float:
    """The actor's capability as a slider shows it: the number, or the largest per-issue value."""
    cap = actor.capability
    return float(max(cap.values())) if isinstance(cap, dict) else float(cap)


def check_changes(scenario: Scenario, changes: Sequence[Change], where: str = "changes") -> list[Problem]:
    """Every problem of ``changes`` for this scenario, each with its place (``changes[2].value``)."""
    problems: list[Problem] = []
    actors = {a.id: a for a in scenario.spec.actors}
    issues = {i.id: i for i in scenario.spec.issues}
    for k, c in enumerate(changes):
        at = f"{where}[{k}]"
        actor = actors.get(c.actor)
        if actor is None:
            problems.append(Problem(f"{at}.actor", f"no actor '{c.actor}'{did_you_mean(c.actor, actors)}"))
        if not (isinstance(c.value, (int, float)) and math.isfinite(c.value)):
            problems.append(Problem(f"{at}.value", f"the value must be a finite number, got {c.value!r}"))
            continue
        if c.field == "capability":
            if c.issue is not None:
                problems.append(
                    Problem(f"{at}.issue", "a capability change is the actor's overall capability: give no issue")
                )
            if not c.value > 0:
                problems.append(Problem(f"{at}.value", f"a capability must be greater than 0, got {c.value:g}"))
            continue
        if c.field not in ("position", "salience"):
            problems.append(Problem(f"{at}.field", f"the field is position, salience or capability, not {c.field!r}"))
            continue
        if c.issue is None:
            problems.append(Problem(f"{at}.issue", f"a {c.field} change needs an issue"))
            continue
        issue = issues.get(c.issue)
        if issue is None:
            problems.append(Problem(f"{at}.issue", f"no issue '{c.issue}'{did_you_mean(c.issue, issues)}"))
            continue
        if actor is not None and c.issue not in actor.stances:
            problems.append(Problem(f"{at}.issue", f"'{c.actor}' has no stance on '{c.issue}' to change"))
        if c.field == "position":
            lo, hi = issue.scale.min, issue.scale.max
            if not lo <= c.value <= hi:
                problems.append(
                    Problem(
                        f"{at}.value", f"a position on '{c.issue}' lies on its scale {lo:g}–{hi:g}, got {c.value:g}"
                    )
                )
        elif not 0.0 <= c.value <= 1.0:
            problems.append(Problem(f"{at}.value", f"a salience lies in [0, 1], got {c.value:g}"))
    return problems


def _clip(v: float | None, lo: float, hi: float) -> float | None:
    return None if v is None else float(min(hi, max(lo, v)))


def _moved(unc: Uncertainty, shift: float, lo: float, hi: float) -> Uncertainty:
    low = _clip(None if unc.low is None else unc.low + shift, lo, hi)
    high = _clip(None if unc.high is None else unc.high + shift, lo, hi)
    mode = None if unc.mode is None else unc.mode + shift
    if mode is not None:
        mode = _clip(mode, low if low is not None else lo, high if high is not None else hi)
    return unc.model_copy(update={"low": low, "high": high, "mode": mode})


def _set_stance(stance: Stance, field: ChangeField, value: float, lo: float, hi: float) -> Stance:
    if field == "position":
        shift = value - stance.position
        unc = None if stance.uncertainty is None else _moved(stance.uncertainty, shift, lo, hi)
        return stance.model_copy(update={"position": float(value), "uncertainty": unc})
    shift = value - stance.salience
    rng = stance.salience_range
    moved = None if rng is None else (float(_clip(rng[0] + shift, 0, 1) or 0), float(_clip(rng[1] + shift, 0, 1) or 0))
    return stance.model_copy(update={"salience": float(value), "salience_range": moved})


def _set_capability(actor: ActorSpec, value: float) -> ActorSpec:
    factor = value / capability_of(actor)
    cap = actor.capability
    new_cap: float | dict[str, float] = (
        {k: float(v * factor) for k, v in cap.items()} if isinstance(cap, dict) else float(value)
    )
    rng = actor.capability_range
    new_rng = None if rng is None else (float(rng[0] * factor), float(rng[1] * factor))
    return actor.model_copy(update={"capability": new_cap, "capability_range": new_rng})


def apply_changes(scenario: Scenario, changes: Sequence[Change]) -> Scenario:
    """The scenario with ``changes`` applied in order (see the module docstring for how each moves).

    Raises
    ------
    ScenarioError
        With every problem of :func:`check_changes`; nothing is applied then.
    """
    problems = check_changes(scenario, changes)
    if problems:
        raise ScenarioError(scenario.source, problems)
    if not changes:
        return scenario
    actors = list(scenario.spec.actors)
    row = {a.id: i for i, a in enumerate(actors)}
    scales = {i.id: (i.scale.min, i.scale.max) for i in scenario.spec.issues}
    for c in changes:
        i = row[c.actor]
        if c.field == "capability":
            actors[i] = _set_capability(actors[i], c.value)
            continue
        key = str(c.issue)
        stance = _set_stance(actors[i].stances[key], c.field, c.value, *scales[key])
        actors[i] = actors[i].model_copy(update={"stances": {**actors[i].stances, key: stance}})
    spec = scenario.spec.model_copy(update={"actors": actors})
    return Scenario.from_spec(spec, f"{scenario.source} (what-if)")


def sliders(scenario: Scenario) -> dict[str, Any]:
    """What a what-if page needs to draw its controls: plans, issues, and each actor's values, with names."""
    return {
        "scenario_id": scenario.scenario_id,
        "title": scenario.title,
        "plans": [{"id": p.id, "title": p.title or p.id} for p in scenario.plans],
        "issues": [
            {
                "id": i.id,
                "label": i.label,
                "lower": i.lower,
                "upper": i.upper,
                "unit": i.unit,
                "status_quo": i.status_quo,
            }
            for i in scenario.issues
        ],
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "capability": capability_of(spec),
                "stances": {k: {"position": st.position, "salience": st.salience} for k, st in spec.stances.items()},
            }
            for a, spec in zip(scenario.actors, scenario.spec.actors, strict=True)
        ],
    }


def _party_name(scenario: Scenario, party: str) -> str:
    """An actor's name, or a group's id as the scenario writes it (``NATO``, ``belligerent``)."""
    names = {a.id: a.name for a in scenario.actors}
    return names.get(party, party.replace("_", " "))


def whatif(
    scenario: Scenario,
    plan: str | None = None,
    changes: Sequence[Change] = (),
    *,
    n: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    model: str = "compromise",
    search: bool = True,
) -> dict[str, Any]:
    """The brief of one text (default: the scenario's first) after ``changes``, with ``model``'s forecast.

    Returns a JSON-ready mapping: ``p_deal``, ``parties`` (each with ``label``, its display name,
    ``member_names``, ``p_accept`` and the ``red_lines_crossed`` of its members at the text's
    positions; the sentences name actors, as the brief writes them),
    ``pivotal`` and ``pivotal_label``, ``smallest_change``, ``forecast`` (per issue: ``model``'s
    point forecast, the Monte Carlo 5–95 % band and the text's position), the ``changes`` as
    applied, ``draws``, ``seed``, and ``brief``: the plan's entry of the brief, unchanged.

    Raises
    ------
    ScenarioError
        For a bad change or an unknown plan, with every problem.
    ParleyError
        For an unknown model or a bad number of draws.
    """
    from parley.analysis.plans.brief import brief
    from parley.analysis.plans.decision import red_lines
    from parley.analysis.plans.scoring import finite_or_none

    if not scenario.plans:
        raise ScenarioError(scenario.source, [Problem("plans", "the scenario has no plans")])
    plan_id = plan if plan is not None else scenario.plans[0].id
    edited = apply_changes(scenario, changes)
    result = brief(edited, [plan_id], n=n, seed=seed, model="compromise", models=(model,), search=search)
    pb = result.plans[0]
    text = edited.plan(plan_id)
    positions = text.positions
    lo, hi, soft, _ = red_lines(edited)
    ids = edited.actor_ids
    labels = {i.id: i.label for i in edited.issues}
    names = {a.id: a.name for a in edited.actors}
    short = {a.id: a.short_name for a in edited.actors}

    def crossed(members: Sequence[str]) -> list[dict[str, Any]]:
        out = []
        for m in members:
            r = ids.index(m)
            for j, key in enumerate(edited.issue_ids):
                if key not in positions:
                    continue
                v = positions[key]
                if (not np.isnan(hi[r, j]) and v > hi[r, j] + 1e-12) or (
                    not np.isnan(lo[r, j]) and v < lo[r, j] - 1e-12
                ):
                    out.append({"actor": m, "issue": key, "label": labels[key], "soft": bool(soft[r, j])})
        return out

    parties = []
    for p in pb.parties:
        d = p.to_dict()
        d["label"] = _party_name(edited, p.name)
        d["member_names"] = [short[m] for m in p.members]
        d["red_lines_crossed"] = crossed(p.members)
        parties.append(d)
    forecast = [
        {
            "issue": h.issue,
            "label": h.label,
            "value": finite_or_none(h.models.get(model)),
            "band_90": list(h.band),
            "plan_position": positions.get(h.issue),
            "deferred": h.issue in text.deferred,
            "unit": edited.issue(h.issue).unit,
        }
        for h in result.headlines
    ]
    applied = []
    for c in changes:
        entry: dict[str, Any] = {"actor": c.actor, "actor_name": names[c.actor], "field": c.field, "value": c.value}
        if c.issue is not None:
            entry["issue"], entry["issue_label"] = c.issue, labels[c.issue]
        applied.append(entry)
    plan_dict = pb.to_dict()
    return {
        "scenario_id": scenario.scenario_id,
        "plan": plan_id,
        "plan_title": pb.title or plan_id,
        "changes": applied,
        "draws": result.n,
        "seed": result.seed,
        "model": model,
        "monte_carlo_model": result.model,
        "logit_scale": result.logit_scale,
        "p_deal": plan_dict["p_deal"],
        "parties": parties,
        "pivotal": pb.pivotal,
        "pivotal_label": None if pb.pivotal is None else _party_name(edited, pb.pivotal),
        "pivotal_why": pb.pivotal_why,
        "smallest_change": plan_dict["smallest_change"],
        "smallest_change_note": pb.smallest_change_note,
        "forecast": forecast,
        "brief": plan_dict,
    }
