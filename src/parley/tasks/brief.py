"""The ``brief`` task: the bottom line of a scenario — P(deal) per text, who must say yes, the pivotal party."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from parley.errors import ParleyError
from parley.tasks.base import Progress, RunStore, TaskResult, now, option, resolve_seed, say, unique

if TYPE_CHECKING:
    from parley.scenario.core import Scenario

DEFAULT_DRAWS = 2000
"""Monte Carlo draws of a brief (the report uses its own ``montecarlo_draws``)."""


@dataclass(frozen=True)
class BriefOptions:
    """What a brief covers and how many draws it takes."""

    plans: tuple[str, ...] | None = option(None, "plan ids (default: all)")
    n: int = option(DEFAULT_DRAWS, "Monte Carlo draws")
    seed: int | None = option(None, "seed (default: fresh, recorded)")
    model: str = option("compromise", "model of the Monte Carlo forecast")
    logit_scale: float | None = option(None, "random-utility scale λ (0: none; default parley's assumption)")


def check_brief(scenario: Scenario, options: BriefOptions) -> None:
    """Fail, before computing, when there is nothing to brief or an option is out of range."""
    if not scenario.plans:
        raise ParleyError(f"{scenario.source} has no plans to brief")
    if options.n < 1:
        raise ParleyError(f"draws must be at least 1, got {options.n}")
    if options.logit_scale is not None and not options.logit_scale >= 0:
        raise ParleyError(f"the logit scale must be 0 or more, got {options.logit_scale}")


def brief(
    scenario: Scenario,
    options: BriefOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """The bottom line of every text (see :mod:`parley.analysis.plans.brief`), kept in ``store`` with its seed.

    Raises
    ------
    ParleyError
        When the scenario has no plans, or for a bad plan id, model or option.
    """
    from parley.analysis.plans.brief import brief as run_brief
    from parley.analysis.plans.decision import DEFAULT_LOGIT_SCALE

    opts = options or BriefOptions()
    check_brief(scenario, opts)
    seed = resolve_seed(opts.seed)
    plan_ids = unique(opts.plans)
    scale = DEFAULT_LOGIT_SCALE if opts.logit_scale is None else opts.logit_scale
    say(progress, f"drawing {opts.n} times to see who accepts which text")
    started = now()
    result = run_brief(scenario, plan_ids, n=opts.n, seed=seed, model=opts.model, logit_scale=scale)
    data = result.to_dict()
    run_id = None
    if store is not None:
        params = {"plans": plan_ids, "n": opts.n, "model": opts.model, "logit_scale": scale}
        run_id = store.record("brief", scenario, data, params=params, seed=seed, started=started)
    return TaskResult("brief", result, data, run_id, seed)
