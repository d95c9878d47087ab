"""The ``report`` task: every standard analysis of a scenario, gathered as plain JSON-ready data.

Each section is computed by its own task (forecast, plans, coalitions, montecarlo, sensitivity)
with the report's seed, and none of them is kept on its own: the report is kept as one
``report`` run whose result is the data :func:`parley.report.render_html` renders.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from parley.errors import ParleyError
from parley.tasks.base import Progress, RunStore, TaskResult, option, say
from parley.tasks.defaults import DEFAULT_MODEL, MONTECARLO_DRAWS, REPORT_SEED, REPORT_SENSITIVITY_SAMPLES

if TYPE_CHECKING:
    from parley.scenario.core import Scenario


@dataclass(frozen=True)
class ReportOptions:
    """What a report computes.

    Attributes
    ----------
    models
        Models to forecast with; empty means every registered model.
    montecarlo_draws
        Monte Carlo draws for the forecast bands (0 to skip).
    montecarlo_model
        Model used for the bands and for sensitivity.
    sensitivity_samples
        Base sample size for the sensitivity analysis (0 to skip).
    seed
        Seed of every random draw in the report.
    """

    models: tuple[str, ...] = option((), "models to forecast with (default: every registered model)")
    montecarlo_draws: int = option(MONTECARLO_DRAWS, "Monte Carlo draws for the bands (0 skips them)")
    montecarlo_model: str = option(DEFAULT_MODEL, "model of the bands and of the sensitivity analysis")
    sensitivity_samples: int = option(REPORT_SENSITIVITY_SAMPLES, "sensitivity base samples (0 skips it)")
    seed: int = option(REPORT_SEED, "seed of every random draw in the report")
    extra: dict[str, Any] = field(default_factory=dict, metadata={"help": "anything else, kept with the options"})


def check_report(scenario: Scenario, options: ReportOptions) -> None:
    """Fail, before computing, for an unknown model or a negative size."""
    from parley.models.base import get_model

    for name in options.models:
        get_model(name)
    if options.montecarlo_draws < 0 or options.sensitivity_samples < 0:
        raise ParleyError("the report's Monte Carlo draws and sensitivity samples must be 0 or more")


def _section(
    name: str, step: tuple[int, int], progress: Progress | None, fn: Callable[[], Any], errors: dict[str, str]
) -> Any:
    """Run one section, telling ``progress`` that ``step[0]`` of ``step[1]`` steps are done as it starts."""
    done, total = step
    say(progress, f"{name} (step {done + 1} of {total})", done, total)
    try:
        return fn()
    except ParleyError as e:
        errors[name] = str(e)
    except ImportError as e:  # an optional part not installed
        errors[name] = f"not available: {e}"
    return None


def _counted(progress: Progress | None) -> Progress | None:
    """``progress`` as a counted progress: a callable that takes only the message (as the report's callers
    passed before it counted its steps) gets the message alone."""
    if progress is None:
        return None
    try:
        inspect.signature(progress).bind("", 0, 1)
    except TypeError:  # takes only the message
        only_message = progress
        return lambda message, done=None, total=None: only_message(message)
    except ValueError:  # no signature to read (a builtin): assume it counts
        pass
    return progress


def _within(progress: Progress | None, name: str, step: tuple[int, int]) -> Progress | None:
    """A section's own progress as the report's: its messages, counted as the report's step ``step``.

    A section's counted steps (draws, model runs) show in the message; the count stays the report's steps, so
    the report's progress never goes back.
    """
    if progress is None:
        return None
    done, total = step

    def tell(message: str, inner_done: int | None = None, inner_total: int | None = None) -> None:
        progress(f"{name} (step {done + 1} of {total}): {message}", done, total)

    return tell


def report_data(
    scenario: Scenario, options: ReportOptions | None = None, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Compute every section of the report for ``scenario`` (nothing is kept).

    Parameters
    ----------
    scenario
        The scenario to report on.
    options
        What to compute (see :class:`ReportOptions`).
    progress
        Told each step as it starts, counted: ``progress(message, done, total)`` with one step per model's
        forecast and one per section of :data:`SECTIONS` (``done`` steps finished of ``total``), and the sections'
        own steps (draws, model runs) in the message; at the end ``done == total``. A callable that takes only
        the message is told the message alone.

    Returns
    -------
    dict
        JSON-ready data; :func:`parley.report.render_html` turns it into HTML.
    """
    from parley._version import __version__
    from parley.models.base import available_models
    from parley.tasks.forecast import ForecastOptions

    opts = options or ReportOptions()
    progress = _counted(progress)
    names: Sequence[str] = opts.models or tuple(available_models())
    errors: dict[str, str] = {}
    timings: dict[str, float] = {}
    forecasts: dict[str, Any] = {}
    steps = len(names) + len(SECTIONS)
    for k, name in enumerate(names):
        t0 = time.perf_counter()
        piece = functools.partial(_forecast_data, scenario, ForecastOptions(model=name, seed=opts.seed))
        result = _section(f"forecast: {name}", (k, steps), progress, piece, errors)
        timings[f"forecast: {name}"] = time.perf_counter() - t0
        if result is not None:
            forecasts[name] = result
    data: dict[str, Any] = {
        "meta": {
            "parley_version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "scenario_id": scenario.scenario_id,
            "title": scenario.title,
            "source": scenario.source,
            "seed": opts.seed,
            "options": {k: v for k, v in opts.__dict__.items() if k != "extra"},
        },
        "scenario": scenario.spec.model_dump(mode="json", by_alias=True),
        "forecasts": forecasts,
        "errors": errors,
        "timings": timings,
    }
    for k, (key, builder) in enumerate(SECTIONS.items(), start=len(names)):
        t0 = time.perf_counter()
        inner = _within(progress, key, (k, steps))
        value = _section(key, (k, steps), progress, functools.partial(builder, scenario, opts, inner), errors)
        timings[key] = time.perf_counter() - t0
        if value is not None:
            data[key] = value
    say(progress, f"every section computed ({steps} steps)", steps, steps)
    return data


