"""The scenario file format (``schema_version: 1``) as pydantic models.

This is the *file* layer: what a YAML or JSON scenario may contain. It checks
types, ranges and the shape of each entry; :mod:`parley.scenario.checks` then
checks what refers to what (ids, positions inside scales), and
:mod:`parley.scenario.core` turns the result into frozen domain objects.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

# An id: a name without leading or trailing spaces (imported files keep their own names).
Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=120,
        pattern=r"^[^\s\x00-\x1f](?:[^\x00-\x1f]*[^\s\x00-\x1f])?$",
    ),
]


def _unit_interval(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise PydanticCustomError("unit_interval", "{value} is not between 0 and 1", {"value": value})
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True)


class Scale(_Strict):
    """The natural scale of an issue, e.g. 0 to 1000 thousand personnel.

    Example: ``{min: 0, max: 1000, unit: thousand personnel}``
    """

    min: float
    """The position at the low end of the scale. Example: ``min: 0``"""
    max: float
    """The position at the high end; must be above ``min``. Example: ``max: 1000``"""
    unit: str = ""
    """What a step on the scale means, shown next to numbers. Example: ``unit: thousand personnel``"""

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.max > self.min:
            raise PydanticCustomError(
                "scale_order",
                "max ({max}) must be greater than min ({min})",
                {"max": self.max, "min": self.min},
            )
        return self


class IssueSpec(_Strict):
    """One issue: a dimension on which actors take positions.

    Example: ``{id: army_cap, label: Army cap, scale: {min: 0, max: 1000}}``
    """

    id: Id
    """The issue's id, used by stances, provisions and shocks to refer to it. Example: ``id: army_cap``"""
    label: str = ""
    """The issue's display name (an issue has a ``label``; actors have a ``name``, plans and shocks a ``title``).
    Example: ``label: Cap on Ukraine's armed forces``
    """
    description: str = ""
    """What the issue is about, in a sentence or two; also read by ``parley code`` to map plan points to issues.
    Example: ``description: Peacetime ceiling on the size of the armed forces``
    """
    scale: Scale = Scale(min=0, max=100)
    """The issue's scale: ``{min, max, unit}`` (default 0 to 100). Example: ``scale: {min: 0, max: 1000, unit: thousand
    personnel}``
    """
    anchors: dict[float, str] = Field(default_factory=dict)
    """Labelled points of the scale: position → what it means; ``parley code`` proposes the nearest anchor for a point
    without a number. Example: ``anchors: {0: no cap, 600: capped at 600,000}``
    """
    status_quo: float | None = None
    """Where the issue stands today, on its scale (default: none). Example: ``status_quo: 880``"""
    orientation: str = ""
    """Which way the scale runs, in words. Example: ``orientation: higher = a larger army allowed``"""
    vetoes: list[Id] = Field(
        default_factory=list,
        description="Actors or groups whose consent a settlement of this issue needs. Example: ``vetoes: [ukraine]``",
    )
    source: str = ""
    """Where the facts behind this issue come from. Example: ``source: FACTS.md, the 28 points``"""
    note: str = ""
    """The analyst's reasoning, for a reader who disagrees. Example: ``note: the status quo is the 2025 strength``"""


class Uncertainty(_Strict):
    """How unsure the analyst is of a position: a range, or a distribution.

    Example: ``{distribution: uniform, low: 2, high: 4}``
    """

    distribution: Literal["uniform", "triangular", "normal"] = "uniform"
    """The shape of the uncertainty: ``uniform`` and ``triangular`` need ``low`` and ``high``, ``normal`` needs ``sd``.
    Example: ``distribution: triangular``
    """
    low: float | None = None
    """The lowest plausible value. Example: ``low: 2``"""
    high: float | None = None
    """The highest plausible value. Example: ``high: 4``"""
    mode: float | None = None
    """The most likely value (triangular; between low and high). Example: ``mode: 3``"""
    sd: float | None = Field(default=None, gt=0)
    """The standard deviation (normal; above 0). Example: ``sd: 0.5``"""

    @model_validator(mode="after")
    def _complete(self) -> Uncertainty:
        if self.distribution in ("uniform", "triangular"):
            if self.low is None or self.high is None:
                raise PydanticCustomError(
                    "uncertainty", "a {d} uncertainty needs low and high", {"d": self.distribution}
                )
            if not self.low <= self.high:
                raise PydanticCustomError(
                    "uncertainty",
                    "low ({low}) is above high ({high})",
                    {"low": self.low, "high": self.high},
                )
            if self.mode is not None and not self.low <= self.mode <= self.high:
                raise PydanticCustomError(
                    "uncertainty", "mode ({mode}) is not between low and high", {"mode": self.mode}
                )
        elif self.sd is None:
            raise PydanticCustomError("uncertainty", "a normal uncertainty needs sd", {})
        return self


