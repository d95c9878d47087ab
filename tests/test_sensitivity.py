"""Global sensitivity (SALib): Sobol' and Morris indices against cases with analytic answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

pytest.importorskip("SALib", reason="sensitivity analysis needs SALib")

from parley.analysis.uncertainty.experiment import Experiment
from parley.analysis.uncertainty.sensitivity import morris, sobol
from parley.errors import ParleyError

# Three actors on one issue; capability × salience weights w = (1, 2, 1); positions uniform:
#   A ~ U(20, 80) (width 60), B ~ U(40, 60) (width 20), C ~ U(30, 70) (width 40).
THREE: dict[str, Any] = {
    "issues": [{"id": "x", "scale": {"min": 0, "max": 100}}],
    "actors": [
        {
            "id": "A",
            "capability": 1,
            "stances": {"x": {"position": 50, "salience": 1, "uncertainty": {"low": 20, "high": 80}}},
        },
        {
            "id": "B",
            "capability": 2,
            "stances": {"x": {"position": 50, "salience": 1, "uncertainty": {"low": 40, "high": 60}}},
        },
        {
            "id": "C",
            "capability": 1,
            "stances": {"x": {"position": 50, "salience": 1, "uncertainty": {"low": 30, "high": 70}}},
        },
    ],
}
WEIGHTS = np.array([1.0, 2.0, 1.0])
WIDTHS = np.array([60.0, 20.0, 40.0])


def analytic_first_order() -> np.ndarray:
    """Sobol' first-order indices of the compromise model, by hand.

    The compromise outcome is linear in the positions: O = Σ_i c_i x_i with
    c_i = w_i / Σ_j w_j (the weights do not vary here). For independent inputs,
    Var(O) = Σ_i c_i² Var(x_i) and E[O | x_i] = c_i x_i + const, so
    S_i = Var(E[O | x_i]) / Var(O) = c_i² σ_i² / Σ_j c_j² σ_j² = w_i² σ_i² / Σ_j w_j² σ_j²
    (the common 1/Σw cancels). With x_i ~ U(a_i, b_i), σ_i² = (b_i − a_i)² / 12, and the 1/12
    cancels too: S_i = w_i² width_i² / Σ_j w_j² width_j². Weights (1, 2, 1), widths (60, 20, 40):
    w²·width² = 3600, 1600, 1600, total 6800 → S = (0.5294, 0.2353, 0.2353). The model is
    additive, so the total-order indices equal the first-order ones.
    """
    v = WEIGHTS**2 * WIDTHS**2
    return v / v.sum()


def test_sobol_indices_of_the_compromise_model_match_the_analytic_answer(build_scenario: Callable[..., Any]) -> None:
    sc = build_scenario(**THREE)
    res = sobol(Experiment.of(sc, "compromise"), 1024, rng=7, runner="sequential")
    exact = analytic_first_order()
    got = res.indices["outcome:x"]
    assert res.evaluations == 1024 * (3 + 2)
    for k, actor in enumerate("ABC"):
        s = got[actor]
        assert s["S1"] == pytest.approx(exact[k], abs=max(0.05, 1.5 * s["S1_conf"])), actor
        assert s["ST"] == pytest.approx(exact[k], abs=max(0.05, 1.5 * s["ST_conf"])), actor
        assert 0 < s["S1_conf"] < 0.2 and 0 < s["ST_conf"] < 0.2
    voc = res.value_of_clarity()["outcome:x"]
    assert voc["A"]["value"] == got["A"]["S1"] and voc["A"]["reach"] == got["A"]["ST"]
    assert max(voc, key=lambda a: voc[a]["value"]) == "A"


def test_morris_effects_of_a_linear_model_are_exact(build_scenario: Callable[..., Any]) -> None:
    """For O = Σ c_i x_i with x_i = a_i + u·width_i, moving u across its whole range changes O by
    c_i · width_i exactly, at every point: c = w / Σw = (¼, ½, ¼), so μ* = μ = (15, 10, 10), σ = 0."""
    sc = build_scenario(**THREE)
    res = morris(Experiment.of(sc, "compromise"), 20, rng=3, runner="sequential")
    got = res.indices["outcome:x"]
    for actor, effect in zip("ABC", WEIGHTS / WEIGHTS.sum() * WIDTHS, strict=True):
        assert got[actor]["mu_star"] == pytest.approx(effect, rel=1e-9)
        assert got[actor]["mu"] == pytest.approx(effect, rel=1e-9)
        assert got[actor]["sigma"] == pytest.approx(0.0, abs=1e-9)
    assert res.evaluations == 20 * (3 + 1)


def test_grouping_by_issue_separates_independent_issues(build_scenario: Callable[..., Any]) -> None:
    """The compromise solves each issue on its own, so the outcome on x cannot depend on the
    inputs of y: Saltelli's estimators give exactly 0 there (f(A_B^y) = f(A) draw by draw)."""
    data: dict[str, Any] = {
        "issues": [{"id": "x", "scale": {"min": 0, "max": 100}}, {"id": "y", "scale": {"min": 0, "max": 10}}],
        "actors": [
            {
                "id": "A",
                "capability": 1,
                "stances": {
                    "x": {"position": 50, "salience": 1, "uncertainty": {"low": 20, "high": 80}},
                    "y": {"position": 5, "salience": 1, "uncertainty": {"low": 2, "high": 8}},
                },
            },
            {
                "id": "B",
                "capability": 1,
                "stances": {"x": {"position": 40, "salience": 1}, "y": {"position": 1, "salience": 1}},
            },
        ],
    }
    res = sobol(Experiment.of(build_scenario(**data), "compromise"), 256, rng=1, group_by="issue", runner="sequential")
    assert res.members == {"x": ("position:A:x",), "y": ("position:A:y",)}
    assert res.indices["outcome:x"]["y"]["S1"] == 0.0 and res.indices["outcome:x"]["y"]["ST"] == 0.0
    assert res.indices["outcome:y"]["x"]["ST"] == 0.0
    assert res.indices["outcome:x"]["x"]["ST"] == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ParleyError, match="grouped by actor"):
        res.value_of_clarity()