def report(
    scenario: Scenario,
    options: ReportOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """Compute a report and keep it in ``store`` as a ``report`` run (its id goes into ``meta.run_id``).

    The run is written ``running`` first and ``done`` with the data, so a report that fails
    leaves a failed run. Returns the data as both ``result`` and ``data``.

    Raises
    ------
    ParleyError
        For an unknown model or a negative size (checked before anything is computed).
    """
    opts = options or ReportOptions()
    check_report(scenario, opts)
    if store is None:
        data = report_data(scenario, opts, progress=progress)
        return TaskResult("report", data, data, None, opts.seed)
    params = {k: v for k, v in opts.__dict__.items() if k != "extra"}
    with store.run("report", scenario, params=params, seed=opts.seed) as run:
        data = report_data(scenario, opts, progress=progress)
        data["meta"]["run_id"] = run.id
        run.finish(data)
    return TaskResult("report", data, data, str(run.id), opts.seed)


def _forecast_data(scenario: Scenario, options: Any) -> dict[str, Any]:
    from parley.tasks.forecast import forecast

    return forecast(scenario, options).data


def _plans(scenario: Scenario, opts: ReportOptions, progress: Progress | None = None) -> dict[str, Any] | None:
    if not scenario.plans:
        return None
    from parley.tasks.defaults import plan_models
    from parley.tasks.plans import PlansOptions, plans

    return plans(scenario, PlansOptions(seed=opts.seed, models=plan_models(every=True)), progress=progress).data


def _brief(scenario: Scenario, opts: ReportOptions, progress: Progress | None = None) -> dict[str, Any] | None:
    if not scenario.plans or opts.montecarlo_draws <= 0:
        return None
    from parley.tasks.brief import BriefOptions, brief

    return brief(scenario, BriefOptions(n=opts.montecarlo_draws, seed=opts.seed), progress=progress).data


def _timeline(scenario: Scenario, opts: ReportOptions, progress: Progress | None = None) -> dict[str, Any] | None:
    if not scenario.spec.events or opts.montecarlo_draws <= 0:
        return None
    from parley.tasks.timeline import TimelineOptions, timeline

    # a fifth of the report's draws at each date (at least 100): dozens of dates, each a brief
    draws = max(100, opts.montecarlo_draws // 5)
    return timeline(scenario, TimelineOptions(draws=draws, seed=opts.seed), progress=progress).data


def _coalitions(scenario: Scenario, opts: ReportOptions, progress: Progress | None = None) -> dict[str, Any] | None:
    if len(scenario.actors) < 2:
        return None
    from parley.tasks.plans import coalitions

    return coalitions(scenario, progress=progress).data


def _montecarlo(scenario: Scenario, opts: ReportOptions, progress: Progress | None = None) -> dict[str, Any] | None:
    if opts.montecarlo_draws <= 0:
        return None
    from parley.tasks.uncertainty import MonteCarloOptions, montecarlo

    run = MonteCarloOptions(model=opts.montecarlo_model, n=opts.montecarlo_draws, seed=opts.seed, workers=1)
    data = dict(montecarlo(scenario, run, progress=progress).data)
    data.pop("inputs", None)  # the per-draw inputs stay out of the report's data
    return data


def _sensitivity(scenario: Scenario, opts: ReportOptions, progress: Progress | None = None) -> dict[str, Any] | None:
    if opts.sensitivity_samples <= 0:
        return None
    from parley.analysis.uncertainty.inputs import InputSpace

    if not InputSpace.from_scenario(scenario, None).inputs:
        return None
    from parley.tasks.uncertainty import SensitivityOptions, sensitivity

    run = SensitivityOptions(model=opts.montecarlo_model, n=opts.sensitivity_samples, seed=opts.seed, workers=1)
    return sensitivity(scenario, run, progress=progress).data


SECTIONS: dict[str, Callable[[Scenario, ReportOptions, Progress | None], dict[str, Any] | None]] = {
    "brief": _brief,
    "timeline": _timeline,
    "plans": _plans,
    "coalitions": _coalitions,
    "montecarlo": _montecarlo,
    "sensitivity": _sensitivity,
}
"""The report's analysis sections, in order; each returns JSON-ready data or None (not applicable), and tells
its own steps to the progress it is given."""
