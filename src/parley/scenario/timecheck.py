"""Cross-reference checks of the time features (``schema_version: 2``) on a raw scenario mapping.

Like :mod:`parley.scenario.checks`, these run on the raw mapping, tolerate entries pydantic
rejects (those are reported there) and return every problem found:

- a file that uses ``events``, a stance's ``history`` or a plan's ``tabled`` says ``schema_version: 2``
  (``parley migrate FILE`` sets it), so that an older parley refuses it by its version;
- event ids are unique; an event's ``plan``, ``actors`` and ``changes`` name what exists;
  positions and status quos set by an event lie on their issue's scale;
- a revision's position lies on its issue's scale;
- a plan's ``tabled`` and ``date`` agree when both are given.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any

from parley.errors import Problem


def _hint(name: object, known: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.5)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _entries(data: Mapping[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(key)
    if not isinstance(items, list):
        return []
    return [(i, x) for i, x in enumerate(items) if isinstance(x, dict)]


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(float(value)) else None


def uses_time(data: Mapping[str, Any]) -> list[str]:
    """The time features a raw mapping uses: ``events``, ``history``, ``tabled`` (empty when none)."""
    used = []
    if data.get("events"):
        used.append("events")
    if any(
        isinstance(st, dict) and st.get("history")
        for _, a in _entries(data, "actors")
        if isinstance(a.get("stances"), dict)
        for st in a["stances"].values()
    ):
        used.append("history")
    if any(p.get("tabled") is not None for _, p in _entries(data, "plans")):
        used.append("tabled")
    return used


def time_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem with the time features of a raw scenario mapping (none for a file without them)."""
    problems: list[Problem] = []
    used = uses_time(data)
    if used and data.get("schema_version") == 1:
        problems.append(
            Problem(
                "schema_version",
                f"this file uses {', '.join(used)}, which need schema_version: 2 (`parley migrate FILE` sets it)",
            )
        )
    scales: dict[str, tuple[float, float]] = {}
    for _, issue in _entries(data, "issues"):
        scale = issue.get("scale", {"min": 0, "max": 100})
        if isinstance(scale, dict) and isinstance(issue.get("id"), str):
            lo, hi = _num(scale.get("min")), _num(scale.get("max"))
            if lo is not None and hi is not None and hi > lo:
                scales[issue["id"]] = (lo, hi)
    issue_ids = [str(x.get("id")) for _, x in _entries(data, "issues")]
    actors = [str(a.get("id")) for _, a in _entries(data, "actors")]
    groups = {str(g) for _, a in _entries(data, "actors") if isinstance(a.get("groups"), list) for g in a["groups"]}
    plans = {str(p.get("id")): p for _, p in _entries(data, "plans")}

    def on_scale(path: str, issue: object, value: object) -> None:
        x = _num(value)
        if isinstance(issue, str) and issue in scales and x is not None:
            lo, hi = scales[issue]
            if not lo <= x <= hi:
                problems.append(Problem(path, f"{x:g} is outside the scale of '{issue}' ({lo:g} to {hi:g})"))

    for i, a in _entries(data, "actors"):
        stances = a.get("stances")
        if not isinstance(stances, dict):
            continue
        for key, st in stances.items():
            if not isinstance(st, dict) or not isinstance(st.get("history"), list):
                continue
            for k, rev in enumerate(st["history"]):
                if isinstance(rev, dict):
                    for field in ("position", "stated"):
                        on_scale(f"actors[{i}].stances.{key}.history[{k}].{field}", key, rev.get(field))

    seen: dict[str, int] = {}
    for e, ev in _entries(data, "events"):
        path = f"events[{e}]"
        eid = ev.get("id")
        if isinstance(eid, str):
            if eid in seen:
                problems.append(Problem(f"{path}.id", f"'{eid}' is already the id of events[{seen[eid]}]"))
            seen.setdefault(eid, e)
        plan = ev.get("plan")
        if plan is not None and str(plan) not in plans:
            problems.append(Problem(f"{path}.plan", f"'{plan}' is not a plan{_hint(plan, plans)}"))
        for k, who in enumerate(ev.get("actors") or []):
            if str(who) not in actors and str(who) not in groups:
                problems.append(Problem(f"{path}.actors[{k}]", f"'{who}' is not an actor or group{_hint(who, actors)}"))
        for k, ch in enumerate(ev.get("changes") or []):
            if not isinstance(ch, dict):
                continue
            where = f"{path}.changes[{k}]"
            target = ch.get("issue")
            if target is not None and str(target) not in issue_ids:
                problems.append(Problem(f"{where}.issue", f"'{target}' is not an issue{_hint(target, issue_ids)}"))
            op = ch.get("op")
            actor = ch.get("actor")
            if actor is not None and op not in ("add_veto", "remove_veto") and str(actor) not in actors:
                problems.append(Problem(f"{where}.actor", f"'{actor}' is not an actor{_hint(actor, actors)}"))
            if op in ("status_quo", "no_agreement") or (op == "set" and ch.get("target") == "position"):
                on_scale(f"{where}.value", target, ch.get("value"))

    for p, plan in _entries(data, "plans"):
        tabled, date = _date(plan.get("tabled")), _date(plan.get("date"))
        if tabled is not None and date is not None and tabled != date:
            problems.append(
                Problem(f"plans[{p}].tabled", f"{tabled} differs from the plan's date {date}: give one of them")
            )
    return problems
