"""The registry of task kinds: name → function and options; the front ends dispatch through it."""

from __future__ import annotations

from parley.errors import ParleyError
from parley.tasks.backtest import BacktestOptions, backtest, check_backtest
from parley.tasks.base import TaskKind
from parley.tasks.brief import BriefOptions, brief, check_brief
from parley.tasks.forecast import ForecastOptions, check_forecast, forecast
from parley.tasks.plans import CoalitionsOptions, PlansOptions, check_plans, coalitions, plans
from parley.tasks.report import ReportOptions, check_report, report
from parley.tasks.timeline import TimelineOptions, check_timeline, timeline
from parley.tasks.uncertainty import (
    MonteCarloOptions,
    SensitivityOptions,
    check_montecarlo,
    check_sensitivity,
    montecarlo,
    sensitivity,
)

TASKS: dict[str, TaskKind] = {
    k.name: k
    for k in (
        TaskKind("forecast", forecast, ForecastOptions, "where the negotiation ends up", check=check_forecast),
        TaskKind("plans", plans, PlansOptions, "each plan scored for every actor", check=check_plans),
        TaskKind(
            "brief",
            brief,
            BriefOptions,
            "the bottom line: P(deal) per text and who must say yes",
            check=check_brief,
            aliases={"draws": "n"},
        ),
        TaskKind("coalitions", coalitions, CoalitionsOptions, "alignment, blocs and pivotal actors"),
        TaskKind(
            "timeline",
            timeline,
            TimelineOptions,
            "the verdicts and the forecast at each date, and what moved them",
            check=check_timeline,
        ),
        TaskKind(
            "montecarlo",
            montecarlo,
            MonteCarloOptions,
            "how sure the answer is: the uncertain inputs drawn many times",
            check=check_montecarlo,
            aliases={"draws": "n"},
        ),
        TaskKind(
            "sensitivity",
            sensitivity,
            SensitivityOptions,
            "which unknown drives the answer",
            check=check_sensitivity,
            aliases={"draws": "n"},
        ),
        TaskKind(
            "backtest",
            backtest,
            BacktestOptions,
            "accuracy against negotiations with known outcomes (DEU)",
            takes="path",
            check=check_backtest,
        ),
        TaskKind(
            "report",
            report,
            ReportOptions,
            "every standard analysis, for one HTML report",
            check=check_report,
            aliases={"draws": "montecarlo_draws"},
        ),
    )
}
"""Every kind of run, by name."""


def get_task(name: str) -> TaskKind:
    """The task kind called ``name``.

    Raises
    ------
    ParleyError
        For a name that is not registered (the message lists the registered ones).
    """
    try:
        return TASKS[name]
    except KeyError:
        raise ParleyError(f"unknown kind {name!r}: {', '.join(TASKS)}") from None


def scenario_tasks() -> tuple[str, ...]:
    """The kinds that run on a scenario (all but those that read a data file)."""
    return tuple(name for name, k in TASKS.items() if k.takes == "scenario")
