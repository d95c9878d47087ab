"""parley: a workbench for modelling multi-party negotiations and peace plans.

>>> import parley
>>> scenario = parley.load_scenario("examples/ec-emissions/scenario.yaml")  # doctest: +SKIP
>>> parley.forecast(scenario, "median").outcomes  # doctest: +SKIP

The names below are loaded on first use, so ``import parley`` (and every ``parley`` command,
``parley --help`` included) starts without loading numpy, pydantic or the models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parley._version import __version__
    from parley.api import forecast, load_scenario
    from parley.errors import ModelError, ParleyError, Problem, ScenarioError
    from parley.scenario.core import Scenario

_WHERE = {
    "__version__": "parley._version",
    "forecast": "parley.api",
    "load_scenario": "parley.api",
    "ModelError": "parley.errors",
    "ParleyError": "parley.errors",
    "Problem": "parley.errors",
    "ScenarioError": "parley.errors",
    "Scenario": "parley.scenario.core",
}

__all__ = [
    "ModelError",
    "ParleyError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "__version__",
    "forecast",
    "load_scenario",
]


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'parley' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
