"""Frozen domain objects: :class:`Scenario` and what it holds.

A :class:`Scenario` is built only from a validated :class:`~parley.scenario.schema.ScenarioSpec`
(see :func:`parley.scenario.io.scenario_from_dict`), so a scenario that exists is valid.
Its arrays are read-only. An actor without a stance on an issue is *masked* there:
its position is NaN, its salience 0 and ``mask`` is False; models leave it out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from parley.scenario.schema import Deferred, PlanSpec, ScenarioSpec

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class Issue:
    """An issue on its natural scale."""

    id: str
    label: str
    lower: float
    upper: float
    unit: str = ""
    anchors: tuple[tuple[float, str], ...] = ()
    status_quo: float | None = None
    orientation: str = ""
    vetoes: tuple[str, ...] = ()
    description: str = ""
    consent: str = "change"

    @property
    def span(self) -> float:
        """Width of the scale."""
        return self.upper - self.lower


@dataclass(frozen=True)
class Actor:
    """A party to the negotiation."""

    id: str
    name: str
    groups: tuple[str, ...] = ()
    description: str = ""

    @property
    def short_name(self) -> str:
        """The name without a closing parenthesis: "Poland (Prime Minister Tusk)" → "Poland"."""
        return re.sub(r"\s*\([^()]*\)$", "", self.name) or self.name


@dataclass(frozen=True)
class Provision:
    """One provision of a plan."""

    text: str
    category: str = ""
    issue: str | None = None
    position: float | None = None
    no_issue_reason: str = ""
    point: str = ""
    source: str = ""
    note: str = ""
    inherited_from: str | None = None
    deferred: Deferred | None = None


@dataclass(frozen=True)
class Plan:
    """A text on the table."""

    id: str
    title: str
    provisions: tuple[Provision, ...]
    proposer: str | None = None
    date: dt.date | None = None
    source: str = ""
    note: str = ""
    based_on: str | None = None
    inherit: bool | tuple[str, ...] = False

    @property
    def own_provisions(self) -> tuple[Provision, ...]:
        """The provisions written in this text (without inherited ones)."""
        return tuple(p for p in self.provisions if p.inherited_from is None)

    @property
    def positions(self) -> dict[str, float]:
        """The position the plan implies on each issue it addresses (a fresh dict each call)."""
        return dict(self._positions)

    @property
    def deferred(self) -> dict[str, Deferred]:
        """The issues the plan leaves to later talks (a position given first wins), and how."""
        return dict(self._deferred)

    # A plan is frozen, so both are worked out once (scoring asks for them per draw and per variant).
    @cached_property
    def _positions(self) -> tuple[tuple[str, float], ...]:
        out: dict[str, float] = {}
        deferred = set()
        for p in self.provisions:
            if p.issue is not None and p.position is not None and p.issue not in deferred:
                out.setdefault(p.issue, p.position)
            elif p.issue is not None and p.deferred is not None and p.issue not in out:
                deferred.add(p.issue)
        return tuple(out.items())

    @cached_property
    def _deferred(self) -> tuple[tuple[str, Deferred], ...]:
        pos = dict(self._positions)
        out: dict[str, Deferred] = {}
        for p in self.provisions:
            if p.issue is not None and p.deferred is not None and p.issue not in pos:
                out.setdefault(p.issue, p.deferred)
        return tuple(out.items())

    def unaddressed(self, issue_ids: tuple[str, ...]) -> tuple[str, ...]:
        """Issues of the scenario this plan does not mention at all (neither a position nor deferred)."""
        pos, deferred = self.positions, self.deferred
        return tuple(i for i in issue_ids if i not in pos and i not in deferred)


@dataclass(frozen=True)
class Stances:
    """The arrays models compute on, batch first.

    Shapes: ``B`` variants, ``N`` actors, ``M`` issues. Where ``mask`` is False the
    actor has no stance: its salience is 0 and its position is filled with the
    issue's midpoint only so that arithmetic stays finite; models must leave it out.

    Attributes
    ----------
    positions, saliences, capabilities : (B, N, M) float arrays
    mask : (B, N, M) bool array
    lower, upper : (M,) the issues' scales
    reference : (B, M) status quo or reference point, NaN where none
    """

    positions: FloatArray
    saliences: FloatArray
    capabilities: FloatArray
    mask: BoolArray
    lower: FloatArray
    upper: FloatArray
    reference: FloatArray

    def __post_init__(self) -> None:
        b, n, m = self.positions.shape
        for name in ("saliences", "capabilities", "mask"):
            if getattr(self, name).shape != (b, n, m):
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected {(b, n, m)}")
        if self.lower.shape != (m,) or self.upper.shape != (m,):
            raise ValueError("lower and upper must have one value per issue")
        if self.reference.shape != (b, m):
            raise ValueError(f"reference has shape {self.reference.shape}, expected {(b, m)}")

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(B, N, M)``."""
        b, n, m = self.positions.shape
        return b, n, m

    @property
    def weights(self) -> FloatArray:
        """Capability x salience, 0 where masked."""
        return np.where(self.mask, self.capabilities * self.saliences, 0.0)

    def item(self, b: int) -> Stances:
        """Variant ``b`` as a batch of one."""
        sl = slice(b, b + 1)
        return Stances(
            self.positions[sl],
            self.saliences[sl],
            self.capabilities[sl],
            self.mask[sl],
            self.lower,
            self.upper,
            self.reference[sl],
        )

    @staticmethod
    def stack(items: list[Stances]) -> Stances:
        """Concatenate batches along the batch axis (same issues and actors)."""
        first = items[0]
        return Stances(
            np.concatenate([s.positions for s in items]),
            np.concatenate([s.saliences for s in items]),
            np.concatenate([s.capabilities for s in items]),
            np.concatenate([s.mask for s in items]),
            first.lower,
            first.upper,
            np.concatenate([s.reference for s in items]),
        )


