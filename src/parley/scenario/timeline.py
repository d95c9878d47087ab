"""A negotiation over time: the scenario as it stood on a given date.

A ``schema_version: 2`` file may date three things (docs/design.md, "Time"):

- texts: a plan's ``tabled`` (or its ``date``; else the date of a ``text_tabled`` event naming it).
  A text that revises another (``based_on``) is on the table only once its parent is too;
  an undated text is on the table at every date;
- stances: a stance's ``history`` of dated revisions; the stance's own fields are its starting
  point and each revision on or before the date overrides the fields it gives, in date order;
- events: dated ``events``, whose ``changes`` (shock changes, or moves of a status quo or of a
  no-agreement position) apply, in date order, from their date on.

:func:`as_of` turns a raw file mapping into the mapping as of a date — only the texts tabled by
then, the stances as revised by then, the events up to then applied (revisions of a day before
its events), later events dropped — and validates the result like any file. The date it is as
of, what was applied and notes (deadlines passed or moved) are recorded under
``metadata.as_of``; an as-of mapping cannot be taken as of a date again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from parley.errors import Problem, ScenarioError
from parley.scenario.core import Scenario
from parley.scenario.io import validate_dict
from parley.scenario.schema import EventChange, EventSpec, ScenarioSpec, StanceRevision
from parley.scenario.shocks import apply_changes

__all__ = [
    "ChangePoint",
    "as_of",
    "change_points",
    "deadline_notes",
    "parse_date",
    "scenario_as_of",
    "snapshot",
    "tabled_dates",
]


def parse_date(value: str | dt.date, where: str = "date") -> dt.date:
    """An ISO date (``2025-11-27``) from text, or a ScenarioError naming ``where``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ScenarioError(where, [Problem("", f"'{value}' is not a date (give YYYY-MM-DD)")]) from None


def tabled_dates(spec: ScenarioSpec) -> dict[str, dt.date | None]:
    """When each plan is on the table: its own date, else its ``text_tabled`` event's, and never before its parent.

    None for an undated text (on the table at every date).
    """
    by_event: dict[str, dt.date] = {}
    for e in sorted(spec.events, key=lambda e: e.date):
        if e.kind == "text_tabled" and e.plan is not None:
            by_event.setdefault(e.plan, e.date)
    own = {p.id: p.tabled or p.date or by_event.get(p.id) for p in spec.plans}
    parent = {p.id: p.based_on for p in spec.plans}
    out: dict[str, dt.date | None] = {}

    def resolve(pid: str, seen: frozenset[str]) -> dt.date | None:
        if pid in out:
            return out[pid]
        mine = own.get(pid)
        up = parent.get(pid)
        if up is not None and up in own and up not in seen:
            theirs = resolve(up, seen | {pid})
            if theirs is not None and (mine is None or theirs > mine):
                mine = theirs
        out[pid] = mine
        return mine

    for p in spec.plans:
        resolve(p.id, frozenset({p.id}))
    return out