def test_seeded_without_touching_global_random_state(build_scenario: Callable[..., Any]) -> None:
    sc = build_scenario(**THREE)
    np.random.seed(12345)
    before = np.random.get_state()[1].copy()
    # seed 0 is SALib's trap: must not reach it
    a = sobol(Experiment.of(sc, "compromise"), 64, rng=0, runner="sequential")
    after = np.random.get_state()[1]
    assert np.array_equal(before, after), "global NumPy random state was used"
    b = sobol(Experiment.of(sc, "compromise"), 64, rng=0, runner="sequential")
    assert a.indices == b.indices
    c = sobol(Experiment.of(sc, "compromise"), 64, rng=1, runner="sequential")
    assert a.indices != c.indices
    assert a.to_dict()["seed"] == 0 and a.n == 64


def test_nothing_uncertain_is_a_clear_error(build_scenario: Callable[..., Any]) -> None:
    plain: dict[str, Any] = {
        "issues": [{"id": "x"}],
        "actors": [{"id": "A", "capability": 1, "stances": {"x": {"position": 5, "salience": 1}}}],
    }
    with pytest.raises(ParleyError, match="nothing is uncertain"):
        sobol(Experiment.of(build_scenario(**plain), "compromise"), 8)
    with pytest.raises(ParleyError, match="even"):
        morris(Experiment.of(build_scenario(**THREE), "compromise"), 4, num_levels=3)


def test_a_negative_seed_is_a_clear_error(build_scenario: Callable[..., Any]) -> None:
    sc = build_scenario(**THREE)
    for run in (sobol, morris):
        with pytest.raises(ParleyError, match="seed must be a whole number >= 0, got -5"):
            run(Experiment.of(sc, "compromise"), 8, rng=-5, runner="sequential")
