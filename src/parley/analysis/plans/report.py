"""The whole plan analysis of a scenario in one object, and its comparison before and after a shock.

:func:`plan_report` gathers the scorecard (:mod:`parley.analysis.plans.scorecard`), the bargaining
range (:mod:`parley.analysis.plans.bargaining`), the durability indicators
(:mod:`parley.analysis.plans.durability`) and words versus deeds
(:mod:`parley.analysis.plans.words_deeds`). :func:`compare` runs it on a scenario and on the
scenario after a shock (:func:`parley.scenario.apply_shock`) and lists what changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from parley._random import SeedLike
from parley.analysis.plans.bargaining import BargainingOptions, BargainingRange, bargaining_range, default_sides
from parley.analysis.plans.durability import Durability, durability
from parley.analysis.plans.scorecard import PlanScorecard, score_plans
from parley.analysis.plans.scoring import ScoringOptions, finite_or_none
from parley.analysis.plans.words_deeds import WordsDeeds, words_deeds
from parley.scenario.core import Scenario
from parley.scenario.schema import ShockSpec
from parley.scenario.shocks import apply_shock


@dataclass(frozen=True)
class PlanReport:
    """Scores, bargaining range, durability and words-versus-deeds for a scenario's plans.

    ``bargaining`` is None when the scenario names no two sides; ``bargaining_note`` says why.
    """

    scenario_id: str
    title: str
    scorecard: PlanScorecard
    bargaining: BargainingRange | None
    bargaining_note: str
    durability: tuple[Durability, ...]
    words_deeds: WordsDeeds

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "scenario_id": self.scenario_id,
            "title": self.title,
            "scores": self.scorecard.to_dict(),
            "bargaining": self.bargaining.to_dict() if self.bargaining is not None else None,
            "bargaining_note": self.bargaining_note,
            "durability": {d.plan: d.to_dict() for d in self.durability},
            "words_deeds": self.words_deeds.to_dict(),
        }


def plan_report(
    scenario: Scenario,
    plans: Sequence[str] | None = None,
    *,
    options: ScoringOptions | None = None,
    models: Sequence[str] | None = None,
    model_params: Mapping[str, Mapping[str, Any]] | None = None,
    bargaining: BargainingOptions | None = None,
    keywords: bool = True,
    rng: SeedLike = None,
) -> PlanReport:
    """Run every plan analysis on a scenario's plans (all when None).

    Parameters are those of :func:`~parley.analysis.plans.score_plans`,
    :func:`~parley.analysis.plans.bargaining.bargaining_range` (``bargaining``) and
    :func:`~parley.analysis.plans.durability.durability` (``keywords``).
    """
    options = options or ScoringOptions()
    bargaining = bargaining or BargainingOptions()
    card = score_plans(scenario, plans, options=options, models=models, model_params=model_params, rng=rng)
    sides = bargaining.sides or default_sides(scenario)
    rng_result: BargainingRange | None = None
    note = ""
    if len(sides) == 2 and all(s in scenario.actor_ids for s in sides):
        rng_result = bargaining_range(scenario, plans, options=bargaining)
    else:
        note = "the scenario names no two belligerents and no sides (or one was removed); no bargaining range"
    dur = durability(scenario, plans, scorecard=card, bargaining=rng_result, keywords=keywords)
    wd = words_deeds(scenario, plans, models=models, model_params=model_params, options=options, rng=rng)
    return PlanReport(scenario.scenario_id, scenario.title, card, rng_result, note, dur, wd)


@dataclass(frozen=True)
class Change:
    """How one quantity of one plan (for one actor, or for the plan as a whole) moved under a shock."""

    plan: str
    actor: str | None
    what: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""

        def clean(v: Any) -> Any:
            return finite_or_none(v) if isinstance(v, float) else v

        return {
            "plan": self.plan,
            "actor": self.actor,
            "what": self.what,
            "before": clean(self.before),
            "after": clean(self.after),
        }


@dataclass(frozen=True)
class ShockComparison:
    """The plan analysis before and after a shock, and the changes that matter.

    ``changes`` lists every flipped acceptance, veto verdict or in-range verdict, and every
    actor's gain and concession index and each plan's support and position ``x`` whose
    value moved by more than ``1e-9``.
    """

    shock: str
    before: PlanReport
    after: PlanReport
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "shock": self.shock,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
        }


def _moved(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return bool(a != b)
    fa, fb = finite_or_none(a), finite_or_none(b)
    if fa is None or fb is None:
        return (fa is None) != (fb is None)
    return abs(fa - fb) > 1e-9


def _changes(before: PlanReport, after: PlanReport) -> tuple[Change, ...]:
    out: list[Change] = []
    after_plans = {p.plan: p for p in after.scorecard.plans}
    for pb in before.scorecard.plans:
        pa = after_plans.get(pb.plan)
        if pa is None:
            continue
        for what, vb, va in (
            ("support", pb.support, pa.support),
            ("vetoes_pass", pb.vetoes_pass, pa.vetoes_pass),
        ):
            if _moved(vb, va):
                out.append(Change(pb.plan, None, what, vb, va))
        actors_after = {a.actor: a for a in pa.actors}
        for ab in pb.actors:
            aa = actors_after.get(ab.actor)
            if aa is None:
                out.append(Change(pb.plan, ab.actor, "removed", True, None))
                continue
            for what, vb, va in (
                ("accepts", ab.accepts, aa.accepts),
                ("gain", ab.gain, aa.gain),
                ("concession", ab.concession, aa.concession),
            ):
                if _moved(vb, va):
                    out.append(Change(pb.plan, ab.actor, what, vb, va))
        if before.bargaining is not None and after.bargaining is not None:
            xb, xa = before.bargaining.plan(pb.plan), after.bargaining.plan(pb.plan)
            for what, vb, va in (("x", xb.x, xa.x), ("inside", xb.inside, xa.inside)):
                if _moved(vb, va):
                    out.append(Change(pb.plan, None, what, vb, va))
    return tuple(out)


def compare(
    scenario: Scenario,
    shock: str | ShockSpec,
    plans: Sequence[str] | None = None,
    **kwargs: Any,
) -> ShockComparison:
    """:func:`plan_report` before and after ``shock`` (an id of the scenario's shocks, or a spec).

    Keyword arguments are passed to :func:`plan_report` for both runs.

    Raises
    ------
    ScenarioError
        When the shock is unknown or cannot be applied.
    """
    shocked = apply_shock(scenario, shock)
    before = plan_report(scenario, plans, **kwargs)
    opts = kwargs.get("bargaining")
    if isinstance(opts, BargainingOptions):
        # the shocked scenario keeps no shocks: hand the refusal shocks over as specs
        specs = {s.id: s for s in scenario.spec.shocks}
        kwargs = {
            **kwargs,
            "bargaining": dataclasses.replace(
                opts,
                refusal_shock_a=specs.get(opts.refusal_shock_a, opts.refusal_shock_a)
                if isinstance(opts.refusal_shock_a, str)
                else opts.refusal_shock_a,
                refusal_shock_b=specs.get(opts.refusal_shock_b, opts.refusal_shock_b)
                if isinstance(opts.refusal_shock_b, str)
                else opts.refusal_shock_b,
            ),
        }
    after = plan_report(shocked, plans, **kwargs)
    name = shock if isinstance(shock, str) else shock.id
    return ShockComparison(name, before, after, _changes(before, after))
