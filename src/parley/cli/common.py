"""What every ``parley`` command shares: consoles, output formats, errors, JSON and parameters."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from parley._json import json_safe
from parley.cli.layout import note
from parley.errors import ParleyError, ScenarioError

if TYPE_CHECKING:
    from parley.scenario.core import Scenario
    from parley.store import Store

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"


class Capability(StrEnum):
    """Capability proxies for the DEU backtest."""

    gdp = "gdp"
    equal = "equal"


def fail(error: Exception | str, code: int = 1) -> NoReturn:
    """Print one clear message to stderr, wrapped at the terminal's width, and exit non-zero.

    A scenario's problems come as a head line and one indented ``place: problem`` line each; any other
    error is one ``error: …`` message. Continuation lines are indented under their first line.
    """
    text = str(error)
    if isinstance(error, ScenarioError):
        note(text, hang="    ")
    else:
        note(f"error: {text}")
    raise typer.Exit(code)


def emit_json(data: Any) -> None:
    """Write JSON to stdout (NaN written as null)."""
    sys.stdout.write(json.dumps(json_safe(data), indent=2, ensure_ascii=False) + "\n")


def parse_params(items: list[str] | None) -> dict[str, str]:
    """Turn ``KEY=VALUE`` strings into a mapping."""
    params: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--param takes KEY=VALUE, got {item!r}")
        params[key.strip()] = value.strip()
    return params


def check_output_path(path: Path) -> None:
    """Fail early, with one message, when ``path`` cannot be written (before any work is done)."""
    if path.is_dir():
        fail(f"cannot write {path}: it is a directory; give a file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        fail(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"cannot write {path}: permission denied")


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="PARLEY_STORE",
        show_envvar=True,
        help="database URL (sqlite:///file.db, postgresql://user@host/db) or SQLite file; "
        "default: parley.db in the user data folder",
    ),
]
NoStoreOption = Annotated[bool, typer.Option("--no-store", help="do not keep the run in the store")]


def open_store(url: str | None = None) -> Store:
    """Open the store at ``url`` (default ``$PARLEY_STORE``, else the user data folder), or exit 1 with one message."""
    from parley.store import Store  # SQLAlchemy is imported only by commands that keep or read runs

    try:
        return Store.open(url)
    except ParleyError as e:
        fail(e)


def keeper(url: str | None, no_store: bool) -> Store | None:
    """The store a command keeps its run in: None with ``--no-store``."""
    return None if no_store else open_store(url)


def kept(run_id: str | None) -> None:
    """Say on stderr where the run was kept."""
    if run_id is not None:
        note(f"run {run_id} kept in the store")


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help="analyse the scenario as it stood on this date (YYYY-MM-DD)"),
]


def load_as_of(file: Path, as_of: str | None) -> Scenario:
    """Load a scenario, as of ``as_of`` when given; print the as-of notes (deadlines missed or moved) to stderr.

    Raises
    ------
    ScenarioError
        For a bad file or date (the caller turns it into one message and a non-zero exit).
    """
    from parley.scenario.load import load_scenario
    from parley.scenario.timeline import parse_date, scenario_as_of

    sc = load_scenario(file)
    if as_of is None:
        return sc
    dated = scenario_as_of(sc, parse_date(as_of, "--as-of"))
    info = dated.spec.metadata["as_of"]
    note(
        f"as of {info['date']}: {len(info['plans'])} texts on the table, {len(info['events'])} events and "
        f"{len(info['revisions'])} stance revisions applied",
    )
    for line in info["notes"]:
        note(f"note: {line}")
    return dated
