"""Plan scoring (docs/analysis.md §1) against hand calculations on a small scenario.

The scenario (``TOY``), linear utility, distances divided by the scale span:

======  ====  =====================  =======================  ==============
actor   cap   land (0–100, sq 40)    army (0–1000, sq 800)    aid (0–10, no sq)
======  ====  =====================  =======================  ==============
A       2     100, s 1.0             1000, s 0.5
B       3     0, s 1.0               0, s 0.5
C       1     80, s 0.5              1000, s 0.2              10, s 0.4
D       1     60, s 0.5 (stated 30)
======  ====  =====================  =======================  ==============

A's outside option on land is 20; C and D form group ``west``; land is vetoed by A and B,
army by ``west``; belligerents A and B.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from parley.analysis.plans.scorecard import score_plans
from parley.analysis.plans.scoring import STATUS_QUO, ScoringOptions
from parley.errors import ScenarioError

TOY: dict[str, Any] = {
    "belligerents": ["A", "B"],
    "issues": [
        {"id": "land", "scale": {"min": 0, "max": 100}, "status_quo": 40, "vetoes": ["A", "B"]},
        {"id": "army", "scale": {"min": 0, "max": 1000}, "status_quo": 800, "vetoes": ["west"]},
        {"id": "aid", "scale": {"min": 0, "max": 10}},
    ],
    "actors": [
        {
            "id": "A",
            "capability": 2,
            "outside_option": {"land": 20},
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
            "stances": {
                "land": {"position": 80, "salience": 0.5},
                "army": {"position": 1000, "salience": 0.2},
                "aid": {"position": 10, "salience": 0.4},
            },
        },
        {
            "id": "D",
            "capability": 1,
            "groups": ["west"],
            "stances": {"land": {"position": 60, "salience": 0.5, "stated": 30}},
        },
    ],
    "plans": [
        {
            "id": "p1",
            "proposer": "C",
            "provisions": [
                {"text": "land to 30", "issue": "land", "position": 30},
                {"text": "army capped at 400", "issue": "army", "position": 400},
                {"text": "talks go on", "no_issue_reason": "no position"},
            ],
        },
        {"id": "p2", "provisions": [{"text": "land to 50", "issue": "land", "position": 50}]},
        {"id": "p3", "provisions": [{"text": "aid at 5", "issue": "aid", "position": 5}]},
        {"id": "p4", "provisions": [{"text": "army stays", "issue": "army", "position": 800}]},
        {"id": "p5", "based_on": "p1", "provisions": [{"text": "land to 50", "issue": "land", "position": 50}]},
    ],
}


@pytest.fixture(scope="module")
def card(build_scenario: Callable[..., Any]) -> Any:
    return score_plans(build_scenario(**TOY), models=())


def test_reservation_and_status_quo_utilities(card: Any) -> None:
    # reservation: A land at its outside option 20: |20-100|/100*1 = 0.8, army |800-1000|/1000*0.5 = 0.1 -> -0.9
    # B: land 0.4*1 + army 0.8*0.5 = 0.8 -> -0.8;  C: land 0.4*0.5 + army 0.2*0.2 = 0.24 (aid has no reference:
    # excluded) -> -0.24;  D: land 0.2*0.5 -> -0.1
    assert card.reservation == pytest.approx({"A": -0.9, "B": -0.8, "C": -0.24, "D": -0.1})
    # status quo: A land |40-100|/100 = 0.6 + army 0.1 -> -0.7; the others as their reservation
    sq = {a.actor: a.utility for a in card.status_quo.actors}
    assert sq == pytest.approx({"A": -0.7, "B": -0.8, "C": -0.24, "D": -0.1})
    assert card.unscored == {"A": (), "B": (), "C": ("aid",), "D": ()}


def test_plan_utilities_gains_acceptance(card: Any) -> None:
    p1 = card.plan("p1")
    # A: land |30-100|/100 = 0.7, army |400-1000|/1000*0.5 = 0.3 -> -1.0, gain -1.0 - (-0.9) = -0.1
    # B: land 0.3 + army 0.4*0.5 = 0.5 -> -0.5, gain +0.3
    # C: land 0.5*0.5 = 0.25 + army 0.6*0.2 = 0.12 -> -0.37, gain -0.13;  D: 0.3*0.5 -> -0.15, gain -0.05
    assert {a.actor: a.utility for a in p1.actors} == pytest.approx({"A": -1.0, "B": -0.5, "C": -0.37, "D": -0.15})
    assert {a.actor: a.gain for a in p1.actors} == pytest.approx({"A": -0.1, "B": 0.3, "C": -0.13, "D": -0.05})
    assert p1.accepting == ("B",)
    assert p1.support == pytest.approx(3 / 7)
    p2 = card.plan("p2")
    # army unaddressed: stays at 800. A: land 0.5 + army 0.1 -> -0.6 (gain +0.3); B: 0.5 + 0.4 -> -0.9 (-0.1);
    # C: 0.3*0.5 + 0.04 -> -0.19 (+0.05); D: 0.1*0.5 -> -0.05 (+0.05)
    assert {a.actor: a.gain for a in p2.actors} == pytest.approx({"A": 0.3, "B": -0.1, "C": 0.05, "D": 0.05})
    assert p2.accepting == ("A", "C", "D") and p2.support == pytest.approx(4 / 7)
    assert p2.unaddressed == ("army", "aid") and p2.inherited == ()
    assert p2.outcome["army"] == 800 and np.isnan(p2.outcome["aid"])


def test_quadratic_utility_by_hand_and_the_option_overrides_it(build_scenario: Callable[..., Any]) -> None:
    card = score_plans(build_scenario(**{**TOY, "utility": "quadratic"}), ["p1"], models=())
    a, b = card.plan("p1").actor("A"), card.plan("p1").actor("B")
    # A: plan 0.7² + 0.5*0.6² = 0.49 + 0.18 = 0.67; reservation 0.8² + 0.5*0.2² = 0.64 + 0.02 = 0.66
    assert a.utility == pytest.approx(-0.67) and a.gain == pytest.approx(-0.01) and not a.accepts
    # B: plan 0.3² + 0.5*0.4² = 0.17; reservation 0.4² + 0.5*0.8² = 0.48
    assert b.utility == pytest.approx(-0.17) and b.gain == pytest.approx(0.31)
    # the option overrides the scenario's own utility
    lin = score_plans(
        build_scenario(**{**TOY, "utility": "quadratic"}), ["p1"], models=(), options=ScoringOptions(utility="linear")
    )
    assert lin.plan("p1").actor("A").utility == pytest.approx(-1.0)


def test_no_reference_worst_and_pareto(build_scenario: Callable[..., Any]) -> None:
    # "worst": C's aid reference is the scale end farthest from 10, i.e. 0: loss |0-10|/10*0.4 = 0.4
    card = score_plans(build_scenario(**TOY), models=(), options=ScoringOptions(no_reference="worst"))
    assert card.reservation["C"] == pytest.approx(-0.64)
    # p3 puts aid at 5: C's loss 0.5*0.4 = 0.2, gain +0.2; no one else has a stance there. A accepts too:
    # land stays at the status quo 40, better for A than its outside option 20 (-0.7 vs -0.9: +0.2)
    p3 = card.plan("p3")
    assert p3.actor("C").gain == pytest.approx(0.2) and p3.actor("A").gain == pytest.approx(0.2)
    assert p3.accepting == ("A", "C")
    # so p3 is weakly better for all and strictly for C: it dominates the status quo and p4 (= status quo)
    assert ("p3", STATUS_QUO) in card.dominance and ("p3", "p4") in card.dominance
    # p4 equals the status quo for everyone: neither dominates the other
    assert ("p4", STATUS_QUO) not in card.dominance and (STATUS_QUO, "p4") not in card.dominance
    # p1 and p2: A prefers p2, B prefers p1: no dominance either way
    assert not {("p1", "p2"), ("p2", "p1")} & set(card.dominance)
    # under "exclude", aid counts for no one: p3 changes nothing and dominates nothing
    excl = score_plans(build_scenario(**TOY), models=())
    assert not any(a == "p3" for a, _ in excl.dominance)


def test_concession_index(card: Any) -> None:
    # opponents: A <-> B; C: salience-weighted distance to A (0.5*0.2 + 0.2*0)/0.7 = 0.143, to B
    # (0.5*0.8 + 0.2*1)/0.7 = 0.857 -> B;  D: 0.4 to A, 0.6 to B -> B
    assert card.opponents == {"A": "B", "B": "A", "C": "B", "D": "B"}
    p1 = card.plan("p1")
    # A: land (30-100)/(0-100) = 0.7, army (400-1000)/(0-1000) = 0.6; weights s*|gap|/span = 1, 0.5
    # -> (0.7 + 0.5*0.6) / 1.5 = 0.6667
    assert p1.actor("A").concession == pytest.approx(1.0 / 1.5)
    assert p1.actor("A").concession_by_issue == pytest.approx({"land": 0.7, "army": 0.6})
    # B: land 0.3, army 0.4 -> (0.3 + 0.2)/1.5
    assert p1.actor("B").concession == pytest.approx(0.5 / 1.5)
    # C toward B: land (30-80)/(0-80) = 0.625 w 0.5*0.8 = 0.4; army 0.6 w 0.2*1 = 0.2 -> 0.37/0.6
    assert p1.actor("C").concession == pytest.approx(0.37 / 0.6)
    # D toward B: (30-60)/(0-60) = 0.5
    assert p1.actor("D").concession == pytest.approx(0.5)
    # the status quo as a baseline: A land 0.6, army 0.2 -> (0.6 + 0.1)/1.5
    assert card.status_quo.actors[0].concession == pytest.approx(0.7 / 1.5)


def test_concession_clipped_and_opponent_override(build_scenario: Callable[..., Any]) -> None:
    # a plan beyond the opponent's ideal counts as giving all (1), beyond one's own as nothing (0)
    data = copy.deepcopy(TOY)
    data["plans"] = [{"id": "far", "provisions": [{"text": "land 100", "issue": "land", "position": 100}]}]
    card = score_plans(build_scenario(**data), models=())
    far = card.plan("far")
    # C (80, toward B at 0): 100 is beyond its own ideal -> land share clip((100-80)/(0-80)) = 0; army stays at
    # 800: (800-1000)/(0-1000) = 0.2 -> (0.4*0 + 0.2*0.2)/0.6
    assert far.actor("C").concession_by_issue == pytest.approx({"land": 0.0, "army": 0.2})
    # D measured toward A instead (override): (100-60)/(100-60) = 1
    card2 = score_plans(build_scenario(**data), models=(), options=ScoringOptions(opponents={"D": "A"}))
    assert card2.opponents["D"] == "A" and card2.plan("far").actor("D").concession == pytest.approx(1.0)
    with pytest.raises(ScenarioError, match="'Z' is not an actor"):
        score_plans(build_scenario(**data), models=(), options=ScoringOptions(opponents={"D": "Z"}))


def test_provision_gainers_and_losers(card: Any) -> None:
    land, army, talk = card.plan("p1").provisions
    # land 30 vs status quo 40: A 1*(0.6-0.7) = -0.1, B 1*(0.4-0.3) = +0.1, C 0.5*(0.4-0.5) = -0.05,
    # D 0.5*(0.2-0.3) = -0.05
    assert land.effects == pytest.approx({"A": -0.1, "B": 0.1, "C": -0.05, "D": -0.05})
    assert land.gainers == ("B",) and land.losers == ("A", "C", "D")
    # army 400 vs 800: A 0.5*(0.2-0.6) = -0.2, B 0.5*(0.8-0.4) = +0.2, C 0.2*(0.2-0.6) = -0.08; D no stance
    assert army.effects == pytest.approx({"A": -0.2, "B": 0.2, "C": -0.08})
    assert talk.issue is None and talk.gainers == () and talk.note == "no position"
    # p4 repeats the status quo: everyone with a stance is unaffected
    (same,) = card.plan("p4").provisions
    assert same.unaffected == ("A", "B", "C") and same.gainers == same.losers == ()


def test_vetoes_actor_and_group(card: Any) -> None:
    p1 = card.plan("p1")
    by = {(v.issue, v.holder): v for v in p1.vetoes}
    assert set(by) == {("land", "A"), ("land", "B"), ("army", "west")}
    assert not by["land", "A"].consents and by["land", "B"].consents
    assert by["army", "west"].kind == "group" and by["army", "west"].members == ("C", "D")
    assert not by["army", "west"].consents and not p1.vetoes_pass
    # p2 settles only land: B rejects it, so the veto fails; west has no say (army unaddressed)
    p2 = card.plan("p2")
    assert {(v.holder, v.consents) for v in p2.vetoes} == {("A", True), ("B", False)}


def test_group_veto_rules(build_scenario: Callable[..., Any]) -> None:
    data = copy.deepcopy(TOY)
    data["plans"] = [
        {
            "id": "q",
            "provisions": [
                {"text": "army 900", "issue": "army", "position": 900},
                {"text": "land 45", "issue": "land", "position": 45},
            ],
        }
    ]
    # C: land |45-80|/100*0.5 = 0.175 + army |900-1000|/1000*0.2 = 0.02 -> -0.195 vs -0.24: accepts
    # D: land |45-60|/100*0.5 = 0.075 vs 0.1: accepts. Both members accept: the group consents.
    v = {x.holder: x for x in score_plans(build_scenario(**data), models=()).plan("q").vetoes}
    assert v["west"].consents and v["west"].accepting == ("C", "D")
    # army 1000, land 38, C's capability 3:
    # C: land 0.42*0.5 = 0.21 + army 0 -> -0.21 vs -0.24: accepts; D: 0.22*0.5 = 0.11 vs 0.1: rejects
    data["plans"][0]["provisions"] = [
        {"text": "army 1000", "issue": "army", "position": 1000},
        {"text": "land 38", "issue": "land", "position": 38},
    ]
    data["actors"][2]["capability"] = 3
    sc = build_scenario(**data)
    unan = {x.holder: x for x in score_plans(sc, models=()).plan("q").vetoes}["west"]
    assert unan.accepting == ("C",) and not unan.consents
    # capability majority: C holds 3 of west's 4 = 0.75 > 0.5 -> consents; not above a 0.8 bar
    maj = score_plans(sc, models=(), options=ScoringOptions(group_veto="capability_majority"))
    assert {x.holder: x for x in maj.plan("q").vetoes}["west"].consents
    high = score_plans(sc, models=(), options=ScoringOptions(group_veto="capability_majority", group_majority=0.8))
    assert not {x.holder: x for x in high.plan("q").vetoes}["west"].consents


def test_nash_product(build_scenario: Callable[..., Any]) -> None:
    data = copy.deepcopy(TOY)
    data["plans"] = [
        {"id": "mid", "provisions": [{"text": "land 35", "issue": "land", "position": 35}]},
        *TOY["plans"][:1],
    ]
    card = score_plans(build_scenario(**data), models=())
    mid = card.plan("mid")
    # land 35: A 0.65 + 0.1 = -0.75 vs reservation -0.9: +0.15; B 0.35 + 0.4 = -0.75 vs -0.8: +0.05
    # Nash product over the belligerents: 0.15 * 0.05 = 0.0075; log = ln 0.15 + ln 0.05
    assert mid.nash_product == pytest.approx(0.0075) and mid.nash_log == pytest.approx(np.log(0.15) + np.log(0.05))
    # p1: A gains -0.1 -> product 0, log undefined, A named
    assert card.plan("p1").nash_product == 0.0 and card.plan("p1").nash_log is None
    assert card.plan("p1").not_gaining == ("A",)
    # against the status quo instead: A -0.75 - (-0.7) = -0.05 -> 0
    sq = score_plans(build_scenario(**data), models=(), options=ScoringOptions(disagreement="status_quo"))
    assert sq.plan("mid").nash_product == 0.0 and sq.plan("mid").not_gaining == ("A",)
    # over every actor: C land |35-80| = 0.45*0.5 = 0.225 + 0.04 -> -0.265 vs -0.24: loses -> 0
    every = score_plans(build_scenario(**data), models=(), options=ScoringOptions(nash_actors=("A", "B", "C", "D")))
    assert every.plan("mid").not_gaining == ("C", "D")


def test_inherited_provisions(build_scenario: Callable[..., Any]) -> None:
    # p5 revises p1 and, with inherit: true, keeps p1's army cap (400); without it army stays at 800
    data = copy.deepcopy(TOY)
    data["plans"][4]["inherit"] = True
    p5 = score_plans(build_scenario(**data), ["p5"], models=()).plan("p5")
    # A: land |50-100|/100 = 0.5 + army 0.3 = -0.8 vs -0.9 -> +0.1 (without inheritance: 0.5 + 0.1 -> +0.3)
    assert p5.inherited == ("army",) and p5.actor("A").gain == pytest.approx(0.1)
    assert p5.provisions[1].inherited_from == "p1"
    # and west's veto on army now applies
    assert any(v.holder == "west" for v in p5.vetoes)
    plain = score_plans(build_scenario(**TOY), ["p5"], models=()).plan("p5")
    assert plain.inherited == () and plain.actor("A").gain == pytest.approx(0.3)


def test_stated_positions_replace_revealed_ones_when_asked(build_scenario: Callable[..., Any]) -> None:
    card = score_plans(build_scenario(**TOY), ["p1"], models=(), options=ScoringOptions(stated=True))
    # D by its words stands at 30: plan loss 0, reservation |40-30|/100*0.5 = 0.05 -> gains +0.05
    assert card.plan("p1").actor("D").gain == pytest.approx(0.05) and card.plan("p1").actor("D").accepts


def test_a_compromise_forecast_is_scored_like_a_plan(build_scenario: Callable[..., Any], card: Any) -> None:
    full = score_plans(build_scenario(**TOY), ["p1"], models=["compromise"])
    comp = full.forecasts["compromise"]
    # compromise on land: Σ c s x / Σ c s = (2*1*100 + 3*1*0 + 1*.5*80 + 1*.5*60) / (2 + 3 + .5 + .5) = 270/6 = 45
    assert comp.outcome["land"] == pytest.approx(45.0)
    # army: (2*.5*1000 + 3*.5*0 + 1*.2*1000) / (1 + 1.5 + .2) = 1200/2.7; A's utility -(0.55 + 0.5*(1-1200/2700))
    assert comp.actors[0].utility == pytest.approx(-(0.55 + 0.5 * (1 - 1200 / 2700)))


def test_a_plan_named_twice_is_scored_once(build_scenario: Callable[..., Any]) -> None:
    card = score_plans(build_scenario(**TOY), ["p2", "p1", "p2"], models=())
    assert [p.plan for p in card.plans] == ["p2", "p1"]  # each once, in the order first given


def test_an_unknown_plan_is_a_scenario_error(build_scenario: Callable[..., Any]) -> None:
    with pytest.raises(ScenarioError, match="no plan 'p9'"):
        score_plans(build_scenario(**TOY), ["p9"], models=())


def test_to_dict_is_json_ready(card: Any) -> None:
    import json

    data = json.loads(json.dumps(card.to_dict(), allow_nan=False))
    assert data["plans"][0]["actors"]["A"]["accepts"] is False
    assert data["actors"]["C"]["unscored_issues"] == ["aid"]
    assert data["plans"][1]["outcome"]["aid"] is None


def test_words_deeds(build_scenario: Callable[..., Any]) -> None:
    from parley.analysis.plans.words_deeds import words_deeds

    wd = words_deeds(build_scenario(**TOY), ["p1", "p2"], models=["compromise"])
    (gap,) = wd.positions
    assert (gap.actor, gap.issue, gap.revealed, gap.stated, gap.difference) == ("D", "land", 60.0, 30.0, -30.0)
    (f,) = wd.forecasts
    # compromise on land: revealed (2*100 + 0.5*80 + 0.5*60)/6 = 45; stated (200 + 40 + 0.5*30)/6 = 42.5
    assert f.revealed["land"] == pytest.approx(45.0) and f.stated["land"] == pytest.approx(42.5)
    assert f.gap["land"] == pytest.approx(-2.5) and f.gap["army"] == pytest.approx(0.0)
    # D by its deeds (60) rejects p1 (land 30: 0.15 vs 0.1) and accepts p2 (50: 0.05 vs 0.1);
    # by its words (30) the reverse: p1 0 vs 0.05 accepts, p2 0.1 vs 0.05 rejects
    assert [(a.plan, a.actor, a.accepts_revealed, a.accepts_stated) for a in wd.acceptance] == [
        ("p1", "D", False, True),
        ("p2", "D", True, False),
    ]
    assert wd.acceptance[0].gain_stated == pytest.approx(0.05)
    # no stated position: nothing to run
    data = copy.deepcopy(TOY)
    del data["actors"][3]["stances"]["land"]["stated"]
    empty = words_deeds(build_scenario(**data), models=["compromise"])
    assert empty.positions == () and empty.forecasts == () and empty.acceptance == ()


def test_compare_shock(build_scenario: Callable[..., Any]) -> None:
    from parley.analysis.plans.report import compare, plan_report

    shock = {"id": "drop", "changes": [{"op": "scale", "actor": "C", "target": "capability", "factor": 0.1}]}
    # issue 11: the range's sides are declared, never read from positions; this declares the coalition
    # (A with C and D, the group "west") that the positions used to imply
    sides = {"a": {"members": ["A", "west"]}, "b": {"members": ["B"]}}
    cmp = compare(build_scenario(**{**TOY, "shocks": [shock], "sides": sides}), "drop", ["p1", "p2"], models=())
    # C's capability 1 -> 0.1: p1 support (B) 3/7 -> 3/6.1; p2 (A, C, D) 4/7 -> 3.1/6.1. Utilities do not
    # depend on capability, so no acceptance, gain or concession moves. The derived p moves (2.4/4.9 ->
    # 2.04/4.54) but neither plan enters or leaves the range, and x does not move.
    assert [(c.plan, c.actor, c.what) for c in cmp.changes] == [("p1", None, "support"), ("p2", None, "support")]
    assert cmp.changes[0].before == pytest.approx(3 / 7) and cmp.changes[0].after == pytest.approx(3 / 6.1)
    assert cmp.changes[1].after == pytest.approx(3.1 / 6.1)
    assert cmp.before.bargaining is not None and cmp.after.bargaining is not None
    assert cmp.after.bargaining.p == pytest.approx(2.04 / 4.54)
    assert cmp.to_dict()["shock"] == "drop"
    # a removed actor shows as removed
    gone = {"id": "gone", "changes": [{"op": "remove", "actor": "D"}]}
    cmp2 = compare(build_scenario(**{**TOY, "shocks": [gone]}), "gone", ["p1"], models=())
    assert ("p1", "D", "removed") in [(c.plan, c.actor, c.what) for c in cmp2.changes]
    with pytest.raises(ScenarioError, match="no shock 'nope'"):
        compare(build_scenario(**TOY), "nope", models=())
    # no belligerents: no bargaining range, and the report says why
    rep = plan_report(build_scenario(**{**TOY, "belligerents": []}), ["p1"], models=())
    assert rep.bargaining is None and "no two belligerents" in rep.bargaining_note
