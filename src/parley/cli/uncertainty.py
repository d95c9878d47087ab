"""``parley montecarlo`` and ``parley sensitivity``: uncertainty analysis on the command line.

The commands call :func:`parley.tasks.montecarlo` and :func:`parley.tasks.sensitivity` (which
keep the run in the store). Progress bars go to stderr, results to stdout (or, with
``--output``, to a JSON file written atomically: a run that is stopped leaves no partial file).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from parley.cli.common import (
    AsOfOption,
    Format,
    NoStoreOption,
    StoreOption,
    emit_json,
    err,
    fail,
    keeper,
    kept,
    load_as_of,
    parse_params,
)
from parley.cli.layout import WideOption, note, say, show
from parley.errors import ParleyError
from parley.tasks.defaults import DEFAULT_MODEL, MONTECARLO_DRAWS, MORRIS_TRAJECTORIES, SOBOL_SAMPLES

__all__ = ["app"]

app = typer.Typer()


class Method(StrEnum):
    """Sensitivity methods."""

    sobol = "sobol"
    morris = "morris"


class GroupBy(StrEnum):
    """How sensitivity groups the uncertain inputs."""

    actor = "actor"
    issue = "issue"
    input = "input"


class Finder(StrEnum):
    """Scenario-discovery methods."""

    cart = "cart"
    prim = "prim"


def _pct(x: float) -> str:
    return "–" if x != x else f"{100 * x:.1f}%"


def _num(x: float | None) -> str:
    return "–" if x is None or x != x else f"{x:.4g}"


class _Bar:
    """A rich progress bar on stderr, fed by ``progress(done, total)`` callbacks."""

    def __init__(self, label: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self.task: Any = None

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def __call__(self, message: str, done: int | None = None, total: int | None = None) -> None:
        if done is None:  # a step without a count: nothing to draw
            return
        if self.task is None:
            self.task = self.progress.add_task("", total=total)
        self.progress.update(self.task, completed=done, total=total)


model_opt = typer.Option("--model", "-m", help="a registered model (see `parley models`)")
param_opt = typer.Option("--param", "-p", help="model parameter KEY=VALUE (repeatable)")
seed_opt = typer.Option(min=0, help="seed; draw i uses child stream i (default: fresh, and reported)")
sched_opt = typer.Option("--scheduler", help="Dask scheduler address tcp://HOST:PORT (default: local processes)")
workers_opt = typer.Option("--workers", min=1, help="local worker processes (1: run in this process)")
fmt_opt = typer.Option("--format", "-f", help="table or json")
output_opt = typer.Option("--output", "-o", help="also write the full JSON result to this file (atomically)")
npos_opt = typer.Option("--noise-position", min=0.0, help="sd of position noise, as a share of each scale")
nsal_opt = typer.Option("--noise-salience", min=0.0, help="sd of salience noise (clipped to 0–1)")
ncap_opt = typer.Option("--noise-capability", min=0.0, help="log-sd of a capability factor")


@app.command("montecarlo")
def montecarlo_cmd(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML, JSON) or importable CSV")],
    model: Annotated[str, model_opt] = DEFAULT_MODEL,
    param: Annotated[list[str] | None, param_opt] = None,
    n: Annotated[int, typer.Option("-n", min=1, help="number of draws")] = MONTECARLO_DRAWS,
    seed: Annotated[int | None, seed_opt] = None,
    scheduler: Annotated[str | None, sched_opt] = None,
    workers: Annotated[int | None, workers_opt] = None,
    noise_position: Annotated[float, npos_opt] = 0.0,
    noise_salience: Annotated[float, nsal_opt] = 0.0,
    noise_capability: Annotated[float, ncap_opt] = 0.0,
    stated: Annotated[bool, typer.Option("--stated", help="start from stated positions")] = False,
    discover: Annotated[
        Finder | None, typer.Option("--discover", help="explain each plan's veto test with CART or PRIM")
    ] = None,
    fmt: Annotated[Format, fmt_opt] = Format.table,
    output: Annotated[Path | None, output_opt] = None,
    as_of: AsOfOption = None,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Draw the scenario's uncertain inputs N times: outcome quantiles, plan acceptance, coalition splits."""
    from parley.analysis.uncertainty.runners import write_json_atomic
    from parley.tasks.uncertainty import MonteCarloOptions, montecarlo

    opts = MonteCarloOptions(
        model=model,
        params=parse_params(param),
        n=n,
        seed=seed,
        noise_position=noise_position,
        noise_salience=noise_salience,
        noise_capability=noise_capability,
        stated=stated,
        discover=None if discover is None else discover.value,
        scheduler=scheduler,
        workers=workers,
    )
    try:
        sc = load_as_of(file, as_of)
        store = keeper(store_url, no_store)
        with _Bar(f"{model}: {n} draws") as bar:
            done = montecarlo(sc, opts, store=store, progress=bar)
    except ParleyError as e:
        fail(e)
    result, data = done.result, done.data
    found = done.details["discovery"]
    if output is not None:
        try:
            write_json_atomic(output, data)
        except OSError as e:
            fail(f"cannot write {output}: {e.strerror or e}")
    kept(done.run_id)
    if fmt is Format.json:
        emit_json(data)
        return
    if not result.space.size:
        note("note: nothing in this scenario is uncertain and no noise was asked for: every draw is the same")
    say(f"{sc.title} — model {result.model}, {result.n} draws, seed {result.seed}")
    names = {a.id: a.short_name for a in sc.actors}
    if result.plan_ids:
        best = max(data["plans"].items(), key=lambda kv: kv[1]["passes_vetoes"])
        say(
            f"  Most likely to pass every veto: {best[0]} ({_pct(best[1]['passes_vetoes'])} of draws; "
            f"accepted by all in {_pct(best[1]['accepted_by_all'])})"
            if best[1]["passes_vetoes"] > 0
            else "  No text passes every veto in any draw.",
            hang="    ",
        )
        for plan, v in data["plans"].items():  # who blocks each text: the veto holders that never consent
            never = [names.get(a, a) for a in v["veto_holders"] if v["accept"][a] == 0]
            if never:
                more = f" (+{len(never) - 4} more)" if len(never) > 4 else ""
                say(f"    {plan}: vetoed in every draw by {', '.join(never[:4])}{more}", hang="    ")
        say(
            "  (vetoes: the holders of a veto on an issue the text moves; whether the signatories sign, and "
            "P(deal): parley brief)",
            hang="    ",
        )
    from rich.table import Table

    quantiles = {"mean": "mean", "5%": "q05", "25%": "q25", "50%": "q50", "75%": "q75", "95%": "q95"}
    if not wide:  # the quartiles: with --wide or --format json
        quantiles = {k: v for k, v in quantiles.items() if k not in ("25%", "75%")}
    table = Table(
        title="Outcome per issue (its scale): mean and quantiles over the draws"
        + ("" if wide else " (quartiles: --wide)"),
        title_justify="left",
    )
    table.add_column("issue")
    for col in quantiles:
        table.add_column(col, justify="right")
    for issue in sc.issues:
        q = data["outcomes"][issue.id]
        scale = f"{issue.lower:g}–{issue.upper:g} {issue.unit}".strip()
        table.add_row(f"{issue.label} ({scale})", *(_num(q[k]) for k in quantiles.values()))
    show(table)
    if result.plan_ids:
        plans = Table(title="Plans: probability of acceptance", title_justify="left")
        for col in ("plan", "passes every veto", "all accept", "veto holders", "least willing"):
            plans.add_column(col, justify="right" if col in ("passes every veto", "all accept") else "left")
        for plan, s in data["plans"].items():
            holders = ", ".join(f"{names.get(a, a)} {_pct(s['accept'][a])}" for a in s["veto_holders"]) or "none"
            low = sorted(s["accept"].items(), key=lambda kv: kv[1])[:3]
            plans.add_row(
                plan,
                _pct(s["passes_vetoes"]),
                _pct(s["accepted_by_all"]),
                holders,
                ", ".join(f"{names.get(a, a)} {_pct(p)}" for a, p in low),
            )
        show(plans)
        if result.groups:
            splits = Table(title="Coalition splits: probability a group divides on a plan", title_justify="left")
            splits.add_column("group")
            for plan in result.plan_ids:
                splits.add_column(plan, justify="right")
            for g in result.groups:
                splits.add_row(g, *(_pct(data["plans"][p]["splits"][g]) for p in result.plan_ids))
            show(splits)
    for plan, d in found.items():
        say(f"[bold]{plan}[/bold] — where the answer flips ({d.method}):", markup=True)
        for line in d.describe():
            say(f"  {line}", hang="    ")
    kinds = {"scenario": 0, "noise": 0}
    for i in result.space.inputs:
        kinds[i.source] += 1
    say(
        f"scenario_id {result.scenario_id}; {result.space.size} uncertain inputs "
        f"({kinds['scenario']} from the file, {kinds['noise']} from noise)",
    )


