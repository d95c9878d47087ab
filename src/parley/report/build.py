"""Compute a report (through the ``report`` task) and keep it: the report layer's side of computing.

The sections themselves are computed by the tasks (:mod:`parley.tasks.report` calls the
forecast, plans, coalitions, Monte Carlo and sensitivity tasks with the report's seed); this
module gives the report package its two entry points for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parley.scenario.core import Scenario
from parley.tasks.base import RunStore
from parley.tasks.report import ReportOptions, report, report_data

__all__ = [
    "build_and_keep",
    "build_report_data",
]


def build_report_data(
    scenario: Scenario, options: ReportOptions | None = None, *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Compute every section of the report for ``scenario`` (nothing is kept); see :func:`parley.tasks.report_data`."""
    return report_data(scenario, options, progress=progress)


def build_and_keep(
    scenario: Scenario,
    options: ReportOptions,
    store: RunStore | None,
    *,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], str | None]:
    """Compute a report and, with a store, keep it as a ``report`` run (its id goes into the data).

    Returns the report data and the run id (None without a store).
    """
    done = report(scenario, options, store=store, progress=progress)
    return done.data, done.run_id
