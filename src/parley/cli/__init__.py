"""The ``parley`` command line: a thin layer over :mod:`parley.api` (typer + rich)."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from parley.cli.common import Capability, Format, check_output_path, emit_json, err, fail, out, parse_params
from parley.cli.runs import StoreOption, open_store, record_forecast
from parley.errors import ParleyError
from parley.models.base import Forecast, get_model
from parley.scenario.core import Scenario
from parley.store import StoreError

app = typer.Typer(
    name="parley",
    help="Model multi-party negotiations and peace plans: forecast, score plans, test accuracy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
backtest_app = typer.Typer(
    help="Measure model accuracy against negotiations with known outcomes.", no_args_is_help=True
)
app.add_typer(backtest_app, name="backtest")


def _count(items: object, word: str) -> str:
    n = len(items)  # type: ignore[arg-type]
    return f"{n} {word}{'' if n == 1 else 's'}"


def _fmt(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.4g}"


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="scenario file (YAML, JSON) or importable CSV")]) -> None:
    """Check a scenario file: exit 0 when valid, else list every problem on stderr and exit 1."""
    from parley.api import load_scenario

    try:
        sc = load_scenario(file)
    except ParleyError as e:
        fail(e)
    n_prov = sum(len(p.own_provisions) for p in sc.plans)
    out.print(
        f"{file}: valid — {_count(sc.actors, 'actor')}, {_count(sc.issues, 'issue')}, {_count(sc.plans, 'plan')} "
        f"({n_prov} provisions), {len(sc.spec.shocks)} shocks; scenario_id {sc.scenario_id}",
        markup=False,
    )


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
    store_url: StoreOption = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="do not keep the run in the store")] = False,
) -> None:
    """Forecast where a negotiation ends up, issue by issue (the run is kept in the store)."""
    from parley.api import forecast as run_forecast
    from parley.api import load_scenario

    params = parse_params(param)
    try:
        sc = load_scenario(file)
        started = dt.datetime.now(dt.UTC)
        result = run_forecast(sc, model, params, rng=seed, stated=stated)
        if not no_store:
            run_id = record_forecast(open_store(store_url), sc, result, started=started)
            err.print(f"run {run_id} kept in the store", markup=False)
    except (ParleyError, StoreError) as e:
        fail(e)
    for issue, why in (result.diagnostics.get("no_forecast") or {}).items():
        err.print(f"note: '{issue}': {why}", markup=False)
    if fmt is Format.json:
        emit_json(result.to_dict())
        return
    table = Table(title=f"{sc.title} — model {model}", title_justify="left")
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
    out.print(table)
    for line in _forecast_notes(result, sc):
        out.print(line, markup=False)
    out.print(f"scenario_id {result.scenario_id}; seed {result.seed}; params {json.dumps(result.params)}", markup=False)


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


@app.command()
def models(fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """List the registered models with their parameters and references."""
    from parley.api import describe_models

    described = describe_models()
    if fmt is Format.json:
        emit_json(described)
        return
    for name, info in described.items():
        out.print(f"[bold]{name}[/bold] — {info['description']}")
        out.print(f"  reference: {info['reference']}", markup=False)
        for p in info["params"]:
            choices = f" ({' | '.join(map(str, p['choices']))})" if p["choices"] else ""
            out.print(f"  --param {p['name']}={p['default']}{choices}  {p['help']}", markup=False)


@app.command()
def report(
    file: Annotated[Path | None, typer.Argument(help="scenario file (YAML, JSON) or importable CSV")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write")] = Path("report.html"),
    model: Annotated[list[str] | None, typer.Option("--model", "-m", help="models to include (default: all)")] = None,
    draws: Annotated[int, typer.Option("--draws", "-n", min=0, help="Monte Carlo draws for the bands")] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="seed of every random draw")] = 20251119,
    run_id: Annotated[
        str | None, typer.Option("--run", help="re-render a stored report run, without recomputing")
    ] = None,
    store_url: StoreOption = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="do not keep the run in the store")] = False,
) -> None:
    """Run the standard analyses, keep the run in the store, and write one self-contained HTML report."""
    from parley.api import load_scenario

    try:
        from parley.report import ReportOptions, build_and_keep, write_report
    except ImportError as e:
        fail(f"the report needs parley's report extra (pip install 'parley[report]'): {e}")
    if (file is None) == (run_id is None):
        fail("give either a scenario FILE or --run ID")
    check_output_path(output)
    stored_as = None
    try:
        if run_id is not None:
            reader = open_store(store_url)
            record = reader.get_run(reader.resolve(run_id))
            if record.kind != "report" or record.status != "done":
                fail(f"run {record.id} is a {record.status} {record.kind} run, not a finished report")
            data = record.result
        else:
            sc = load_scenario(file) if file is not None else fail("give a scenario FILE")
            for name in model or ():
                get_model(name)  # an unknown model fails here, before anything is computed or kept
            opts = ReportOptions(models=tuple(model or ()), montecarlo_draws=draws, seed=seed)
            store = None if no_store else open_store(store_url)
            with err.status("computing") as status:
                data, stored_as = build_and_keep(
                    sc, opts, store, progress=lambda name: status.update(f"computing {name}")
                )
    except (ParleyError, StoreError) as e:
        fail(e)
    try:
        path = write_report(data, output)
    except OSError as e:
        kept = f"; run {stored_as} is kept: write it again with `parley report --run {stored_as} -o FILE`"
        fail(f"cannot write {output}: {e.strerror}{kept if stored_as else ''}")
    for name, message in data.get("errors", {}).items():
        err.print(f"note: {name} not computed: {message}", markup=False)
    kept = f"; run {stored_as} kept in the store" if stored_as else ""
    out.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB){kept}", markup=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on (localhost only by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    store_url: StoreOption = None,
) -> None:
    """Start the local web app: scenarios, runs and reports in a browser, and a JSON API (/docs)."""
    try:
        import uvicorn

        from parley.web import create_app
    except ImportError as e:
        fail(f"the web app needs parley's web extra (pip install 'parley[web]'): {e}")
    try:
        application = create_app(store_url)
    except StoreError as e:
        fail(e)
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as e:
        fail(f"cannot listen on {host}:{port}: {e.strerror} (is another server using the port? try --port)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            f"warning: listening on {host}: anyone who can reach it can read and run your scenarios", markup=False
        )
    out.print(
        f"parley web app on http://{host}:{port}/ (store {application.state.store.url}); Ctrl+C to stop", markup=False
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")


@backtest_app.command("deu")
def backtest_deu(
    path: Annotated[Path, typer.Argument(help="DEU data set, tab-separated (e.g. deu_train.tsv)")],
    model: Annotated[list[str] | None, typer.Option("--model", "-m", help="model to score (repeatable)")] = None,
    capability: Annotated[Capability, typer.Option(help="capability proxy: gdp (row 2) or equal")] = Capability.gdp,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="[auto|issue|proposal]",
            help="issue: run every model on each issue alone; proposal: on the issues of each proposal "
            "together; auto: by proposal for models that work across issues (exchange, smp), by issue "
            "for the others. Every issue is scored once either way, so rows stay comparable.",
        ),
    ] = "auto",
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Score models against the known outcomes of EU legislative negotiations (DEU).

    With no --model, scores every registered model and the baselines side by side; the
    'by' column says whether a row ran each issue alone or each proposal's issues together.
    """
    from parley.analysis.backtest import DEFAULT_MODELS
    from parley.analysis.backtest import backtest_deu as run

    if by not in ("auto", "issue", "proposal"):
        fail(f"--by must be auto, issue or proposal, not '{by}'")
    try:
        result = run(
            path,
            models=model or DEFAULT_MODELS,
            capability=capability.value,
            by=None if by == "auto" else "issue" if by == "issue" else "proposal",
        )
    except ParleyError as e:
        fail(e)
    data = result.to_dict()
    if fmt is Format.json:
        emit_json(data)
        return
    title = f"DEU backtest — {path.name}, capability {capability.value}, {data['issues']} issues"
    table = Table(title=title, title_justify="left")
    for col in ("model", "by", "n", "MAE", "median AE", "within 10", "failed"):
        table.add_column(col, justify="left" if col in ("model", "by") else "right")

    def cell(x: float, scale: float = 1.0, unit: str = "") -> str:
        return "–" if math.isnan(x) else f"{scale * x:.{1 if unit else 2}f}{unit}"

    for name, row in data["models"].items():
        table.add_row(
            name,
            row["by"],
            str(row["n"]),
            cell(row["mae"]),
            cell(row["median_ae"]),
            cell(row["within_10"], 100.0, "%"),
            str(row["failed"]),
        )
    out.print(table)


def _register_extensions() -> None:
    """Add the command groups that live in their own modules."""
    from parley.cli.plans import register as register_analysis
    from parley.cli.runs import register as register_runs
    from parley.cli.uncertainty import register as register_uncertainty

    register_runs(app)
    register_analysis(app)
    register_uncertainty(app)


_register_extensions()
__all__ = ["Format", "app", "emit_json", "err", "fail", "main", "out", "parse_params"]


def main() -> None:
    """Entry point of the ``parley`` command."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
