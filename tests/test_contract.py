"""The contract suite (parley.testing.check_model) over every registered model."""

from __future__ import annotations

import pytest

from parley.models import available_models, get_model
from parley.testing import check_model, parametrize_with_checks

# No registered model is known to break a promise; a model that did would be listed here with its reason.
EXPECTED_FAILURES: dict[tuple[str, str], str] = {}


@parametrize_with_checks([get_model(n) for n in available_models()], expected_failures=EXPECTED_FAILURES)
def test_registered_model_keeps_contract(model, check) -> None:  # type: ignore[no-untyped-def]
    check(model)


def test_parametrize_with_checks_marks_expected_failures_strictly() -> None:
    """A declared expected failure becomes a strict xfail; every other pair a plain parameter with its own id."""
    from dataclasses import dataclass

    import numpy as np

    from parley.models.base import BatchForecast, Model

    @dataclass(frozen=True)
    class Middle(Model):
        name = "middle"

        def forecast_batch(self, stances, *, rng=None):  # type: ignore[no-untyped-def]
            return BatchForecast(outcomes=np.broadcast_to((stances.lower + stances.upper) / 2, stances.reference.shape))

    mark = parametrize_with_checks([Middle()], expected_failures={("middle", "check_unanimity"): "ignores actors"})
    params = {p.id: p for p in mark.args[1]}
    assert "middle-check_outcome_in_scale" in params and len(params) == 6
    assert [m.kwargs for m in params["middle-check_unanimity"].marks] == [
        {"reason": "ignores actors", "strict": True, "raises": AssertionError}
    ]
    with pytest.raises(AssertionError, match="unanimity"):
        params["middle-check_unanimity"].values[1](Middle())
    with pytest.raises(ValueError, match="unknown contract checks"):
        parametrize_with_checks([Middle()], expected_failures={("middle", "check_nothing"): "?"})


def test_models_register_themselves_through_entry_points() -> None:
    """Every built-in model is named in the ``parley.models`` entry-point group (pyproject.toml), in rank order."""
    from importlib.metadata import entry_points

    names = {p.name for p in entry_points(group="parley.models")}
    assert {"compromise", "median", "nash", "bdm", "smp", "exchange"} <= names
    assert list(available_models())[:6] == ["compromise", "median", "nash", "bdm", "smp", "exchange"]


def test_check_model_catches_a_broken_model() -> None:
    """The suite itself can fail: a model that ignores masks must be caught."""
    from dataclasses import dataclass

    import numpy as np

    from parley.models.base import BatchForecast, Model

    @dataclass(frozen=True)
    class IgnoresMask(Model):
        name = "broken"

        def forecast_batch(self, stances, *, rng=None):  # type: ignore[no-untyped-def]
            return BatchForecast(outcomes=np.mean(stances.positions, axis=1))

    with pytest.raises(AssertionError, match="masked actor"):
        check_model(IgnoresMask())
