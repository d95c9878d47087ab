"""Importers for the formats real negotiation data comes in.

Each importer reads text, builds a raw mapping in the scenario file format
(``schema_version: 1``) and passes it through :func:`~parley.scenario.io.scenario_from_dict`,
so an imported scenario is checked exactly like a YAML one. Problems are reported
together, each with its place (``line 7, column 3``), in one :class:`ScenarioError`.

Formats (:func:`detect_format` tells them apart by content):

``bdm-csv``
    Bueno de Mesquita's table: header ``Actor,Capability,Position,Salience`` (or ``name``
    for ``Actor``, any letter case), one issue named after the file. The scale runs from
    the lowest to the highest position (±1 around a single position). Saliences above 1
    mean the column is on 0–100; it is then divided by 100 (recorded in ``metadata``).
``ktab-csv``
    KTAB's SMP scenario (``SMPModel::csvRead``): line 1 ``name, description, numActors,
    numDims``; line 2 a header whose position columns name the issues; then one row per
    actor ``name, description, capability, pos_1, sal_1, ...``. Positions stay on 0–100,
    saliences are divided by 100; KTAB's rules (positions and saliences in [0, 100],
    salience sum ≤ 100 per actor, capability > 0) are checked.
``decide-csv``
    The exchange-model input of the Decide package: rows ``#A`` (actor: id, name),
    ``#P`` (issue: id, name, description), ``#M`` (a point of an issue's scale, optionally
    with its meaning), ``#D`` (actor, issue, position, salience 0–1, power); ``#/`` comment
    and ``#O`` rows are ignored. Fields are tab- or semicolon-separated and may be
    single-quoted. An issue's scale runs from its lowest to its highest ``#M`` point
    (0–100 when it has none, as in Decide). Power is the capability, per issue where it
    differs between issues.
``deu-tsv``
    The DEU data set (:func:`parley.scenario.deu.load_deu`, also importable from here):
    a data set of many issues with known outcomes, not one scenario, so
    :func:`import_text` refuses it and says what to use.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

from parley.errors import Problem, ScenarioError
from parley.scenario.checks import did_you_mean
from parley.scenario.core import Scenario

# the DEU reader lives in parley.scenario.deu; its names stay importable from here
from parley.scenario.deu import DEU_ACTOR_NAMES, DeuCase, DeuDataset, DeuProposal, load_deu, read_deu
from parley.scenario.io import scenario_from_dict

__all__ = [
    "DEU_ACTOR_NAMES",
    "FORMATS_HINT",
    "DeuCase",
    "DeuDataset",
    "DeuProposal",
    "Format",
    "detect_format",
    "import_bdm_csv",
    "import_decide_csv",
    "import_ktab_csv",
    "import_text",
    "load_deu",
    "read_deu",
]

Format = Literal["bdm-csv", "ktab-csv", "decide-csv", "deu-tsv"]

FORMATS_HINT = (
    "parley imports: a Bueno de Mesquita CSV (header Actor,Capability,Position,Salience); "
    "a KTAB SMP CSV (line 1: name, description, numActors, numDims); a Decide exchange-model "
    "file ('#A', '#P', '#M', '#D' rows); a DEU TSV (a data set: use `parley backtest deu`)"
)

# --------------------------------------------------------------------------- shared helpers


class _Collector:
    """Problems of one input, each placed at a line (and column)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str, column: int | None = None, label: str = "") -> None:
        where = "" if line is None else f"line {line}"
        if column is not None:
            where += f", column {column}" + (f" ({label})" if label else "")
        self.problems.append(Problem(where, message))

    def number(self, cell: str, line: int, column: int, what: str, label: str = "") -> float | None:
        """The number in ``cell``, or None after recording why it is not one."""
        text = cell.strip()
        message = None
        if not text:
            message = f"{what} is empty; a number is needed"
        else:
            try:
                value = float(text)
            except ValueError:
                message = f"{what} '{text}' is not a number"
            else:
                if math.isfinite(value):
                    return value
                message = f"{what} '{text}' is not a finite number"
        self.add(line, message, column, label)
        return None

    def name(self, cell: str, line: int, column: int, what: str, seen: dict[str, int]) -> str | None:
        """A trimmed id; None after recording why it cannot be one (empty, too long, repeated)."""
        text = cell.strip()
        if not text:
            self.add(line, f"the {what} name is empty", column)
        elif len(text) > 120:
            self.add(line, f"the {what} name is longer than 120 characters", column)
        elif re.search(r"[\x00-\x1f]", text):
            self.add(line, f"the {what} name '{text}' holds a control character", column)
        elif text in seen:
            self.add(line, f"{what} '{text}' is already named on line {seen[text]}", column)
        else:
            seen[text] = line
            return text
        return None

    def raise_if_any(self, source: str) -> None:
        if self.problems:
            raise ScenarioError(source, self.problems)


