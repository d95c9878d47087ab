"""Shocks: declarative what-ifs that turn one scenario into another.

A shock is a list of changes (see :class:`parley.scenario.schema.ShockChange`). Applying
it edits the scenario's file form and validates the result again, so a shocked
scenario is as valid as any loaded one; it records the shocks applied under
``metadata.applied_shocks`` and has a new content hash.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from parley.errors import Problem, ScenarioError
from parley.scenario.checks import did_you_mean
from parley.scenario.core import Scenario
from parley.scenario.schema import ShockChange, ShockSpec


def _actor(data: dict[str, Any], actor_id: str) -> dict[str, Any]:
    for a in data["actors"]:
        if a["id"] == actor_id:
            return a
    raise KeyError(actor_id)


def _issues_of(change: ShockChange, actor: dict[str, Any]) -> list[str]:
    if change.issue is not None:
        return [change.issue]
    if change.issues is not None:
        return list(change.issues)
    return list(actor["stances"])


def _new_value(old: float, change: ShockChange) -> float:
    return float(old * change.factor if change.op == "scale" and change.factor is not None else change.value or 0.0)


def _apply_walkaway(data: dict[str, Any], change: ShockChange, where: str, problems: list[Problem]) -> None:
    """Targets ``no_agreement``, ``outside_option`` and ``red_line``."""
    key = str(change.issue)
    if change.target == "no_agreement":
        na = data.get("no_agreement") or {"positions": {}}
        positions = na.setdefault("positions", {})
        entry = positions.get(key)
        if entry is None:
            if change.op == "scale":
                issue = next((i for i in data["issues"] if i["id"] == key), None)
                sq = issue.get("status_quo") if issue else None
                if sq is None:
                    problems.append(
                        Problem(f"{where}.issue", f"no no-agreement position or status quo on '{key}' to scale")
                    )
                    return
                entry = {"position": sq}
            else:
                entry = {"position": 0.0}
        entry = dict(entry)
        entry["position"] = _new_value(float(entry["position"]), change)
        entry["uncertainty"] = None
        positions[key] = entry
        data["no_agreement"] = na
        return
    try:
        actor = _actor(data, str(change.actor))
    except KeyError:
        problems.append(Problem(f"{where}.actor", f"'{change.actor}' is not in the scenario"))
        return
    if change.target == "outside_option":
        options = actor.setdefault("outside_option", {})
        old = options.get(key)
        if old is None and change.op == "scale":
            problems.append(Problem(f"{where}.issue", f"'{change.actor}' has no outside option on '{key}' to scale"))
            return
        options[key] = _new_value(float(old or 0.0), change)
        return
    stance = actor.get("stances", {}).get(key)
    red = stance.get("red_line") if isinstance(stance, dict) else None
    if not isinstance(red, dict):
        problems.append(Problem(f"{where}.issue", f"'{change.actor}' has no red line on '{key}' to move"))
        return
    if (red.get("max") is None) == (red.get("min") is None):
        problems.append(
            Problem(
                f"{where}.issue",
                f"'{change.actor}''s red line on '{key}' has two bounds: a shock moves a one-sided one",
            )
        )
        return
    side = "max" if red.get("max") is not None else "min"
    red[side] = _new_value(float(red[side]), change)
    red["uncertainty"] = None


def _apply(data: dict[str, Any], change: ShockChange, where: str, problems: list[Problem]) -> None:
    if change.target in ("no_agreement", "outside_option", "red_line"):
        _apply_walkaway(data, change, where, problems)
        return
    if change.op in ("add_veto", "remove_veto"):
        issue = next((i for i in data["issues"] if i["id"] == change.issue), None)
        if issue is None:
            problems.append(Problem(f"{where}.issue", f"'{change.issue}' is not in the scenario"))
            return
        vetoes = [v for v in issue.get("vetoes", []) if v != change.actor]
        issue["vetoes"] = [*vetoes, change.actor] if change.op == "add_veto" else vetoes
        return
    try:
        actor = _actor(data, str(change.actor))
    except KeyError:
        problems.append(
            Problem(f"{where}.actor", f"'{change.actor}' is not in the scenario (removed by an earlier change?)")
        )
        return
    if change.op == "remove":
        data["actors"] = [a for a in data["actors"] if a["id"] != change.actor]
        data["belligerents"] = [] if change.actor in data.get("belligerents", []) else data.get("belligerents", [])
        for issue in data["issues"]:
            issue["vetoes"] = [v for v in issue.get("vetoes", []) if v != change.actor]
        for plan in data.get("plans", []):
            if plan.get("proposer") == change.actor:
                plan["proposer"] = None
        covered = {k for a in data["actors"] for k in a.get("stances", {})}
        data["issues"] = [i for i in data["issues"] if i["id"] in covered]
        return
    if change.op == "adopt":
        assert change.from_ is not None  # checked by the schema
        try:
            other = _actor(data, change.from_)
        except KeyError:
            problems.append(Problem(f"{where}.from", f"'{change.from_}' is not in the scenario"))
            return
        issues = list(change.issues) if change.issues is not None else list(other["stances"])
        for key in issues:
            theirs = other["stances"].get(key)
            if theirs is None:
                problems.append(Problem(f"{where}.issues", f"'{change.from_}' has no stance on '{key}' to adopt"))
                continue
            mine = actor["stances"].get(key)
            if mine is None:
                actor["stances"][key] = copy.deepcopy(theirs)
                if isinstance(actor["capability"], dict) and key not in actor["capability"]:
                    actor["capability"][key] = min(actor["capability"].values())
            else:
                mine["position"] = theirs["position"]
                mine["stated"] = None
                mine["uncertainty"] = copy.deepcopy(theirs.get("uncertainty"))
        return
    target = change.target
    if target == "capability":
        cap = actor["capability"]
        keys = _issues_of(change, actor) if (change.issue or change.issues) else None
        if keys is None and not isinstance(cap, dict):
            actor["capability"] = cap * change.factor if change.op == "scale" else change.value
            return
        if not isinstance(cap, dict):
            cap = {k: cap for k in actor["stances"]}
            actor["capability"] = cap
        for key in keys if keys is not None else list(cap):
            if key not in cap:
                problems.append(Problem(f"{where}.issue", f"'{change.actor}' has no capability on '{key}'"))
                continue
            cap[key] = cap[key] * change.factor if change.op == "scale" else change.value
        return
    for key in _issues_of(change, actor):
        stance = actor["stances"].get(key)
        if stance is None:
            hint = did_you_mean(key, actor["stances"])
            problems.append(Problem(f"{where}.issue", f"'{change.actor}' has no stance on '{key}'{hint}"))
            continue
        field = "salience" if target == "salience" else "position"
        new = float(stance[field] * change.factor if change.op == "scale" else change.value or 0.0)
        if field == "salience":
            new = min(1.0, new)
            stance["salience_range"] = None
        else:
            stance["uncertainty"] = None
            stance["stated"] = None
        stance[field] = new


def apply_shock(scenario: Scenario, shock: str | ShockSpec) -> Scenario:
    """Return the scenario as it would be after ``shock`` (an id of the scenario's shocks, or a spec).

    Raises
    ------
    ScenarioError
        When the shock does not exist or cannot be applied, with every problem found.
    """
    from parley.scenario.io import scenario_from_dict

    if isinstance(shock, str):
        known = [s.id for s in scenario.spec.shocks]
        found = [s for s in scenario.spec.shocks if s.id == shock]
        if not found:
            raise ScenarioError(
                scenario.source,
                [
                    Problem(
                        "shocks", f"no shock '{shock}'{did_you_mean(shock, known)}; known: {', '.join(known) or 'none'}"
                    )
                ],
            )
        spec = found[0]
    else:
        spec = shock
    data = scenario.spec.model_dump(mode="json", by_alias=True)
    problems: list[Problem] = []
    for k, change in enumerate(spec.changes):
        _apply(data, change, f"shocks[{spec.id}].changes[{k}]", problems)
    if problems:
        raise ScenarioError(scenario.source, problems)
    data["shocks"] = []
    meta = dict(data.get("metadata") or {})
    meta["applied_shocks"] = [*meta.get("applied_shocks", []), spec.id]
    meta["shocked_from"] = meta.get("shocked_from", scenario.scenario_id)
    data["metadata"] = meta
    return scenario_from_dict(data, f"{scenario.source} + shock {spec.id}")


def apply_changes(data: dict[str, Any], changes: Sequence[ShockChange], where: str) -> list[Problem]:
    """Apply shock changes to a raw scenario mapping (the full dump of a spec), in place.

    Returns every problem found (a change that cannot be applied is skipped); ``where`` prefixes
    each problem's path, e.g. ``"events[3].changes"``. The caller validates the result.
    """
    problems: list[Problem] = []
    for k, change in enumerate(changes):
        _apply(data, change, f"{where}[{k}]", problems)
    return problems
