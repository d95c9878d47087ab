"""The few task-level functions a user calls."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from parley._random import SeedLike
from parley.models.base import Forecast, available_models, get_model, parameter_info
from parley.scenario.core import Scenario
from parley.scenario.load import load_scenario as _load


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file (YAML, JSON) or import a CSV (BDM, KTAB, Decide formats)."""
    return _load(path)


def forecast(
    scenario: Scenario | str | Path,
    model: str = "compromise",
    params: Mapping[str, Any] | None = None,
    *,
    rng: SeedLike = None,
    stated: bool = False,
) -> Forecast:
    """Forecast a scenario with a registered model.

    Parameters
    ----------
    scenario
        A scenario, or the path of one.
    model
        A registered model name (see ``parley models``).
    params
        Model parameters; strings are converted to the parameter's type.
    rng
        Seed or generator for models that draw.
    stated
        Use actors' stated positions instead of revealed ones.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return get_model(model, params).forecast(scenario, rng=rng, stated=stated)


def describe_models() -> dict[str, dict[str, Any]]:
    """Every registered model: a one-line description, its reference and its parameters.

    A model fitted on data that ship with parley (the ensemble) also has ``fitted``: its
    values, calibration and provenance; its description ends with their one-line summary.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, cls in available_models().items():
        info: dict[str, Any] = {
            "description": (cls.__doc__ or "").strip().splitlines()[0],
            "reference": cls.reference,
            "params": parameter_info(cls),
        }
        fitted = cls.fitted_data()
        if fitted is not None:
            info["description"] += f" Shipped fit: {fitted['summary']}"
            info["fitted"] = fitted
        out[name] = info
    return out
