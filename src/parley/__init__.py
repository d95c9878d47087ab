"""parley: a workbench for modelling multi-party negotiations and peace plans.

>>> import parley
>>> scenario = parley.load_scenario("examples/ec-emissions/scenario.yaml")  # doctest: +SKIP
>>> parley.forecast(scenario, "median").outcomes  # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parley")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from parley.api import forecast, load_scenario
from parley.errors import ModelError, ParleyError, Problem, ScenarioError
from parley.scenario.core import Scenario

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
