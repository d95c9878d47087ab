"""The ``montecarlo`` and ``sensitivity`` tasks: how sure an answer is, and which unknown drives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from parley.errors import ParleyError
from parley.tasks.base import Progress, RunStore, TaskResult, now, option, resolve_seed, say
from parley.tasks.defaults import DEFAULT_MODEL, MONTECARLO_DRAWS, MORRIS_TRAJECTORIES, SOBOL_SAMPLES

if TYPE_CHECKING:
    from parley.scenario.core import Scenario


def runner_for(scheduler: str | None, workers: int | None) -> Any:
    """The runner: a Dask scheduler when given, this process for one worker, else a local process pool."""
    from parley.analysis.uncertainty.runners import get_runner

    if scheduler:
        return get_runner(scheduler)
    if workers == 1:
        return get_runner("sequential")
    return get_runner("process", workers)


def _noise(position: float, salience: float, capability: float) -> Any:
    from parley.analysis.uncertainty.inputs import Noise

    return Noise(position=position, salience=salience, capability=capability)


def _draws(progress: Progress | None, what: str) -> Any:
    if progress is None:
        return None
    return lambda done, total: progress(f"{done} of {total} {what}", done, total)


@dataclass(frozen=True)
class MonteCarloOptions:
    """What a Monte Carlo run draws and how it is run."""

    model: str = option(DEFAULT_MODEL, "a registered model (see `parley models`)")
    params: dict[str, Any] = field(default_factory=dict, metadata={"help": "model parameters"})
    n: int = option(MONTECARLO_DRAWS, "number of draws")
    seed: int | None = option(None, "seed; draw i uses child stream i (default: fresh, recorded)")
    noise_position: float = option(0.0, "sd of position noise, as a share of each scale")
    noise_salience: float = option(0.0, "sd of salience noise (clipped to 0–1)")
    noise_capability: float = option(0.0, "log-sd of a capability factor")
    stated: bool = option(False, "start from stated positions")
    discover: Literal["cart", "prim"] | None = option(None, "explain each plan's veto test with cart or prim")
    scheduler: str | None = option(None, "Dask scheduler address tcp://HOST:PORT (default: local processes)")
    workers: int | None = option(None, "local worker processes (1: run in this process)")
    chunk_size: int | None = option(
        None, "draws per model batch (default: by the scenario's size); smaller batches report progress more often"
    )


def check_montecarlo(scenario: Scenario, options: MonteCarloOptions) -> None:
    """Fail, before computing, for an unknown model or fewer than one draw."""
    from parley.models.base import get_model

    get_model(options.model, options.params)
    if options.n < 1:
        raise ParleyError("a Monte Carlo run needs at least one draw")


def montecarlo(
    scenario: Scenario,
    options: MonteCarloOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """Draw the scenario's uncertain inputs ``n`` times: outcome quantiles, plan acceptance, coalition splits.

    ``data`` is the full result (with every draw's inputs, and ``discovery`` when asked for); the
    run kept in ``store`` (None: not kept) leaves the per-draw inputs out of its result and keeps
    the outcome draws as its ``outcomes`` sample.

    Raises
    ------
    ParleyError
        For an unknown model, a bad seed, noise or runner, or fewer than one draw.
    """
    from parley.analysis.uncertainty.experiment import Experiment
    from parley.analysis.uncertainty.montecarlo import monte_carlo

    opts = options or MonteCarloOptions()
    seed = resolve_seed(opts.seed)
    noise = _noise(opts.noise_position, opts.noise_salience, opts.noise_capability)
    experiment = Experiment.of(scenario, opts.model, opts.params, noise=noise, stated=opts.stated)
    runner = runner_for(opts.scheduler, opts.workers)
    say(progress, f"{opts.n} draws with {experiment.model.name}")
    started = now()
    result = monte_carlo(
        experiment, opts.n, rng=seed, runner=runner, chunk_size=opts.chunk_size, progress=_draws(progress, "draws")
    )
    found = {}
    if opts.discover is not None:
        from parley.analysis.uncertainty.discovery import discover

        for plan in result.plan_ids:
            say(progress, f"where the answer flips on {plan}")
            found[plan] = discover(result, plan, method=opts.discover)
    data = result.to_dict()
    if found:
        data["discovery"] = {p: d.to_dict() for p, d in found.items()}
    run_id = None
    if store is not None:
        kept = {k: v for k, v in data.items() if k != "inputs"}  # the per-draw inputs stay out of the result
        run_id = store.record(
            "montecarlo",
            scenario,
            kept,
            model=result.model,
            params=result.params,
            seed=result.seed,
            samples={"outcomes": result.outcomes},
            started=started,
            version=result.version,
        )
    return TaskResult("montecarlo", result, data, run_id, result.seed, {"discovery": found})


@dataclass(frozen=True)
class SensitivityOptions:
    """Which sensitivity analysis, of what, and how it is run."""

    model: str = option(DEFAULT_MODEL, "a registered model (see `parley models`)")
    params: dict[str, Any] = field(default_factory=dict, metadata={"help": "model parameters"})
    method: Literal["sobol", "morris"] = option("sobol", "sobol (variance shares) or morris (screening)")
    n: int | None = option(
        None, f"sobol: base samples (default {SOBOL_SAMPLES}); morris: trajectories ({MORRIS_TRAJECTORIES})"
    )
    seed: int | None = option(None, "seed (default: fresh, recorded)")
    group_by: Literal["actor", "issue", "input"] = option("actor", "group inputs by actor, issue or input")
    noise_position: float = option(0.0, "sd of position noise, as a share of each scale")
    noise_salience: float = option(0.0, "sd of salience noise (clipped to 0–1)")
    noise_capability: float = option(0.0, "log-sd of a capability factor")
    scheduler: str | None = option(None, "Dask scheduler address tcp://HOST:PORT (default: local processes)")
    workers: int | None = option(None, "local worker processes (1: run in this process)")
    chunk_size: int | None = option(
        None, "model runs per batch (default: by the scenario's size); smaller batches report progress more often"
    )


def check_sensitivity(scenario: Scenario, options: SensitivityOptions) -> None:
    """Fail, before computing, for an unknown model or method."""
    from parley.models.base import get_model

    get_model(options.model, options.params)
    if options.method not in ("sobol", "morris"):
        raise ParleyError(f"the sensitivity method must be sobol or morris, not {options.method!r}")


def sensitivity(
    scenario: Scenario,
    options: SensitivityOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """Which unknown matters: Sobol' indices (the value of clarity of each actor) or Morris effects.

    Raises
    ------
    ParleyError
        For an unknown model or method, a bad seed, noise or runner; ImportError without SALib.
    """
    from parley.analysis.uncertainty import sensitivity as sens
    from parley.analysis.uncertainty.experiment import Experiment

    opts = options or SensitivityOptions()
    check_sensitivity(scenario, opts)
    run = sens.sobol if opts.method == "sobol" else sens.morris
    size = opts.n if opts.n is not None else (SOBOL_SAMPLES if opts.method == "sobol" else MORRIS_TRAJECTORIES)
    seed = resolve_seed(opts.seed)
    noise = _noise(opts.noise_position, opts.noise_salience, opts.noise_capability)
    experiment = Experiment.of(scenario, opts.model, opts.params, noise=noise)
    model = experiment.model
    runner = runner_for(opts.scheduler, opts.workers)
    say(progress, f"{opts.method}: {model.name}")
    started = now()
    result = run(
        experiment,
        size,
        rng=seed,
        group_by=opts.group_by,
        runner=runner,
        chunk_size=opts.chunk_size,
        progress=_draws(progress, "runs"),
    )
    data = result.to_dict()
    run_id = None
    if store is not None:
        run_id = store.record(
            "sensitivity", scenario, data, model=model.name, params=model.params(), seed=result.seed, started=started
        )
    return TaskResult("sensitivity", result, data, run_id, result.seed)
