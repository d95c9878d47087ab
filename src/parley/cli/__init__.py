"""The ``parley`` command line (typer + rich): one module per command group, each a typer app.

Every command parses its options, calls the task layer (:mod:`parley.tasks`, which applies the
defaults and keeps the run in the store) and renders the result. This module assembles the
groups into one app:

- :mod:`parley.cli.scenario` — ``validate``, ``models``
- :mod:`parley.cli.authoring` — ``schema``, ``new``, ``code``
- :mod:`parley.cli.forecast` — ``forecast``
- :mod:`parley.cli.brief` — ``brief``
- :mod:`parley.cli.plans` — ``plans``, ``coalitions``
- :mod:`parley.cli.uncertainty` — ``montecarlo``, ``sensitivity``
- :mod:`parley.cli.report` — ``report``, ``serve``
- :mod:`parley.cli.backtest` — ``backtest deu``
- :mod:`parley.cli.runs` — ``runs list|show|export|delete``
- :mod:`parley.cli.timeline` — ``timeline``, ``diff``, ``migrate``

Every command prints through :mod:`parley.cli.layout` (a summary first, prose wrapped and tables
fitted to the terminal's width, ``--wide`` for whole tables); ``--format json`` bypasses it.

Heavy libraries (SciPy, SALib, Dask, SQLAlchemy, Plotly, FastAPI) are imported inside the
commands that use them, so ``parley --help`` starts quickly.
"""

from __future__ import annotations

import sys

import typer

from parley.cli import authoring, backtest, brief, forecast, plans, report, runs, scenario, timeline, uncertainty
from parley.cli.common import err

app = typer.Typer(
    name="parley",
    help="Model multi-party negotiations and peace plans: forecast, score plans, test accuracy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for group in (
    scenario.app, authoring.app, forecast.app, brief.app, report.app, plans.app, uncertainty.app, timeline.app
):
    app.add_typer(group)  # no name: the group's commands become top-level commands
app.add_typer(backtest.app, name="backtest")
app.add_typer(runs.runs_app, name="runs")

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``parley`` command."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
