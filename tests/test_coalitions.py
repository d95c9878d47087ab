"""Coalitions and fissures (docs/analysis.md §3) against hand calculations.

Scenario (linear utility): land 0–100 (sq 40, veto A and B), army 0–1000 (sq 800, veto group
``west``). A cap 2: land 100 s 1, army 1000 s 0.5; B cap 3: land 0 s 1, army 0 s 0.5;
C cap 1 (west): land 80 s 0.5, army 1000 s 0.2; D cap 1 (west): land 60 s 0.5.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from parley.analysis.plans.coalitions import alignment, blocs, coalition_analysis, cohesion, pivots
from parley.analysis.plans.scorecard import score_plans
from parley.analysis.plans.scoring import ScoringOptions
from parley.errors import ParleyError, ScenarioError

DATA: dict[str, Any] = {
    "belligerents": ["A", "B"],
    "issues": [
        {"id": "land", "scale": {"min": 0, "max": 100}, "status_quo": 40, "vetoes": ["A", "B"]},
        {"id": "army", "scale": {"min": 0, "max": 1000}, "status_quo": 800, "vetoes": ["west"]},
    ],
    "actors": [
        {
            "id": "A",
            "capability": 2,
            "stances": {"land": {"position": 100, "salience": 1.0}, "army": {"position": 1000, "salience": 0.5}},
        },
        {
            "id": "B",
            "capability": 3,
            "stances": {"land": {"position": 0, "salience": 1.0}, "army": {"position": 0, "salience": 0.5}},
        },
        {
            "id": "C",
            "capability": 1,
            "groups": ["west"],
            "stances": {"land": {"position": 80, "salience": 0.5}, "army": {"position": 1000, "salience": 0.2}},
        },
        {"id": "D", "capability": 1, "groups": ["west"], "stances": {"land": {"position": 60, "salience": 0.5}}},
    ],
    "plans": [
        {
            "id": "p1",
            "provisions": [
                {"text": "land 30", "issue": "land", "position": 30},
                {"text": "army 400", "issue": "army", "position": 400},
            ],
        },
        {"id": "p2", "provisions": [{"text": "land 50", "issue": "land", "position": 50}]},
    ],
}


def test_alignment_hand_calculation(build_scenario: Callable[..., Any]) -> None:
    al = alignment(build_scenario(**DATA))
    # A–C: land w (1+0.5)/2 = 0.75, d 0.2; army w 0.35, d 0 -> 0.15/1.1
    assert al.between("A", "C") == pytest.approx(0.15 / 1.1)
    # A–B: land w 1 d 1, army w 0.5 d 1 -> 1;  B–C: (0.75*0.8 + 0.35*1)/1.1;  C–D: land only, d 0.2
    assert al.between("A", "B") == pytest.approx(1.0)
    assert al.between("B", "C") == pytest.approx(0.95 / 1.1)
    assert al.between("C", "D") == pytest.approx(0.2)
    assert al.between("A", "D") == pytest.approx(0.4) and al.between("B", "D") == pytest.approx(0.6)
    assert np.allclose(al.distance, al.distance.T) and al.shared[2, 3] == 1 and al.shared[0, 2] == 2


def test_blocs_average_linkage(build_scenario: Callable[..., Any]) -> None:
    # at 0.25: A–C merge (0.136); {A,C}–D average (0.4 + 0.2)/2 = 0.3 > 0.25 stays apart; B far from all
    b = blocs(build_scenario(**DATA), threshold=0.25)
    # blocs by capability (A+C = 3 ties B = 3; the first actor's row breaks the tie), then D
    assert b.blocs == (("A", "C"), ("B",), ("D",))
    # at 0.35 D joins (0.3); B's mean distance to A, C, D is (1 + 0.8636 + 0.6)/3 = 0.82
    assert blocs(build_scenario(**DATA), threshold=0.35).blocs == (("A", "C", "D"), ("B",))
    # the linkage's merge heights are the hand values above
    assert sorted(b.linkage[:, 2]) == pytest.approx([0.15 / 1.1, 0.3, (1 + 0.95 / 1.1 + 0.6) / 3])


def test_blocs_unshared_pairs_count_as_far(build_scenario: Callable[..., Any]) -> None:
    data = copy.deepcopy(DATA)
    data["issues"].append({"id": "aid", "scale": {"min": 0, "max": 10}})
    data["actors"].append({"id": "E", "capability": 1, "stances": {"aid": {"position": 5, "salience": 1}}})
    b = blocs(build_scenario(**data), threshold=0.5)
    assert b.unshared_pairs == 4 and ("E",) in b.blocs


def test_group_cohesion(build_scenario: Callable[..., Any]) -> None:
    sc = build_scenario(**DATA)
    card = score_plans(sc, models=())
    (west,) = cohesion(sc, card)
    assert west.group == "west" and west.members == ("C", "D") and west.spread == pytest.approx(0.2)
    c1, c2 = west.plans
    # p1: C gain -0.13 (land 0.25 + army 0.12 vs 0.2 + 0.04), D -0.05 (0.15 vs 0.1): no one accepts
    assert c1.share == 0.0 and c1.accepting == ()
    assert c1.gain_mean == pytest.approx(-0.09) and c1.gain_sd == pytest.approx(0.04)
    assert (c1.gain_min, c1.gain_max) == pytest.approx((-0.13, -0.05))
    # p2 (land 50): C 0.15 + 0.04 vs 0.24 -> +0.05; D 0.05 vs 0.1 -> +0.05: both accept, no spread
    assert c2.share == 1.0 and c2.capability_share == 1.0 and c2.gain_sd == pytest.approx(0.0) and not c2.split
    # the status quo: no outside options, so every gain is 0; utilities -0.24 and -0.1 -> sd 0.07
    assert west.status_quo.share == 0.0 and west.status_quo.utility_sd == pytest.approx(0.07)
    with pytest.raises(ScenarioError, match="'wst' is not a group"):
        cohesion(sc, card, ["wst"])


def pivot_scenario(build_scenario: Callable[..., Any], vetoes: list[str]) -> Any:
    # one issue 0–10, status quo 0; X (cap 2) and Y (cap 1) want 10, Z (cap 1) wants 0; the plan puts it at 5
    return build_scenario(
        issues=[{"id": "x", "scale": {"min": 0, "max": 10}, "status_quo": 0, "vetoes": vetoes}],
        actors=[
            {"id": "X", "capability": 2, "groups": ["g"], "stances": {"x": {"position": 10, "salience": 1}}},
            {"id": "Y", "capability": 1, "groups": ["g"], "stances": {"x": {"position": 10, "salience": 1}}},
            {"id": "Z", "capability": 1, "groups": ["g"], "stances": {"x": {"position": 0, "salience": 1}}},
        ],
        plans=[{"id": "half", "provisions": [{"text": "x at 5", "issue": "x", "position": 5}]}],
    )


def test_pivots_by_support(build_scenario: Callable[..., Any]) -> None:
    sc = pivot_scenario(build_scenario, [])
    (pv,) = pivots(sc, score_plans(sc, models=()))
    # X and Y accept: support 3/4 > 0.5, passes. X leaving: 1/4 -> fails; Y leaving: 2/4 = 0.5, not above -> fails
    assert pv.passes and pv.support == pytest.approx(0.75)
    assert [(p.actor, p.direction) for p in pv.pivots] == [("X", "defection"), ("Y", "defection")]
    assert "0.75 → 0.25" in pv.pivots[0].reasons[0]
    # at a 0.3 threshold Y's leaving (0.5) no longer matters
    (pv3,) = pivots(sc, score_plans(sc, models=()), threshold=0.3)
    assert [p.actor for p in pv3.pivots] == ["X"]


def test_pivots_by_veto(build_scenario: Callable[..., Any]) -> None:
    sc = pivot_scenario(build_scenario, ["Z"])
    (pv,) = pivots(sc, score_plans(sc, models=()))
    # Z rejects and holds a veto: the plan fails; Z converting passes it; X or Y leaving changes nothing
    assert not pv.passes and not pv.vetoes_pass
    assert [(p.actor, p.direction, p.reasons) for p in pv.pivots] == [("Z", "conversion", ("veto of 'Z' on 'x'",))]
    # the group g vetoes: under unanimity Z blocks; under capability majority X + Y (3 of 4) consent
    sg = pivot_scenario(build_scenario, ["g"])
    (unan,) = pivots(sg, score_plans(sg, models=()))
    assert not unan.passes and [p.actor for p in unan.pivots] == ["Z"]
    card = score_plans(sg, models=(), options=ScoringOptions(group_veto="capability_majority"))
    (maj,) = pivots(sg, card)
    # passes; X leaving: support 1/4 and g's accepting share 1/4 -> fails on both counts
    assert maj.passes
    x = next(p for p in maj.pivots if p.actor == "X")
    assert len(x.reasons) == 2 and "veto of 'g'" in x.reasons[1]


def test_coalition_analysis_gives_blocs_pivots_and_groups_together(build_scenario: Callable[..., Any]) -> None:
    res = coalition_analysis(build_scenario(**DATA), ["p2"], bloc_threshold=0.35)
    assert res.blocs.blocs == (("A", "C", "D"), ("B",))
    (pv,) = res.pivots
    # p2: A, C, D accept (4/7 > 0.5) but B's veto on land blocks; B converting passes it
    assert pv.support == pytest.approx(4 / 7) and not pv.passes
    assert [(p.actor, p.direction) for p in pv.pivots] == [("B", "conversion")]
    import json

    assert json.loads(json.dumps(res.to_dict(), allow_nan=False))["groups"][0]["group"] == "west"


@pytest.mark.parametrize("bad", [5.0, -1.0, float("nan"), float("inf")])
def test_thresholds_outside_zero_to_one_are_refused(build_scenario: Callable[..., Any], bad: float) -> None:
    # the pass threshold is a capability share and the bloc cut an alignment distance: both lie in [0, 1]
    sc = build_scenario(**DATA)
    card = score_plans(sc, models=())
    with pytest.raises(ParleyError, match=r"threshold \(the capability share a plan needs to pass\) must be between"):
        pivots(sc, card, threshold=bad)
    with pytest.raises(ParleyError, match=r"bloc threshold \(an alignment distance\) must be between 0 and 1"):
        blocs(sc, threshold=bad)
    with pytest.raises(ParleyError, match="threshold"):
        coalition_analysis(sc, threshold=bad)
    with pytest.raises(ParleyError, match="bloc threshold"):
        coalition_analysis(sc, bloc_threshold=bad)


def test_thresholds_at_zero_and_one_are_accepted(build_scenario: Callable[..., Any]) -> None:
    # bloc cut 1: every distance is <= 1, so all actors form one bloc; cut 0 keeps apart any two that differ
    sc = build_scenario(**DATA)
    assert len(blocs(sc, threshold=1.0).blocs) == 1
    # the pivot scenario's plan has support 3/4 (test_pivots_by_support): it passes above 0, not above 1
    ps = pivot_scenario(build_scenario, [])
    card = score_plans(ps, models=())
    (at_zero,) = pivots(ps, card, threshold=0.0)
    (at_one,) = pivots(ps, card, threshold=1.0)
    assert at_zero.passes and not at_one.passes
