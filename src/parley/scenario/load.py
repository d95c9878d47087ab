"""Load a scenario from a file of any kind parley reads: YAML, JSON, or an importable CSV."""

from __future__ import annotations

from pathlib import Path

from parley.scenario.core import Scenario
from parley.scenario.importers import import_text
from parley.scenario.io import read_text, scenario_from_text


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario from a YAML or JSON file, or import one from a CSV.

    CSV files in the Bueno de Mesquita, KTAB and Decide formats are recognised by
    their content (see :mod:`parley.scenario.importers`).

    Raises
    ------
    ScenarioError
        With every problem found, each with its place.
    """
    path = Path(path)
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return import_text(text, source=str(path), name=path.stem)
    fmt = "json" if suffix == ".json" else "yaml"
    return scenario_from_text(text, str(path), fmt)
