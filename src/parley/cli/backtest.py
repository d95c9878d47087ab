"""``parley backtest deu``: model accuracy against known outcomes (calls :func:`parley.tasks.backtest`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from parley.cli.common import (
    Capability,
    Format,
    NoStoreOption,
    StoreOption,
    check_output_path,
    emit_json,
    err,
    fail,
    keeper,
    kept,
)
from parley.cli.layout import WideOption, note, say, show
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
    cv: Annotated[
        int,
        typer.Option(
            "--cv",
            min=0,
            help="K: grouped cross-validation with K folds by proposal (nested, repeated), adding the "
            "stacked ensemble and 80% intervals; 0 = the plain backtest",
        ),
    ] = 0,
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="repetitions of the CV with fresh folds")] = 10,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="seed of the models, and of the folds and bootstrap (CV: 0)")
    ] = None,
    fit_ensemble: Annotated[
        bool,
        typer.Option(
            "--fit-ensemble",
            help="fit the ensemble's weights on all issues and calibrate its intervals from the CV "
            "(5 folds unless --cv); write them with -o",
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="weights file to write (with --fit-ensemble)")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Score models against the known outcomes of EU legislative negotiations (DEU).

    With no --model, scores every registered model and the baselines side by side; the
    'by' column says whether a row ran each issue alone or each proposal's issues together.
    With --cv K, every model and the stacked ensemble are cross-validated with folds grouped
    by proposal, with the difference from compromise and the coverage of 80% intervals.
    """
    from parley.tasks.backtest import BacktestOptions, check_backtest
    from parley.tasks.backtest import backtest as run

    if output is not None and not fit_ensemble:
        fail("-o/--output writes fitted weights: use it with --fit-ensemble")
    if fit_ensemble and output is None:
        fail("--fit-ensemble needs -o/--output FILE for the weights")
    if (cv or fit_ensemble) and by != "auto":
        fail("--by applies to the plain backtest; the CV runs every model its own way (auto)")
    if output is not None:
        check_output_path(output)
    if cv or fit_ensemble:
        _backtest_cv(path, model, capability, cv or 5, repeats, 0 if seed is None else seed, output, fmt)
        return
    opts = BacktestOptions(models=tuple(model) if model else None, capability=capability.value, by=by, seed=seed)
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
    if "ensemble" in data["models"]:
        from parley.analysis.validation import fitted_on

        if fitted_on(path):
            note(
                f"note: the ensemble's shipped weights were fitted on {path.name}, so its error here is in-sample; "
                "use --cv K for an honest figure.",
            )
    if fmt is Format.json:
        emit_json(data)
        return
    from rich.table import Table

    say(f"DEU backtest — {path.name}, capability {capability.value}, {data['issues']} issues")
    scored = [(row["mae"], name) for name, row in data["models"].items() if row["mae"] == row["mae"]]
    if scored:
        mae, name = min(scored)
        say(f"  Lowest mean absolute error: {name} ({_cell(mae)} points on the 0–100 scale)")
    table = Table()
    for col in ("model", "by", "n", "MAE", "median AE", "within 10", "failed"):
        table.add_column(col, justify="left" if col in ("model", "by") else "right")

    for name, row in data["models"].items():
        table.add_row(
            name,
            row["by"],
            str(row["n"]),
            _cell(row["mae"]),
            _cell(row["median_ae"]),
            _cell(row["within_10"], 100.0, "%"),
            str(row["failed"]),
        )
    show(table)


def _cell(x: float, scale: float = 1.0, unit: str = "") -> str:
    return "–" if x is None or math.isnan(x) else f"{scale * x:.{1 if unit else 2}f}{unit}"


def _backtest_cv(
    path: Path,
    model: list[str] | None,
    capability: Capability,
    folds: int,
    repeats: int,
    seed: int,
    output: Path | None,
    fmt: Format,
) -> None:
    """``backtest deu --cv``: the cross-validated table, and with --fit-ensemble the weights file."""
    from rich.table import Table

    from parley.analysis.backtest import DEFAULT_MODELS
    from parley.analysis.validation import fit_ensemble, validate_deu, write_fit
    from parley.models.calibration import INTERVAL_LABEL

    try:
        with err.status("cross-validating"):
            bp, result = validate_deu(
                path, model or DEFAULT_MODELS, capability=capability.value, folds=folds, repeats=repeats, seed=seed
            )
    except ParleyError as e:
        fail(e)
    data = result.to_dict()
    written = None
    if output is not None:
        command = (
            f"parley backtest deu {path.name} --fit-ensemble --cv {folds} --repeats {repeats} --seed {seed} "
            f"--capability {capability.value} -o {output.name}"
        )
        fit = fit_ensemble(bp, result, command=command)
        try:
            written = write_fit(fit, output)
        except OSError as e:
            fail(f"cannot write {output}: {e.strerror}")
        data["fit"] = fit.to_dict()
    if fmt is Format.json:
        emit_json(data)
        return
    cvd = data["cv"]
    say(
        f"DEU grouped cross-validation — {path.name}, capability {capability.value}, {data['issues']} issues in "
        f"{cvd['proposals']} proposals; {folds} folds by proposal x {repeats} repeats, seed {seed}"
    )
    ens = data["models"]["ensemble"]
    say(f"  ensemble: {data['verdict']}.", hang="    ")
    table = Table()
    cols = ("model", "by", "n", "MAE", "median AE", "within 10", "Δ vs compromise [95% CI]", "80% cover", "width")
    for col in cols:
        table.add_column(col, justify="left" if col in ("model", "by") else "right", no_wrap=True)
    for name, row in data["models"].items():
        lo, hi = row["diff_ci95"]
        diff = "–" if name == "compromise" else f"{row['diff_vs_compromise']:+.2f} [{lo:+.2f}, {hi:+.2f}]"
        table.add_row(
            name,
            row["by"],
            str(row["n"]),
            _cell(row["mae"]),
            _cell(row["median_ae"]),
            _cell(row["within_10"], 100.0, "%"),
            diff,
            _cell(row["interval_coverage"]["absolute"], 100.0, "%"),
            _cell(row["interval_width"]["absolute"]),
        )
    show(table)
    v = data["variants_tried"]
    say(f"ensemble MAE by repeat {min(ens['mae_repeats']):.2f}–{max(ens['mae_repeats']):.2f}.")
    say(
        f"80% intervals: split-conformal, nested (quantile from inner CV on the training proposals); coverage "
        f"absolute {100 * ens['interval_coverage']['absolute']:.1f}%, spread-scaled "
        f"{100 * ens['interval_coverage']['spread']:.1f}% (mean width {ens['interval_width']['absolute']:.1f} / "
        f"{ens['interval_width']['spread']:.1f}) — {INTERVAL_LABEL}.",
    )
    say(
        f"variants tried: {v['total']} ({v['stack']} stack specification x {v['intervals']} interval kinds); "
        "base models have no fitted parameters, so their forecasts are computed once and reused in every fold.",
    )
    if written is not None:
        say(f"wrote {written}: {fit.summary()}")
