"""The scenario file format (``schema_version: 1``, and ``2`` for the time features) as pydantic models.

This is the *file* layer: what a YAML or JSON scenario may contain. It checks
types, ranges and the shape of each entry; :mod:`parley.scenario.checks` then
checks what refers to what (ids, positions inside scales), and
:mod:`parley.scenario.core` turns the result into frozen domain objects.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
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


MAX_MAGNITUDE = 1e12
"""Largest magnitude of any number in a scenario: beyond it sums of squares and products of
capabilities leave the range where floats stay exact enough to compare (and 1e308 overflows)."""

MIN_CAPABILITY = 1e-9
"""Smallest capability: with saliences in [0, 1] a weight must stay far from float underflow."""
MIN_SPAN = 1e-9
"""Narrowest scale, relative to the magnitude of its ends."""

_NUMERIC_TEXT = re.compile(r"^\s*[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _strict_value(value: Any, annotation: Any) -> None:
    """Refuse, for a field typed ``annotation``, text or booleans where a number is expected.

    Pydantic's lax mode would turn ``'44.0'`` into 44.0 and ``true`` into 1.0, so a quoted
    number would skip the range checks that look at numbers only. Ints are fine for floats.
    Numbers are also bounded by :data:`MAX_MAGNITUDE`.
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        _strict_value(value, get_args(annotation)[0])
        return
    if origin in (Union, UnionType):
        if value is None and type(None) in get_args(annotation):
            return
        for arm in get_args(annotation):
            if arm is type(None):
                continue
            arm_origin = get_origin(arm) or arm
            if arm in (float, int, bool) and not isinstance(value, (dict, list, tuple)):
                _strict_value(value, arm)
                return
            if arm_origin is dict and isinstance(value, dict):
                _strict_value(value, arm)
                return
            if arm_origin in (list, tuple) and isinstance(value, (list, tuple)):
                _strict_value(value, arm)
                return
        return
    if annotation in (float, int):
        if isinstance(value, bool):
            raise PydanticCustomError(
                "strict_number", "{value} is a boolean, not a number", {"value": str(value).lower()}
            )
        if isinstance(value, str):
            if _NUMERIC_TEXT.match(value):
                raise PydanticCustomError(
                    "strict_number",
                    "'{value}' is text, not a number: write {bare} without quotes",
                    {"value": value[:40], "bare": value.strip()[:40]},
                )
            raise PydanticCustomError(
                "strict_number", "should be a valid number (got '{value}')", {"value": value[:60]}
            )
        too_big = (isinstance(value, int) and abs(value) > MAX_MAGNITUDE) or (
            isinstance(value, float) and math.isfinite(value) and abs(value) > MAX_MAGNITUDE
        )
        if too_big:
            shown = f"{value:g}" if isinstance(value, float) else f"{str(value)[:12]}… ({len(str(abs(value)))} digits)"
            raise PydanticCustomError(
                "magnitude",
                "{value} is too large: parley takes numbers up to {limit} in magnitude",
                {"value": shown, "limit": f"{MAX_MAGNITUDE:g}"},
            )
        return
    if origin is Literal:
        if isinstance(value, bool) and not any(isinstance(a, bool) for a in get_args(annotation)):
            raise PydanticCustomError(
                "strict_literal", "{value} is a boolean, not one of {allowed}",
                {"value": str(value).lower(), "allowed": ", ".join(repr(a) for a in get_args(annotation))},
            )
        return
    if annotation is bool:
        if not isinstance(value, bool):
            raise PydanticCustomError(
                "strict_bool", "{value} is not true or false", {"value": repr(value)[:60]}
            )
        return
    if origin is dict and isinstance(value, dict):
        _, value_type = get_args(annotation)
        for v in value.values():
            _strict_value(v, value_type)
    elif origin in (list, tuple) and isinstance(value, (list, tuple)):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        if origin is tuple and len(args) == len(value):
            for v, a in zip(value, args, strict=True):
                _strict_value(v, a)
        elif args:
            for v in value:
                _strict_value(v, args[0])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Numbers only where numbers are expected, in every field of every entry (see :func:`_strict_value`)."""
        if info.field_name is not None:
            _strict_value(value, cls.model_fields[info.field_name].annotation)
        return value


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
        if not self.max - self.min >= MIN_SPAN * max(1.0, abs(self.min), abs(self.max)):
            raise PydanticCustomError(
                "scale_span",
                "the scale [{min}, {max}] is too narrow for the arithmetic: "
                "make it at least {rel} of its largest end wide",
                {"max": self.max, "min": self.min, "rel": f"{MIN_SPAN:g}"},
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
    without a number. Example: ``anchors: {0: no cap, 600: 'capped at 600,000'}``
    """
    status_quo: float | None = None
    """Where the issue stands today, on its scale (default: none). Example: ``status_quo: 880``"""
    orientation: str = ""
    """Which way the scale runs, in words. Example: ``orientation: higher = a larger army allowed``"""
    vetoes: list[Id] = Field(
        default_factory=list,
        description="Actors or groups whose consent a settlement of this issue needs. Example: ``vetoes: [ukraine]``",
    )
    consent: Literal["change", "renewal"] = Field(
        default="change",
        description=(
            "How the veto holders consent to a text that moves the issue (puts it off its status quo, or defers it): "
            "``change`` (default): every veto holder must accept it (a group by the group-veto rule, unanimity by "
            "default); ``renewal``: the status quo lapses unless every veto holder renews it (EU sanctions), so the "
            "move goes through when any one veto holder (any member of a group) accepts it. "
            "Example: ``consent: renewal``"
        ),
    )
    source: str = ""
    """Where the facts behind this issue come from. Example: ``source: "US 28-point plan, pt 21 (news-pravda.com)"``"""
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


