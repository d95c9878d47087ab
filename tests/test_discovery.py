"""Scenario discovery: CART and PRIM find the regions a hand calculation predicts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("sklearn", reason="CART needs scikit-learn")

from parley.analysis.uncertainty.discovery import discover
from parley.analysis.uncertainty.experiment import Experiment
from parley.analysis.uncertainty.montecarlo import monte_carlo
from parley.errors import ParleyError


def two_vetoes(build_scenario: Callable[..., Any]) -> Any:
    """Two veto holders, each deciding on its own issue, plus an input that decides nothing.

    Alpha (veto on x): position ~ U(0, 100), status quo 0, the plan puts x at 60; with linear
    loss it accepts iff |60 − p| < |p| ⇔ p > 30.
    Beta (veto on y): position ~ U(0, 1), status quo 0, the plan puts y at 0.8; it accepts iff
    |0.8 − q| < |q| ⇔ q > 0.4.
    So the plan passes iff Alpha's x position > 30 and Beta's y position > 0.4 (P = 0.7 · 0.6).
    Gamma's salience range moves the outcome but no one's vote.
    """
    return build_scenario(
        issues=[
            {"id": "x", "label": "Issue X", "scale": {"min": 0, "max": 100}, "status_quo": 0, "vetoes": ["A"]},
            {"id": "y", "label": "Issue Y", "scale": {"min": 0, "max": 1}, "status_quo": 0, "vetoes": ["B"]},
        ],
        actors=[
            {
                "id": "A",
                "name": "Alpha",
                "capability": 1,
                "stances": {"x": {"position": 50, "salience": 1, "uncertainty": {"low": 0, "high": 100}}},
            },
            {
                "id": "B",
                "name": "Beta",
                "capability": 1,
                "stances": {"y": {"position": 0.5, "salience": 1, "uncertainty": {"low": 0, "high": 1}}},
            },
            {
                "id": "C",
                "name": "Gamma",
                "capability": 1,
                "stances": {"x": {"position": 90, "salience": 0.5, "salience_range": [0.1, 0.9]}},
            },
        ],
        plans=[
            {
                "id": "p",
                "provisions": [
                    {"text": "x at 60", "issue": "x", "position": 60},
                    {"text": "y at 0.8", "issue": "y", "position": 0.8},
                ],
            }
        ],
    )


@pytest.fixture(scope="module")
def run(build_scenario: Callable[..., Any]) -> Any:
    return monte_carlo(Experiment.of(two_vetoes(build_scenario), "compromise"), 5000, rng=21, runner="sequential")


def test_cart_finds_the_two_thresholds(run) -> None:  # type: ignore[no-untyped-def]
    found = discover(run, "p", method="cart")
    assert found.base_rate == pytest.approx(0.42, abs=0.03)
    yes = [b for b in found.boxes if b.answer]
    assert len(yes) == 1
    box = yes[0]
    cond = {c.input: c for c in box.conditions}
    assert set(cond) == {"position:A:x", "position:B:y"}  # Gamma's salience plays no part
    assert cond["position:A:x"].lower == pytest.approx(30, abs=0.5) and cond["position:A:x"].upper is None
    assert cond["position:B:y"].lower == pytest.approx(0.4, abs=0.005) and cond["position:B:y"].upper is None
    assert box.density == 1.0 and box.coverage == 1.0
    text = found.describe()[0]
    assert text.startswith("passes every veto when ")
    assert "Alpha position on Issue X is above 30" in text and "Beta position on Issue Y is above 0.4" in text
    assert any(not b.answer for b in found.boxes)  # and where it is blocked
    json.dumps(found.to_dict())


def test_cart_for_one_actor(run) -> None:  # type: ignore[no-untyped-def]
    found = discover(run, "p", actor="B")
    assert found.target == "B accepts plan p"
    top = found.boxes[0]
    assert top.answer and [c.input for c in top.conditions] == ["position:B:y"]


def test_prim_finds_the_box(run) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("ema_workbench", reason="PRIM needs the EMA Workbench")
    found = discover(run, "p", method="prim", threshold=0.9)
    yes = [b for b in found.boxes if b.answer]
    assert yes, found.note
    cond = {c.input: c for c in yes[0].conditions}
    assert set(cond) == {"position:A:x", "position:B:y"}
    assert cond["position:A:x"].lower == pytest.approx(30, abs=2.0)
    assert cond["position:B:y"].lower == pytest.approx(0.4, abs=0.02)
    assert yes[0].density >= 0.9


def test_a_plan_passing_in_every_draw_has_no_boxes_and_bad_requests_are_errors(
    build_scenario: Callable[..., Any], run
) -> None:  # type: ignore[no-untyped-def]
    always = build_scenario(
        issues=[{"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 0, "vetoes": ["A"]}],
        actors=[
            {
                "id": "A",
                "capability": 1,
                "stances": {"x": {"position": 80, "salience": 1, "uncertainty": {"low": 70, "high": 90}}},
            }
        ],
        plans=[{"id": "p", "provisions": [{"text": "x at 60", "issue": "x", "position": 60}]}],
    )
    res = monte_carlo(Experiment.of(always, "compromise"), 200, rng=1, runner="sequential")
    found = discover(res, "p")
    assert found.boxes == () and found.describe() == ["plan p passes every veto in every draw"]
    with pytest.raises(ParleyError, match="no plan 'q'"):
        discover(run, "q")
    with pytest.raises(ParleyError, match="no actor"):
        discover(run, "p", actor="Z")
    with pytest.raises(ParleyError, match="threshold"):
        discover(run, "p", threshold=0.3)
