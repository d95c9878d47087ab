"""Re-run the analysis at each date of a negotiation, and say which events moved it.

At each date the scenario is taken as it stood then (:func:`parley.scenario.timeline.scenario_as_of`).
For every text on the table it gives each signatory's acceptance and the deal verdict
(through one adapter, :func:`_verdicts`, today the plan scorecard: accept when the text beats
the actor's reservation; a deal when every signatory accepts and every veto holder consents),
and the headline forecast per issue (the compromise model by default).

Moves: between two consecutive dates, the change of the forecast and of every verdict is
attributed to the dated changes (events, texts tabled, stance revisions) that fall after the
first date and on or before the second. ``active`` says whether a change alters the scenario
(an event with changes, a text tabled, a stance revision) or only happened then (a statement
without changes, a meeting: it moves nothing). When several active changes fall in one step,
each is credited with what it moves when applied in order (by date; within a day revisions,
then texts, then events, in file order) after the ones before it — a sequential attribution,
which depends on that order when changes interact; ``order`` gives the position and ``with``
the other changes of the step. A move's ``size`` is ``Σ_j |Δforecast_j| / span_j + Σ |Δverdict|``
over issues, plans and signatories, to rank them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from parley.errors import Problem, ScenarioError
from parley.models.base import get_model
from parley.scenario.core import Scenario
from parley.scenario.schema import ScenarioSpec
from parley.scenario.timeline import ChangePoint, change_points, parse_date, scenario_as_of

__all__ = ["Timeline", "signatories", "timeline"]

VERDICTS = "brief"
"""Which analysis :func:`_verdicts` runs (``brief``: P(accept) and P(deal) by Monte Carlo, as ``parley brief``)."""


def signatories(scenario: Scenario) -> tuple[str, ...]:
    """The names (actors or groups) whose consent makes a deal, as the brief reports them
    (:func:`parley.analysis.plans.decision.signatories_of`: ``signatories``, else the belligerents)."""
    from parley.analysis.plans.decision import signatories_of

    return tuple(s.name for s in signatories_of(scenario))


def _verdicts(
    scenario: Scenario, draws: int = 2000, seed: int = 0, model: str = "compromise"
) -> dict[str, dict[str, Any]]:
    """Per text on the table: ``{"accept": {signatory: P(accept)}, "deal": P(deal)}``.

    The one place the timeline asks whether a text is accepted: the brief's Monte Carlo
    (:func:`parley.analysis.plans.brief.brief`, without its search for the smallest change), so the
    timeline and ``parley brief`` give the same numbers on the same date, seed and draws. The same
    seed at every date: dates differ only by the scenario.
    """
    from parley.analysis.plans.brief import brief

    if not scenario.plans:
        return {}
    result = brief(scenario, n=draws, seed=seed, model=model, models=(model,), search=False).to_dict()
    out: dict[str, dict[str, Any]] = {}
    for p in result["plans"]:
        accept = {q["name"]: float(q["p_accept"]["p"]) for q in p["parties"] if "signatory" in q["roles"]}
        out[p["plan"]] = {"accept": accept, "deal": float(p["p_deal"]["p"])}
    return out


def _move(
    before: tuple[dict[str, float], dict[str, dict[str, Any]]],
    after: tuple[dict[str, float], dict[str, dict[str, Any]]],
    spans: dict[str, float],
) -> dict[str, Any]:
    """What changed from one state (forecast, verdicts) to the next, and its ``size``."""
    (f0, v0), (f1, v1) = before, after
    df = {i: f1[i] - f0[i] for i in f1 if i in f0 and abs(f1[i] - f0[i]) > 1e-12}
    size = sum(abs(x) / spans.get(i, 1.0) for i, x in df.items())
    dp: dict[str, dict[str, Any]] = {}
    for pid, new in v1.items():
        old = v0.get(pid)
        if old is None:
            dp[pid] = {"tabled": True, "deal": new["deal"], "accept": dict(new["accept"])}
            continue
        da = {a: new["accept"][a] - old["accept"].get(a, 0.0) for a in new["accept"]}
        da = {a: x for a, x in da.items() if x != 0.0}
        dd = new["deal"] - old["deal"]
        if da or dd:
            dp[pid] = {"deal": dd, "accept": da}
            size += abs(dd) + sum(abs(x) for x in da.values())
    return {"forecast": df, "plans": dp, "size": size}


@dataclass(frozen=True)
class Timeline:
    """The analysis at each date, and what moved it.

    Attributes
    ----------
    dates : the dates analysed, in order
    events : the dated changes between the first and the last date
    plans : plan → date → ``{"accept": {signatory: P}, "deal": P}`` (dates before the text was tabled left out)
    forecast : issue → the headline forecast at each date
    moves : change id → what the step it falls in moved (forecast per issue, verdicts per plan)
    notes : date → notes of the as-of analysis (deadlines missed or moved)
    """

    dates: tuple[dt.date, ...]
    events: tuple[ChangePoint, ...]
    plans: dict[str, dict[str, dict[str, Any]]]
    forecast: dict[str, list[float]]
    moves: dict[str, dict[str, Any]]
    notes: dict[str, list[str]]
    model: str
    spans: dict[str, float] = field(default_factory=dict)

    def ranked_moves(self) -> list[tuple[str, dict[str, Any]]]:
        """The moves, largest first (by ``size``)."""
        return sorted(self.moves.items(), key=lambda kv: -float(kv[1]["size"]))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: ``dates``, ``events``, ``plans``, ``forecast``, ``moves`` (and ``notes``)."""
        return {
            "dates": [d.isoformat() for d in self.dates],
            "events": [e.to_dict() for e in self.events],
            "plans": self.plans,
            "forecast": self.forecast,
            "moves": self.moves,
            "notes": self.notes,
            "model": self.model,
            "verdicts": VERDICTS,
        }


