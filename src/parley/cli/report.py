"""``parley report`` and ``parley serve``: the HTML report (calls :func:`parley.tasks.report`) and the web app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parley.cli.common import (
    AsOfOption,
    NoStoreOption,
    StoreOption,
    check_output_path,
    err,
    fail,
    keeper,
    load_as_of,
    open_store,
    out,
)
from parley.cli.layout import note, say
from parley.errors import ParleyError
from parley.tasks.defaults import MONTECARLO_DRAWS, REPORT_SEED

app = typer.Typer()


@app.command()
def report(
    file: Annotated[Path | None, typer.Argument(help="scenario file (YAML, JSON) or importable CSV")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write")] = Path("report.html"),
    model: Annotated[list[str] | None, typer.Option("--model", "-m", help="models to include (default: all)")] = None,
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=0, help="Monte Carlo draws for the bands")
    ] = MONTECARLO_DRAWS,
    seed: Annotated[int, typer.Option(min=0, help="seed of every random draw")] = REPORT_SEED,
    run_id: Annotated[
        str | None, typer.Option("--run", help="re-render a stored report run, without recomputing")
    ] = None,
    as_of: AsOfOption = None,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Run the standard analyses, keep the run in the store, and write one self-contained HTML report."""
    from parley.tasks.report import ReportOptions, check_report
    from parley.tasks.report import report as run

    try:
        from parley.report import write_report
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
            sc = load_as_of(file, as_of) if file is not None else fail("give a scenario FILE")
            opts = ReportOptions(models=tuple(model or ()), montecarlo_draws=draws, seed=seed)
            check_report(sc, opts)  # an unknown model fails here, before anything is computed or kept
            store = keeper(store_url, no_store)
            with err.status("computing") as status:
                done = run(sc, opts, store=store, progress=lambda name: status.update(f"computing {name}"))
            data, stored_as = done.data, done.run_id
    except ParleyError as e:
        fail(e)
    try:
        path = write_report(data, output)
    except OSError as e:
        again = f"; run {stored_as} is kept: write it again with `parley report --run {stored_as} -o FILE`"
        fail(f"cannot write {output}: {e.strerror}{again if stored_as else ''}")
    for name, message in data.get("errors", {}).items():
        note(f"note: {name} not computed: {message}")
    kept_as = f"; run {stored_as} kept in the store" if stored_as else ""
    say(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB){kept_as}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on (localhost only by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    store_url: StoreOption = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            metavar="NAME",
            help="also answer requests for this host name or address (repeatable); localhost, 127.0.0.1, "
            "[::1] and the --host address always are. Other names are refused, against DNS rebinding.",
        ),
    ] = None,
) -> None:
    """Start the local web app: scenarios, runs and reports in a browser, and a JSON API (/docs)."""
    try:
        import uvicorn

        from parley.web import create_app
    except ImportError as e:
        fail(f"the web app needs parley's web extra (pip install 'parley[web]'): {e}")
    try:
        application = create_app(store_url, allowed_hosts=[host, *(allow_host or [])])
    except ParleyError as e:
        fail(e)
    except ValueError as e:
        fail(f"--allow-host: {e}")
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as e:
        fail(f"cannot listen on {host}:{port}: {e.strerror} (is another server using the port? try --port)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        note(f"warning: listening on {host}: anyone who can reach it can read and run your scenarios")
    out.print(
        f"parley web app on http://{host}:{port}/ (store {application.state.store.url}); Ctrl+C to stop", markup=False
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")
