"""Words versus deeds (docs/analysis.md §5): stated against revealed positions.

Where actors state positions that differ from the ones their actions reveal (a stance's
``stated``), every forecast is run on both, and the gap per issue is ``stated − revealed``;
each plan's acceptance is scored on both too, so a reader sees which verdicts rest on
which reading of an actor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from parley._random import SeedLike
from parley.analysis.plans.scorecard import score_plans
from parley.analysis.plans.scoring import ScoringOptions, default_models, finite_or_none
from parley.models.base import get_model
from parley.scenario.core import Scenario


@dataclass(frozen=True)
class PositionGap:
    """An actor whose stated position on an issue differs from its revealed one."""

    actor: str
    issue: str
    revealed: float
    stated: float

    @property
    def difference(self) -> float:
        """``stated − revealed``."""
        return self.stated - self.revealed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "actor": self.actor,
            "issue": self.issue,
            "revealed": self.revealed,
            "stated": self.stated,
            "difference": self.difference,
        }


@dataclass(frozen=True)
class ForecastGap:
    """One model's forecast on revealed and on stated positions, and the gap per issue."""

    model: str
    revealed: Mapping[str, float]
    stated: Mapping[str, float]

    @property
    def gap(self) -> dict[str, float]:
        """``stated − revealed`` per issue."""
        return {k: self.stated[k] - self.revealed[k] for k in self.revealed}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "revealed": {k: finite_or_none(v) for k, v in self.revealed.items()},
            "stated": {k: finite_or_none(v) for k, v in self.stated.items()},
            "gap": {k: finite_or_none(v) for k, v in self.gap.items()},
        }


@dataclass(frozen=True)
class AcceptanceGap:
    """A plan an actor accepts on one reading of the positions and not on the other."""

    plan: str
    actor: str
    accepts_revealed: bool
    accepts_stated: bool
    gain_revealed: float
    gain_stated: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "plan": self.plan,
            "actor": self.actor,
            "accepts_revealed": self.accepts_revealed,
            "accepts_stated": self.accepts_stated,
            "gain_revealed": finite_or_none(self.gain_revealed),
            "gain_stated": finite_or_none(self.gain_stated),
        }


@dataclass(frozen=True)
class WordsDeeds:
    """Stated against revealed positions: the gaps, the forecasts on both, the verdicts that flip."""

    scenario_id: str
    positions: tuple[PositionGap, ...]
    forecasts: tuple[ForecastGap, ...]
    acceptance: tuple[AcceptanceGap, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "scenario_id": self.scenario_id,
            "positions": [g.to_dict() for g in self.positions],
            "forecasts": {f.model: f.to_dict() for f in self.forecasts},
            "acceptance_flips": [a.to_dict() for a in self.acceptance],
        }


def position_gaps(scenario: Scenario) -> tuple[PositionGap, ...]:
    """Every (actor, issue) whose stated position differs from its revealed one."""
    differs = scenario.mask & (scenario.stated != scenario.positions)
    return tuple(
        PositionGap(
            scenario.actor_ids[i],
            scenario.issue_ids[j],
            float(scenario.positions[i, j]),
            float(scenario.stated[i, j]),
        )
        for i, j in zip(*np.nonzero(differs), strict=True)
    )


def words_deeds(
    scenario: Scenario,
    plans: Sequence[str] | None = None,
    *,
    models: Sequence[str] | None = None,
    model_params: Mapping[str, Mapping[str, Any]] | None = None,
    options: ScoringOptions | None = None,
    rng: SeedLike = None,
) -> WordsDeeds:
    """Forecasts and plan acceptance on stated and on revealed positions.

    With no stated position that differs, nothing is run and the result is empty.
    """
    gaps = position_gaps(scenario)
    if not gaps:
        return WordsDeeds(scenario.scenario_id, (), (), ())
    options = options or ScoringOptions()
    fgaps = []
    for name in models if models is not None else default_models():
        params = (model_params or {}).get(name)
        model = get_model(name, params)
        rev = model.forecast(scenario, rng=rng, stated=False).outcomes
        sta = model.forecast(scenario, rng=rng, stated=True).outcomes
        fgaps.append(ForecastGap(name, rev, sta))
    revealed = score_plans(scenario, plans, options=dataclasses.replace(options, stated=False), models=())
    stated = score_plans(scenario, plans, options=dataclasses.replace(options, stated=True), models=())
    flips = []
    for pr, ps in zip(revealed.plans, stated.plans, strict=True):
        for ar, as_ in zip(pr.actors, ps.actors, strict=True):
            if ar.accepts != as_.accepts:
                flips.append(AcceptanceGap(pr.plan, ar.actor, ar.accepts, as_.accepts, ar.gain, as_.gain))
    return WordsDeeds(scenario.scenario_id, gaps, tuple(fgaps), tuple(flips))