def _dates(
    points: Sequence[ChangePoint], start: dt.date, end: dt.date, step: Literal["week", "event"]
) -> list[dt.date]:
    if step == "week":
        out = []
        d = start
        while d <= end:
            out.append(d)
            d += dt.timedelta(days=7)
        if out[-1] != end:
            out.append(end)
        return out
    inside = sorted({p.date for p in points if start < p.date <= end})
    return [start, *inside]


def timeline(
    scenario: Scenario | ScenarioSpec,
    *,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    step: Literal["week", "event"] = "event",
    model: str = "compromise",
    rng: int = 0,
    draws: int = 2000,
) -> Timeline:
    """Re-run the verdicts and the forecast at each date from ``start`` to ``end``.

    Parameters
    ----------
    scenario
        A scenario (or its spec) with dated texts, events or stance revisions.
    start, end
        The first and last dates (default: the first and last dated change).
    step
        ``"event"``: each date where something changes; ``"week"``: every 7 days from ``start``, and ``end``.
    model
        The model of the headline forecast.
    rng
        Seed for a model that draws and for the verdicts' draws (the same seed at every date, so dates
        differ only by the scenario).
    draws
        Monte Carlo draws of P(accept) and P(deal) at each date.

    Raises
    ------
    ScenarioError
        When nothing is dated, the dates are out of order, or the scenario at a date is invalid.
    """
    spec = scenario.spec if isinstance(scenario, Scenario) else scenario
    source = scenario.source if isinstance(scenario, Scenario) else "<scenario>"
    points = change_points(spec)
    if not points and (start is None or end is None):
        raise ScenarioError(
            source,
            [Problem("events", "nothing is dated (no events, tabled texts or stance history): give --from and --to")],
        )
    first = parse_date(start, "--from") if start is not None else points[0].date
    last = parse_date(end, "--to") if end is not None else points[-1].date
    if last < first:
        raise ScenarioError(source, [Problem("--to", f"{last} is before --from {first}")])
    dates = _dates(points, first, last, step)
    forecaster = get_model(model)
    plans: dict[str, dict[str, dict[str, Any]]] = {}
    forecast: dict[str, list[float]] = {}
    notes: dict[str, list[str]] = {}
    spans: dict[str, float] = {}

    def evaluate(sc: Scenario) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
        f = forecaster.forecast(sc, rng=rng)
        for issue in sc.issues:
            spans[issue.id] = issue.span
        return {k: float(v) for k, v in f.outcomes.items()}, _verdicts(sc, draws, rng, model)

    states: list[tuple[dict[str, float], dict[str, dict[str, Any]]]] = []
    for d in dates:
        sc = scenario_as_of(spec, d, source)
        state = evaluate(sc)
        for issue_id, value in state[0].items():
            forecast.setdefault(issue_id, []).append(value)
        for pid, v in state[1].items():
            plans.setdefault(pid, {})[d.isoformat()] = v
        notes[d.isoformat()] = list(sc.spec.metadata["as_of"]["notes"])
        states.append(state)

    moves: dict[str, dict[str, Any]] = {}
    for k in range(1, len(dates)):
        between = [p for p in points if dates[k - 1] < p.date <= dates[k]]
        active = [p for p in between if p.active]
        before = states[k - 1]
        for i, p in enumerate(active):
            after = states[k] if i == len(active) - 1 else evaluate(scenario_as_of(spec, p.date, source, through=p.id))
            moves[p.id] = {
                **_move(before, after, spans),
                "order": [i + 1, len(active)],
            }
            before = after
        for p in between:
            base = moves.get(p.id) or {"forecast": {}, "plans": {}, "size": 0.0, "order": None}
            moves[p.id] = {
                "date": p.date.isoformat(),
                "kind": p.kind,
                "title": p.title,
                "active": p.active,
                "step": [dates[k - 1].isoformat(), dates[k].isoformat()],
                "with": [q.id for q in between if q.id != p.id],
                **base,
            }
    events = tuple(p for p in points if first <= p.date <= last)
    return Timeline(tuple(dates), events, plans, forecast, moves, notes, model, spans)
