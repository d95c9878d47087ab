"""Durability indicators of a plan: what the literature measures (docs/analysis.md §6, docs/models.md#analyses).

Each indicator is traced to the study that measured it and is reported as present,
absent, not assessable, or not applicable to the case (an indicator of armed conflict, such as a
demilitarised zone, for a case with no armed conflict: see :func:`not_applicable`), with the
provisions that show it and how they were found
(a ``category`` tag, or a keyword rule: see :mod:`parley.analysis.plans.vocabulary`). parley
gives no probability that a plan holds: the only number of that kind it shows is a
published base rate, labelled as one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from parley.analysis.plans.bargaining import BargainingRange
from parley.analysis.plans.scorecard import PlanScorecard
from parley.analysis.plans.scoring import select_plans
from parley.analysis.plans.vocabulary import (
    DURABILITY_TAGS,
    MILITARY_TAGS,
    POWER_SHARING_DIMENSIONS,
    detect,
    tags_of,
)
from parley.scenario.core import Plan, Provision, Scenario

FORTNA = (
    "Fortna 2003, 'Scraps of Paper? Agreements and the Durability of Peace', International Organization "
    "57(2): 337–372; Fortna 2004, Peace Time: Cease-Fire Agreements and the Durability of Peace, Princeton UP"
)
HARTZELL_HODDIE = (
    "Hartzell & Hoddie 2003, 'Institutionalizing Peace: Power Sharing and Post-Civil War Conflict "
    "Management', American Journal of Political Science 47(2): 318–332"
)
WERNER_YUEN = "Werner & Yuen 2005, 'Making and Keeping Peace', International Organization 59(2): 261–292"
UCDP = (
    "UCDP Peace Agreement Dataset (Harbom, Högbladh & Wallensteen 2006, 'Armed Conflict and Peace "
    "Agreements', Journal of Peace Research 43(5): 617–631); parley docs, Models § analyses"
)

BASE_RATE: dict[str, str] = {
    "statement": "about half of peace agreements are followed by five quiet years",
    "label": "published base rate, not a forecast for this plan",
    "source": UCDP,
}
"""The one published rate parley shows, for every plan alike."""

_FORTNA_FINDING = "stronger agreements (this measure among them) are followed by longer-lasting peace"


@dataclass(frozen=True)
class Evidence:
    """A provision that shows an indicator, and how it was found."""

    provision: int
    point: str
    text: str
    how: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"provision": self.provision, "point": self.point, "text": self.text, "how": self.how}


@dataclass(frozen=True)
class Indicator:
    """One durability indicator of one plan.

    Attributes
    ----------
    present : True, False, or None when it cannot be assessed from the plan
    direction : ``"+"`` if the source found it with more durable peace, ``"-"`` with less
    value : the measurement behind ``present`` where there is one (e.g. counts)
    """

    id: str
    label: str
    present: bool | None
    direction: Literal["+", "-"]
    finding: str
    source: str
    evidence: tuple[Evidence, ...] = ()
    value: Any = None
    note: str = ""
    not_applicable: str = ""
    """Why the indicator cannot apply to this case ("" when it applies); ``present`` is then None."""

    @property
    def applicable(self) -> bool:
        """Whether the indicator can apply to the case at all."""
        return not self.not_applicable

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "applicable": self.applicable,
            "not_applicable": self.not_applicable,
            "id": self.id,
            "label": self.label,
            "present": self.present,
            "direction": self.direction,
            "finding": self.finding,
            "source": self.source,
            "evidence": [e.to_dict() for e in self.evidence],
            "value": self.value,
            "note": self.note,
        }


@dataclass(frozen=True)
class Durability:
    """The durability indicators of one plan, and the published base rate beside them."""

    plan: str
    indicators: tuple[Indicator, ...]
    power_sharing: tuple[str, ...]

    def indicator(self, indicator_id: str) -> Indicator:
        """One indicator by id."""
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise KeyError(indicator_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "plan": self.plan,
            "indicators": [i.to_dict() for i in self.indicators],
            "power_sharing_dimensions": list(self.power_sharing),
            "base_rate": dict(BASE_RATE),
        }


_LABELS = {
    "dmz": "demilitarised zone",
    "withdrawal": "withdrawal of forces",
    "monitoring": "monitoring or peacekeeping",
    "guarantee": "third-party guarantee",
    "dispute_resolution": "dispute-resolution body",
}


ARMED_ONLY = ("dmz", "withdrawal", "power_sharing", "imposed", "inside_bargaining_range")
"""The indicators that only an armed conflict can have: separating forces (a demilitarised zone, a withdrawal),
sharing power after a civil war (Hartzell & Hoddie), a ceasefire between belligerents (Werner & Yuen)."""


def armed_conflict(scenario: Scenario) -> str:
    """Why the scenario is an armed conflict ("" when nothing in it says so).

    It is one when it names two belligerents, or has an issue about armed forces or territory (an issue whose id
    matches the ``army_cap`` or ``territory`` rule of :data:`parley.analysis.plans.vocabulary.MILITARY_TAGS`).
    """
    if len(scenario.spec.belligerents) == 2:
        return "the scenario names two belligerents"
    rules = [t for t in MILITARY_TAGS if t.id in ("army_cap", "territory") and t.issue_pattern]
    for issue in scenario.spec.issues:
        for tag in rules:
            if re.search(tag.issue_pattern, issue.id, re.IGNORECASE):
                return f"issue '{issue.id}' is about {tag.id.replace('_', ' ')}"
    return ""


def not_applicable(scenario: Scenario) -> dict[str, str]:
    """The indicators that cannot apply to the scenario, each with why (empty when every one can).

    The indicators in :data:`ARMED_ONLY` need an armed conflict (:func:`armed_conflict`): a demilitarised zone
    has no meaning for, say, an emissions standard or a nuclear deal with no fighting.
    """
    if armed_conflict(scenario):
        return {}
    why = (
        "not applicable: an indicator of settlements of armed conflict, and the scenario names no belligerents "
        "and has no issue about armed forces or territory"
    )
    return dict.fromkeys(ARMED_ONLY, why)


def _inherited(how: str, prov: Provision) -> str:
    return f"{how} (inherited from {prov.inherited_from})" if prov.inherited_from else how


def plan_durability(
    scenario: Scenario,
    plan: Plan | str,
    *,
    scorecard: PlanScorecard | None = None,
    bargaining: BargainingRange | None = None,
    keywords: bool = True,
) -> Durability:
    """Every durability indicator of one plan.

    ``scorecard`` (for who accepts) and ``bargaining`` (for the range) feed Werner & Yuen's
    two indicators; without them those are reported as not assessed.
    """
    if isinstance(plan, str):
        plan = select_plans(scenario, [plan])[0]
    out: list[Indicator] = []
    for tag in DURABILITY_TAGS:
        ev = []
        for k, prov in enumerate(plan.provisions):
            how = detect(prov, tag, keywords=keywords)
            if how:
                ev.append(Evidence(k, prov.point, prov.text, _inherited(how, prov)))
        out.append(Indicator(tag.id, _LABELS[tag.id], bool(ev), "+", _FORTNA_FINDING, FORTNA, tuple(ev)))
    n = len(plan.provisions)
    mapped = sum(1 for p in plan.provisions if p.issue is not None)
    out.append(
        Indicator(
            "specificity",
            "specificity",
            None,
            "+",
            _FORTNA_FINDING,
            FORTNA,
            value={"provisions": n, "with_issue_position": mapped, "share": mapped / n if n else None},
            note="parley's proxy: the share of provisions that fix a position on an issue; Fortna coded "
            "specificity by reading the text, so no present/absent is claimed",
        )
    )
    dims = []
    ps_ev = []
    for k, prov in enumerate(plan.provisions):
        for d in POWER_SHARING_DIMENSIONS:
            if f"power_sharing:{d}" in tags_of(prov):
                if d not in dims:
                    dims.append(d)
                ps_ev.append(Evidence(k, prov.point, prov.text, _inherited(f"category power_sharing:{d}", prov)))
    out.append(
        Indicator(
            "power_sharing",
            "power-sharing dimensions (political, military, territorial, economic)",
            bool(dims),
            "+",
            "the more dimensions of power sharing a settlement provides, the more durable the peace",
            HARTZELL_HODDIE,
            tuple(ps_ev),
            value={"dimensions": dims, "count": len(dims)},
            note="found from category tags only (power_sharing:<dimension>); the study is of civil wars",
        )
    )
    out += _werner_yuen(scenario, plan, scorecard, bargaining)
    skip = not_applicable(scenario)
    if skip:
        out = [
            replace(i, present=None, evidence=(), not_applicable=skip[i.id]) if i.id in skip else i for i in out
        ]
        dims = []
    return Durability(plan.id, tuple(out), tuple(dims))


def _werner_yuen(
    scenario: Scenario, plan: Plan, scorecard: PlanScorecard | None, bargaining: BargainingRange | None
) -> list[Indicator]:
    bell = tuple(scenario.spec.belligerents)
    if plan.proposer is None or len(bell) != 2:
        third_party = None
    else:
        third_party = not set(scenario.group_members(plan.proposer)) & set(bell)
    rejecting: list[str] | None = None
    worse: list[str] | None = None
    if scorecard is not None and len(bell) == 2:
        try:
            score = scorecard.plan(plan.id)
        except KeyError:
            score = None
        if score is not None:
            ids = scorecard.actor_ids
            tol = scorecard.options.tolerance
            present = [b for b in bell if b in ids]
            rejecting = [b for b in present if not score.actor(b).accepts]
            worse = [
                b for b in present if score.actor(b).utility - scorecard.status_quo.actors[ids.index(b)].utility <= tol
            ]
    if third_party is None or rejecting is None or worse is None:
        imposed: bool | None = None
        note = "needs the plan's proposer, the scenario's belligerents and the plan's scores"
    else:
        imposed = third_party and bool(set(rejecting) | set(worse))
        note = (
            "imposed = proposed by a third party, and a belligerent either does not accept it or is worse "
            "off than under the status quo (so accepts only because its outside option is worse: pressure)"
        )
    inside = None
    inside_note = "needs the bargaining range (two belligerents)"
    if bargaining is not None:
        try:
            place = bargaining.plan(plan.id)
            inside = place.inside_no_outside
            inside_note = (
                f"plan at {place.x:.3g} on the 0–1 scale; range [{bargaining.lower_base:.3g}, "
                f"{bargaining.upper_base:.3g}] without outside options"
            )
        except KeyError:
            pass
    return [
        Indicator(
            "imposed",
            "imposed by third-party pressure",
            imposed,
            "-",
            "ceasefires imposed by outside pressure break down more often",
            WERNER_YUEN,
            value={
                "third_party_proposer": third_party,
                "belligerents_not_accepting": rejecting,
                "belligerents_worse_than_status_quo": worse,
            },
            note=note,
        ),
        Indicator(
            "inside_bargaining_range",
            "consistent with the battlefield (inside the bargaining range)",
            inside,
            "+",
            "settlements that reflect the balance of power on the battlefield last longer",
            WERNER_YUEN,
            note=inside_note,
        ),
    ]


def durability(
    scenario: Scenario,
    plans: Sequence[str] | None = None,
    *,
    scorecard: PlanScorecard | None = None,
    bargaining: BargainingRange | None = None,
    keywords: bool = True,
) -> tuple[Durability, ...]:
    """Durability indicators of each plan (all when None)."""
    return tuple(
        plan_durability(scenario, p, scorecard=scorecard, bargaining=bargaining, keywords=keywords)
        for p in select_plans(scenario, plans)
    )