class RedLine(_Strict):
    """A non-compensatory bound on one issue: a text beyond it is refused whatever it gives elsewhere."""

    max: float | None = None
    """The highest position the party accepts, on the issue's scale: a text that puts the issue above it crosses the
    red line (give ``max``, ``min`` or both). Example: ``max: 3``
    """
    min: float | None = None
    """The lowest position the party accepts, on the issue's scale: a text that puts the issue below it crosses the
    red line (with ``max``: not above ``max``). Example: ``min: 1``
    """
    uncertainty: Uncertainty | None = None
    """How unsure the bound is, for a red line with exactly one of ``min`` and ``max``: ``{distribution, low, high,
    mode, sd}`` over the bound, drawn by uncertainty analyses (default: none, the bound is known). Example:
    ``uncertainty: {distribution: uniform, low: 3, high: 4.25}``
    """
    soft: bool = False
    """true: a text that crosses the red line costs ``penalty`` instead of being refused (default false: a hard red
    line, refused whatever the text gives elsewhere). Example: ``soft: true``
    """
    penalty: float = 0.0
    """For a soft red line: the utility a text that crosses it loses, 0 to 1 (above 0 when ``soft``; default 0).
    Example: ``penalty: 0.3``
    """
    as_of: dt.date | None = None
    """The earliest date the party stated the red line (YYYY-MM-DD); analyses as of an earlier date leave it out
    (default: none, in force at every date). Example: ``as_of: 2025-12-08``
    """
    source: str = ""
    """Where the red line comes from: the statement that draws it. Example: ``source: Zelensky, 2025-12-08``"""
    note: str = ""
    """The analyst's reasoning for the bound. Example: ``note: the furthest Kyiv has offered is its own zone``"""

    _check_penalty = field_validator("penalty")(_unit_interval)

    @model_validator(mode="after")
    def _bounded(self) -> RedLine:
        if self.max is None and self.min is None:
            raise PydanticCustomError("red_line", "a red line needs max, min or both", {})
        if self.max is not None and self.min is not None and self.min > self.max:
            raise PydanticCustomError("red_line", "min ({lo}) is above max ({hi})", {"lo": self.min, "hi": self.max})
        if self.uncertainty is not None and (self.max is None) == (self.min is None):
            raise PydanticCustomError("red_line", "an uncertain red line needs exactly one of min and max", {})
        if self.soft and self.penalty <= 0:
            raise PydanticCustomError("red_line", "a soft red line needs a penalty above 0", {})
        return self

    @property
    def bound(self) -> float:
        """The single bound (max or min) of a one-sided red line."""
        return float(self.max if self.max is not None else self.min)  # type: ignore[arg-type]