class Stance(_Strict):
    """Where an actor stands on one issue and how much it cares.

    Example: ``{position: 800, salience: 0.9}``
    """

    position: float
    """Where the actor stands on the issue, on the issue's scale. Example: ``position: 800``"""
    salience: float
    """How much the actor cares about the issue, from 0 (not at all) to 1 (above all). Example: ``salience: 0.9``"""
    uncertainty: Uncertainty | None = None
    """How unsure the position is: a mapping ``{distribution, low, high, mode, sd}``. Example: ``uncertainty:
    {distribution: uniform, low: 2, high: 4}``
    """
    salience_range: tuple[float, float] | None = None
    """The plausible range of the salience, two numbers in [0, 1]. Example: ``salience_range: [0.7, 1.0]``"""
    stated: float | None = Field(
        default=None,
        description="The position the actor states, where it differs from its revealed one. Example: ``stated: 0``",
    )
    source: str = ""
    """Where the position comes from. Example: ``source: Zelensky, 2025-11-21``"""
    note: str = ""
    """The analyst's reasoning. Example: ``note: stated as a red line``"""

    _check_salience = field_validator("salience")(_unit_interval)

    @field_validator("salience_range")
    @classmethod
    def _check_range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is None:
            return value
        lo, hi = value
        _unit_interval(lo)
        _unit_interval(hi)
        if lo > hi:
            raise PydanticCustomError("salience_range", "low ({lo}) is above high ({hi})", {"lo": lo, "hi": hi})
        return value


class ActorSpec(_Strict):
    """A party to the negotiation.

    Example: ``{id: ukraine, name: Ukraine, capability: 40, stances: {army_cap: {position: 800, salience: 0.9}}}``
    """

    id: Id
    """The actor's id, used by plans (``proposer``), shocks, ``vetoes`` and ``belligerents``. Example: ``id: ukraine``
    """
    name: str = ""
    """The actor's display name (actors have a ``name``; issues a ``label``). Example: ``name: Ukraine (President and
    government)``
    """
    description: str = ""
    """Who the actor is. Example: ``description: the Ukrainian government``"""
    capability: float | dict[Id, float]
    """The actor's clout: one positive number, or one per issue. Example: ``capability: 40``"""
    capability_range: tuple[float, float] | None = None
    """The plausible range of a single capability, two positive numbers. Example: ``capability_range: [30, 50]``"""
    groups: list[Id] = Field(default_factory=list)
    """Groups the actor belongs to; a group id can hold a veto or propose a plan. Example: ``groups: [E3, eu]``"""
    outside_option: dict[Id, float] = Field(
        default_factory=dict,
        description="Per issue, the position the actor expects if it walks away (default: status quo). "
        "Example: ``outside_option: {territory: 2}``",
    )
    stances: dict[Id, Stance] = Field(default_factory=dict)
    """The actor's stance on each issue it takes part in: issue id → ``{position, salience, ...}``. Example: ``stances:
    {army_cap: {position: 800, salience: 0.9}}``
    """
    source: str = ""
    """Where the facts about this actor come from. Example: ``source: FACTS.md``"""
    note: str = ""
    """The analyst's reasoning. Example: ``note: capability relative to the US = 100``"""

    @field_validator("capability")
    @classmethod
    def _positive(cls, value: float | dict[str, float]) -> float | dict[str, float]:
        values = value.values() if isinstance(value, dict) else [value]
        for v in values:
            if not v > 0:
                raise PydanticCustomError("capability", "{v} is not a positive number", {"v": v})
        return value

    @field_validator("capability_range")
    @classmethod
    def _check_capability_range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is None:
            return value
        lo, hi = value
        if not lo > 0:
            raise PydanticCustomError(
                "capability_range", "low ({lo}) is not a positive number: capabilities are above 0", {"lo": lo}
            )
        if lo > hi:
            raise PydanticCustomError("capability_range", "low ({lo}) is above high ({hi})", {"lo": lo, "hi": hi})
        return value


