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

Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=120,
        pattern=r"^[^\s\x00-\x1f](?:[^\x00-\x1f]*[^\s\x00-\x1f])?$",
        description="a name without leading or trailing spaces (imported files keep their own names)",
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
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Numbers only where numbers are expected, in every field of every entry (see :func:`_strict_value`)."""
        if info.field_name is not None:
            _strict_value(value, cls.model_fields[info.field_name].annotation)
        return value


class Scale(_Strict):
    """The natural scale of an issue, e.g. 0 to 1000 thousand personnel."""

    min: float
    max: float
    unit: str = ""

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
    """One issue: a dimension on which actors take positions."""

    id: Id
    label: str = ""
    description: str = ""
    scale: Scale = Scale(min=0, max=100)
    anchors: dict[float, str] = Field(default_factory=dict)
    status_quo: float | None = None
    orientation: str = ""
    vetoes: list[Id] = Field(
        default_factory=list,
        description="actors or groups whose consent a settlement of this issue needs",
    )
    consent: Literal["change", "renewal"] = Field(
        default="change",
        description=(
            "change: every veto holder (groups: every member) must accept a text that moves the issue off its "
            "status quo; renewal: the status quo lapses unless every veto holder renews it, so a text that moves "
            "the issue goes through if any one veto holder (member) accepts it"
        ),
    )
    source: str = ""
    note: str = ""


class Uncertainty(_Strict):
    """How unsure the analyst is of a position: a range, or a distribution."""

    distribution: Literal["uniform", "triangular", "normal"] = "uniform"
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    sd: float | None = Field(default=None, gt=0)

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
    min: float | None = None
    uncertainty: Uncertainty | None = None
    soft: bool = False
    penalty: float = 0.0
    as_of: dt.date | None = None
    source: str = ""
    note: str = ""

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
    position: float | None = None
    salience: float | None = None
    stated: float | None = None
    uncertainty: Uncertainty | None = None
    source: str = Field(min_length=1, description="where the revision comes from (dated statement, report)")
    note: str = ""

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
    """Where an actor stands on one issue and how much it cares."""

    position: float
    salience: float
    uncertainty: Uncertainty | None = None
    salience_range: tuple[float, float] | None = None
    stated: float | None = Field(
        default=None, description="the position the actor states, where it differs from its revealed one"
    )
    red_line: RedLine | None = None
    source: str = ""
    note: str = ""
    history: list[StanceRevision] = Field(
        default_factory=list,
        description="dated revisions of this stance (schema_version 2); the fields above are the starting point",
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
    """A party to the negotiation."""

    id: Id
    name: str = ""
    description: str = ""
    capability: float | dict[Id, float]
    capability_range: tuple[float, float] | None = None
    groups: list[Id] = Field(default_factory=list)
    outside_option: dict[Id, float] = Field(
        default_factory=dict,
        description=(
            "per issue, the position the actor expects if talks fail; overrides the scenario's no_agreement "
            "for this actor (default: no_agreement, else the status quo)"
        ),
    )
    stances: dict[Id, Stance] = Field(default_factory=dict)
    source: str = ""
    note: str = ""

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
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    distribution: Literal["uniform", "triangular"] = "uniform"
    note: str = ""

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
    """One provision of a plan, and the issue position it implies (if any)."""

    text: str = Field(min_length=1)
    category: str = ""
    issue: Id | None = None
    position: float | None = None
    deferred: Deferred | None = None
    no_issue_reason: str = Field(default="", description="why a provision maps to no issue position")
    point: str = Field(default="", description="the plan's own numbering, e.g. '6' or '21(d)'")
    source: str = ""
    note: str = ""

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
    """A text on the table: a list of provisions."""

    id: Id
    title: str = ""
    proposer: Id | None = Field(default=None, description="the actor or group that tabled the text")
    date: dt.date | None = None
    tabled: dt.date | None = Field(
        default=None, description="when the text was put on the table (schema_version 2; `date` is read the same way)"
    )
    source: str = ""
    note: str = ""
    based_on: Id | None = Field(default=None, description="the plan this text revises")
    inherit: bool | list[str] = Field(
        default=False,
        description=(
            "true: keep every point of `based_on` whose point number this text does not itself contain "
            "(parent provisions without a point number: kept on issues this text does not address); "
            "a list of point numbers: keep exactly those points of the parent"
        ),
    )
    provisions: list[Provision] = Field(default_factory=list)


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
    """

    op: ShockOp
    actor: Id | None = None
    target: ShockTarget | None = None
    issue: Id | None = None
    issues: list[Id] | None = None
    factor: float | None = None
    value: float | None = None
    from_: Id | None = Field(default=None, alias="from")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

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
    """A named what-if: a list of changes that yields a new scenario."""

    id: Id
    title: str = ""
    description: str = ""
    source: str = ""
    changes: list[ShockChange] = Field(min_length=1)


class Side(_Strict):
    """One side of the bargaining range: a label and its members (actor or group ids)."""

    label: str = ""
    members: list[Id] = Field(min_length=1)


class Sides(_Strict):
    """The two sides of the bargaining range, declared."""

    a: Side
    b: Side


class NoAgreementPosition(_Strict):
    """Where one issue ends up if talks fail."""

    position: float
    uncertainty: Uncertainty | None = None
    source: str = ""
    note: str = ""


class NoAgreement(_Strict):
    """What happens if talks fail: every actor's walk-away (an actor's ``outside_option`` overrides it)."""

    source: str = ""
    note: str = ""
    positions: dict[Id, NoAgreementPosition] = Field(default_factory=dict)


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
    actor: Id | None = None
    target: ShockTarget | None = None
    issue: Id | None = None
    issues: list[Id] | None = None
    factor: float | None = None
    value: float | None = None
    by: float | None = None
    from_: Id | None = Field(default=None, alias="from")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

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
    date: dt.date
    kind: EventKind
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str = ""
    actors: list[Id] = Field(default_factory=list, description="who acted or spoke (actors or groups)")
    plan: Id | None = Field(default=None, description="text_tabled: the plan tabled")
    changes: list[EventChange] = Field(default_factory=list)
    due: dt.date | None = None
    elasticity: float | None = Field(
        default=None, description="deadline: how likely it is to move, 0..1 (an assumption, not a measurement)"
    )
    moved_on: dt.date | None = None
    moved_to: dt.date | None = None
    missed: bool | None = None

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
    """A whole scenario file."""

    schema_version: Literal[1, 2]
    title: str = ""
    description: str = ""
    date: dt.date | None = None
    utility: Literal["linear", "quadratic"] = Field(
        default="linear", description="how a distance on an issue turns into a loss"
    )
    belligerents: list[Id] = Field(
        default_factory=list, description="the two sides of a bargaining range, when there are two"
    )
    signatories: list[Id] = Field(
        default_factory=list,
        description="actors or groups whose consent makes a deal (default: the belligerents, else nobody special)",
    )
    sides: Sides | None = None
    no_agreement: NoAgreement | None = None
    issues: list[IssueSpec] = Field(min_length=1)
    actors: list[ActorSpec] = Field(min_length=1)
    plans: list[PlanSpec] = Field(default_factory=list)
    shocks: list[ShockSpec] = Field(default_factory=list)
    events: list[EventSpec] = Field(
        default_factory=list, description="dated events (schema_version 2), applied by as-of analyses"
    )
    metadata: dict[str, Any] = Field(default_factory=dict)