class StanceRevision(_Strict):
    """A dated revision of a stance: what the actor stood for from ``as_of`` on (``schema_version: 2``).

    Only the fields given change; a new ``position`` without ``uncertainty`` or ``stated``
    drops the old ones (they described the old position).
    """

    as_of: dt.date
    """The date the revision holds from (YYYY-MM-DD); analyses as of that date or later apply it, revisions in date
    order. Example: ``as_of: 2025-12-24``
    """
    position: float | None = None
    """The new revealed position, on the issue's scale; drops the earlier ``uncertainty`` and ``stated`` unless given
    here too (a revision gives ``position``, ``salience``, ``stated`` or several). Example: ``position: 2.5``
    """
    salience: float | None = None
    """The new salience, 0 to 1; drops the stance's ``salience_range``. Example: ``salience: 0.8``"""
    stated: float | None = None
    """The new stated position, where it differs from the revealed one; alone, it leaves ``position`` as it was.
    Example: ``stated: 3``
    """
    uncertainty: Uncertainty | None = None
    """How unsure the new ``position`` is (read only with ``position``): ``{distribution, low, high, mode, sd}``.
    Example: ``uncertainty: {distribution: uniform, low: 2, high: 3}``
    """
    source: str = Field(
        min_length=1,
        description="Where the revision comes from: a dated statement or report (required). "
        "Example: ``source: Zelensky, 2025-12-24``",
    )
    note: str = ""
    """The analyst's reasoning. Example: ``note: the offer is stated at 3; the revealed position stays 2``"""

    @field_validator("salience")
    @classmethod
    def _check_salience(cls, value: float | None) -> float | None:
        return None if value is None else _unit_interval(value)

    @model_validator(mode="after")
    def _revises_something(self) -> StanceRevision:
        if self.position is None and self.salience is None and self.stated is None:
            raise PydanticCustomError("history", "a revision needs a position, a salience or a stated position", {})
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
    red_line: RedLine | None = None
    """A non-compensatory bound on the issue: ``{max, min, uncertainty, soft, penalty, as_of, source, note}``; a text
    beyond it is refused whatever it gives elsewhere (a soft one costs its penalty instead; default: none). Example:
    ``red_line: {max: 3, as_of: 2025-12-08, source: Zelensky 2025-12-08}``
    """
    source: str = ""
    """Where the position comes from. Example: ``source: Zelensky, 2025-11-21``"""
    note: str = ""
    """The analyst's reasoning. Example: ``note: stated as a red line``"""
    history: list[StanceRevision] = Field(
        default_factory=list,
        description="Dated revisions of this stance (schema_version 2); the fields above are the starting point. "
        "Example: ``history: [{as_of: 2025-12-24, stated: 3, source: Zelensky 2025-12-24}]``",
    )

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
        description=(
            "Per issue, the position the actor expects if talks fail; overrides the scenario's no_agreement "
            "for this actor (default: no_agreement, else the status quo). Example: ``outside_option: {territory: 2}``"
        ),
    )
    stances: dict[Id, Stance] = Field(default_factory=dict)
    """The actor's stance on each issue it takes part in: issue id → ``{position, salience, ...}``. Example: ``stances:
    {army_cap: {position: 800, salience: 0.9}}``
    """
    source: str = ""
    """Where the facts about this actor come from. Example: ``source: "Kyiv Independent, 2025-11-21, https://kyivindependent.com/..."``"""
    note: str = ""
    """The analyst's reasoning. Example: ``note: capability relative to the US = 100``"""

    @field_validator("capability")
    @classmethod
    def _positive(cls, value: float | dict[str, float]) -> float | dict[str, float]:
        values = value.values() if isinstance(value, dict) else [value]
        for v in values:
            if not v > 0:
                raise PydanticCustomError("capability", "{v} is not a positive number", {"v": v})
            if v < MIN_CAPABILITY:
                raise PydanticCustomError(
                    "capability",
                    "{v} is too small for the arithmetic: capabilities are at least {least} (rescale them all)",
                    {"v": f"{v:g}", "least": f"{MIN_CAPABILITY:g}"},
                )
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
        if lo < MIN_CAPABILITY:
            raise PydanticCustomError(
                "capability_range",
                "low ({lo}) is too small for the arithmetic: capabilities are at least {least}",
                {"lo": f"{lo:g}", "least": f"{MIN_CAPABILITY:g}"},
            )
        if lo > hi:
            raise PydanticCustomError("capability_range", "low ({lo}) is above high ({hi})", {"lo": lo, "hi": hi})
        return value


