"""``parley runs ...``: list, show, export and delete the runs kept in the store.

``runs_app`` is the ``runs`` group; :mod:`parley.cli` adds it to the ``parley`` app. Every kind
of run the tasks keep (forecast, plans, coalitions, montecarlo, sensitivity, backtest, report)
shows up here.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from parley._files import write_text_atomic
from parley._json import json_safe
from parley.cli.common import Format, StoreOption, emit_json, fail, open_store
from parley.cli.layout import WideOption, note, say, show
from parley.errors import ParleyError  # every store failure (StoreError) is one

if TYPE_CHECKING:
    from rich.table import Table

    from parley.store import RunRecord, Store

__all__ = [
    "runs_app",
]

runs_app = typer.Typer(
    help="Runs kept in the store (forecasts, analyses): list, show, export, delete.", no_args_is_help=True
)

RunId = Annotated[str, typer.Argument(help="run id (a unique prefix of 4+ characters will do)")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table or json")]


class RunStatus(StrEnum):
    """The states a stored run can be in."""

    running = "running"
    done = "done"
    failed = "failed"


def _when(record: RunRecord) -> str:
    return record.created.astimezone().strftime("%Y-%m-%d %H:%M")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, sec = divmod(seconds, 60)
    return f"{int(minutes)} min {sec:.0f} s"


def _listing(record: RunRecord) -> dict[str, Any]:
    data = record.to_dict()
    data.pop("result")
    data.pop("samples")
    return data


@runs_app.command("list")
def list_runs(
    store: StoreOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="how many runs, newest first")] = 20,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="only runs of this kind (e.g. forecast)")] = None,
    status: Annotated[RunStatus | None, typer.Option(help="only runs with this status")] = None,
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List the newest stored runs."""
    st = open_store(store)
    try:
        records = st.list_runs(limit, kind=kind, status=None if status is None else status.value)
    except ParleyError as e:
        fail(e)
    finally:
        st.close()
    if fmt is Format.json:
        emit_json([_listing(r) for r in records])
        return
    if not records:
        say(f"no runs in {st.url}")
        return
    rows = [
        [
            r.id,
            r.kind,
            r.status,
            _when(r),
            _duration(r.duration),
            r.model or "–",
            (r.scenario_title or r.scenario_id or "–").replace("[", r"\["),
        ]
        for r in records
    ]
    from rich.table import Table

    headers = ("id", "kind", "status", "created", "duration", "model", "scenario")
    say(f"{len(records)} newest runs in {st.url}" + (f" (--limit {limit})" if len(records) == limit else ""))
    table = Table()
    for col in headers:
        table.add_column(col, justify="right" if col == "duration" else "left", no_wrap=col == "id")
    for row, r in zip(rows, records, strict=True):
        if r.status == "failed":
            row[2] = f"[red]{r.status}[/red]"
        table.add_row(*row)
    show(table)


def _get(store: str | None, ident: str) -> tuple[Store, RunRecord]:
    st = open_store(store)
    try:
        return st, st.get_run(st.resolve(ident))
    except ParleyError as e:
        st.close()
        fail(e)


@runs_app.command("show")
def show_run(
    run_id: RunId, store: StoreOption = None, fmt: FormatOption = Format.table, wide: WideOption = False
) -> None:
    """Show one run: what was run, when, how it ended, and its result."""
    st, record = _get(store, run_id)
    st.close()
    if fmt is Format.json:
        emit_json(record.to_dict())
        return
    rows = [
        ("run", record.id),
        ("kind", record.kind),
        ("status", record.status),
        ("error", record.error or ""),
        ("scenario", f"{record.scenario_title or ''} ({record.scenario_id})" if record.scenario_id else "–"),
        ("model", record.model or "–"),
        ("params", json.dumps(record.params, ensure_ascii=False)),
        ("seed", "–" if record.seed is None else str(record.seed)),
        ("parley", record.parley_version),
        ("created", _when(record)),
        ("duration", _duration(record.duration)),
        ("host / pid", f"{record.host or '?'} / {record.pid or '?'}"),
        ("samples", ", ".join(record.samples) or "–"),
    ]
    for key, value in rows:
        if value:
            say(f"{key}: {value}", hang="    ")
    result = record.result
    if isinstance(result, dict) and isinstance(result.get("outcomes"), dict) and result["outcomes"]:
        show(_outcome_table(result["outcomes"]))
    elif isinstance(result, dict):
        say(f"result keys: {', '.join(map(str, result))} (see --format json)")
    elif result is not None:
        say("result: see --format json")


def _num(value: Any) -> str:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    return f"{value:.4g}" if ok else "–"


def _outcome_table(outcomes: dict[str, Any]) -> Table:
    """Outcome per issue: one value (a forecast), or a summary of draws (mean, quantiles)."""
    from rich.table import Table

    table = Table(title="outcomes", title_justify="left")
    table.add_column("issue")
    first = next(iter(outcomes.values()))
    stats = [k for k in ("mean", "sd", "q05", "q50", "q95") if isinstance(first, dict) and k in first]
    for col in stats or ["value"]:
        table.add_column(col, justify="right")
    for issue, value in outcomes.items():
        cells = [_num(value.get(k)) for k in stats] if isinstance(value, dict) else [_num(value)]
        table.add_row(str(issue).replace("[", r"\["), *cells)
    return table


@runs_app.command("export")
def export(
    run_id: RunId,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file (default: stdout)")] = None,
    store: StoreOption = None,
    samples: Annotated[bool, typer.Option("--samples/--no-samples", help="include sample arrays")] = True,
) -> None:
    """Export one run as JSON: scenario, model, params, seed, version, result and samples."""
    st, record = _get(store, run_id)
    try:
        data = st.export_run(record.id, include_samples=samples)
    except ParleyError as e:
        fail(e)
    finally:
        st.close()
    if output is None:
        emit_json(data)
        return
    text = json.dumps(json_safe(data), indent=2, ensure_ascii=False) + "\n"
    try:
        write_text_atomic(output, text)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}")
    note(f"exported run {record.id} to {output}")


@runs_app.command("delete")
def delete(
    run_id: Annotated[str, typer.Argument(help="the run's full id")],
    store: StoreOption = None,
) -> None:
    """Delete a run with its results and samples (its scenario stays while other runs use it)."""
    st = open_store(store)
    try:
        st.delete_run(run_id.strip().lower())
    except ParleyError as e:
        fail(e)
    finally:
        st.close()
    say(f"deleted run {run_id.strip().lower()}")
