"""The contract suite (parley.testing.check_model) over every registered model."""

from __future__ import annotations

import pytest

from parley.models import available_models, get_model
from parley.testing import check_model


@pytest.mark.parametrize("name", list(available_models()))
def test_registered_model_meets_contract(name: str) -> None:
    check_model(get_model(name))


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
