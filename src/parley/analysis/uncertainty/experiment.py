"""What a Monte Carlo or sensitivity run studies: one scenario, one model, the unknowns and the plan rule.

An :class:`Experiment` is frozen and holds no randomness; the entry points
(:func:`~parley.analysis.uncertainty.montecarlo.monte_carlo`,
:func:`~parley.analysis.uncertainty.sensitivity.sobol`,
:func:`~parley.analysis.uncertainty.sensitivity.morris`) take it with the number of runs and
``rng=``/``runner=``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from parley.analysis.plans.scoring import ScoringOptions
from parley.analysis.uncertainty.inputs import Noise
from parley.errors import ParleyError
from parley.models.base import Model, get_model
from parley.scenario.core import Scenario

__all__ = ["Experiment", "resolve_model"]


def resolve_model(model: Model | str, params: Mapping[str, Any] | None = None) -> Model:
    """A model object from a model or a registered name (with parameters).

    Raises
    ------
    ParleyError
        For parameters given beside a model object; ModelError for an unknown model name.
    """
    if isinstance(model, Model):
        if params:
            raise ParleyError("give parameters either in the model object or as params, not both")
        return model
    return get_model(model, params)


@dataclass(frozen=True)
class Experiment:
    """A scenario, a model and how its unknowns are drawn and its plans scored.

    Attributes
    ----------
    scenario
        The scenario; its stances' ``uncertainty`` and ``salience_range`` and its actors'
        ``capability_range`` are the uncertain inputs.
    model
        The model run on every draw.
    noise
        Optional global noise on stances and capabilities without ranges of their own.
    stated
        Use stated instead of revealed positions as point values (and for scoring plans).
    options
        How plans are scored (:class:`parley.analysis.plans.scoring.ScoringOptions`; None: defaults).
    spread
        Per issue, the [min, max] of the models' forecasts: a deferred issue without a range of
        its own is drawn uniformly over it (None: it takes the draw's forecast).
    """

    scenario: Scenario
    model: Model
    noise: Noise | None = None
    stated: bool = False
    options: ScoringOptions | None = None
    spread: Mapping[str, tuple[float, float]] | None = None

    def __post_init__(self) -> None:
        if self.spread is not None:
            object.__setattr__(self, "spread", MappingProxyType(dict(self.spread)))

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        model: Model | str = "compromise",
        params: Mapping[str, Any] | None = None,
        *,
        noise: Noise | None = None,
        stated: bool = False,
        options: ScoringOptions | None = None,
        spread: Mapping[str, tuple[float, float]] | None = None,
    ) -> Experiment:
        """An experiment with ``model`` given as an object or a registered name (with ``params``).

        Raises
        ------
        ParleyError
            For an unknown model (ModelError) or parameters beside a model object.
        """
        return cls(scenario, resolve_model(model, params), noise, stated, options, spread)
