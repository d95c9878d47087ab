"""Writing scenarios: ``parley schema``, ``parley new`` and ``parley code``.

``app`` is a typer app whose commands join the top level of ``parley`` (one ``add_typer`` line
in :mod:`parley.cli`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from parley._files import write_text_atomic
from parley.cli.common import check_output_path, fail
from parley.cli.layout import note, say
from parley.errors import ParleyError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _write(path: Path, text: str, force: bool) -> None:
    check_output_path(path)
    if path.exists() and not force:
        fail(f"{path} exists; give --force to overwrite it")
    try:
        write_text_atomic(path, text)
    except OSError as e:
        fail(f"cannot write {path}: {e.strerror}")


@app.command()
def schema(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="print the field reference (docs/scenario-format.md) instead")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to FILE instead of stdout")] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite FILE")] = False,
) -> None:
    """Print the JSON Schema of scenario files (for editors' YAML language server), or the field reference."""
    from parley.scenario.reference import json_schema_text
    from parley.scenario.reference import markdown as reference

    text = reference() if markdown else json_schema_text()
    if output is None:
        sys.stdout.write(text)
        return
    _write(output, text, force or (output.suffix == ".json" and _is_generated_schema(output)))
    say(f"wrote {output}")


def _is_generated_schema(path: Path) -> bool:
    """A schema file parley wrote before may be refreshed without --force."""
    from parley.scenario.reference import SCHEMA_ID

    try:
        return path.is_file() and SCHEMA_ID in path.read_text(encoding="utf-8")[:300]
    except (OSError, UnicodeDecodeError):
        return False


@app.command()
def new(
    output: Annotated[Path, typer.Option("--output", "-o", help="scenario file to write")],
    actors: Annotated[int, typer.Option("--actors", min=2, max=26, help="number of actors")] = 3,
    issues: Annotated[int, typer.Option("--issues", min=1, max=26, help="number of issues")] = 2,
    title: Annotated[str, typer.Option("--title", help="the scenario's title")] = "A new negotiation",
    force: Annotated[bool, typer.Option("--force", help="overwrite FILE")] = False,
) -> None:
    """Write a small, valid, commented scenario to start from."""
    from parley.scenario.starter import starter_yaml

    _write(output, starter_yaml(actors, issues, title), force)
    say(
        f"wrote {output}: {actors} actors, {issues} issues, one plan, one shock. "
        f"Edit it, then `parley validate {output}`; fields: `parley schema --markdown`.",
    )


@app.command()
def code(
    text: Annotated[str, typer.Argument(help="the plan text: a file, or - for stdin")],
    scenario: Annotated[Path, typer.Option("--scenario", "-s", help="the scenario whose issues to code against")],
    plan_id: Annotated[str | None, typer.Option("--plan-id", help="id of the drafted plan")] = None,
    title: Annotated[str, typer.Option("--title", help="title of the drafted plan")] = "",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write the plan YAML to FILE")] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite FILE")] = False,
) -> None:
    """Draft a plan from a pasted text: points → issues and positions, with evidence and review flags.

    Nothing is written into the scenario: paste the plan under its `plans:` after checking it.
    """
    from parley.api import load_scenario
    from parley.scenario.io import validate_dict

    if output is not None:
        check_output_path(output)
        if output.exists() and not force:
            fail(f"{output} exists; give --force to overwrite it")
    if text == "-":
        body = sys.stdin.read()
        stem = "stdin"
    else:
        path = Path(text)
        if not path.is_file():
            fail(f"{text}: no such file (give a file, or - to read the text from stdin)")
        try:
            body = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            fail(f"cannot read {text}: {e}")
        stem = path.stem
    if not body.strip():
        fail("the text is empty")
    try:
        sc = load_scenario(scenario)
    except ParleyError as e:
        fail(e)
    try:
        from parley.analysis.coding import code_text
    except ImportError as e:
        fail(f"parley code needs scikit-learn (pip install 'parley[authoring]'): {e}")
    taken = {p.id for p in sc.spec.plans}
    pid = plan_id or _free_id(f"coded-{stem}", taken)
    if pid in taken:
        fail(f"--plan-id {pid}: the scenario has a plan with that id already; choose another")
    drafted = code_text(body, sc.spec, plan_id=pid, title=title)
    if not drafted.coded:
        fail("found no points in the text")
    data = sc.spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["plans"] = [*data.get("plans", []), drafted.to_plan()]
    try:
        validate_dict(data, f"{scenario} with the drafted plan")
    except ParleyError as e:  # a bug if it happens: the draft must validate
        fail(e)
    yaml_text = drafted.to_yaml()
    if output is None:
        sys.stdout.write(yaml_text)
    else:
        _write(output, yaml_text, True)
    mapped = sum(c.issue is not None for c in drafted.coded)
    review = sum(c.review for c in drafted.coded)
    note(
        f"{len(drafted.points)} points → {len(drafted.coded)} provisions: {mapped} on an issue, "
        f"{len(drafted.coded) - mapped} not mapped; {review} marked review: true"
        + (f"; wrote {output}" if output else ""),
    )


def _free_id(base: str, taken: set[str]) -> str:
    pid, n = base, 2
    while pid in taken:
        pid, n = f"{base}-{n}", n + 1
    return pid