def canonical_hash(data: Mapping[str, Any]) -> str:
    """A 16-hex-digit content hash of a scenario's canonical JSON form."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class Scenario:
    """A validated negotiation: issues, actors and their stances, plans, shocks.

    Build one with :func:`parley.load_scenario` or
    :func:`parley.scenario.scenario_from_dict`; never by hand.

    Attributes
    ----------
    positions : (N, M) revealed positions, NaN where the actor has no stance
    stated : (N, M) stated positions where given, else equal to ``positions``
    saliences : (N, M) in [0, 1], 0 where masked
    capabilities : (N, M) capability of each actor on each issue
    mask : (N, M) True where the actor has a stance
    """

    spec: ScenarioSpec
    source: str
    issues: tuple[Issue, ...]
    actors: tuple[Actor, ...]
    plans: tuple[Plan, ...]
    positions: FloatArray = field(repr=False)
    stated: FloatArray = field(repr=False)
    saliences: FloatArray = field(repr=False)
    capabilities: FloatArray = field(repr=False)
    mask: BoolArray = field(repr=False)

    @classmethod
    def from_spec(cls, spec: ScenarioSpec, source: str = "<scenario>") -> Scenario:
        """Build the domain objects from a spec already checked by :mod:`parley.scenario.checks`."""
        issues = tuple(
            Issue(
                id=i.id,
                label=i.label or i.id,
                lower=i.scale.min,
                upper=i.scale.max,
                unit=i.scale.unit,
                anchors=tuple(sorted(i.anchors.items())),
                status_quo=i.status_quo,
                orientation=i.orientation,
                vetoes=tuple(i.vetoes),
                description=i.description,
                consent=i.consent,
            )
            for i in spec.issues
        )
        actors = tuple(
            Actor(id=a.id, name=a.name or a.id, groups=tuple(a.groups), description=a.description) for a in spec.actors
        )
        col = {issue.id: j for j, issue in enumerate(issues)}
        n, m = len(actors), len(issues)
        pos = np.full((n, m), np.nan)
        stated = np.full((n, m), np.nan)
        sal = np.zeros((n, m))
        cap = np.ones((n, m))
        mask = np.zeros((n, m), dtype=bool)
        for i, a in enumerate(spec.actors):
            if isinstance(a.capability, dict):
                for key, value in a.capability.items():
                    cap[i, col[key]] = value
            else:
                cap[i, :] = a.capability
            for key, st in a.stances.items():
                j = col[key]
                pos[i, j] = st.position
                stated[i, j] = st.stated if st.stated is not None else st.position
                sal[i, j] = st.salience
                mask[i, j] = True
        plans = _with_inheritance(tuple(_plan(p) for p in spec.plans))
        return cls(
            spec=spec,
            source=source,
            issues=issues,
            actors=actors,
            plans=plans,
            positions=_frozen(pos),
            stated=_frozen(stated),
            saliences=_frozen(sal),
            capabilities=_frozen(cap),
            mask=_frozen(mask),
        )

    @cached_property
    def scenario_id(self) -> str:
        """Content hash of the canonical form: equal for equal scenarios, whatever the file layout."""
        return canonical_hash(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The canonical file form (defaults left out), ready for YAML or JSON."""
        return self.spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)

    @property
    def title(self) -> str:
        """The scenario's title, or its source."""
        return self.spec.title or self.source

    @cached_property
    def issue_ids(self) -> tuple[str, ...]:
        """Issue ids in column order."""
        return tuple(i.id for i in self.issues)

    @cached_property
    def actor_ids(self) -> tuple[str, ...]:
        """Actor ids in row order."""
        return tuple(a.id for a in self.actors)

    @property
    def lower(self) -> FloatArray:
        """Lower end of each issue's scale."""
        return np.array([i.lower for i in self.issues])

    @property
    def upper(self) -> FloatArray:
        """Upper end of each issue's scale."""
        return np.array([i.upper for i in self.issues])

    @property
    def status_quo(self) -> FloatArray:
        """Status quo of each issue, NaN where none is given."""
        return np.array([np.nan if i.status_quo is None else i.status_quo for i in self.issues])

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id."""
        return self.issues[self.issue_ids.index(issue_id)]

    def actor_index(self, actor_id: str) -> int:
        """Row of this actor in the arrays."""
        return self.actor_ids.index(actor_id)

    def plan(self, plan_id: str) -> Plan:
        """The plan with this id."""
        for p in self.plans:
            if p.id == plan_id:
                return p
        raise KeyError(plan_id)

    def group_members(self, group: str) -> tuple[str, ...]:
        """Ids of the actors in a group (or the actor itself, when ``group`` is an actor id)."""
        if group in self.actor_ids:
            return (group,)
        return tuple(a.id for a in self.actors if group in a.groups)

    def stances(self, *, stated: bool = False) -> Stances:
        """The model arrays as a batch of one; ``stated=True`` uses stated positions."""
        src = self.stated if stated else self.positions
        mid = (self.lower + self.upper) / 2.0
        pos = np.where(self.mask, src, mid[None, :])
        return Stances(
            positions=pos[None].astype(float),
            saliences=np.asarray(self.saliences, dtype=float)[None],
            capabilities=np.asarray(self.capabilities, dtype=float)[None],
            mask=np.asarray(self.mask)[None],
            lower=self.lower,
            upper=self.upper,
            reference=self.status_quo[None],
        )


def point_covers(named: str, point: str) -> bool:
    """Whether point number ``named`` covers ``point``: the same, or a sub-point ``named(x)`` of it.

    A rewritten ``"21"`` replaces every ``"21(x)"`` of the parent; ``"21(d)"`` only itself.
    """
    return bool(point) and (point == named or ("(" not in named and point.startswith(named + "(")))


def inherited_provisions(plan: Plan, parent: Plan) -> tuple[Provision, ...]:
    """The provisions ``plan`` keeps from ``parent`` by its ``inherit`` rule (docs/analysis.md §1.3).

    ``inherit: true``: every parent point whose number the plan does not itself contain (a
    parent provision without a point number: kept when the plan does not address its issue);
    ``inherit: [points]``: exactly those points (and their sub-points) of the parent.
    """
    if plan.inherit is False:
        return ()
    if isinstance(plan.inherit, tuple):
        keep = [p for p in parent.provisions if any(point_covers(n, p.point) for n in plan.inherit)]
    else:
        own_points = [p.point for p in plan.provisions if p.point]
        own_issues = {p.issue for p in plan.provisions if p.issue is not None}
        keep = [
            p
            for p in parent.provisions
            if (p.point and not any(point_covers(n, p.point) for n in own_points))
            or (not p.point and p.issue is not None and p.issue not in own_issues)
        ]
    return tuple(dataclasses.replace(p, inherited_from=p.inherited_from or parent.id) for p in keep)


def _with_inheritance(plans: tuple[Plan, ...]) -> tuple[Plan, ...]:
    """Add to each ``inherit`` plan the parent's provisions it keeps (:func:`inherited_provisions`)."""
    by_id = {p.id: p for p in plans}
    done: dict[str, Plan] = {}

    def resolve(plan: Plan) -> Plan:
        # Iterative: a chain of thousands of revisions must not exhaust the stack. Validation has
        # refused cycles; `seen` guards against one anyway.
        chain: list[Plan] = []
        seen: set[str] = set()
        cur: Plan | None = plan
        while cur is not None and cur.id not in done and cur.id not in seen:
            chain.append(cur)
            seen.add(cur.id)
            cur = by_id.get(cur.based_on) if cur.inherit is not False and cur.based_on is not None else None
        for item in reversed(chain):
            result = item
            parent = done.get(item.based_on) if item.inherit is not False and item.based_on is not None else None
            if parent is not None:
                result = dataclasses.replace(item, provisions=item.provisions + inherited_provisions(item, parent))
            done[item.id] = result
        return done[plan.id]

    return tuple(resolve(p) for p in plans)


def _plan(p: PlanSpec) -> Plan:
    return Plan(
        id=p.id,
        title=p.title or p.id,
        provisions=tuple(
            Provision(
                text=v.text,
                category=v.category,
                issue=v.issue,
                position=v.position,
                no_issue_reason=v.no_issue_reason,
                point=v.point,
                source=v.source,
                note=v.note,
                deferred=v.deferred,
            )
            for v in p.provisions
        ),
        proposer=p.proposer,
        date=p.tabled or p.date,
        source=p.source,
        note=p.note,
        based_on=p.based_on,
        inherit=tuple(p.inherit) if isinstance(p.inherit, list) else p.inherit,
    )