class Deferred(_Strict):
    """An issue a provision leaves to later talks: scored as uncertain, never as today's value.

    With ``low`` and ``high`` the issue is uncertain over that range (``distribution``, default
    uniform; ``mode`` for a triangular one); without them, over the spread of the models' forecasts.
    """

    to: str = ""
    """Who the issue is left to: the later talks or the people who decide it. Example: ``to: Presidents Trump and
    Zelensky``
    """
    low: float | None = None
    """The lowest outcome the later talks may reach, on the issue's scale (give ``low`` and ``high``, or neither: the
    spread of the models' forecasts). Example: ``low: 2``
    """
    high: float | None = None
    """The highest outcome the later talks may reach, on the issue's scale (with ``low``). Example: ``high: 4``"""
    mode: float | None = None
    """The most likely outcome, for a triangular range (between ``low`` and ``high``). Example: ``mode: 3``"""
    distribution: Literal["uniform", "triangular"] = "uniform"
    """The shape of the range [``low``, ``high``]: ``uniform`` (default) or ``triangular`` (peaked at ``mode``).
    Example: ``distribution: triangular``
    """
    note: str = ""
    """The analyst's reasoning for the range. Example: ``note: between the E3 line (2) and the US 28 withdrawal (4)``"""

    @model_validator(mode="after")
    def _range(self) -> Deferred:
        if (self.low is None) != (self.high is None):
            raise PydanticCustomError("deferred", "give both low and high, or neither", {})
        if self.low is not None and self.high is not None and self.low > self.high:
            raise PydanticCustomError("deferred", "low ({lo}) is above high ({hi})", {"lo": self.low, "hi": self.high})
        if self.mode is not None and (self.low is None or not self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise PydanticCustomError("deferred", "mode needs low and high around it", {})
        return self


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
    deferred: Deferred | None = None
    """The issue is left to later talks instead of settled (give this or ``position``). Example: ``deferred: {to:
    the presidents, low: 2, high: 4}``
    """
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
        if self.issue is not None and self.position is None and self.deferred is None:
            raise PydanticCustomError(
                "provision", "names issue '{issue}' but gives no position (or deferred)", {"issue": self.issue}
            )
        if self.position is not None and self.deferred is not None:
            raise PydanticCustomError("provision", "gives both a position and deferred: give exactly one", {})
        if self.issue is None and (self.position is not None or self.deferred is not None):
            raise PydanticCustomError("provision", "gives a position (or deferred) but names no issue", {})
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
    """When the text was tabled (YYYY-MM-DD; ``tabled`` in schema_version 2). Example: ``date: 2025-11-20``"""
    tabled: dt.date | None = Field(
        default=None,
        description="When the text was put on the table (schema_version 2; ``date`` is read the same way). "
        "Example: ``tabled: 2025-11-20``",
    )
    source: str = ""
    """Where the text comes from. Example: ``source: Axios``"""
    note: str = ""
    """The analyst's notes on the text. Example: ``note: leaked, not official``"""
    based_on: Id | None = Field(default=None, description="The plan this text revises. Example: ``based_on: us-28``")
    inherit: bool | list[str] = Field(
        default=False,
        description=(
            "true: keep every point of ``based_on`` whose point number this text does not itself contain "
            "(parent provisions without a point number: kept on issues this text does not address); "
            "a list of point numbers: keep exactly those points of the parent. Example: ``inherit: true``"
        ),
    )
    provisions: list[Provision] = Field(default_factory=list)
    """The text's provisions, one mapping per point. Example: ``provisions: [{point: '6', text: ..., issue: army_cap,
    position: 600}]``
    """


ShockOp = Literal["scale", "set", "remove", "adopt", "add_veto", "remove_veto"]
ShockTarget = Literal["capability", "salience", "position", "no_agreement", "outside_option", "red_line"]


class ShockChange(_Strict):
    """One change a shock makes to a scenario.

    - ``scale``: multiply ``target`` of ``actor`` (on ``issue``, or on all its issues) by ``factor``;
    - ``set``: set ``target`` of ``actor`` (on ``issue``, or all) to ``value``;
    - ``remove``: remove ``actor`` from the scenario;
    - ``adopt``: ``actor`` takes the positions of ``from`` (on ``issues``, or on all of them);
    - ``add_veto`` / ``remove_veto``: ``actor`` (an actor or a group) gains or loses a veto on ``issue``.

    Targets beyond an actor's stance: ``no_agreement`` (no actor; the scenario's no-agreement
    position on ``issue``), ``outside_option`` (``actor``'s walk-away position on ``issue``) and
    ``red_line`` (the bound of ``actor``'s one-sided red line on ``issue``); ``set`` and ``scale``
    work on each.

    Example: ``{op: scale, actor: us, target: capability, factor: 0.5}``
    """

    op: ShockOp
    """What the change does: scale, set, remove, adopt, add_veto or remove_veto. Example: ``op: scale``"""
    actor: Id | None = None
    """The actor (or, for vetoes, group) the change applies to; none for ``no_agreement``. Example: ``actor:
    us_white_house``
    """
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
        if self.target in ("no_agreement", "outside_option", "red_line"):
            if self.op not in ("set", "scale"):
                raise PydanticCustomError(
                    "shock", "target '{t}' takes op set or scale, not '{op}'", {"t": self.target, "op": self.op}
                )
            if self.issue is None:
                raise PydanticCustomError("shock", "target '{t}' needs issue", {"t": self.target})
        if self.actor is None and self.target != "no_agreement":
            raise PydanticCustomError("shock", "op '{op}' needs actor", {"op": self.op})
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
    """What makes the shock plausible. Example: ``source: "Reuters, 2026-02-07: US pushes for a deal by March"``"""
    changes: list[ShockChange] = Field(min_length=1)
    """The changes, in order: a list of ``{op, actor, ...}`` mappings. Example: ``changes: [{op: scale, actor:
    us_white_house, target: capability, factor: 0.5}]``
    """


class Side(_Strict):
    """One side of the bargaining range: a label and its members (actor or group ids)."""

    label: str = ""
    """The side's display name. Example: ``label: Ukraine and the actors that declared support for it``"""
    members: list[Id] = Field(min_length=1)
    """The actors or groups on this side, at least one (a group stands for its members; the first actor represents
    the side; an actor on both sides is on neither). Example: ``members: [ukraine, eu_institutions, uk]``
    """


class Sides(_Strict):
    """The two sides of the bargaining range, declared."""

    a: Side
    """One side: ``{label, members}``. Example: ``a: {label: Ukraine and its supporters, members: [ukraine, uk]}``"""
    b: Side
    """The other side: ``{label, members}``. Example: ``b: {label: Russia, members: [russia]}``"""


class NoAgreementPosition(_Strict):
    """Where one issue ends up if talks fail."""

    position: float
    """Where the issue ends up if talks fail, on the issue's scale. Example: ``position: 2.75``"""
    uncertainty: Uncertainty | None = None
    """How unsure that is: ``{distribution, low, high, mode, sd}``, drawn by uncertainty analyses (default: none).
    Example: ``uncertainty: {distribution: triangular, low: 2, mode: 2.75, high: 3.5}``
    """
    source: str = ""
    """Where the facts behind the position come from. Example: ``source: DeepState front-line maps, 2026-02``"""
    note: str = ""
    """The analyst's reasoning. Example: ``note: the front keeps moving slowly in Russia's favour``"""


class NoAgreement(_Strict):
    """What happens if talks fail: every actor's walk-away (an actor's ``outside_option`` overrides it)."""

    source: str = ""
    """Where the picture of failed talks comes from. Example: ``source: "DeepState via interfax.com.ua, 2026-02-06"``"""
    note: str = ""
    """The analyst's reasoning: what failed talks lead to, over what horizon. Example: ``note: the war goes on; about
    twelve months ahead``
    """
    positions: dict[Id, NoAgreementPosition] = Field(default_factory=dict)
    """Per issue, where it ends up if talks fail: issue id → ``{position, uncertainty, source, note}``; an issue not
    listed keeps its status quo. Example: ``positions: {territory_control: {position: 2.75}}``
    """


EventKind = Literal["statement", "text_tabled", "meeting", "deadline", "strike", "battlefield", "decision"]
EventOp = Literal["scale", "set", "remove", "adopt", "add_veto", "remove_veto", "status_quo", "no_agreement"]


class EventChange(_Strict):
    """One change an event makes: a shock change (:class:`ShockChange`), or a move of a reference point.

    - the shock ops (``scale``, ``set``, ``remove``, ``adopt``, ``add_veto``, ``remove_veto``) as in shocks;
    - ``status_quo``: the status quo of ``issue`` is set to ``value`` or moved by ``by``;
    - ``no_agreement``: the no-agreement position of ``issue`` (``no_agreement.positions``) is set to
      ``value`` or moved by ``by`` (an entry missing there starts from the issue's status quo).
    """

    op: EventOp
    """What the change does: a shock op (scale, set, remove, adopt, add_veto, remove_veto), or ``status_quo`` or
    ``no_agreement`` to move that point of ``issue``. Example: ``op: status_quo``
    """
    actor: Id | None = None
    """The actor (or, for vetoes, group) a shock op applies to; required for the shock ops, not used by
    ``status_quo`` and ``no_agreement``. Example: ``actor: russia``
    """
    target: ShockTarget | None = None
    """What ``scale`` and ``set`` change: capability, salience, position, no_agreement, outside_option or red_line.
    Example: ``target: salience``
    """
    issue: Id | None = None
    """The issue the change applies to: required by ``status_quo``, ``no_agreement``, the veto ops and targets
    no_agreement, outside_option and red_line; for ``scale`` and ``set`` default every issue of the actor. Example:
    ``issue: territory_control``
    """
    issues: list[Id] | None = None
    """For ``adopt``: the issues on which positions are taken over (default: all). Example: ``issues:
    [territory_control]``
    """
    factor: float | None = None
    """For ``scale``: the multiplier (0 or more). Example: ``factor: 0.5``"""
    value: float | None = None
    """For ``set``: the new value; for ``status_quo`` and ``no_agreement``: the new position (give ``value`` or
    ``by``). Example: ``value: 3``
    """
    by: float | None = None
    """For ``status_quo`` and ``no_agreement`` only: how far to move the point along the issue's scale (negative:
    down); a no-agreement uncertainty moves with it. Example: ``by: 0.25``
    """
    from_: Id | None = Field(default=None, alias="from")
    """For ``adopt``: the actor whose positions are taken over. Example: ``from: us_envoy``"""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True)

    @model_validator(mode="after")
    def _complete(self) -> EventChange:
        if self.op in ("status_quo", "no_agreement"):
            if self.issue is None:
                raise PydanticCustomError("event", "op '{op}' needs issue", {"op": self.op})
            if (self.value is None) == (self.by is None):
                raise PydanticCustomError("event", "op '{op}' needs exactly one of value and by", {"op": self.op})
            return self
        if self.actor is None:
            raise PydanticCustomError("event", "op '{op}' needs actor", {"op": self.op})
        if self.by is not None:
            raise PydanticCustomError("event", "'by' goes with op status_quo or no_agreement", {})
        self.as_shock()  # the shock's own checks
        return self

    def as_shock(self) -> ShockChange:
        """This change as a :class:`ShockChange` (for the shock ops only)."""
        return ShockChange.model_validate(self.model_dump(by_alias=True, exclude={"by"}, exclude_none=True))


