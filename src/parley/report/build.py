"""Run the standard analyses for a report and gather their results as plain JSON-ready data."""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from parley.errors import ParleyError
from parley.models.base import available_models, get_model
from parley.scenario.core import Scenario

Progress = Callable[[str], None]


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

    models: tuple[str, ...] = ()
    montecarlo_draws: int = 1000
    montecarlo_model: str = "compromise"
    sensitivity_samples: int = 256
    seed: int = 20251119
    extra: dict[str, Any] = field(default_factory=dict)


def _section(name: str, progress: Progress | None, fn: Callable[[], Any], errors: dict[str, str]) -> Any:
    if progress is not None:
        progress(name)
    try:
        return fn()
    except ParleyError as e:
        errors[name] = str(e)
    except ImportError as e:  # an optional part not installed
        errors[name] = f"not available: {e}"
    return None


def build_report_data(
    scenario: Scenario, options: ReportOptions | None = None, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Compute every section of the report for ``scenario``.

    Parameters
    ----------
    scenario
        The scenario to report on.
    options
        What to compute (see :class:`ReportOptions`).
    progress
        Called with the name of each section as it starts.

    Returns
    -------
    dict
        JSON-ready data; :func:`parley.report.render_html` turns it into HTML.
    """
    from parley._version import __version__

    opts = options or ReportOptions()
    names: Sequence[str] = opts.models or tuple(available_models())
    errors: dict[str, str] = {}
    timings: dict[str, float] = {}
    forecasts: dict[str, Any] = {}
    for name in names:
        t0 = time.perf_counter()
        result = _section(
            f"forecast: {name}",
            progress,
            _forecaster(scenario, name, opts.seed),
            errors,
        )
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
    for key, builder in _optional_sections().items():
        t0 = time.perf_counter()
        value = _section(key, progress, functools.partial(builder, scenario, opts), errors)
        timings[key] = time.perf_counter() - t0
        if value is not None:
            data[key] = value
    return data


def build_and_keep(
    scenario: Scenario, options: ReportOptions, store: Any | None, *, progress: Progress | None = None
) -> tuple[dict[str, Any], str | None]:
    """Compute a report and, with a store, keep it as a ``report`` run (its id goes into the data).

    Returns the report data and the run id (None without a store).
    """
    if store is None:
        return build_report_data(scenario, options, progress=progress), None
    params = {k: v for k, v in options.__dict__.items() if k != "extra"}
    with store.run("report", scenario, params=params, seed=options.seed) as run:
        data = build_report_data(scenario, options, progress=progress)
        data["meta"]["run_id"] = run.id
        run.finish(data)
        return data, str(run.id)


def _forecaster(scenario: Scenario, name: str, seed: int) -> Callable[[], dict[str, Any]]:
    return lambda: get_model(name).forecast(scenario, rng=seed).to_dict()


def _plans(scenario: Scenario, opts: ReportOptions) -> dict[str, Any] | None:
    if not scenario.plans:
        return None
    from parley.analysis.plans.report import plan_report

    return plan_report(scenario, models=("compromise", "median", "nash"), rng=opts.seed).to_dict()


def _brief(scenario: Scenario, opts: ReportOptions) -> dict[str, Any] | None:
    if not scenario.plans or opts.montecarlo_draws <= 0:
        return None
    from parley.analysis.plans.brief import brief

    return brief(scenario, n=opts.montecarlo_draws, seed=opts.seed).to_dict()


def _coalitions(scenario: Scenario, opts: ReportOptions) -> dict[str, Any] | None:
    if len(scenario.actors) < 2:
        return None
    from parley.analysis.plans.coalitions import coalition_analysis

    return coalition_analysis(scenario).to_dict()


def _montecarlo(scenario: Scenario, opts: ReportOptions) -> dict[str, Any] | None:
    if opts.montecarlo_draws <= 0:
        return None
    from parley.analysis.uncertainty.montecarlo import monte_carlo

    result = monte_carlo(scenario, opts.montecarlo_model, n=opts.montecarlo_draws, seed=opts.seed, runner="sequential")
    data: dict[str, Any] = result.to_dict()
    data.pop("inputs", None)  # the per-draw inputs stay out of the report's data
    return data


def _sensitivity(scenario: Scenario, opts: ReportOptions) -> dict[str, Any] | None:
    if opts.sensitivity_samples <= 0:
        return None
    from parley.analysis.uncertainty.montecarlo import InputSpace

    if not InputSpace.from_scenario(scenario, None).inputs:
        return None
    from parley.analysis.uncertainty.sensitivity import sobol

    result = sobol(scenario, opts.montecarlo_model, n=opts.sensitivity_samples, seed=opts.seed, runner="sequential")
    return result.to_dict()


def _optional_sections() -> dict[str, Callable[[Scenario, ReportOptions], Any]]:
    """Sections computed by analysis modules; each returns JSON-ready data or None."""
    return {
        "brief": _brief,
        "plans": _plans,
        "coalitions": _coalitions,
        "montecarlo": _montecarlo,
        "sensitivity": _sensitivity,
    }
