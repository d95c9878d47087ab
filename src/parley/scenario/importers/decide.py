"""Importer for The Decide package's exchange-model input (``#A``, ``#P``, ``#M``, ``#D`` rows).

See :mod:`parley.scenario.importers` for the format and the other importers."""

from __future__ import annotations

from typing import Any

from parley.scenario.checks import did_you_mean
from parley.scenario.core import Scenario
from parley.scenario.importers.collect import Collector, first_line, read_rows
from parley.scenario.io import scenario_from_dict

DECIDE_KINDS = ("#A", "#P", "#M", "#D", "#/", "#O")


def import_decide_csv(text: str, source: str = "<decide csv>", name: str = "") -> Scenario:
    """Import a Decide exchange-model input file (``#A``/``#P``/``#M``/``#D`` rows).

    Raises
    ------
    ScenarioError
        With every problem found, each with its line and column.
    """
    found = Collector()
    first = first_line(text)
    delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    points: dict[str, list[float]] = {}
    data_rows: list[tuple[int, list[str]]] = []
    seen_actors: dict[str, int] = {}
    seen_issues: dict[str, int] = {}
    need = {"#A": 2, "#P": 2, "#M": 3, "#D": 6}
    what = {"#A": "an actor id", "#P": "an issue id", "#M": "issue and scale point",
            "#D": "actor, issue, position, salience and power"}
    for line, fields in read_rows(text, delimiter, quotechar="'"):
        kind = fields[0]
        if kind not in DECIDE_KINDS:
            found.add(line, f"unknown row kind '{kind}'; a Decide file has rows #A (actor), "
                      "#P (issue), #M (scale point), #D (actor on issue), #/ (comment)", 1)
            continue
        if kind in ("#/", "#O"):
            continue
        if len(fields) < need[kind]:
            found.add(line, f"a {kind} row needs {what[kind]}; it has {len(fields) - 1} fields after {kind}")
            continue
        if kind == "#A":
            actor = found.name(fields[1], line, 2, "actor", seen_actors)
            if actor is not None:
                label = fields[2] if len(fields) > 2 and fields[2] != actor else ""
                actors[actor] = {"id": actor, **({"name": label} if label else {}), "line": line}
        elif kind == "#P":
            issue = found.name(fields[1], line, 2, "issue", seen_issues)
            if issue is not None:
                extra = [f for f in fields[2:4] if f and f != issue]
                issues[issue] = {"id": issue, "line": line, "anchors": {}}
                if extra:
                    issues[issue]["label"] = extra[0]
                if len(extra) > 1 and extra[1] != extra[0]:
                    issues[issue]["description"] = extra[1]
        elif kind == "#M":
            value = found.number(fields[2], line, 3, "scale point")
            if value is not None:
                points.setdefault(fields[1], []).append(value)
                if len(fields) > 3 and fields[3]:
                    issues.get(fields[1], {}).setdefault("anchors", {})[value] = fields[3]
            if fields[1] not in seen_issues:
                found.add(line, f"'{fields[1]}' is not an issue given by a #P row above"
                          f"{did_you_mean(fields[1], seen_issues)}", 2)
        else:
            data_rows.append((line, fields))
    scales: dict[str, tuple[float, float]] = {}
    for issue, spec in issues.items():
        pts = points.get(issue, [0.0, 100.0])
        if min(pts) == max(pts):
            found.add(spec["line"], f"issue '{issue}' has a single scale point ({pts[0]:g}); "
                      "give its lowest and highest with #M rows")
        else:
            scales[issue] = (min(pts), max(pts))
    stances: dict[str, dict[str, dict[str, float]]] = {a: {} for a in actors}
    power: dict[str, dict[str, float]] = {a: {} for a in actors}
    placed: dict[tuple[str, str], int] = {}
    for line, fields in data_rows:
        actor, issue = fields[1], fields[2]
        if actor not in actors:
            found.add(line, f"'{actor}' is not an actor given by a #A row{did_you_mean(actor, actors)}", 2)
        if issue not in issues:
            found.add(line, f"'{issue}' is not an issue given by a #P row{did_you_mean(issue, issues)}", 3)
        if (actor, issue) in placed:
            found.add(line, f"'{actor}' on '{issue}' is given already on line {placed[actor, issue]}")
        placed.setdefault((actor, issue), line)
        pos = found.number(fields[3], line, 4, "position")
        sal = found.number(fields[4], line, 5, "salience")
        cap = found.number(fields[5], line, 6, "power")
        if pos is not None and issue in scales and not scales[issue][0] <= pos <= scales[issue][1]:
            lo, hi = scales[issue]
            found.add(line, f"position {pos:g} lies outside the scale of '{issue}' [{lo:g}, {hi:g}]", 4)
        if sal is not None and not 0 <= sal <= 1:
            found.add(line, f"salience {sal:g} must lie in [0, 1]", 5)
        if cap is not None and cap <= 0:
            found.add(line, f"power {cap:g} must be greater than 0", 6)
        if None not in (pos, sal, cap) and actor in actors and issue in issues:
            stances[actor][issue] = {"position": pos, "salience": sal}  # type: ignore[dict-item]
            power[actor][issue] = cap  # type: ignore[assignment]
    for actor, spec in actors.items():
        if not any(a == actor for a, _ in placed):
            found.add(spec["line"], f"actor '{actor}' has no #D row")
    for issue, spec in issues.items():
        if not any(i == issue for _, i in placed):
            found.add(spec["line"], f"issue '{issue}' has no #D row")
    if not actors or not issues:
        found.add(None, "a Decide file needs #A actor rows and #P issue rows")
    found.raise_if_any(source)

    def capability(actor: str) -> float | dict[str, float]:
        values = set(power[actor].values())
        return values.pop() if len(values) == 1 else dict(power[actor])

    data = {
        "schema_version": 1,
        "title": name,
        "issues": [
            {**{k: v for k, v in spec.items() if k != "line" and v != {}},
             "scale": {"min": scales[i][0], "max": scales[i][1]}}
            for i, spec in issues.items()
        ],
        "actors": [
            {**{k: v for k, v in spec.items() if k != "line"},
             "capability": capability(a), "stances": stances[a]}
            for a, spec in actors.items()
        ],
        "metadata": {"format": "decide-csv",
                     **({"default_scale": [i for i in issues if i not in points]}
                        if any(i not in points for i in issues) else {})},
    }
    return scenario_from_dict(data, source)
