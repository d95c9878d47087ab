"""``parley backtest deu``: model accuracy against known outcomes (calls :func:`parley.tasks.backtest`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from parley.cli.common import Capability, Format, NoStoreOption, StoreOption, emit_json, fail, keeper, kept, out
from parley.errors import ParleyError

app = typer.Typer(help="Measure model accuracy against negotiations with known outcomes.", no_args_is_help=True)


@app.command("deu")
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
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Score models against the known outcomes of EU legislative negotiations (DEU).

    With no --model, scores every registered model and the baselines side by side; the
    'by' column says whether a row ran each issue alone or each proposal's issues together.
    """
    from parley.tasks.backtest import BacktestOptions, check_backtest
    from parley.tasks.backtest import backtest as run

    opts = BacktestOptions(models=tuple(model) if model else None, capability=capability.value, by=by)
    try:
        check_backtest(path, opts)
    except ParleyError as e:
        fail(e)
    try:
        done = run(path, opts, store=keeper(store_url, no_store))
    except ParleyError as e:
        fail(e)
    kept(done.run_id)
    data = done.data
    if fmt is Format.json:
        emit_json(data)
        return
    from rich.table import Table

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
