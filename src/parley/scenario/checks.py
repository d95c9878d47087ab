"""Cross-reference checks on a raw scenario mapping.

Pydantic checks each entry on its own; these checks look across entries: ids that
must exist, positions that must lie on their issue's scale, duplicates. They run on
the raw mapping, tolerate entries that pydantic rejects (those are reported there),
and return every problem found.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any

from parley.errors import Problem
from parley.scenario.schema import MIN_CAPABILITY


def did_you_mean(name: object, known: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix when ``name`` is close to a known id."""
    candidates = list(known)
    if len(candidates) > _SUGGEST_AMONG:  # difflib is quadratic-ish: suggest only among a few hundred names
        return ""
    match = difflib.get_close_matches(str(name)[:200], candidates, n=1, cutoff=0.5)
    return f" (did you mean '{match[0]}'?)" if match else ""


_SUGGEST_AMONG = 500


def _num(value: object) -> float | None:
    """``value`` as a finite float; None for anything else (text, booleans, huge integers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        x = float(value)
    except OverflowError:
        return None
    return x if math.isfinite(x) else None


def _entries(data: Mapping[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(key)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


class _Checker:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[Problem] = []
        self.scales: dict[str, tuple[float, float]] = {}
        for _, issue in _entries(data, "issues"):
            scale = issue.get("scale", {"min": 0, "max": 100})
            lo = _num(scale.get("min")) if isinstance(scale, dict) else None
            hi = _num(scale.get("max")) if isinstance(scale, dict) else None
            if isinstance(issue.get("id"), str) and lo is not None and hi is not None and hi > lo:
                self.scales[issue["id"]] = (lo, hi)
        self.issue_ids = [str(i.get("id")) for _, i in _entries(data, "issues")]
        self.actor_ids = [str(a.get("id")) for _, a in _entries(data, "actors")]
        self.plan_ids = [str(p.get("id")) for _, p in _entries(data, "plans")]
        self.issue_set, self.actor_set, self.plan_set = set(self.issue_ids), set(self.actor_ids), set(self.plan_ids)
        self.groups = {
            str(g) for _, a in _entries(data, "actors") if isinstance(a.get("groups"), list) for g in a["groups"]
        }

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def issue_ref(self, path: str, issue: object) -> bool:
        if issue is None:
            return False
        if str(issue) not in self.issue_set:
            self.add(path, f"'{issue}' is not an issue of this scenario{did_you_mean(issue, self.issue_ids)}")
            return False
        return True

    def actor_ref(self, path: str, actor: object, *, groups: bool = False) -> None:
        if actor is None or str(actor) in self.actor_set or (groups and str(actor) in self.groups):
            return
        known = self.actor_ids + (sorted(self.groups) if groups else [])
        what = "an actor or group" if groups else "an actor"
        self.add(path, f"'{actor}' is not {what} of this scenario{did_you_mean(actor, known)}")

    def on_scale(self, path: str, issue: object, value: object) -> None:
        x = _num(value)
        if x is None or str(issue) not in self.scales:
            return
        lo, hi = self.scales[str(issue)]
        if not lo <= x <= hi:
            self.add(path, f"{value:g} is outside the scale of '{issue}' [{lo:g}, {hi:g}]")

    def duplicates(self, key: str) -> None:
        seen: dict[str, int] = {}
        for i, item in _entries(self.data, key):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                self.add(f"{key}[{i}].id", f"'{ident}' is used already by {key}[{seen[ident]}]")
            else:
                seen[ident] = i

    def run(self) -> list[Problem]:
        for key in ("issues", "actors", "plans", "shocks"):
            self.duplicates(key)
        self.check_issues()
        self.check_actors()
        self.check_plans()
        self.check_shocks()
        belligerents = self.data.get("belligerents")
        if isinstance(belligerents, list):
            if belligerents and len(belligerents) != 2:
                self.add("belligerents", f"name exactly two actors, not {len(belligerents)}")
            for k, b in enumerate(belligerents):
                self.actor_ref(f"belligerents[{k}]", b)
        self.check_agreement()
        return self.problems

    def check_agreement(self) -> None:
        """signatories, sides and no_agreement."""
        signatories = self.data.get("signatories")
        if isinstance(signatories, list):
            for k, s in enumerate(signatories):
                self.actor_ref(f"signatories[{k}]", s, groups=True)
        sides = self.data.get("sides")
        if isinstance(sides, dict):
            for side in ("a", "b"):
                entry = sides.get(side)
                members = entry.get("members") if isinstance(entry, dict) else None
                for k, m in enumerate(members if isinstance(members, list) else []):
                    self.actor_ref(f"sides.{side}.members[{k}]", m, groups=True)
        na = self.data.get("no_agreement")
        positions = na.get("positions") if isinstance(na, dict) else None
        if isinstance(positions, dict):
            for key, entry in positions.items():
                path = f"no_agreement.positions.{key}"
                if not self.issue_ref(path, key) or not isinstance(entry, dict):
                    continue
                self.on_scale(f"{path}.position", key, entry.get("position"))
                self.uncertainty_on_scale(path, key, entry.get("uncertainty"), entry.get("position"))

    def uncertainty_on_scale(self, path: str, issue: object, unc: object, point: object) -> None:
        """An ``uncertainty`` mapping lies on the issue's scale and holds its point value."""
        if not isinstance(unc, dict):
            return
        for field in ("low", "high", "mode"):
            self.on_scale(f"{path}.uncertainty.{field}", issue, unc.get(field))
        lo, hi, pos = _num(unc.get("low")), _num(unc.get("high")), _num(point)
        if lo is not None and hi is not None and pos is not None and not lo <= pos <= hi:
            self.add(f"{path}.uncertainty", f"the range [{lo:g}, {hi:g}] does not hold the value {pos:g}")

    def check_issues(self) -> None:
        covered: set[str] = set()
        for _, actor in _entries(self.data, "actors"):
            stances = actor.get("stances")
            if isinstance(stances, dict):
                covered.update(str(k) for k in stances)
        for i, issue in _entries(self.data, "issues"):
            ident = issue.get("id")
            anchors = issue.get("anchors")
            if isinstance(anchors, dict):
                for value in anchors:
                    try:
                        x = float(value)
                    except (TypeError, ValueError):
                        continue
                    self.on_scale(f"issues[{i}].anchors.{value}", ident, x)
            self.on_scale(f"issues[{i}].status_quo", ident, issue.get("status_quo"))
            vetoes = issue.get("vetoes")
            if isinstance(vetoes, list):
                for k, v in enumerate(vetoes):
                    self.actor_ref(f"issues[{i}].vetoes[{k}]", v, groups=True)
            if isinstance(ident, str) and ident not in covered:
                self.add(f"issues[{i}]", f"no actor has a stance on '{ident}'")

    def check_actors(self) -> None:
        for i, actor in _entries(self.data, "actors"):
            where = f"actors[{i}]"
            cap = actor.get("capability")
            stances = actor.get("stances")
            stances = stances if isinstance(stances, dict) else {}
            self.capability_in_range(where, cap, actor.get("capability_range"))
            if isinstance(cap, dict):
                for key in cap:
                    self.issue_ref(f"{where}.capability.{key}", key)
                for key in stances:
                    if key not in cap and key in self.issue_set:
                        self.add(f"{where}.capability", f"gives no capability on '{key}', where the actor has a stance")
            for key, stance in stances.items():
                path = f"{where}.stances.{key}"
                if not self.issue_ref(path, key) or not isinstance(stance, dict):
                    continue
                self.on_scale(f"{path}.position", key, stance.get("position"))
                self.on_scale(f"{path}.stated", key, stance.get("stated"))
                red = stance.get("red_line")
                if isinstance(red, dict):
                    for field in ("min", "max"):
                        self.on_scale(f"{path}.red_line.{field}", key, red.get(field))
                    bound = red.get("max") if red.get("max") is not None else red.get("min")
                    self.uncertainty_on_scale(f"{path}.red_line", key, red.get("uncertainty"), bound)
                unc = stance.get("uncertainty")
                if isinstance(unc, dict):
                    for field in ("low", "high", "mode"):
                        self.on_scale(f"{path}.uncertainty.{field}", key, unc.get(field))
                    lo, hi, pos = _num(unc.get("low")), _num(unc.get("high")), _num(stance.get("position"))
                    if lo is not None and hi is not None and pos is not None and not lo <= pos <= hi:
                        self.add(
                            f"{path}.uncertainty", f"the range [{lo:g}, {hi:g}] does not hold the position {pos:g}"
                        )
            options = actor.get("outside_option")
            if isinstance(options, dict):
                for key, value in options.items():
                    if self.issue_ref(f"{where}.outside_option.{key}", key):
                        self.on_scale(f"{where}.outside_option.{key}", key, value)

    def capability_in_range(self, where: str, cap: object, bounds: object) -> None:
        """The actor's capability (the largest per-issue one, which the range scales) lies in its range."""
        if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
            return
        lo, hi = _num(bounds[0]), _num(bounds[1])
        values = [_num(v) for v in cap.values()] if isinstance(cap, dict) else [_num(cap)]
        if lo is None or hi is None or not values or any(v is None for v in values) or not 0 < lo <= hi:
            return  # pydantic reports a malformed capability or range
        value = max(v for v in values if v is not None)
        if not lo <= value <= hi:
            what = "the largest per-issue capability" if isinstance(cap, dict) else "the capability"
            self.add(f"{where}.capability_range", f"the range [{lo:g}, {hi:g}] does not hold {what} {value:g}")

    def check_plans(self) -> None:
        cyclic = _on_cycles({str(p.get("id")): p.get("based_on") for _, p in _entries(self.data, "plans")})
        for i, plan in _entries(self.data, "plans"):
            where = f"plans[{i}]"
            self.actor_ref(f"{where}.proposer", plan.get("proposer"), groups=True)
            based = plan.get("based_on")
            if plan.get("inherit") is True and based is None:
                self.add(f"{where}.inherit", "inherit needs based_on: the plan to inherit from")
            if str(plan.get("id")) in cyclic and based is not None:
                self.add(
                    f"{where}.based_on",
                    f"'{based}' leads back to '{plan.get('id')}': revisions cannot form a cycle",
                )
            if based is not None and str(based) not in self.plan_set:
                self.add(
                    f"{where}.based_on", f"'{based}' is not a plan of this scenario{did_you_mean(based, self.plan_ids)}"
                )
            inherit = plan.get("inherit")
            if isinstance(inherit, list):
                if based is None:
                    self.add(f"{where}.inherit", "inherit needs based_on: the plan to inherit from")
                parent = next((p for _, p in _entries(self.data, "plans") if p.get("id") == based), None)
                points = {
                    str(v.get("point"))
                    for v in (parent.get("provisions") or [] if isinstance(parent, dict) else [])
                    if isinstance(v, dict) and v.get("point")
                }
                for k, point in enumerate(inherit):
                    if parent is not None and not any(_point_covers(str(point), q) for q in points):
                        self.add(
                            f"{where}.inherit[{k}]",
                            f"'{point}' is not a point of '{based}'{did_you_mean(point, sorted(points))}",
                        )
            provisions = plan.get("provisions")
            if not isinstance(provisions, list):
                continue
            first: dict[str, tuple[int, float]] = {}
            for k, prov in enumerate(provisions):
                if not isinstance(prov, dict) or prov.get("issue") is None:
                    continue
                path = f"{where}.provisions[{k}]"
                issue = prov["issue"]
                if not self.issue_ref(f"{path}.issue", issue):
                    continue
                self.on_scale(f"{path}.position", issue, prov.get("position"))
                deferred = prov.get("deferred")
                if isinstance(deferred, dict):
                    for field in ("low", "high", "mode"):
                        self.on_scale(f"{path}.deferred.{field}", issue, deferred.get(field))
                x = _num(prov.get("position"))
                if x is None:
                    continue
                if issue in first and first[issue][1] != x:
                    j, y = first[issue]
                    self.add(f"{path}.position", f"{x:g} contradicts provisions[{j}], which puts '{issue}' at {y:g}")
                first.setdefault(issue, (k, x))

    def check_shocks(self) -> None:
        for i, shock in _entries(self.data, "shocks"):
            changes = shock.get("changes")
            if not isinstance(changes, list):
                continue
            for k, ch in enumerate(changes):
                if not isinstance(ch, dict):
                    continue
                path = f"shocks[{i}].changes[{k}]"
                self.actor_ref(f"{path}.actor", ch.get("actor"), groups=ch.get("op") in ("add_veto", "remove_veto"))
                self.actor_ref(f"{path}.from", ch.get("from"))
                issue = ch.get("issue")
                if issue is not None:
                    self.issue_ref(f"{path}.issue", issue)
                others = ch.get("issues")
                for n, other in enumerate(others if isinstance(others, list) else []):  # else pydantic says
                    self.issue_ref(f"{path}.issues[{n}]", other)
                value = _num(ch.get("value"))
                if ch.get("op") == "set" and value is not None:
                    if ch.get("target") == "salience" and not 0 <= value <= 1:
                        self.add(f"{path}.value", f"{value:g} is not between 0 and 1")
                    elif ch.get("target") == "capability" and value <= 0:
                        self.add(f"{path}.value", f"{value:g} is not a positive number")
                    elif ch.get("target") == "capability" and value < MIN_CAPABILITY:
                        self.add(f"{path}.value", f"{value:g} is too small for the arithmetic: "
                                 f"capabilities are at least {MIN_CAPABILITY:g}")
                    elif ch.get("target") in ("position", "no_agreement", "outside_option", "red_line"):
                        if issue is None:
                            self.add(f"{path}.issue", f"setting {ch.get('target')} needs an issue")
                        else:
                            self.on_scale(f"{path}.value", issue, value)


def _point_covers(named: str, point: str) -> bool:
    """Whether point number ``named`` covers ``point``: itself, or a sub-point ``named(x)`` of it."""
    return point == named or (point.startswith(named + "(") and "(" not in named)


def _on_cycles(parents: Mapping[str, object]) -> set[str]:
    """Plans whose ``based_on`` chain leads back to themselves, in one linear pass (no recursion)."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    cyclic: set[str] = set()
    for start in parents:
        if start in state:
            continue
        walk: list[str] = []
        cur: str | None = start
        while cur is not None and cur in parents and cur not in state:
            state[cur] = 1
            walk.append(cur)
            nxt = parents[cur]
            cur = None if nxt is None else str(nxt)
        if cur is not None and state.get(cur) == 1:  # closed a loop on this walk
            cyclic.update(walk[walk.index(cur):])
        for node in walk:
            state[node] = 2
    return cyclic


def cross_check(data: Mapping[str, Any]) -> list[Problem]:
    """Every cross-reference problem in a raw scenario mapping."""
    return _Checker(data).run()