class Provision(_Strict):
    """One provision of a plan, and the issue position it implies (if any).

    Example: ``{point: '6', text: Army capped at 600,000., issue: army_cap, position: 600}``
    """

    text: str = Field(min_length=1)
    """The provision's wording. Example: ``text: Ukrainian Armed Forces limited to 600,000.``"""
    category: str = ""
    """A free-form theme. Example: ``category: military``"""
    issue: Id | None = None
    """The issue the provision settles (with ``position``); leave out and give ``no_issue_reason`` when none. Example:
    ``issue: army_cap``
    """
    position: float | None = None
    """Where the provision puts its issue, on the issue's scale. Example: ``position: 600``"""
    no_issue_reason: str = Field(
        default="",
        description="Why a provision maps to no issue position (instead of ``issue``/``position``). "
        "Example: ``no_issue_reason: declaratory; no actor contests it``",
    )
    point: str = Field(default="", description="The plan's own numbering, a string. Example: ``point: '21(d)'``")
    source: str = ""
    """Where the wording comes from. Example: ``source: Axios 2025-11-20``"""
    note: str = ""
    """The analyst's reasoning for the coding. Example: ``note: read as de facto recognition``"""

    review: bool = False
    """True while the coding is a draft to check (``parley code`` sets it where its confidence is low). Example:
    ``review: true``"""
    confidence: float | None = Field(default=None, ge=0, le=1)
    """How sure an automatic coding was, 0 to 1 (``parley code``). Example: ``confidence: 0.42``"""
    evidence: str = ""
    """What decided an automatic coding: the quantity or words it matched. Example: ``evidence: '600,000 → 600'``"""

    @model_validator(mode="after")
    def _maps_or_says_why(self) -> Provision:
        if self.issue is not None and self.position is None:
            raise PydanticCustomError("provision", "names issue '{issue}' but gives no position", {"issue": self.issue})
        if self.issue is None and self.position is not None:
            raise PydanticCustomError("provision", "gives a position but names no issue", {})
        if self.issue is None and not self.no_issue_reason:
            raise PydanticCustomError(
                "provision", "maps to no issue: give 'issue' and 'position', or 'no_issue_reason'", {}
            )
        return self


class PlanSpec(_Strict):
    """A text on the table: a list of provisions.

    Example: ``{id: us-28, title: US 28 points, provisions: [...]}``
    """

    id: Id
    """The plan's id. Example: ``id: us-28``"""
    title: str = ""
    """The plan's display name (plans and shocks have a ``title``). Example: ``title: US 28-point plan``"""
    proposer: Id | None = Field(
        default=None, description="The actor or group that tabled the text. Example: ``proposer: us_envoy``"
    )
    date: dt.date | None = None
    """When the text was tabled (YYYY-MM-DD). Example: ``date: 2025-11-20``"""
    source: str = ""
    """Where the text comes from. Example: ``source: Axios``"""
    note: str = ""
    """The analyst's notes on the text. Example: ``note: leaked, not official``"""
    based_on: Id | None = Field(default=None, description="The plan this text revises. Example: ``based_on: us-28``")
    inherit: bool = Field(
        default=False,
        description="Keep the provisions of ``based_on`` on every issue this text does not address itself. "
        "Example: ``inherit: true``",
    )
    provisions: list[Provision] = Field(default_factory=list)
    """The text's provisions, one mapping per point. Example: ``provisions: [{point: '6', text: ..., issue: army_cap,
    position: 600}]``
    """


ShockOp = Literal["scale", "set", "remove", "adopt", "add_veto", "remove_veto"]
ShockTarget = Literal["capability", "salience", "position"]


