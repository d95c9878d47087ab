"""Importer for Bueno de Mesquita's table ``Actor,Capability,Position,Salience``.

See :mod:`parley.scenario.importers` for the format and the other importers."""

from __future__ import annotations

from typing import Any

from parley.errors import Problem, ScenarioError
from parley.scenario.core import Scenario
from parley.scenario.importers.collect import Collector, first_line, read_rows, without_trailing_empty
from parley.scenario.io import scenario_from_dict


def import_bdm_csv(text: str, source: str = "<bdm csv>", name: str = "issue") -> Scenario:
    """Import a Bueno de Mesquita table (``Actor,Capability,Position,Salience``) as one issue.

    The issue's id is ``name`` (the file's stem); its scale runs from the lowest to the
    highest position (widened to ±1 around a single position). Saliences are taken as
    0–1, or as 0–100 and divided by 100 when any exceeds 1.

    Raises
    ------
    ScenarioError
        With every problem found, each with its line and column.
    """
    found = Collector()
    first = first_line(text)
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows = list(read_rows(text, delimiter))
    if not rows:
        raise ScenarioError(source, [Problem("", "the file is empty")])
    header_line, header = rows[0]
    header = [h.lower() for h in without_trailing_empty(header)]
    wanted = ("capability", "position", "salience")
    if not header or header[0] not in ("actor", "name") or not set(wanted) <= set(header):
        raise ScenarioError(source, [Problem(f"line {header_line}", (
            f"the header must be Actor,Capability,Position,Salience (got {','.join(header)})"
        ))])
    col = {key: header.index(key) for key in wanted}
    issue = name.strip() or "issue"
    seen: dict[str, int] = {}
    parsed: list[tuple[int, str, float, float, float]] = []
    for line, fields in rows[1:]:
        fields = without_trailing_empty(fields)
        if len(fields) != len(header):
            found.add(line, f"has {len(fields)} fields; the header has {len(header)}")
            continue
        actor = found.name(fields[0], line, 1, "actor", seen)
        values = [found.number(fields[col[k]], line, col[k] + 1, k) for k in wanted]
        cap, pos, sal = values
        if cap is not None and cap <= 0:
            found.add(line, f"capability {cap:g} must be greater than 0", col["capability"] + 1)
        if sal is not None and not 0 <= sal <= 100:
            found.add(line, f"salience {sal:g} must lie in [0, 1] (or [0, 100])", col["salience"] + 1)
        if actor is not None and cap is not None and pos is not None and sal is not None:
            parsed.append((line, actor, cap, pos, sal))
    if len(rows) == 1:
        found.add(header_line, "the table has no actor rows")
    found.raise_if_any(source)

    percent = any(sal > 1 for *_, sal in parsed)
    low, high = min(p[3] for p in parsed), max(p[3] for p in parsed)
    if low == high:
        low, high = low - 1, high + 1
    metadata: dict[str, Any] = {"format": "bdm-csv"}
    if percent:
        metadata["salience_scale"] = "0-100 in the file, divided by 100"
    data = {
        "schema_version": 1,
        "title": issue,
        "issues": [{"id": issue, "scale": {"min": low, "max": high, "unit": ""}}],
        "actors": [
            {"id": actor, "capability": cap,
             "stances": {issue: {"position": pos, "salience": sal / 100 if percent else sal}}}
            for _, actor, cap, pos, sal in parsed
        ],
        "metadata": metadata,
    }
    return scenario_from_dict(data, source)
