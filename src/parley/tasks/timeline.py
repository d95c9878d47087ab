"""The ``timeline`` task: the analyses re-run at each date of a dated scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from parley.errors import ParleyError
from parley.tasks.base import Progress, RunStore, TaskResult, now, option, say

if TYPE_CHECKING:
    from parley.scenario.core import Scenario


@dataclass(frozen=True)
class TimelineOptions:
    """Which dates a timeline covers and how many draws each date's verdicts take."""

    start: str | None = option(None, "first date, YYYY-MM-DD (default: the first dated change)")
    end: str | None = option(None, "last date (default: the last dated change)")
    step: str = option("event", "event: every date something changes; week: every 7 days")
    model: str = option("compromise", "model of the headline forecast")
    draws: int = option(2000, "Monte Carlo draws of P(accept) and P(deal) at each date")
    seed: int = option(0, "seed of every date's draws (the same at each date: dates differ only by the scenario)")


def check_timeline(scenario: Scenario, options: TimelineOptions) -> None:
    """Fail, before computing, for a step or a number of draws that does not exist."""
    if options.step not in ("event", "week"):
        raise ParleyError(f"--step must be week or event, not '{options.step}'")
    if options.draws < 1:
        raise ParleyError(f"draws must be at least 1, got {options.draws}")


def timeline(
    scenario: Scenario,
    options: TimelineOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """The verdicts on every text and the headline forecast at each date, and what moved them.

    Raises
    ------
    ParleyError
        When nothing is dated, the dates are out of order, or the scenario at a date is invalid.
    """
    from parley.analysis.timeline import timeline as run_timeline

    opts = options or TimelineOptions()
    check_timeline(scenario, opts)
    say(progress, "re-running the analysis at each date")
    started = now()
    step: Literal["week", "event"] = "week" if opts.step == "week" else "event"
    result = run_timeline(
        scenario, start=opts.start, end=opts.end, step=step, model=opts.model, rng=opts.seed, draws=opts.draws
    )
    data = result.to_dict()
    run_id = None
    if store is not None:
        params = {"start": opts.start, "end": opts.end, "step": step, "model": opts.model, "draws": opts.draws}
        run_id = store.record("timeline", scenario, data, params=params, seed=opts.seed, started=started)
    return TaskResult("timeline", result, data, run_id, opts.seed)
