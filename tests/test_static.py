"""Static models against hand calculations (MODELS.md §1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parley
from parley.models import get_model
from parley.models.static import weighted_median

# EC car-emission case, Bueno de Mesquita 1994 p. 78 (typed from MODELS.md §2):
# (actor, capability, position, salience)
EC = [
    ("NL", 0.08, 4, 0.8),
    ("BE", 0.08, 7, 0.4),
    ("LU", 0.03, 4, 0.2),
    ("DE", 0.16, 4, 0.8),
    ("FR", 0.16, 10, 0.6),
    ("IT", 0.16, 10, 0.6),
    ("UK", 0.16, 10, 0.9),
    ("IE", 0.05, 7, 0.1),
    ("DK", 0.05, 4, 1.0),
    ("GR", 0.08, 7, 0.7),
]


def one_issue(
    build_scenario: Callable[..., Any],
    rows: list[tuple[str, float, float, float]],
    lo: float,
    hi: float,
    sq: float | None = None,
) -> Any:
    """One issue x on [lo, hi]; rows are (actor, capability, position, salience)."""
    issue: dict[str, Any] = {"id": "x", "scale": {"min": lo, "max": hi}}
    if sq is not None:
        issue["status_quo"] = sq
    return build_scenario(
        issues=[issue],
        actors=[{"id": a, "capability": c, "stances": {"x": {"position": p, "salience": s}}} for a, c, p, s in rows],
    )


def test_compromise_ec_hand_calculation(build_scenario: Callable[..., Any]) -> None:
    # Σ c·s·x / Σ c·s over the table above:
    # c·s:  NL .064 BE .032 LU .006 DE .128 FR .096 IT .096 UK .144 IE .005 DK .05 GR .056  -> total 0.677
    # c·s·x: 4(.064+.006+.128+.05) + 7(.032+.005+.056) + 10(.096+.096+.144) = 0.992 + 0.651 + 3.36 = 5.003
    # 5.003 / 0.677 = 7.3900
    f = parley.forecast(one_issue(build_scenario, EC, 4, 10), "compromise")
    assert f.outcomes["x"] == pytest.approx(5.003 / 0.677, abs=1e-9)
    assert round(f.outcomes["x"], 2) == 7.39


def test_compromise_weight_variants_by_hand(build_scenario: Callable[..., Any]) -> None:
    sc = one_issue(build_scenario, [("a", 1, 0, 0.5), ("b", 3, 10, 1.0)], 0, 10)
    assert parley.forecast(sc, "compromise").outcomes["x"] == pytest.approx(10 * 3 / 3.5)  # c·s: .5, 3
    assert parley.forecast(sc, "compromise", {"weights": "salience"}).outcomes["x"] == pytest.approx(10 / 1.5)
    assert parley.forecast(sc, "compromise", {"weights": "equal"}).outcomes["x"] == pytest.approx(5.0)


def test_median_ec_hand_calculation(build_scenario: Callable[..., Any]) -> None:
    # sorted by position: the 4s carry .064+.006+.128+.05 = .248 < .3385 (half of .677);
    # adding the 7s (.093) gives .341 >= .3385, so the weighted median is 7.
    assert parley.forecast(one_issue(build_scenario, EC, 4, 10), "median").outcomes["x"] == 7.0


def condorcet_margin(x: np.ndarray, w: np.ndarray, j: float, k: float) -> float:
    """v_jk = Σ_i w_i (|x_i − x_k| − |x_i − x_j|): positive when j beats k (MODELS.md §1)."""
    return float(np.sum(w * (np.abs(x - k) - np.abs(x - j))))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.floats(0.01, 10)), min_size=1, max_size=25))
def test_weighted_median_is_condorcet_winner(rows: list[tuple[int, float]]) -> None:
    x = np.array([float(r[0]) for r in rows])
    w = np.array([r[1] for r in rows])
    m = float(weighted_median(x[None, :, None], w[None, :, None])[0, 0])
    assert m in x
    for k in x:  # it beats or ties every other position in pairwise votes
        assert condorcet_margin(x, w, m, k) >= -1e-9 * w.sum() * 100


def test_nash_linear_hand_calculation(build_scenario: Callable[..., Any]) -> None:
    # d = 20; actors at 60 (c=1) and 80 (c=2), salience 1, linear utility, weights = capability.
    # Between 60 and 80 the gains are (100 − x) and (x − 20) (times 1/100); maximising
    # 1·log(100 − x) + 2·log(x − 20) gives 2(100 − x) = (x − 20), x = 220/3 = 73.333.
    sc = one_issue(build_scenario, [("a", 1, 60, 1.0), ("b", 2, 80, 1.0)], 0, 100, sq=20)
    f = parley.forecast(sc, "nash", {"utility": "linear", "weights": "capability"})
    assert f.outcomes["x"] == pytest.approx(220 / 3, abs=1e-6)
    assert f.diagnostics["issues"][0]["feasible"] is True


def test_nash_quadratic_against_brute_force(build_scenario: Callable[..., Any]) -> None:
    # independent check: the Nash product evaluated on a fine grid over the feasible interval
    rows = [("a", 1, 60, 0.5), ("b", 2, 80, 1.0), ("c", 1.5, 45, 0.8)]
    d = 20.0
    sc = one_issue(build_scenario, rows, 0, 100, sq=d)
    got = parley.forecast(sc, "nash", {"utility": "quadratic", "weights": "capability"}).outcomes["x"]
    grid = np.linspace(20, 70, 500_001)
    logp = np.zeros_like(grid)
    for _, c, x, s in rows:
        gain = s * ((d - x) ** 2 - (grid - x) ** 2)
        logp += c * np.log(np.where(gain > 0, gain, np.nan))
    assert got == pytest.approx(grid[np.nanargmax(logp)], abs=1e-3)


def test_nash_reports_infeasible_and_falls_back(build_scenario: Callable[..., Any]) -> None:
    # actors on both sides of d = 50: only d itself keeps everyone at least as well off
    sc = one_issue(build_scenario, [("a", 1, 10, 1.0), ("b", 3, 90, 1.0)], 0, 100, sq=50)
    f = parley.forecast(sc, "nash", {"utility": "linear", "weights": "capability", "fallback": "gaining-side"})
    diag = f.diagnostics["issues"][0]
    assert diag["feasible"] is False and "both sides" in diag["status"] and "above" in diag["status"]
    # the heavier side (b) bargains alone: its gain grows until its own position, 90
    assert f.outcomes["x"] == pytest.approx(90, abs=1e-6)
    strict = parley.forecast(sc, "nash", {"utility": "linear", "fallback": "status-quo"})
    assert strict.outcomes["x"] == 50
    # worst-point fallback: worst points are 100 for a and 0 for b, so with linear utility the
    # gains are (100 − x) and x between 10 and 90; 1·log(100 − x) + 3·log(x) peaks at x = 75
    worst = parley.forecast(sc, "nash", {"utility": "linear", "weights": "capability"})
    assert worst.outcomes["x"] == pytest.approx(75, abs=1e-6)
    assert worst.diagnostics["issues"][0]["feasible"] is False


def test_nash_actor_at_the_status_quo_makes_it_infeasible(build_scenario: Callable[..., Any]) -> None:
    # a (weight 1) stands at d = 20; b (weight 2) at 80. Any move away from 20 hurts a, so the
    # strict Nash solution is 20; parley says so instead of silently leaving a out.
    sc = one_issue(build_scenario, [("a", 1, 20, 1.0), ("b", 2, 80, 1.0)], 0, 100, sq=20)
    f = parley.forecast(sc, "nash", {"utility": "linear", "fallback": "status-quo"})
    assert f.outcomes["x"] == 20 and "stands at d" in f.diagnostics["issues"][0]["status"]
    # worst points: 100 for a, 0 for b; between 20 and 80 maximise log(100 − x) + 2·log(x): x = 200/3
    g = parley.forecast(sc, "nash", {"utility": "linear"})
    assert g.outcomes["x"] == pytest.approx(200 / 3, abs=1e-6)


def test_an_unknown_parameter_suggests_the_nearest_name() -> None:
    with pytest.raises(parley.ModelError, match=r"has no parameter 'weight'.*did you mean 'weights'"):
        get_model("compromise", {"weight": "equal"})


@pytest.mark.parametrize("sq", [None, 5.0])
@pytest.mark.parametrize("weights", ["capability", "equal", "capability*salience"])
def test_all_zero_saliences_give_no_forecast(
    build_scenario: Callable[..., Any], sq: float | None, weights: str
) -> None:
    # With every salience 0, u_i(z) = -0 * |z - x_i| = 0 for every z: no outcome beats another, so
    # no model has anything to forecast. Compromise and median divide by a total weight of 0 (NaN);
    # Nash must say NaN too, not a point such as 0.16 that lies outside both positions (3 and 7).
    sc = one_issue(build_scenario, [("a", 1, 3, 0.0), ("b", 2, 7, 0.0)], 0, 20, sq=sq)
    assert np.isnan(parley.forecast(sc, "compromise").outcomes["x"])
    assert np.isnan(parley.forecast(sc, "median").outcomes["x"])
    f = parley.forecast(sc, "nash", {"weights": weights})
    assert np.isnan(f.outcomes["x"])
    assert f.diagnostics["issues"][0]["status"] == "no actor cares about this issue (all saliences 0)"


def test_nash_ignores_a_zero_salience_issue_but_solves_the_others(build_scenario: Callable[..., Any]) -> None:
    def stance(position: float, salience: float) -> dict[str, float]:
        return {"position": position, "salience": salience}

    # issue y has all saliences 0 (NaN); issue x is the hand calculation of test_nash_linear_hand_calculation
    sc = build_scenario(
        issues=[
            {"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 20},
            {"id": "y", "scale": {"min": 0, "max": 10}},
        ],
        actors=[
            {"id": "a", "capability": 1, "stances": {"x": stance(60, 1), "y": stance(2, 0)}},
            {"id": "b", "capability": 2, "stances": {"x": stance(80, 1), "y": stance(9, 0)}},
        ],
    )
    f = parley.forecast(sc, "nash", {"utility": "linear", "weights": "capability"})
    assert f.outcomes["x"] == pytest.approx(220 / 3, abs=1e-6) and np.isnan(f.outcomes["y"])