@dataclass(frozen=True)
class ChangePoint:
    """One dated change of a scenario: an event, a text tabled (without an event of its own), a stance revision."""

    date: dt.date
    id: str
    kind: str
    title: str
    active: bool = True
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (``active``: whether it changes the scenario; a statement without changes does not)."""
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "title": self.title,
            "active": self.active,
            "source": self.source,
        }


@dataclass(frozen=True)
class _Item:
    """A change point with what it does: a revision, an event (by index), or putting a plan on the table."""

    key: tuple[dt.date, int, int]
    point: ChangePoint
    revision: tuple[str, str, StanceRevision] | None = None
    event: int | None = None
    tables: str | None = None


def _items(spec: ScenarioSpec) -> list[_Item]:
    """Every dated change in the order it applies: by date; within a day revisions, then texts tabled, then events."""
    items: list[_Item] = []
    seq = 0
    for a in spec.actors:
        for key, st in a.stances.items():
            for rev in st.history:
                seq += 1
                cid = f"revision:{a.id}.{key}@{rev.as_of}"
                point = ChangePoint(rev.as_of, cid, "revision", f"{a.id} revises its {key}", source=rev.source)
                items.append(_Item((rev.as_of, 0, seq), point, revision=(a.id, key, rev)))
    tabled = tabled_dates(spec)
    by_event: dict[int, str] = {}
    for pid, when in tabled.items():
        if when is None:
            continue
        k = next(
            (k for k, e in enumerate(spec.events) if e.kind == "text_tabled" and e.plan == pid and e.date == when),
            None,
        )
        if k is not None:
            by_event[k] = pid
            continue
        seq += 1
        point = ChangePoint(when, f"tabled:{pid}", "text_tabled", f"{pid} tabled")
        items.append(_Item((when, 1, seq), point, tables=pid))
    for k, e in enumerate(spec.events):
        seq += 1
        active = bool(e.changes) or k in by_event
        point = ChangePoint(e.date, e.id, e.kind, e.title, active, e.source)
        items.append(_Item((e.date, 2, seq), point, event=k, tables=by_event.get(k)))
    return sorted(items, key=lambda it: it.key)


def change_points(spec: ScenarioSpec) -> list[ChangePoint]:
    """Every dated change of the scenario, in the order it applies (within a day: revisions, texts, events)."""
    return [it.point for it in _items(spec)]


def deadline_notes(spec: ScenarioSpec, date: dt.date) -> list[str]:
    """What the deadlines known by ``date`` mean on that date: passed (missed), moved, dropped or ahead.

    A note on a missed deadline starts with ``"missed:"``.
    """
    notes = []
    for e in sorted(spec.events, key=lambda e: e.date):
        if e.kind != "deadline" or e.date > date:
            continue
        due = e.due or e.date
        assumption = (
            f"; elasticity {e.elasticity:g} (an assumption: how likely it was to move)"
            if e.elasticity is not None
            else ""
        )
        effective: dt.date | None = due
        moved = ""
        if e.moved_on is not None and e.moved_on <= date:
            effective = e.moved_to
            moved = (
                f", moved on {e.moved_on} from {due} to {e.moved_to}"
                if e.moved_to is not None
                else f", dropped on {e.moved_on} (no new date)"
            )
        if effective is None:
            notes.append(f"deadline '{e.title}' ({due}){moved}{assumption}")
        elif effective < date and e.missed is not False:
            notes.append(
                f"missed: as of {date} the deadline '{e.title}' ({effective}{moved}) "
                f"has passed without a deal{assumption}"
            )
        elif effective < date:
            notes.append(f"deadline '{e.title}' ({effective}{moved}) was met{assumption}")
        else:
            notes.append(
                f"deadline '{e.title}' is {effective} ({(effective - date).days} days ahead{moved}){assumption}"
            )
    return notes


def _revise(st: dict[str, Any], rev: StanceRevision) -> None:
    if rev.position is not None:
        st["position"] = rev.position
        st["uncertainty"] = rev.uncertainty.model_dump(mode="json") if rev.uncertainty is not None else None
        st["stated"] = rev.stated
    elif rev.stated is not None:
        st["stated"] = rev.stated
    if rev.salience is not None:
        st["salience"] = rev.salience
        st["salience_range"] = None


def _move_reference(data: dict[str, Any], change: EventChange, where: str, problems: list[Problem]) -> None:
    issue = next((i for i in data["issues"] if i["id"] == change.issue), None)
    if issue is None:
        problems.append(Problem(f"{where}.issue", f"'{change.issue}' is not in the scenario"))
        return
    if change.op == "status_quo":
        if change.value is not None:
            issue["status_quo"] = change.value
        elif issue.get("status_quo") is None:
            problems.append(Problem(f"{where}.by", f"'{change.issue}' has no status quo to move"))
        else:
            issue["status_quo"] = float(issue["status_quo"]) + float(change.by or 0.0)
        return
    block = data.get("no_agreement") or {}
    positions = dict(block.get("positions") or {})
    entry = dict(positions.get(change.issue) or {})
    if change.value is not None:
        entry["position"] = change.value
        entry.pop("uncertainty", None)
    else:
        start = entry.get("position", issue.get("status_quo"))
        if start is None:
            problems.append(
                Problem(f"{where}.by", f"'{change.issue}' has no no-agreement position or status quo to move")
            )
            return
        by = float(change.by or 0.0)
        entry["position"] = float(start) + by
        unc = entry.get("uncertainty")
        if isinstance(unc, dict):
            entry["uncertainty"] = {
                k: (v + by if k in ("low", "high", "mode") and v is not None else v) for k, v in unc.items()
            }
    positions[change.issue] = entry
    data["no_agreement"] = {**block, "positions": positions}


def _apply_event(data: dict[str, Any], event: EventSpec, where: str, problems: list[Problem]) -> None:
    for k, change in enumerate(event.changes):
        path = f"{where}.changes[{k}]"
        if change.op in ("status_quo", "no_agreement"):
            _move_reference(data, change, path, problems)
        else:
            found = apply_changes(data, [change.as_shock()], path)
            problems.extend(Problem(p.path.replace(f"{path}[0]", path), p.message) for p in found)


def snapshot(
    spec: ScenarioSpec, date: dt.date, source: str = "<scenario>", *, through: str | None = None
) -> dict[str, Any]:
    """The file mapping as of ``date`` (not yet validated): see :func:`as_of`.

    ``through``: the id of a change point (:func:`change_points`) on ``date``: apply the changes of
    that day only up to it (to credit each change of a day with what it moves).

    Raises
    ------
    ScenarioError
        When the spec is already as of a date, ``through`` is unknown, or a change cannot be applied.
    """
    if "as_of" in spec.metadata:
        raise ScenarioError(
            source,
            [Problem("metadata.as_of", f"already as of {spec.metadata['as_of'].get('date')}: use the original file")],
        )
    items = [it for it in _items(spec) if it.key[0] <= date]
    if through is not None:
        stop = next((k for k, it in enumerate(items) if it.point.id == through), None)
        if stop is None:
            raise ScenarioError(source, [Problem("through", f"no change '{through}' on or before {date}")])
        items = items[: stop + 1]
    data = spec.model_dump(mode="json", by_alias=True)
    notes: list[str] = []
    tabled = tabled_dates(spec)
    undated = [pid for pid, when in tabled.items() if when is None]
    if undated:
        notes.append(f"undated texts taken as on the table at every date: {', '.join(undated)}")
    on_table = set(undated) | {it.tables for it in items if it.tables is not None}
    parents = {p.id: p.based_on for p in spec.plans}
    while True:  # a text is on the table only with the text it revises
        orphans = {p for p in on_table if parents.get(p) in parents and parents[p] not in on_table}
        if not orphans:
            break
        on_table -= orphans
    later = [pid for pid in tabled if pid not in on_table]
    data["plans"] = [p for p in data["plans"] if p["id"] in on_table]

    problems: list[Problem] = []
    applied: list[str] = []
    revised: list[str] = []
    for it in items:
        if it.revision is not None:
            actor_id, key, rev = it.revision
            actor = next((a for a in data["actors"] if a["id"] == actor_id), None)
            if actor is None or key not in actor["stances"]:
                notes.append(f"revision of {actor_id} on {key} ({rev.as_of}) skipped: removed by an earlier event")
                continue
            _revise(actor["stances"][key], rev)
            revised.append(f"{actor_id}.{key}@{rev.as_of}")
        elif it.event is not None:
            _apply_event(data, spec.events[it.event], f"events[{it.event}]", problems)
            applied.append(it.point.id)
    if problems:
        raise ScenarioError(f"{source} as of {date}", problems)
    unstated: list[str] = []
    for a in data["actors"]:
        for key, st in a["stances"].items():
            st["history"] = []
            red = st.get("red_line")
            # a red line is a statement: before the day it was stated, nobody could know it
            if isinstance(red, dict) and red.get("as_of") is not None and str(red["as_of"]) > date.isoformat():
                st["red_line"] = None
                unstated.append(f"{a['id']}.{key}@{red['as_of']}")
    if unstated:
        notes.append(f"red lines not yet stated on {date} left out: {', '.join(unstated)}")
    seen = {it.event for it in items if it.event is not None}
    events = []
    for k, e in enumerate(data["events"]):
        if k not in seen:
            continue
        if e.get("plan") is not None and e["plan"] not in on_table:
            notes.append(f"event '{e['id']}' names '{e['plan']}', which is on the table from {tabled.get(e['plan'])}")
            e["plan"] = None
        events.append(e)
    data["events"] = events
    notes.extend(deadline_notes(spec, date))
    data["date"] = date.isoformat()
    data["metadata"] = {
        **(data.get("metadata") or {}),
        "as_of": {
            "date": date.isoformat(),
            "events": applied,
            "revisions": revised,
            "red_lines_left_out": unstated,
            "plans": [p for p in tabled if p in on_table],
            "later_plans": later,
            "notes": notes,
        },
    }
    if "no_agreement" in data and data["no_agreement"] is None:
        del data["no_agreement"]
    return data


def as_of(raw: Mapping[str, Any], date: str | dt.date, source: str = "<scenario>") -> dict[str, Any]:
    """The scenario file mapping as it stood on ``date``: a pure function of its inputs.

    Only the texts tabled by then; the stances as revised by their latest history entries on
    or before the date; the events up to the date applied in date order (a day's revisions
    before its events), later events dropped. The result is validated like any file and records
    under ``metadata.as_of`` the date, what was applied and notes (deadlines missed or moved).

    Raises
    ------
    ScenarioError
        When ``raw`` or the result is not a valid scenario, or a change cannot be applied.
    """
    day = parse_date(date)
    spec = validate_dict(raw, source)
    data = snapshot(spec, day, source)
    validate_dict(data, f"{source} as of {day}")
    return data


def scenario_as_of(
    scenario: Scenario | ScenarioSpec, date: str | dt.date, source: str | None = None, *, through: str | None = None
) -> Scenario:
    """The :class:`Scenario` as it stood on ``date`` (see :func:`as_of`; ``through`` as in :func:`snapshot`)."""
    day = parse_date(date)
    spec = scenario.spec if isinstance(scenario, Scenario) else scenario
    name = source or (scenario.source if isinstance(scenario, Scenario) else "<scenario>")
    where = f"{name} as of {day}" + (f" through {through}" if through else "")
    data = snapshot(spec, day, name, through=through)
    return Scenario.from_spec(validate_dict(data, where), where)