@app.command("sensitivity")
def sensitivity_cmd(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML, JSON) or importable CSV")],
    model: Annotated[str, model_opt] = DEFAULT_MODEL,
    param: Annotated[list[str] | None, param_opt] = None,
    method: Annotated[Method, typer.Option("--method", help="sobol (variance shares) or morris (screening)")] = (
        Method.sobol
    ),
    n: Annotated[
        int | None,
        typer.Option(
            "-n",
            min=2,
            help=f"sobol: base samples (power of 2, default {SOBOL_SAMPLES}); "
            f"morris: trajectories ({MORRIS_TRAJECTORIES})",
        ),
    ] = None,
    seed: Annotated[int | None, seed_opt] = None,
    group_by: Annotated[GroupBy, typer.Option("--group-by", help="group inputs by actor, issue or input")] = (
        GroupBy.actor
    ),
    scheduler: Annotated[str | None, sched_opt] = None,
    workers: Annotated[int | None, workers_opt] = None,
    noise_position: Annotated[float, npos_opt] = 0.0,
    noise_salience: Annotated[float, nsal_opt] = 0.0,
    noise_capability: Annotated[float, ncap_opt] = 0.0,
    fmt: Annotated[Format, fmt_opt] = Format.table,
    output: Annotated[Path | None, output_opt] = None,
    as_of: AsOfOption = None,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Which unknown matters: Sobol' indices (with the value of clarity of each actor) or Morris effects."""
    from parley.analysis.uncertainty.runners import write_json_atomic
    from parley.tasks.uncertainty import SensitivityOptions, sensitivity

    opts = SensitivityOptions(
        model=model,
        params=parse_params(param),
        method=method.value,
        n=n,
        seed=seed,
        group_by=group_by.value,
        noise_position=noise_position,
        noise_salience=noise_salience,
        noise_capability=noise_capability,
        scheduler=scheduler,
        workers=workers,
    )
    try:
        sc = load_as_of(file, as_of)
        store = keeper(store_url, no_store)
        with _Bar(f"{method.value}: {model}") as bar:
            done = sensitivity(sc, opts, store=store, progress=bar)
    except ParleyError as e:
        fail(e)
    result = done.result
    data = done.data
    if output is not None:
        try:
            write_json_atomic(output, data)
        except OSError as e:
            fail(f"cannot write {output}: {e.strerror or e}")
    kept(done.run_id)
    if fmt is Format.json:
        emit_json(data)
        return
    say(
        f"{sc.title} — {method.value}, model {result.model}, n {result.n} ({result.evaluations} runs), "
        f"seed {result.seed}, inputs grouped by {result.group_by}",
    )
    from collections import Counter

    tops: Counter[str] = Counter()
    for groups in result.indices.values():
        key = "ST" if method is Method.sobol else "mu_star"
        ranked = sorted((v[key], g) for g, v in groups.items() if isinstance(v[key], float | int) and v[key] == v[key])
        if ranked and ranked[-1][0] > 0:
            tops[ranked[-1][1]] += 1
    if tops:
        counts = ", ".join(f"{g} on {k}" for g, k in tops.most_common())
        say(
            f"  Matters most ({result.group_by} with the largest index, of {len(result.indices)} outputs): {counts}",
            hang="    ",
        )
    from rich.table import Table

    conf = f"±{round(100 * result.conf_level)}%"
    for output_name, groups in result.indices.items():
        table = Table(title=output_name, title_justify="left")
        table.add_column(result.group_by)
        if method is Method.sobol:
            for col in ("first order S1", conf, "total ST", conf):
                table.add_column(col, justify="right")
            rows = sorted(groups.items(), key=lambda kv: -(kv[1]["ST"] if kv[1]["ST"] == kv[1]["ST"] else -1))
            for g, v in rows:
                table.add_row(g, _num(v["S1"]), _num(v["S1_conf"]), _num(v["ST"]), _num(v["ST_conf"]))
        else:
            for col in ("mu*", conf, "mu", "sigma"):
                table.add_column(col, justify="right")
            rows = sorted(
                groups.items(), key=lambda kv: -(kv[1]["mu_star"] if kv[1]["mu_star"] == kv[1]["mu_star"] else -1)
            )
            for g, v in rows:
                table.add_row(g, _num(v["mu_star"]), _num(v["mu_star_conf"]), _num(v["mu"]), _num(v["sigma"]))
        show(table)
    for output_name, text in result.notes.items():
        say(f"{output_name}: {text}")
    if method is Method.sobol and result.group_by == "actor":
        say(
            "value of clarity = first-order index of an actor's inputs (share of variance removed by "
            "knowing its true stance); total order = the share it takes part in (docs/uncertainty.md)",
        )
