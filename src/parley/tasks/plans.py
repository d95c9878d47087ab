"""The ``plans`` and ``coalitions`` tasks: the plan analyses of a scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parley.errors import ParleyError
from parley.tasks.base import Progress, RunStore, TaskResult, now, option, resolve_seed, say, unique
from parley.tasks.defaults import plan_models

if TYPE_CHECKING:
    from parley.scenario.core import Scenario


@dataclass(frozen=True)
class PlansOptions:
    """What a plan analysis scores, and the inputs of its bargaining range."""

    plans: tuple[str, ...] | None = option(None, "plan ids (default: all)")
    shock: str | None = option(None, "compare before and after this shock")
    models: tuple[str, ...] | None = option(
        None, "models whose forecasts are scored (default: the fast ones, tasks.defaults.PLAN_MODELS)"
    )
    issue: str | None = option(None, "bargaining range on this issue only")
    p: float | None = option(None, "A's chance of winning a war (default derived)")
    p_concentration: float | None = option(None, "make p ~ Beta(p·k, (1−p)·k) with this k (k > 0)")
    cost_a: float | None = option(None, "A's cost of war on the 0–1 scale")
    cost_b: float | None = option(None, "B's cost of war on the 0–1 scale")
    allies_a: tuple[str, ...] = option((), "actors or groups on A's side (default: by position)")
    allies_b: tuple[str, ...] = option((), "actors or groups on B's side")
    refusal_shock_a: str | None = option(None, "shock that hits A if it refuses (e.g. aid cut)")
    refusal_shock_b: str | None = option(None, "shock that hits B if it refuses")
    stated: bool = option(False, "score with stated instead of revealed positions")
    seed: int | None = option(None, "seed for models that draw (default: fresh, recorded)")


def check_plans(scenario: Scenario, options: PlansOptions) -> None:
    """Fail, before computing, when there is nothing to score or an input is out of range."""
    from parley.analysis.plans.bargaining import check_input

    if not scenario.plans:
        raise ParleyError(f"{scenario.source} has no plans to score")
    for name in ("p", "cost_a", "cost_b"):
        value = getattr(options, name)
        if value is not None:  # typer's ranges let nan and inf through
            check_input(name, value)


def _bargaining(scenario: Scenario, opts: PlansOptions) -> Any:
    from parley.analysis.plans.acceptability import Fixed, distribution
    from parley.analysis.plans.bargaining import BargainingOptions, bargaining_range

    p_spec: Any = opts.p
    p = opts.p
    if opts.p_concentration is not None:
        if p is None:
            p = bargaining_range(scenario, [], options=BargainingOptions(issue=opts.issue)).p
        p_spec = distribution({"distribution": "beta", "mean": p, "concentration": opts.p_concentration}, "--p")
    elif p is not None:
        p_spec = Fixed(p)
    return BargainingOptions(
        issue=opts.issue,
        p=p_spec,
        cost_a=opts.cost_a,
        cost_b=opts.cost_b,
        refusal_shock_a=opts.refusal_shock_a,
        refusal_shock_b=opts.refusal_shock_b,
        allies_a=tuple(opts.allies_a),
        allies_b=tuple(opts.allies_b),
    )


def plans(
    scenario: Scenario,
    options: PlansOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """Score each plan for every actor (acceptance, vetoes, concessions, bargaining range, durability).

    With ``options.shock``, the analysis before and after the shock and what changed. The run is
    kept in ``store`` (None: not kept) with the seed used.

    Raises
    ------
    ParleyError
        When the scenario has no plans, or for a bad input, shock or model.
    """
    from parley.analysis.plans.report import compare, plan_report
    from parley.analysis.plans.scoring import ScoringOptions

    opts = options or PlansOptions()
    check_plans(scenario, opts)
    seed = resolve_seed(opts.seed)
    models = tuple(opts.models) if opts.models is not None else plan_models()
    plan_ids = unique(opts.plans)
    kwargs: dict[str, Any] = {
        "options": ScoringOptions(stated=opts.stated),
        "models": models,
        "bargaining": _bargaining(scenario, opts),
        "rng": seed,
    }
    say(progress, "scoring every plan for every actor")
    started = now()
    result: Any = (
        compare(scenario, opts.shock, plan_ids, **kwargs)
        if opts.shock is not None
        else plan_report(scenario, plan_ids, **kwargs)
    )
    data = result.to_dict()
    run_id = None
    if store is not None:
        params = {"plans": plan_ids, "shock": opts.shock, "models": list(models), "stated": opts.stated}
        params.update(
            {
                k: getattr(opts, k)
                for k in ("issue", "p", "p_concentration", "cost_a", "cost_b")
                if getattr(opts, k) is not None
            }
        )
        run_id = store.record("plans", scenario, data, params=params, seed=seed, started=started)
    return TaskResult("plans", result, data, run_id, seed)


@dataclass(frozen=True)
class CoalitionsOptions:
    """What a coalition analysis looks at."""

    plans: tuple[str, ...] | None = option(None, "plan ids (default: all)")
    threshold: float = option(0.5, "capability share a plan needs to pass (above it)")
    bloc_threshold: float = option(0.25, "alignment distance at which blocs are cut")
    groups: tuple[str, ...] | None = option(None, "declared groups (default: all)")


def coalitions(
    scenario: Scenario,
    options: CoalitionsOptions | None = None,
    *,
    store: RunStore | None = None,
    progress: Progress | None = None,
) -> TaskResult:
    """Alignment between actors, blocs, cohesion of declared groups, and the pivotal actors of each plan.

    Nothing is drawn at random: the run is kept (in ``store``; None: not kept) without a seed.

    Raises
    ------
    ParleyError
        For an unknown plan or group, or a threshold out of range.
    """
    from parley.analysis.plans.coalitions import coalition_analysis

    opts = options or CoalitionsOptions()
    say(progress, "alignment, blocs and pivotal actors")
    started = now()
    groups = list(opts.groups) if opts.groups is not None else None
    result = coalition_analysis(
        scenario, unique(opts.plans), threshold=opts.threshold, bloc_threshold=opts.bloc_threshold, groups=groups
    )
    data = result.to_dict()
    run_id = None
    if store is not None:
        params = {
            "plans": unique(opts.plans),
            "threshold": opts.threshold,
            "bloc_threshold": opts.bloc_threshold,
            "groups": groups,
        }
        run_id = store.record("coalitions", scenario, data, params=params, started=started)
    return TaskResult("coalitions", result, data, run_id, None)
