"""The ``forecast`` task: one model on one scenario."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from parley.tasks.base import Progress, RunStore, TaskResult, now, option, resolve_seed, say
from parley.tasks.defaults import DEFAULT_MODEL

if TYPE_CHECKING:
    from parley.scenario.core import Scenario


@dataclass(frozen=True)
class ForecastOptions:
    """What a forecast runs."""

    model: str = option(DEFAULT_MODEL, "a registered model (see `parley models`)")
    params: dict[str, Any] = field(default_factory=dict, metadata={"help": "model parameters; strings are converted"})
    seed: int | None = option(None, "seed for models that draw (default: fresh, recorded)")
    stated: bool = option(False, "use stated instead of revealed positions")


def check_forecast(scenario: Scenario, options: ForecastOptions) -> None:
    """Fail, before computing, for an unknown model or bad parameters."""
    from parley.models.base import get_model

    get_model(options.model, options.params)


def forecast(
    scenario: Scenario,
    options: ForecastOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """Forecast where a negotiation ends up, issue by issue, and keep the run in ``store``.

    Parameters
    ----------
    scenario
        The scenario.
    options
        Model, parameters, seed (drawn fresh when None, and recorded) and positions used.
    store
        Where to keep the run (None: not kept).
    progress
        Told what is being computed.

    Raises
    ------
    ParleyError
        For an unknown model, bad parameters or a bad seed.
    """
    from parley.models.base import get_model

    opts = options or ForecastOptions()
    model = get_model(opts.model, opts.params)
    seed = resolve_seed(opts.seed)
    say(progress, f"forecast: {opts.model}")
    started = now()
    result = model.forecast(scenario, rng=seed, stated=opts.stated)
    data = result.to_dict()
    run_id = None
    if store is not None:
        run_id = store.record(
            "forecast",
            scenario,
            data,
            model=result.model,
            params=result.params,
            seed=result.seed,
            started=started,
            version=result.version or None,
        )
    return TaskResult("forecast", result, data, run_id, result.seed)
