"""The defaults every front end shares, kept here once."""

from __future__ import annotations

DEFAULT_MODEL = "compromise"
"""The model a forecast, a Monte Carlo run or a sensitivity analysis uses when none is named."""

MONTECARLO_DRAWS = 1000
"""Monte Carlo draws when none are asked for (``parley montecarlo``, the report's bands, web jobs)."""

SOBOL_SAMPLES = 1024
"""Base samples of a Sobol' analysis (a power of 2)."""

MORRIS_TRAJECTORIES = 50
"""Trajectories of a Morris screening."""

REPORT_SEED = 20251119
"""The seed of every random draw in a report when none is given (a report is meant to be re-made as is)."""

REPORT_SENSITIVITY_SAMPLES = 256
"""Base samples of the report's sensitivity section."""


def plan_models() -> tuple[str, ...]:
    """Models whose forecasts are scored beside the plans: the static models and the fast registered ones."""
    from parley.analysis.plans.scoring import default_models

    return default_models()


def backtest_models() -> tuple[str, ...]:
    """Models a backtest scores when none are named: every registered model and the baselines."""
    from parley.analysis.backtest import DEFAULT_MODELS

    return tuple(DEFAULT_MODELS)
