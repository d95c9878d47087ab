"""``parley forecast``: where a negotiation ends up, issue by issue (calls :func:`parley.tasks.forecast`)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from parley.cli.common import (
    AsOfOption,
    Format,
    NoStoreOption,
    StoreOption,
    emit_json,
    fail,
    keeper,
    kept,
    load_as_of,
    parse_params,
)
from parley.cli.layout import WideOption, note, say, show
from parley.errors import ParleyError

if TYPE_CHECKING:
    from parley.models.base import Forecast
    from parley.scenario.core import Scenario

app = typer.Typer()


def _fmt(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.4g}"


@app.command()
def forecast(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML, JSON) or importable CSV")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="a registered model (see `parley models`)")
    ] = "compromise",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="model parameter KEY=VALUE (repeatable)")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
    seed: Annotated[
        int | None, typer.Option(min=0, help="seed for models that draw (default: fresh, recorded)")
    ] = None,
    stated: Annotated[bool, typer.Option("--stated", help="use stated instead of revealed positions")] = False,
    as_of: AsOfOption = None,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Forecast where a negotiation ends up, issue by issue (the run is kept in the store)."""
    from parley.tasks.forecast import ForecastOptions
    from parley.tasks.forecast import forecast as run

    params = parse_params(param)
    try:
        sc = load_as_of(file, as_of)
        opts = ForecastOptions(model=model, params=params, seed=seed, stated=stated)
        done = run(sc, opts, store=keeper(store_url, no_store))
    except ParleyError as e:
        fail(e)
    kept(done.run_id)
    result = done.result
    for issue, why in (result.diagnostics.get("no_forecast") or {}).items():
        note(f"note: '{issue}': {why}")
    if fmt is Format.json:
        emit_json(done.data)
        return
    from rich.table import Table

    say(f"{sc.title}: where it ends up by model {model}, issue by issue")
    table = Table()
    table.add_column("issue")
    table.add_column("forecast", justify="right")
    table.add_column("scale")
    if result.rounds:
        table.add_column("rounds", justify="right")
    for issue in sc.issues:
        row = [
            issue.label if issue.label != issue.id else issue.id,
            _fmt(result.outcomes[issue.id]),
            f"{issue.lower:g}–{issue.upper:g} {issue.unit}".strip(),
        ]
        if result.rounds:
            row.append(str(len(result.rounds)))
        table.add_row(*row)
    show(table)
    for line in _forecast_notes(result, sc):
        say(line)
    say(f"scenario_id {result.scenario_id}; seed {result.seed}; params {json.dumps(result.params)}")


def _forecast_notes(result: Forecast, sc: Scenario) -> list[str]:
    """What a reader of the table should know: how a round-based run ended, where Nash had no mutual gain."""
    notes = []
    d = result.diagnostics
    if result.rounds:
        how = d.get("stopped_by") or ("converged" if d.get("stopped") else None)
        if isinstance(how, list):  # one verdict per issue
            how = ", ".join(sorted({str(h) for h in how}))
        last = ", ".join(
            f"{k}: " + " → ".join(f"{r[k]:.3g}" for r in result.rounds[-3:]) for k in list(result.outcomes)[:3]
        )
        notes.append(
            f"ran {len(result.rounds)} rounds" + (f" (stopped by {how})" if how else "") + f"; last rounds {last}"
        )
    cycle_notes = d.get("cycle_note")
    if isinstance(cycle_notes, list) and len(cycle_notes) == len(sc.issue_ids):
        by_note: dict[str, list[str]] = {}  # issues that ended alike share one line
        for issue, note in zip(sc.issue_ids, cycle_notes, strict=True):
            by_note.setdefault(str(note), []).append(issue)
        notes.extend(f"{', '.join(issues)}: {note}" for note, issues in by_note.items())
    infeasible = [
        sc.issue_ids[j]
        for j, info in enumerate(d.get("issues") or [])
        if isinstance(info, dict) and info.get("feasible") is False
    ]
    if infeasible:
        notes.append(
            f"no mutual gain over the status quo on {', '.join(infeasible)}: the fallback "
            f"'{result.params.get('fallback')}' decided there"
        )
    return notes
