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
    The DEU data set (:func:`parley.scenario.importers.deu.load_deu`):
    a data set of many issues with known outcomes, not one scenario, so
    :func:`import_text` refuses it and says what to use.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import Literal

from parley.errors import Problem, ScenarioError
from parley.scenario.core import Scenario
from parley.scenario.importers.bdm import import_bdm_csv
from parley.scenario.importers.collect import first_line, without_trailing_empty
from parley.scenario.importers.decide import DECIDE_KINDS, import_decide_csv
from parley.scenario.importers.ktab import import_ktab_csv

__all__ = ["FORMATS_HINT", "Format", "detect_format", "import_text"]

Format = Literal["bdm-csv", "ktab-csv", "decide-csv", "deu-tsv"]

FORMATS_HINT = (
    "parley imports: a Bueno de Mesquita CSV (header Actor,Capability,Position,Salience); "
    "a KTAB SMP CSV (line 1: name, description, numActors, numDims); a Decide exchange-model "
    "file ('#A', '#P', '#M', '#D' rows); a DEU TSV (a data set: use `parley backtest deu`)"
)



def detect_format(text: str, source: str = "<text>") -> Format:
    """Which importable format ``text`` is in, judged from its content.

    Raises
    ------
    ScenarioError
        When the text is in none of them; the message lists the formats accepted.
    """
    first = first_line(text)
    if not first:
        raise ScenarioError(source, [Problem("", f"the file is empty; {FORMATS_HINT}")])
    head = [f.strip().strip("'\"").strip() for f in re.split(r"[\t;,]", first)]
    if head[0] in DECIDE_KINDS:
        return "decide-csv"
    tab = [f.strip().lower() for f in first.split("\t")]
    if {"isnr", "rp", "out"} <= set(tab):
        return "deu-tsv"
    lowered = [f.lower() for f in without_trailing_empty(head)]
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
            "parley.scenario.importers.deu.load_deu and take one case's .scenario"
        ))])
    importer: dict[str, Callable[[str, str, str], Scenario]] = {
        "bdm-csv": import_bdm_csv, "ktab-csv": import_ktab_csv, "decide-csv": import_decide_csv,
    }
    return importer[fmt](text, source, name)
