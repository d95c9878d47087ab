"""``parley validate`` and ``parley models``: check a scenario file, list the registered models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parley.cli.common import Format, emit_json, fail
from parley.cli.layout import say
from parley.errors import ParleyError

app = typer.Typer()


def _count(items: object, word: str) -> str:
    n = len(items)  # type: ignore[arg-type]
    return f"{n} {word}{'' if n == 1 else 's'}"


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="scenario file (YAML, JSON) or importable CSV")]) -> None:
    """Check a scenario file: exit 0 when valid, else list every problem on stderr and exit 1."""
    from parley.scenario.load import load_scenario

    try:
        sc = load_scenario(file)
    except ParleyError as e:
        fail(e)
    n_prov = sum(len(p.own_provisions) for p in sc.plans)
    say(
        f"{file}: valid — {_count(sc.actors, 'actor')}, {_count(sc.issues, 'issue')}, {_count(sc.plans, 'plan')} "
        f"({n_prov} provisions), {len(sc.spec.shocks)} shocks; scenario_id {sc.scenario_id}",
    )


@app.command()
def models(fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """List the registered models with their parameters and references."""
    from parley.api import describe_models

    described = describe_models()
    if fmt is Format.json:
        emit_json(described)
        return
    say(f"{len(described)} models: {', '.join(described)} (parameters: --param KEY=VALUE)")
    for name, info in described.items():
        say(f"[bold]{name}[/bold] — {info['description']}", markup=True)
        say(f"  reference: {info['reference']}", hang="    ")
        for p in info["params"]:
            choices = f" ({' | '.join(map(str, p['choices']))})" if p["choices"] else ""
            say(f"  --param {p['name']}={p['default']}{choices}  {p['help']}", hang="      ")
