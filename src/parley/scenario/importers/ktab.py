"""Importer for KTAB's SMP scenario CSV (``SMPModel::csvRead``).

See :mod:`parley.scenario.importers` for the format and the other importers."""

from __future__ import annotations

from typing import Any

from parley.errors import Problem, ScenarioError
from parley.scenario.core import Scenario
from parley.scenario.importers.collect import Collector, read_rows
from parley.scenario.io import scenario_from_dict


def import_ktab_csv(text: str, source: str = "<ktab csv>", name: str = "") -> Scenario:
    """Import a KTAB SMP scenario CSV (the format of KTAB's ``SMPModel::csvRead``; docs/models.md#smp).

    Positions stay on KTAB's 0–100 scale (each issue's scale is [0, 100]); saliences are
    divided by 100; capability is taken as given. The scenario's name and description
    become its title and description.

    Raises
    ------
    ScenarioError
        With every problem found, including breaches of KTAB's own rules.
    """
    found = Collector()
    rows = list(read_rows(text, ",", source=source))
    if len(rows) < 2:
        raise ScenarioError(source, [Problem("", "a KTAB CSV needs a first line, a header and actor rows")])
    (line1, first), (line2, header) = rows[0], rows[1]
    if len(first) < 4:
        raise ScenarioError(source, [Problem(f"line {line1}", (
            "must hold: scenario name, description, number of actors, number of dimensions"
        ))])
    counts = []
    for k, what in ((2, "number of actors"), (3, "number of dimensions")):
        try:
            counts.append(int(first[k]))
        except ValueError:
            counts.append(0)
        if counts[-1] < 1:
            found.add(line1, f"the {what} '{first[k]}' must be a whole number of at least 1", k + 1)
    found.raise_if_any(source)
    n_actors, n_dims = counts
    width = 3 + 2 * n_dims
    dims: list[str] = []
    if len(header) < width:
        found.add(line2, f"the header has {len(header)} fields; {n_dims} dimensions need {width}")
    else:
        seen_dims: dict[str, int] = {}
        for d in range(n_dims):
            dim = found.name(header[3 + 2 * d], line2, 4 + 2 * d, "dimension", seen_dims)
            dims.append(dim or f"dim{d + 1}")
    actor_rows = rows[2:]
    if len(actor_rows) != n_actors:
        found.add(line1, f"says {n_actors} actors, but the file has {len(actor_rows)} actor rows", 3)
    actors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, fields in actor_rows:
        if len(fields) < width:
            found.add(line, f"has {len(fields)} fields; {n_dims} dimensions need {width}")
            continue
        actor = found.name(fields[0], line, 1, "actor", seen)
        cap = found.number(fields[2], line, 3, "capability")
        if cap is not None and not 0 < cap <= 1e8:
            found.add(line, f"capability {cap:g} must be greater than 0 (and at most 1e8)", 3)
        stances: dict[str, dict[str, float]] = {}
        total = 0.0
        for d in range(n_dims):
            c = 4 + 2 * d
            pos = found.number(fields[c - 1], line, c, "position")
            sal = found.number(fields[c], line, c + 1, "salience")
            if pos is not None and not 0 <= pos <= 100:
                found.add(line, f"position {pos:g} must lie in [0, 100]", c)
            if sal is not None and not 0 <= sal <= 100:
                found.add(line, f"salience {sal:g} must lie in [0, 100]", c + 1)
            if pos is not None and sal is not None and dims:
                stances[dims[d]] = {"position": pos, "salience": sal / 100}
                total += sal
        if total > 100 + 1e-9:
            found.add(line, f"the saliences add up to {total:g}; KTAB requires at most 100")
        if actor is not None and cap is not None:
            actors.append({"id": actor, "description": fields[1], "capability": cap, "stances": stances})
    found.raise_if_any(source)
    data = {
        "schema_version": 1,
        "title": first[0] or name,
        "description": first[1],
        "issues": [{"id": dim, "scale": {"min": 0, "max": 100}} for dim in dims],
        "actors": actors,
        "metadata": {"format": "ktab-csv"},
    }
    return scenario_from_dict(data, source)
