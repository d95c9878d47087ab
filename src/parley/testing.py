"""The public contract suite every model runs through (see :mod:`parley.models`).

Use it from a test, for parley's models or a third party's, one pytest test per model and check
(in the manner of scikit-learn's ``parametrize_with_checks``)::

    from parley.testing import parametrize_with_checks

    @parametrize_with_checks([MyModel()], expected_failures={("mine", "check_unanimity"): "why"})
    def test_contract(model, check):
        check(model)

or all at once with :func:`check_model`. Each check raises ``AssertionError`` with a message that says
which promise failed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from parley.models.base import BatchForecast, Model
from parley.scenario.core import Stances

Check = Callable[[Model, Stances], None]


def random_stances(rng: np.random.Generator, b: int = 3, n: int = 7, m: int = 3) -> Stances:
    """A batch of random, well-formed stances for contract checks (scales [0, 100] and [-5, 5] ...)."""
    lower = np.array([0.0, -5.0, 100.0, 0.0][:m] + [0.0] * max(0, m - 4))
    upper = np.array([100.0, 5.0, 1000.0, 1.0][:m] + [100.0] * max(0, m - 4))
    u = rng.random((b, n, m))
    positions = lower + u * (upper - lower)
    saliences = rng.uniform(0.1, 1.0, (b, n, m))
    # keep each actor's total salience within 1 so models with KTAB's rule accept it
    saliences = saliences / np.maximum(saliences.sum(axis=2, keepdims=True), 1.0)
    capabilities = np.broadcast_to(rng.uniform(0.5, 5.0, (b, n, 1)), (b, n, m)).copy()
    mask = np.ones((b, n, m), dtype=bool)
    reference = lower + rng.random((b, m)) * (upper - lower)
    return Stances(positions, saliences, capabilities, mask, lower, upper, reference)


def _close(a: np.ndarray | None, b: np.ndarray | None, what: str, atol: float) -> None:
    if a is None or b is None:
        assert a is None and b is None, f"{what}: one run has it, the other not"
        return
    np.testing.assert_allclose(a, b, atol=atol, rtol=0, err_msg=what)


def check_outcome_in_scale(model: Model, stances: Stances) -> None:
    """Outcomes lie on each issue's scale."""
    out = model.forecast_batch(stances, rng=1).outcomes
    assert out.shape == stances.reference.shape, f"outcomes have shape {out.shape}"
    assert np.all(np.isfinite(out)), "outcomes must be finite"
    span = stances.upper - stances.lower
    assert np.all(out >= stances.lower - 1e-9 * span) and np.all(out <= stances.upper + 1e-9 * span), (
        "an outcome lies outside its issue's scale"
    )


def check_unanimity(model: Model, stances: Stances) -> None:
    """If every actor stands at x, the outcome is x."""
    b, n, m = stances.shape
    x = stances.lower + 0.3 * (stances.upper - stances.lower)
    same = Stances(
        np.broadcast_to(x, (b, n, m)).copy(),
        stances.saliences,
        stances.capabilities,
        stances.mask,
        stances.lower,
        stances.upper,
        stances.reference,
    )
    out = model.forecast_batch(same, rng=1).outcomes
    np.testing.assert_allclose(
        out,
        np.broadcast_to(x, (b, m)),
        atol=1e-6 * float(np.max(stances.upper - stances.lower)),
        err_msg="unanimity: all actors at x must give x",
    )


def check_actor_order(model: Model, stances: Stances) -> None:
    """Reordering the actors changes no outcome."""
    n = stances.shape[1]
    perm = np.random.default_rng(7).permutation(n)
    shuffled = Stances(
        stances.positions[:, perm],
        stances.saliences[:, perm],
        stances.capabilities[:, perm],
        stances.mask[:, perm],
        stances.lower,
        stances.upper,
        stances.reference,
    )
    a = model.forecast_batch(stances, rng=3)
    b = model.forecast_batch(shuffled, rng=3)
    span = float(np.max(stances.upper - stances.lower))
    _close(a.outcomes, b.outcomes, "actor order changed the outcome", 1e-6 * span)
    if a.positions is not None and b.positions is not None:
        _close(a.positions[:, perm], b.positions, "actor order changed final positions", 1e-6 * span)


