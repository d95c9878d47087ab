"""Scenarios: the file format, its checks, the frozen domain objects and the importers."""

from parley.scenario.core import Actor, Issue, Plan, Provision, Scenario, Stances
from parley.scenario.io import dump_scenario, scenario_from_dict, scenario_from_text, validate_dict
from parley.scenario.load import load_scenario
from parley.scenario.shocks import apply_shock

__all__ = [
    "Actor",
    "Issue",
    "Plan",
    "Provision",
    "Scenario",
    "Stances",
    "apply_shock",
    "dump_scenario",
    "load_scenario",
    "scenario_from_dict",
    "scenario_from_text",
    "validate_dict",
]