class ShockChange(_Strict):
    """One change a shock makes to a scenario.

    - ``scale``: multiply ``target`` of ``actor`` (on ``issue``, or on all its issues) by ``factor``;
    - ``set``: set ``target`` of ``actor`` (on ``issue``, or all) to ``value``;
    - ``remove``: remove ``actor`` from the scenario;
    - ``adopt``: ``actor`` takes the positions of ``from`` (on ``issues``, or on all of them);
    - ``add_veto`` / ``remove_veto``: ``actor`` (an actor or a group) gains or loses a veto on ``issue``.

    Example: ``{op: scale, actor: us, target: capability, factor: 0.5}``
    """

    op: ShockOp
    """What the change does: scale, set, remove, adopt, add_veto or remove_veto. Example: ``op: scale``"""
    actor: Id
    """The actor (or, for vetoes, group) the change applies to. Example: ``actor: us_white_house``"""
    target: ShockTarget | None = None
    """What ``scale`` and ``set`` change: capability, salience or position. Example: ``target: capability``"""
    issue: Id | None = None
    """The issue the change applies to (default: every issue of the actor). Example: ``issue: territory``"""
    issues: list[Id] | None = None
    """For ``adopt``: the issues on which positions are taken over (default: all). Example: ``issues: [territory,
    army_cap]``
    """
    factor: float | None = None
    """For ``scale``: the multiplier (0 or more). Example: ``factor: 0.5``"""
    value: float | None = None
    """For ``set``: the new value. Example: ``value: 0.2``"""
    from_: Id | None = Field(default=None, alias="from")
    """For ``adopt``: the actor whose positions are taken over. Example: ``from: us_envoy``"""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True)

    @model_validator(mode="after")
    def _complete(self) -> ShockChange:
        need: dict[str, tuple[str, ...]] = {
            "scale": ("target", "factor"),
            "set": ("target", "value"),
            "remove": (),
            "add_veto": ("issue",),
            "remove_veto": ("issue",),
            "adopt": ("from_",),
        }
        missing = [n.rstrip("_") for n in need[self.op] if getattr(self, n) is None]
        if missing:
            raise PydanticCustomError(
                "shock", "op '{op}' needs {missing}", {"op": self.op, "missing": ", ".join(missing)}
            )
        if self.op == "scale" and self.factor is not None and self.factor < 0:
            raise PydanticCustomError("shock", "factor must not be negative", {})
        return self


class ShockSpec(_Strict):
    """A named what-if: a list of changes that yields a new scenario.

    Example: ``{id: aid-stops, title: Aid stops, changes: [{op: remove, actor: us}]}``
    """

    id: Id
    """The shock's id (``parley plans --shock ID``). Example: ``id: us-aid-stops``"""
    title: str = ""
    """The shock's display name. Example: ``title: US military aid stops``"""
    description: str = ""
    """What the what-if assumes. Example: ``description: Congress blocks further aid``"""
    source: str = ""
    """What makes the shock plausible. Example: ``source: FACTS.md timeline``"""
    changes: list[ShockChange] = Field(min_length=1)
    """The changes, in order: a list of ``{op, actor, ...}`` mappings. Example: ``changes: [{op: scale, actor:
    us_white_house, target: capability, factor: 0.5}]``
    """


class ScenarioSpec(_Strict):
    """A whole scenario file.

    Example: ``{schema_version: 1, issues: [...], actors: [...]}``
    """

    schema_version: Literal[1]
    """The version of this format; always 1. Example: ``schema_version: 1``"""
    title: str = ""
    """The scenario's title. Example: ``title: Iran nuclear deal 2026``"""
    description: str = ""
    """What the negotiation is about. Example: ``description: talks on enrichment and sanctions``"""
    date: dt.date | None = None
    """The date the stances hold for (YYYY-MM-DD). Example: ``date: 2025-11-27``"""
    utility: Literal["linear", "quadratic"] = Field(
        default="linear", description="How a distance on an issue turns into a loss. Example: ``utility: quadratic``"
    )
    belligerents: list[Id] = Field(
        default_factory=list,
        description="The two sides of a bargaining range, when there are two (actor ids). "
        "Example: ``belligerents: [ukraine, russia]``",
    )
    issues: list[IssueSpec] = Field(min_length=1)
    """The issues, at least one. Example: ``issues: [{id: army_cap, label: Army cap, scale: {min: 0, max: 1000}}]``"""
    actors: list[ActorSpec] = Field(min_length=1)
    """The actors, at least one. Example: ``actors: [{id: ukraine, name: Ukraine, capability: 40, stances: {...}}]``"""
    plans: list[PlanSpec] = Field(default_factory=list)
    """The texts on the table. Example: ``plans: [{id: us-28, title: US 28 points, provisions: [...]}]``"""
    shocks: list[ShockSpec] = Field(default_factory=list)
    """Named what-ifs. Example: ``shocks: [{id: aid-stops, changes: [...]}]``"""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Free-form notes about the scenario (not read by any analysis). Example: ``metadata: {case: example}``"""