class EventSpec(_Strict):
    """A dated event of the negotiation (``schema_version: 2``): a statement, a text tabled, a deadline, ...

    ``changes`` are applied, in date order, by :func:`parley.scenario.timeline.as_of` to every
    analysis as of a date on or after ``date``. A deadline has ``due`` (default: ``date``, the day
    it was set), an ``elasticity`` (0–1: how likely it is to move; an analyst's assumption) and, when
    it moved, ``moved_on`` (when that became known) and ``moved_to`` (the new date; none: dropped).
    ``missed`` says whether it passed without a deal (default: it did once its date is past).
    """

    id: Id
    """The event's id (as-of analyses list the events they applied by id). Example: ``id: us-28-tabled``"""
    date: dt.date
    """When the event happened (YYYY-MM-DD); analyses as of that date or later apply its changes. Example: ``date:
    2025-11-20``
    """
    kind: EventKind
    """What sort of event: statement, text_tabled (with ``plan``), meeting, deadline (with ``due``, ``elasticity``,
    ``moved_on``, ``moved_to``, ``missed``), strike, battlefield or decision. Example: ``kind: text_tabled``
    """
    title: str = Field(min_length=1)
    """What happened, in one line (required). Example: ``title: The US 28-point plan circulates``"""
    source: str = Field(min_length=1)
    """Where the event is reported (required). Example: ``source: Axios, 2025-11-20``"""
    note: str = ""
    """The analyst's notes. Example: ``note: no official text was published``"""
    actors: list[Id] = Field(
        default_factory=list,
        description="Who acted or spoke (actors or groups). Example: ``actors: [us_envoy, russia]``",
    )
    plan: Id | None = Field(
        default=None,
        description="For kind text_tabled: the plan tabled, on the table from the event's date unless the plan "
        "gives its own ``tabled`` or ``date``. Example: ``plan: us-28``",
    )
    changes: list[EventChange] = Field(default_factory=list)
    """What the event changes, in order, from its date on: shock changes, or moves of a status quo or no-agreement
    position (default: none; the event is on record only). Example: ``changes: [{op: no_agreement, issue:
    territory_control, by: 0.25}]``
    """
    due: dt.date | None = None
    """For a deadline: the date it falls on (default: the event's date, the day it was set). Example: ``due:
    2025-11-27``
    """
    elasticity: float | None = Field(
        default=None,
        description="For a deadline: how likely it is to move, 0 to 1 (an analyst's assumption, not a measurement). "
        "Example: ``elasticity: 0.7``",
    )
    moved_on: dt.date | None = None
    """For a deadline that moved: when the move became known (not before the event's date). Example: ``moved_on:
    2025-11-25``
    """
    moved_to: dt.date | None = None
    """For a deadline that moved: its new date (needs ``moved_on``; none with ``moved_on``: the deadline was dropped).
    Example: ``moved_to: 2025-12-15``
    """
    missed: bool | None = None
    """For a deadline: whether it passed without a deal (default: it did once its date is past; false: it was met).
    Example: ``missed: false``
    """

    @field_validator("elasticity")
    @classmethod
    def _check_elasticity(cls, value: float | None) -> float | None:
        return None if value is None else _unit_interval(value)

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> EventSpec:
        deadline_only = [
            n for n in ("due", "elasticity", "moved_on", "moved_to", "missed") if getattr(self, n) is not None
        ]
        if self.kind != "deadline" and deadline_only:
            raise PydanticCustomError(
                "event", "{names} only go with kind deadline", {"names": ", ".join(deadline_only)}
            )
        if self.plan is not None and self.kind != "text_tabled":
            raise PydanticCustomError("event", "plan only goes with kind text_tabled", {})
        if self.moved_to is not None and self.moved_on is None:
            raise PydanticCustomError("event", "moved_to needs moved_on (when the move became known)", {})
        if self.moved_on is not None and self.moved_on < self.date:
            raise PydanticCustomError("event", "moved_on ({m}) is before the event's date", {"m": self.moved_on})
        return self