def _rows(text: str, delimiter: str, quotechar: str = '"') -> Iterator[tuple[int, list[str]]]:
    """Non-blank lines as (line number, fields), fields trimmed of whitespace and quotes."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = next(csv.reader([line], delimiter=delimiter, quotechar=quotechar, skipinitialspace=True))
        yield number, [f.strip().strip(quotechar + '"').strip() for f in fields]


def _without_trailing_empty(fields: list[str]) -> list[str]:
    while fields and not fields[-1]:
        fields = fields[:-1]
    return fields


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


# --------------------------------------------------------------------------- detection


def detect_format(text: str, source: str = "<text>") -> Format:
    """Which importable format ``text`` is in, judged from its content.

    Raises
    ------
    ScenarioError
        When the text is in none of them; the message lists the formats accepted.
    """
    first = _first_line(text)
    if not first:
        raise ScenarioError(source, [Problem("", f"the file is empty; {FORMATS_HINT}")])
    head = [f.strip().strip("'\"").strip() for f in re.split(r"[\t;,]", first)]
    if head[0] in _DECIDE_KINDS:
        return "decide-csv"
    tab = [f.strip().lower() for f in first.split("\t")]
    if {"isnr", "rp", "out"} <= set(tab):
        return "deu-tsv"
    lowered = [f.lower() for f in _without_trailing_empty(head)]
    if lowered and lowered[0] in ("actor", "name") and {"capability", "position", "salience"} <= set(lowered):
        return "bdm-csv"
    fields = next(csv.reader([first], skipinitialspace=True))
    if len(fields) >= 4 and all(re.fullmatch(r"\s*\d+\s*", f) for f in fields[2:4]):
        return "ktab-csv"
    raise ScenarioError(source, [Problem("line 1", f"not a format parley can import; {FORMATS_HINT}")])


def import_text(text: str, source: str = "<text>", name: str = "issue") -> Scenario:
    """Import a scenario from text in any importable format (see :func:`detect_format`).

    Parameters
    ----------
    text
        The file's content.
    source
        The file name, for messages.
    name
        The file's stem: the issue id of a Bueno de Mesquita table, the title of a Decide file.

    Raises
    ------
    ScenarioError
        With every problem found; also for a DEU data set, which holds many scenarios.
    """
    fmt = detect_format(text, source)
    if fmt == "deu-tsv":
        raise ScenarioError(source, [Problem("", (
            "this is a DEU data set (one row per issue, with known outcomes), not one scenario: "
            "score models on it with `parley backtest deu FILE`, or read it with "
            "parley.scenario.importers.load_deu and take one case's .scenario"
        ))])
    importer: dict[str, Callable[[str, str, str], Scenario]] = {
        "bdm-csv": import_bdm_csv, "ktab-csv": import_ktab_csv, "decide-csv": import_decide_csv,
    }
    return importer[fmt](text, source, name)


# --------------------------------------------------------------------------- Bueno de Mesquita


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
    found = _Collector()
    first = _first_line(text)
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows = list(_rows(text, delimiter))
    if not rows:
        raise ScenarioError(source, [Problem("", "the file is empty")])
    header_line, header = rows[0]
    header = [h.lower() for h in _without_trailing_empty(header)]
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
        fields = _without_trailing_empty(fields)
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


# --------------------------------------------------------------------------- KTAB


def import_ktab_csv(text: str, source: str = "<ktab csv>", name: str = "") -> Scenario:
    """Import a KTAB SMP scenario CSV (KTAB.md §2.1).

    Positions stay on KTAB's 0–100 scale (each issue's scale is [0, 100]); saliences are
    divided by 100; capability is taken as given. The scenario's name and description
    become its title and description.

    Raises
    ------
    ScenarioError
        With every problem found, including breaches of KTAB's own rules.
    """
    found = _Collector()
    rows = list(_rows(text, ","))
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


# --------------------------------------------------------------------------- Decide

_DECIDE_KINDS = ("#A", "#P", "#M", "#D", "#/", "#O")


def import_decide_csv(text: str, source: str = "<decide csv>", name: str = "") -> Scenario:
    """Import a Decide exchange-model input file (``#A``/``#P``/``#M``/``#D`` rows).

    Raises
    ------
    ScenarioError
        With every problem found, each with its line and column.
    """
    found = _Collector()
    first = _first_line(text)
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
    for line, fields in _rows(text, delimiter, quotechar="'"):
        kind = fields[0]
        if kind not in _DECIDE_KINDS:
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
