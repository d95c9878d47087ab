"""The task layer: one function per kind of run, the one place the front ends call.

Every task takes a scenario (a data file's path, for ``backtest``) and its options, applies
the defaults (model sets, seeds, Monte Carlo sizes: :mod:`parley.tasks.defaults`, kept here
once), runs the analysis, keeps the run in the store it is handed (``store=None``: not kept)
with the seed actually used, and returns a :class:`~parley.tasks.base.TaskResult` (the result,
its JSON-ready data, the run id and the seed).

- :mod:`parley.tasks.forecast` — ``forecast``
- :mod:`parley.tasks.plans` — ``plans``, ``coalitions``
- :mod:`parley.tasks.uncertainty` — ``montecarlo``, ``sensitivity``
- :mod:`parley.tasks.backtest` — ``backtest``
- :mod:`parley.tasks.report` — ``report`` (the sections above, gathered for one HTML report)
- :mod:`parley.tasks.registry` — ``TASKS``: name → function, options and checks; the CLI and
  the web app dispatch through it.

The store sits above this layer: a task never imports it, it is handed an open one (anything
with :class:`~parley.tasks.base.RunStore`'s ``record`` and ``run``). Analysis modules are
imported inside the tasks, so importing :mod:`parley.tasks` stays cheap and pulls in no
front-end framework.
"""

from parley.tasks.backtest import BacktestOptions, backtest
from parley.tasks.base import Progress, RunStore, TaskKind, TaskResult, resolve_seed
from parley.tasks.forecast import ForecastOptions, forecast
from parley.tasks.plans import CoalitionsOptions, PlansOptions, coalitions, plans
from parley.tasks.registry import TASKS, get_task, scenario_tasks
from parley.tasks.report import ReportOptions, report, report_data
from parley.tasks.uncertainty import MonteCarloOptions, SensitivityOptions, montecarlo, sensitivity

__all__ = [
    "TASKS",
    "BacktestOptions",
    "CoalitionsOptions",
    "ForecastOptions",
    "MonteCarloOptions",
    "PlansOptions",
    "Progress",
    "ReportOptions",
    "RunStore",
    "SensitivityOptions",
    "TaskKind",
    "TaskResult",
    "backtest",
    "coalitions",
    "forecast",
    "get_task",
    "montecarlo",
    "plans",
    "report",
    "report_data",
    "resolve_seed",
    "scenario_tasks",
    "sensitivity",
]
