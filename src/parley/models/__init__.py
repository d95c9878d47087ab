"""Forecasting models and their registry.

The contract every model meets (checked by :func:`parley.testing.check_model`):

- a model is a frozen dataclass whose fields are its parameters, with defaults that
  reproduce the published model; every ambiguity of the published model is a named
  parameter, and the forecast records the values used;
- ``forecast_batch(stances, *, rng=None) -> BatchForecast`` works on arrays shaped
  ``(B, N, M)`` (variants, actors, issues) in one vectorised pass; variant ``b`` draws only
  from random stream ``b``; ``forecast(scenario, *, rng=None) -> Forecast`` is the
  single-scenario form;
- actors without a stance on an issue (``mask`` False) are left out on that issue;
- outcomes lie on the issue's scale; if every actor stands at x the outcome is x;
  reordering actors changes nothing; the same seed gives the same result; a batch gives
  the same numbers as a loop of single runs.

Register a model with :func:`register`; build one by name with :func:`get_model`.
"""

from parley.models.base import (
    BatchForecast,
    Forecast,
    Model,
    available_models,
    get_model,
    parameter_info,
    register,
)

__all__ = [
    "BatchForecast",
    "Forecast",
    "Model",
    "available_models",
    "get_model",
    "parameter_info",
    "register",
]
