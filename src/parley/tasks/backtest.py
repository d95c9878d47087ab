"""The ``backtest`` task: models scored against negotiations with known outcomes (DEU)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from parley.errors import ParleyError
from parley.tasks.base import Progress, RunStore, TaskResult, now, option, resolve_seed, say
from parley.tasks.defaults import backtest_models


@dataclass(frozen=True)
class BacktestOptions:
    """Which models a backtest scores, and how."""

    models: tuple[str, ...] | None = option(None, "models to score (default: every registered model and the baselines)")
    capability: str = option("gdp", "capability proxy: gdp (row 2) or equal")
    by: str = option("auto", "issue, proposal, or auto (by proposal for multi-issue models)")
    seed: int | None = option(None, "seed for models that draw (default: fresh, recorded)")


def check_backtest(path: Path, options: BacktestOptions) -> None:
    """Fail, before computing, for a grouping or capability proxy that does not exist."""
    if options.by not in ("auto", "issue", "proposal"):
        raise ParleyError(f"--by must be auto, issue or proposal, not '{options.by}'")
    if options.capability not in ("gdp", "equal"):
        raise ParleyError(f"the capability proxy must be gdp or equal, not '{options.capability}'")


def backtest(
    path: str | Path,
    options: BacktestOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """Score models against the known outcomes of EU legislative negotiations (the DEU data set at ``path``).

    The run is kept in ``store`` (None: not kept) without a scenario, with the seed used.

    Raises
    ------
    ParleyError
        For a file that cannot be read as DEU data, an unknown model, grouping or proxy.
    """
    from parley.analysis.backtest import backtest_deu

    opts = options or BacktestOptions()
    check_backtest(Path(path), opts)
    models = tuple(opts.models) if opts.models else backtest_models()
    seed = resolve_seed(opts.seed)
    say(progress, f"backtest of {len(models)} models on {Path(path).name}")
    started = now()
    result = backtest_deu(
        path,
        models=models,
        capability=opts.capability,
        by=None if opts.by == "auto" else "issue" if opts.by == "issue" else "proposal",
        rng=seed,
    )
    data = result.to_dict()
    run_id = None
    if store is not None:
        params = {"data": str(path), "models": list(models), "capability": opts.capability, "by": opts.by}
        run_id = store.record("backtest", None, data, params=params, seed=seed, started=started)
    return TaskResult("backtest", result, data, run_id, seed)
