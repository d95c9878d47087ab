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


PLAN_MODELS: tuple[str, ...] = ("compromise", "median", "nash", "bdm", "smp")
"""Models whose forecasts a plan analysis scores when none are named: those that forecast the 2025
case in well under 0.1 s (measured: compromise 0.007 s, median 0.001 s, nash 0.05 s, bdm 0.011 s,
smp 0.025 s; exchange 0.76 s, and twice that again on stated positions and after a shock, so it
runs on request: ``parley plans --model exchange`` or ``--all-models``)."""


def plan_models(every: bool = False) -> tuple[str, ...]:
    """Models whose forecasts are scored beside the plans.

    Parameters
    ----------
    every : all registered models that forecast (not the ensemble, which combines them) instead of
        the fast ones (:data:`PLAN_MODELS`)
    """
    from parley.models import available_models

    known = [m for m in available_models() if m != "ensemble"]
    return tuple(known) if every else tuple(m for m in PLAN_MODELS if m in known)


def plan_models_on_request() -> tuple[str, ...]:
    """The registered models a plan analysis leaves out unless asked (the slow ones)."""
    fast = plan_models()
    return tuple(m for m in plan_models(every=True) if m not in fast)


def backtest_models() -> tuple[str, ...]:
    """Models a backtest scores when none are named: every registered model and the baselines."""
    from parley.analysis.backtest import DEFAULT_MODELS

    return tuple(DEFAULT_MODELS)
