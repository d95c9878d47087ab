"""parley: a workbench for modelling multi-party negotiations and peace plans.

>>> import parley
>>> scenario = parley.load_scenario("examples/ec-emissions/scenario.yaml")  # doctest: +SKIP
>>> parley.forecast(scenario, "median").outcomes  # doctest: +SKIP
"""

from parley._version import __version__
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