def check_same_seed(model: Model, stances: Stances) -> None:
    """The same seed gives the same result."""
    a = model.forecast_batch(stances, rng=42)
    b = model.forecast_batch(stances, rng=42)
    _close(a.outcomes, b.outcomes, "same seed, different outcomes", 0.0)
    _close(a.positions, b.positions, "same seed, different positions", 0.0)


def check_batch_equals_loop(model: Model, stances: Stances) -> None:
    """A batch gives the same numbers as a loop of single runs on the same streams."""
    b = stances.shape[0]
    streams = [np.random.SeedSequence(100 + k) for k in range(b)]
    whole: BatchForecast = model.forecast_batch(stances, rng=streams)
    span = float(np.max(stances.upper - stances.lower))
    for k in range(b):
        single = model.forecast_batch(stances.item(k), rng=[streams[k]])
        _close(whole.outcomes[k : k + 1], single.outcomes, f"batch item {k}: outcomes", 1e-9 * span)
        if whole.positions is not None:
            _close(whole.positions[k : k + 1], single.positions, f"batch item {k}: positions", 1e-9 * span)


def check_masked_actor_ignored(model: Model, stances: Stances) -> None:
    """An actor without a stance on an issue has no influence there, wherever its filler position."""
    masked = stances.mask.copy()
    masked[:, 0, 0] = False
    a_pos = stances.positions.copy()
    b_pos = stances.positions.copy()
    a_pos[:, 0, 0] = stances.lower[0]
    b_pos[:, 0, 0] = stances.upper[0]
    a = model.forecast_batch(
        Stances(
            a_pos, stances.saliences, stances.capabilities, masked, stances.lower, stances.upper, stances.reference
        ),
        rng=5,
    )
    b = model.forecast_batch(
        Stances(
            b_pos, stances.saliences, stances.capabilities, masked, stances.lower, stances.upper, stances.reference
        ),
        rng=5,
    )
    _close(
        a.outcomes,
        b.outcomes,
        "a masked actor's filler position changed the outcome",
        1e-6 * float(np.max(stances.upper - stances.lower)),
    )


CHECKS: tuple[Check, ...] = (
    check_outcome_in_scale,
    check_unanimity,
    check_actor_order,
    check_same_seed,
    check_batch_equals_loop,
    check_masked_actor_ignored,
)


def check_model(model: Model, *, seed: int = 0, stances: Stances | None = None) -> None:
    """Run every contract check on ``model``; raise AssertionError on the first broken promise."""
    data = stances if stances is not None else random_stances(np.random.default_rng(seed))
    for check in CHECKS:
        check(model, data)


def parametrize_with_checks(
    models: Sequence[Model],
    *,
    expected_failures: Mapping[tuple[str, str], str] | None = None,
    seed: int = 0,
) -> Any:
    """A ``pytest.mark.parametrize`` over every (model, contract check) pair, one test id each.

    Parameters
    ----------
    models
        Model instances to check.
    expected_failures
        ``{(model name, check name): reason}`` for promises a model is known not to keep; those tests are
        marked ``xfail(strict=True)``, so they fail loudly the day the model starts keeping the promise.
    seed
        Seed of the random stances the checks run on.

    Returns
    -------
    A decorator for a test function taking ``model`` and ``check``; ``check(model)`` runs the check.
    """
    import pytest

    expected = dict(expected_failures or {})
    known = {c.__name__ for c in CHECKS}
    unknown = sorted(c for _, c in expected if c not in known)
    if unknown:
        raise ValueError(f"unknown contract checks in expected_failures: {', '.join(unknown)}")
    stances = random_stances(np.random.default_rng(seed))
    params = []
    for model in models:
        for check in CHECKS:
            marks = []
            reason = expected.get((model.name, check.__name__))
            if reason is not None:
                marks.append(pytest.mark.xfail(reason=reason, strict=True, raises=AssertionError))
            bound = partial(_run_check, check, stances)
            params.append(pytest.param(model, bound, id=f"{model.name}-{check.__name__}", marks=marks))
    return pytest.mark.parametrize(("model", "check"), params)


def _run_check(check: Check, stances: Stances, model: Model) -> None:
    check(model, stances)