class ScenarioSpec(_Strict):
    """A whole scenario file.

    Example: ``{schema_version: 1, issues: [...], actors: [...]}``
    """

    schema_version: Literal[1, 2]
    """The version of this format: 1, or 2 for the time features (events, history, tabled). Example:
    ``schema_version: 1``
    """
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
    signatories: list[Id] = Field(
        default_factory=list,
        description="Actors or groups whose consent makes a deal: a text any one of them refuses is no deal (a group "
        "consents by the group-veto rule; default: the belligerents, else no one beyond the issues' veto holders). "
        "Example: ``signatories: [ukraine, russia]``",
    )
    sides: Sides | None = None
    """The two sides of the bargaining range, declared: ``{a: {label, members}, b: {label, members}}`` (default: the
    belligerents, else two signatories that are actors). Example: ``sides: {a: {label: Ukraine, members: [ukraine,
    uk]}, b: {label: Russia, members: [russia]}}``
    """
    no_agreement: NoAgreement | None = None
    """What happens if talks fail: ``{source, note, positions}``, per issue every actor's walk-away unless its
    ``outside_option`` overrides it (default: none; an actor without an ``outside_option`` walks away to the status
    quo). Example: ``no_agreement: {positions: {territory_control: {position: 2.75}}}``
    """
    issues: list[IssueSpec] = Field(min_length=1)
    """The issues, at least one. Example: ``issues: [{id: army_cap, label: Army cap, scale: {min: 0, max: 1000}}]``"""
    actors: list[ActorSpec] = Field(min_length=1)
    """The actors, at least one. Example: ``actors: [{id: ukraine, name: Ukraine, capability: 40, stances: {...}}]``"""
    plans: list[PlanSpec] = Field(default_factory=list)
    """The texts on the table. Example: ``plans: [{id: us-28, title: US 28 points, provisions: [...]}]``"""
    shocks: list[ShockSpec] = Field(default_factory=list)
    """Named what-ifs. Example: ``shocks: [{id: aid-stops, changes: [...]}]``"""
    events: list[EventSpec] = Field(
        default_factory=list,
        description="Dated events (schema_version 2), applied by as-of analyses. "
        "Example: ``events: [{id: front-1, date: 2025-12-15, kind: battlefield, title: ..., source: ...}]``",
    )
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Free-form notes about the scenario (not read by any analysis). Example: ``metadata: {case: example}``"""
