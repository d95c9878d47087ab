"""Issue 11: how a party decides — every rule checked against a hand calculation.

Walk-away (no-agreement outcome, outside options), red lines (hard and soft), deferred
issues, point inheritance, consent rules (change and renewal), signatories, P(accept) and
P(deal) by Monte Carlo (closed forms on two actors), the logit term, shocks on the walk-away,
and the brief (pivotal party, smallest change). Each number in an assertion is worked out in
the comment above it.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import numpy as np
import pytest

from parley.analysis.plans.brief import brief, wilson
from parley.analysis.plans.scorecard import score_plans
from parley.analysis.plans.scoring import ScoringOptions
from parley.analysis.uncertainty.experiment import Experiment
from parley.analysis.uncertainty.montecarlo import monte_carlo
from parley.errors import ScenarioError
from parley.scenario import apply_shock, scenario_from_dict

# Two actors on two issues, linear loss. land 0–100 (sq 50), money 0–10 (sq 5).
# A: land 80 (s 1), money 10 (s 1). B: land 20 (s 1), money 0 (s 0.5).
BASE: dict[str, Any] = {
    "schema_version": 1,
    "belligerents": ["A", "B"],
    "issues": [
        {"id": "land", "scale": {"min": 0, "max": 100}, "status_quo": 50},
        {"id": "money", "scale": {"min": 0, "max": 10}, "status_quo": 5},
    ],
    "actors": [
        {
            "id": "A",
            "capability": 1,
            "stances": {"land": {"position": 80, "salience": 1.0}, "money": {"position": 10, "salience": 1.0}},
        },
        {
            "id": "B",
            "capability": 1,
            "stances": {"land": {"position": 20, "salience": 1.0}, "money": {"position": 0, "salience": 0.5}},
        },
    ],
    "plans": [],
}


def make(**changes: Any) -> Any:
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        data[key] = value
    return scenario_from_dict(data)


def with_stance(data: dict[str, Any], actor: int, issue: str, **fields: Any) -> None:
    data["actors"][actor]["stances"][issue].update(fields)


def test_walkaway_is_the_no_agreement_outcome_and_outside_option_overrides() -> None:
    plans = [{"id": "p", "provisions": [{"text": "land 45", "issue": "land", "position": 45}]}]
    # without no_agreement: reservation = status quo. A: -(0.3 + 0.5) = -0.8; plan: -(0.35 + 0.5) = -0.85
    card = score_plans(make(plans=plans), models=[])
    assert card.reservation["A"] == pytest.approx(-0.8)
    assert card.plan("p").actor("A").gain == pytest.approx(-0.05) and not card.plan("p").actor("A").accepts
    # no agreement: the line moves to 30 -> A's walk-away on land |30-80|/100 = 0.5: reservation -1.0; gain +0.15
    na = {"positions": {"land": {"position": 30}}}
    card = score_plans(make(plans=plans, no_agreement=na), models=[])
    assert card.reservation["A"] == pytest.approx(-1.0)
    assert card.plan("p").actor("A").gain == pytest.approx(0.15) and card.plan("p").actor("A").accepts
    # B: walk-away land |30-20| = 0.1 + money 0.25 = -0.35; plan 0.25 + 0.25 = -0.5 -> refuses (it gains by war)
    assert card.plan("p").actor("B").gain == pytest.approx(-0.15)
    # A's own outside option on land (60) overrides: |60-80|/100 = 0.2 -> reservation -0.7, gain -0.15
    data = copy.deepcopy(BASE)
    data["actors"][0]["outside_option"] = {"land": 60}
    data.update(plans=plans, no_agreement=na)
    card = score_plans(scenario_from_dict(data), models=[])
    assert card.reservation["A"] == pytest.approx(-0.7) and card.reservation["B"] == pytest.approx(-0.35)


def test_red_line_beats_any_compensation_and_soft_costs_its_penalty() -> None:
    # A's red line: land at least 40. "buy" puts land at 35 but money at A's ideal 10.
    # A's gain without the red line: land |35-80| = 0.45 vs 0.3 (-0.15), money 0 vs 0.5 (+0.5) -> +0.35
    plans = [
        {
            "id": "buy",
            "provisions": [
                {"text": "land 35", "issue": "land", "position": 35},
                {"text": "all the money", "issue": "money", "position": 10},
            ],
        }
    ]
    data = copy.deepcopy(BASE)
    data["plans"] = plans
    free = score_plans(scenario_from_dict(data), models=[]).plan("buy").actor("A")
    assert free.gain == pytest.approx(0.35) and free.accepts
    with_stance(data, 0, "land", red_line={"min": 40, "source": "hand"})
    hard = score_plans(scenario_from_dict(data), models=[]).plan("buy").actor("A")
    # same gain, but refused: no gain elsewhere buys a red line
    assert hard.gain == pytest.approx(0.35) and not hard.accepts and hard.red_lines == ("land",)
    # even maximal compensation does not: money salience 1 and the whole scale is worth at most 1.0
    with_stance(data, 0, "land", red_line={"min": 40, "soft": True, "penalty": 0.3})
    soft = score_plans(scenario_from_dict(data), models=[]).plan("buy").actor("A")
    # soft: gain 0.35 − 0.3 = 0.05 > 0 -> accepts, paying the penalty
    assert soft.gain == pytest.approx(0.05) and soft.accepts and soft.penalty == pytest.approx(0.3)
    with_stance(data, 0, "land", red_line={"min": 40, "soft": True, "penalty": 0.4})
    assert not score_plans(scenario_from_dict(data), models=[]).plan("buy").actor("A").accepts  # 0.35 − 0.4 < 0


def test_red_line_schema_problems() -> None:
    data = copy.deepcopy(BASE)
    with_stance(data, 0, "land", red_line={"min": 40, "max": 60, "uncertainty": {"low": 30, "high": 50}})
    with pytest.raises(ScenarioError, match="exactly one of min and max"):
        scenario_from_dict(data)
    data = copy.deepcopy(BASE)
    with_stance(data, 0, "land", red_line={"max": 140})
    with pytest.raises(ScenarioError, match=r"red_line.max.*outside the scale"):
        scenario_from_dict(data)


def test_deferred_issue_scored_over_its_range_not_the_status_quo() -> None:
    # "later" defers land to [60, 100] (uniform); money stays unmentioned (reported, at the status quo under a deal)
    plans = [
        {
            "id": "later",
            "provisions": [
                {
                    "text": "land to the presidents",
                    "issue": "land",
                    "deferred": {"to": "presidents", "low": 60, "high": 100},
                }
            ],
        }
    ]
    card = score_plans(make(plans=plans), models=[])
    p = card.plan("later")
    assert p.unaddressed == ("money",) and "land" in p.deferred and p.deferred["land"]["basis"] == "declared range"
    # B (ideal 20, outside the range): E|z − 20|/100 = (80 − 20)/100 = 0.6 exactly; money 0.25 -> u = -0.85
    # (frozen at the status quo it would have been 0.3 + 0.25 = -0.55: the deferral costs B 0.3)
    assert p.actor("B").utility == pytest.approx(-0.85, abs=1e-9)
    # A (ideal 80, inside): E|z − 80| over U[60, 100] = (20² + 20²)/(2·40) = 10 -> 0.1; money 0.5 -> -0.6
    assert p.actor("A").utility == pytest.approx(-0.6, abs=1e-4)
    # the outcome shown is the range's mean
    assert p.outcome["land"] == pytest.approx(80.0)


def test_deferred_without_range_uses_the_models_spread_and_provision_needs_one_of_position_or_deferred() -> None:
    plans = [{"id": "later", "provisions": [{"text": "land later", "issue": "land", "deferred": {"to": "talks"}}]}]
    card = score_plans(make(plans=plans), models=["compromise", "median"])
    spread = sorted(float(f.outcome["land"]) for f in card.forecasts.values())
    assert card.plan("later").deferred["land"]["low"] == pytest.approx(spread[0])
    assert card.plan("later").deferred["land"]["high"] == pytest.approx(spread[-1])
    bad = [{"id": "x", "provisions": [{"text": "both", "issue": "land", "position": 3, "deferred": {"to": "y"}}]}]
    with pytest.raises(ScenarioError, match="both a position and deferred"):
        make(plans=bad)


def test_point_inheritance() -> None:
    parent = {
        "id": "par",
        "provisions": [
            {"point": "1", "text": "aid 8", "issue": "aid", "position": 8},
            {"point": "10", "text": "land 40", "issue": "land", "position": 40},
            {"point": "10", "text": "and money 2", "issue": "money", "position": 2},
            {"point": "21(a)", "text": "sub a", "no_issue_reason": "x"},
            {"point": "21(b)", "text": "sub b", "no_issue_reason": "x"},
        ],
    }
    rewrite10 = {
        "id": "rev",
        "based_on": "par",
        "inherit": True,
        "provisions": [
            {"point": "10", "text": "land 45", "issue": "land", "position": 45},
            {"point": "21", "text": "new 21", "no_issue_reason": "x"},
        ],
    }
    only1 = {
        "id": "one",
        "based_on": "par",
        "inherit": ["1"],
        "provisions": [{"point": "5", "text": "x", "no_issue_reason": "x"}],
    }
    data = copy.deepcopy(BASE)
    data["issues"].append({"id": "aid", "scale": {"min": 0, "max": 10}, "status_quo": 0})
    data["actors"][0]["stances"]["aid"] = {"position": 10, "salience": 0.5}
    data["plans"] = [parent, rewrite10, only1]
    sc = scenario_from_dict(data)
    rev = sc.plan("rev")
    # point 10 is rewritten: its clause on money (2) is NOT inherited (money is now not mentioned at all);
    # point 1 (aid 8) is; the new 21 replaces 21(a) and 21(b)
    inherited = [p.point for p in rev.provisions if p.inherited_from == "par"]
    assert inherited == ["1"]
    assert rev.positions == {"land": 45, "aid": 8} and rev.unaddressed(sc.issue_ids) == ("money",)
    one = sc.plan("one")
    assert [p.point for p in one.provisions] == ["5", "1"] and one.positions == {"aid": 8}
    data["plans"] = [parent, {"id": "bad", "based_on": "par", "inherit": ["7"], "provisions": []}]
    with pytest.raises(ScenarioError, match="'7' is not a point of 'par'"):
        scenario_from_dict(data)


def _eu(consent: str) -> Any:
    # sanctions 0–10, sq 10 (in force); relief to 0. EU = {h, g}; h wants relief (0), g keeps them (10)
    data = {
        "schema_version": 1,
        "issues": [
            {"id": "sanctions", "scale": {"min": 0, "max": 10}, "status_quo": 10, "vetoes": ["EU"], "consent": consent}
        ],
        "actors": [
            {"id": "h", "groups": ["EU"], "capability": 1, "stances": {"sanctions": {"position": 0, "salience": 1}}},
            {"id": "g", "groups": ["EU"], "capability": 5, "stances": {"sanctions": {"position": 10, "salience": 1}}},
        ],
        "plans": [
            {"id": "relief", "provisions": [{"text": "lift", "issue": "sanctions", "position": 0}]},
            {"id": "keep", "provisions": [{"text": "keep", "issue": "sanctions", "position": 10}]},
        ],
    }
    return scenario_from_dict(data)


def test_renewal_needs_unanimity_to_keep_the_status_quo() -> None:
    # change rule: relief moves the issue; g refuses -> the EU (unanimity) blocks
    change = score_plans(_eu("change"), models=[]).plan("relief")
    assert change.accepting == ("h",) and not change.vetoes_pass
    # renewal rule: sanctions lapse unless every member renews; h alone lets them lapse -> relief goes through
    renewal = score_plans(_eu("renewal"), models=[]).plan("relief")
    assert renewal.accepting == ("h",) and renewal.vetoes_pass and renewal.vetoes[0].consent == "renewal"
    # a text that keeps the status quo needs no consent at all
    assert score_plans(_eu("renewal"), models=[]).plan("keep").vetoes == ()
    # Monte Carlo gives the same verdicts (nothing uncertain: exactly 0 and 1)
    mc = monte_carlo(Experiment.of(_eu("renewal")), 5, rng=1, runner="sequential")
    assert mc.plan_summary()["relief"]["passes_vetoes"] == 1.0
    mc = monte_carlo(Experiment.of(_eu("change")), 5, rng=1, runner="sequential")
    assert mc.plan_summary()["relief"]["passes_vetoes"] == 0.0


def _two(a_unc: Any = None, b_unc: Any = None, a_pos: float = 70, b_pos: float = 50) -> Any:
    # one issue 0–100, sq 50 (walk-away); plan at 60. Linear: accept iff |60 − x| < |50 − x| iff x > 55
    data = {
        "schema_version": 1,
        "signatories": ["A", "B"],
        "issues": [{"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 50}],
        "actors": [
            {
                "id": "A",
                "capability": 1,
                "stances": {"x": {"position": a_pos, "salience": 1, **({"uncertainty": a_unc} if a_unc else {})}},
            },
            {
                "id": "B",
                "capability": 1,
                "stances": {"x": {"position": b_pos, "salience": 1, **({"uncertainty": b_unc} if b_unc else {})}},
            },
        ],
        "plans": [{"id": "p", "provisions": [{"point": "1", "text": "x to 60", "issue": "x", "position": 60}]}],
    }
    return scenario_from_dict(data)


def test_p_deal_two_actors_closed_form() -> None:
    # A ~ U[40, 80]: P(x > 55) = 25/40 = 0.625; B ~ U[30, 70]: 15/40 = 0.375; independent -> P(deal) = 0.234375
    sc = _two(
        {"distribution": "uniform", "low": 40, "high": 80}, {"distribution": "uniform", "low": 30, "high": 70}, 60, 50
    )
    n = 20000
    mc = monte_carlo(Experiment.of(sc), n, rng=7, runner="sequential")
    s = mc.plan_summary()["p"]
    se = math.sqrt(0.25 / n)
    assert s["accept"]["A"] == pytest.approx(0.625, abs=4 * se)
    assert s["accept"]["B"] == pytest.approx(0.375, abs=4 * se)
    assert s["deal"] == pytest.approx(0.234375, abs=4 * se)
    assert s["signatories"] == {"A": pytest.approx(s["accept"]["A"]), "B": pytest.approx(s["accept"]["B"])}


def test_logit_term_closed_form() -> None:
    # fixed ideals: A at 60 (gain |50−60| − |60−60| = 0.1), B at 52 (gain 0.02 − 0.08 = −0.06); λ = 0.1
    # P(A) = 1/(1 + e^−1) = 0.7311, P(B) = 1/(1 + e^0.6) = 0.3543; independent draws -> P(deal) = 0.2590
    sc = _two(a_pos=60, b_pos=52)
    n = 20000
    mc = monte_carlo(Experiment.of(sc, options=ScoringOptions(logit_scale=0.1)), n, rng=3, runner="sequential")
    s = mc.plan_summary()["p"]
    pa, pb = 1 / (1 + math.exp(-1.0)), 1 / (1 + math.exp(0.6))
    se = math.sqrt(0.25 / n)
    assert s["accept"]["A"] == pytest.approx(pa, abs=4 * se)
    assert s["accept"]["B"] == pytest.approx(pb, abs=4 * se)
    assert s["deal"] == pytest.approx(pa * pb, abs=4 * se)


def test_uncertain_red_line_and_no_agreement_are_drawn() -> None:
    # A at 70 would accept 60 (gain 0.1), but its red line max is U[55, 65]: crossed when bound < 60: P = 0.5
    data = json.loads(json.dumps(_two(a_pos=70, b_pos=70).to_dict()))
    data["actors"][0]["stances"]["x"]["red_line"] = {
        "max": 60,
        "uncertainty": {"distribution": "uniform", "low": 55, "high": 65},
    }
    n = 20000
    mc = monte_carlo(Experiment.of(scenario_from_dict(data)), n, rng=5, runner="sequential")
    se = math.sqrt(0.25 / n)
    assert mc.plan_summary()["p"]["accept"]["A"] == pytest.approx(0.5, abs=4 * se)
    # no agreement uncertain: U[50, 80] for B at 70: accept 60 iff |w − 70| > 10 iff w < 60: P = 10/30
    data = json.loads(json.dumps(_two(a_pos=70, b_pos=70).to_dict()))
    data["no_agreement"] = {
        "positions": {"x": {"position": 65, "uncertainty": {"distribution": "uniform", "low": 50, "high": 80}}}
    }
    mc = monte_carlo(Experiment.of(scenario_from_dict(data)), n, rng=5, runner="sequential")
    assert mc.plan_summary()["p"]["accept"]["B"] == pytest.approx(1 / 3, abs=4 * se)


def test_shocks_on_the_walkaway_move_acceptance_the_right_way() -> None:
    plans = [{"id": "p", "provisions": [{"text": "land 45", "issue": "land", "position": 45}]}]
    shocks = [
        {"id": "war-worse-for-A", "changes": [{"op": "set", "target": "no_agreement", "issue": "land", "value": 20}]},
        {"id": "war-scaled", "changes": [{"op": "scale", "target": "no_agreement", "issue": "land", "factor": 0.5}]},
        {
            "id": "A-exit",
            "changes": [{"op": "set", "target": "outside_option", "actor": "A", "issue": "land", "value": 70}],
        },
        {
            "id": "A-softens",
            "changes": [{"op": "set", "target": "red_line", "actor": "A", "issue": "land", "value": 40}],
        },
    ]
    data = copy.deepcopy(BASE)
    data.update(plans=plans, shocks=shocks, no_agreement={"positions": {"land": {"position": 50}}})
    with_stance(data, 0, "land", red_line={"min": 48})
    sc = scenario_from_dict(data)
    g0 = score_plans(sc, models=[]).plan("p").actor("A")
    assert g0.gain == pytest.approx(-0.05) and not g0.accepts and g0.red_lines == ("land",)
    # a worse war for A (the line moves to 20: walk-away |20−80| = 0.6) raises its gain by 0.3
    g1 = score_plans(apply_shock(sc, "war-worse-for-A"), models=[]).plan("p").actor("A")
    assert g1.gain == pytest.approx(0.25)
    # scale: 50 x 0.5 = 25 -> walk-away 0.55 -> gain +0.2
    assert score_plans(apply_shock(sc, "war-scaled"), models=[]).plan("p").actor("A").gain == pytest.approx(0.2)
    # a better exit for A (70: |70−80| = 0.1) lowers its gain: −0.35 + 0.1 − ... = −0.25
    assert score_plans(apply_shock(sc, "A-exit"), models=[]).plan("p").actor("A").gain == pytest.approx(-0.25)
    # moving A's red line from 48 to 40 removes the refusal (the gain itself is unchanged)
    soft = score_plans(apply_shock(sc, "A-softens"), models=[]).plan("p").actor("A")
    assert soft.red_lines == () and soft.gain == pytest.approx(-0.05)
    bad = copy.deepcopy(data)
    bad["shocks"] = [
        {"id": "b", "changes": [{"op": "set", "target": "red_line", "actor": "B", "issue": "land", "value": 3}]}
    ]
    with pytest.raises(ScenarioError, match="has no red line on 'land'"):
        apply_shock(scenario_from_dict(bad), "b")


def test_brief_pivotal_party_smallest_change_and_certainty() -> None:
    # A at 70, B at 30 (fixed), walk-away 50, plan 60: A accepts (gain 0.1), B refuses (−0.1). No uncertainty, λ = 0:
    # P(deal) = 0 exactly and the brief says so; B is pivotal (its consent alone makes every draw a deal)
    sc = _two(a_pos=70, b_pos=30)
    b = brief(sc, n=50, seed=1, logit_scale=0.0, models=["compromise"])
    p = b.plan("p")
    assert p.deal.p == 0.0 and p.deal.certain and "no uncertain input" in p.deal.why
    assert p.pivotal == "B" and p.parties[1].swing == 1.0
    # smallest change: B accepts iff |v − 30| < 20 iff v < 50; the 41-point grid on [0, 100] steps 2.5 -> 47.5
    c = p.smallest_change
    assert c is not None and c.issue == "x" and c.point == "1" and c.proposed == pytest.approx(47.5)
    assert c.share_of_scale == pytest.approx(0.125) and c.p_accept.p == 1.0
    # ...which A (ideal 70: |47.5 − 70| = 22.5 > 20) now refuses: P(deal) after the change is 0
    assert c.p_deal.p == 0.0
    # dropping point 1 takes x back to the status quo = B's walk-away: gain 0, not > 0 -> still no
    assert p.deciding == ()
    json.dumps(b.to_dict(), allow_nan=False)


def test_brief_fixed_red_line_is_certain_and_shares_are_bounded() -> None:
    data = json.loads(json.dumps(_two({"distribution": "uniform", "low": 60, "high": 80}, None, 70, 70).to_dict()))
    data["actors"][1]["stances"]["x"]["red_line"] = {"max": 55}
    b = brief(scenario_from_dict(data), n=200, seed=2, models=["compromise"])
    p = b.plan("p")
    # B's fixed red line (55) is crossed by the fixed point (60): P(deal) = 0 whatever is drawn, and said so
    assert p.deal.p == 0.0 and p.deal.certain and "red line" in p.deal.why
    # A's acceptance is uncertain (logit term): never reported as exactly certain
    a = next(q for q in p.parties if q.name == "A")
    assert not a.accept.certain


def test_brief_names_who_refuses_each_text_for_certain() -> None:
    """The bottom line groups texts by the party that refuses them for certain, by short name, not id."""
    data = json.loads(json.dumps(_two({"distribution": "uniform", "low": 60, "high": 80}, None, 70, 70).to_dict()))
    data["actors"][1]["name"] = "Bravo (President B)"
    data["actors"][1]["stances"]["x"]["red_line"] = {"max": 55}
    twin = copy.deepcopy(data["plans"][0])
    twin["id"] = "q"
    data["plans"].append(twin)
    b = brief(scenario_from_dict(data), n=100, seed=2, models=["compromise"])
    # both texts put x at 60 > 55, B's fixed red line: one group, named "Bravo"
    assert "(refused for certain: p and q by Bravo)" in b.conclusion
    # the lead is the same sentence without that list (the terminal lists the texts one by one)
    assert b.to_dict()["lead"] == b.conclusion.replace(" (refused for certain: p and q by Bravo)", "")
    p = b.plan("p")
    assert p.pivotal == "B" and p.pivotal_label == "Bravo" and p.deal.why.startswith("Bravo:")
    assert p.to_dict()["parties"][1]["label"] == "Bravo"



def test_a_pivotal_party_that_already_says_yes_is_named_not_its_id() -> None:
    """A ~ U[40, 80] accepts iff x > 55 (see _two): P = 25/40 = 0.625 >= 0.5; B at 70 always accepts, so A's
    consent alone decides the deal: A is pivotal and "already says yes more often than not", by name."""
    data = json.loads(json.dumps(_two({"distribution": "uniform", "low": 40, "high": 80}, None, 60, 70).to_dict()))
    data["actors"][0]["name"] = "Alpha (President A)"
    p = brief(scenario_from_dict(data), n=400, seed=3, models=["compromise"]).plan("p")
    assert p.pivotal == "A" and p.pivotal_label == "Alpha"
    assert p.smallest_change_note.startswith("Alpha already says yes more often than not")

def test_wilson_interval() -> None:
    # Wilson (1927): k = 0, n = 2000 -> upper = z²/(n + z²) = 3.8415/2003.84 = 0.001917
    lo, hi = wilson(0, 2000)
    assert lo == 0.0 and hi == pytest.approx(3.841459 / (2000 + 3.841459), rel=1e-4)



def test_a_share_near_one_is_not_printed_as_100_percent() -> None:
    from parley.analysis.plans.brief import Probability

    # 1997 of 2000 draws say yes: 99.85%, Wilson interval (99.56%, 99.95%) by the formula above
    p = Probability.of(np.arange(2000) >= 3)
    assert p.text() == "99.9% (99.6–99.9%)"  # 100·0.9985 = 99.850000000000009 in binary, rounds up
    assert "100" not in p.text()
    assert Probability.of(np.arange(2000) >= 1000).text() == "50% (48–52%)"

def test_declared_sides_not_positions() -> None:
    from parley.analysis.plans.bargaining import bargaining_range

    data = copy.deepcopy(BASE)
    data["actors"].append({"id": "C", "capability": 1, "stances": {"land": {"position": 79, "salience": 1.0}}})
    # C stands next to A, but nothing declares it an ally: it is on neither side
    br = bargaining_range(scenario_from_dict(data))
    assert br.coalition_a == ("A",) and br.coalition_b == ("B",)
    data["sides"] = {"a": {"label": "A and friends", "members": ["A"]}, "b": {"label": "B", "members": ["B", "C"]}}
    br = bargaining_range(scenario_from_dict(data))
    assert br.coalition_b == ("B", "C")
    # a declared no-agreement outcome sets p: land 30 on the disputed scale t = (30 − 20)/(80 − 20) = 1/6,
    # money at the status quo 5: t = 0.5; weights (1 + 1)/2 = 1 and (1 + 0.5)/2 = 0.75 -> (1/6 + 0.375)/1.75
    data["no_agreement"] = {"positions": {"land": {"position": 30}}}
    br = bargaining_range(scenario_from_dict(data))
    assert br.p == pytest.approx((1 / 6 + 0.75 * 0.5) / 1.75) and "no-agreement" in br.inputs["p"]["source"]


def test_old_files_still_load_and_keep_status_quo_fallback() -> None:
    sc = make(plans=[{"id": "p", "provisions": [{"text": "x", "issue": "land", "position": 50}]}])
    card = score_plans(sc, models=[])
    # no no_agreement: reservation = status quo: A -(0.3 + 0.5)
    assert card.reservation["A"] == pytest.approx(-0.8)
    assert np.isfinite(card.plan("p").actor("A").gain)


def test_report_puts_the_bottom_line_first_and_prints_gain() -> None:
    from parley.report import ReportOptions, build_report_data, render_html

    sc = _two(a_pos=70, b_pos=30)
    data = build_report_data(sc, ReportOptions(models=("compromise",), montecarlo_draws=40, sensitivity_samples=0))
    assert data["brief"]["plans"][0]["pivotal"] == "B"
    html = render_html(data)
    assert html.index('id="brief"') < html.index('id="forecasts"')
    # the scorecard table prints the gain it is coloured by: A gains |50−70| − |60−70| = 0.1 -> "✓ +0.10"
    from parley.report.sections import scorecard_cells

    cells = [c["text"] for row in scorecard_cells(data)["rows"] for c in row["cells"]]
    assert cells == ["✓ +0.10", "✗ -0.10"]


def test_cli_brief_json_and_table(tmp_path: Any) -> None:
    import yaml
    from typer.testing import CliRunner

    from parley.cli import app

    data = json.loads(json.dumps(_two({"distribution": "uniform", "low": 40, "high": 80}, None, 60, 30).to_dict()))
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["brief", str(path), "-n", "300", "--seed", "4", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    plan = out["plans"][0]
    # B at 30 refuses 60 (gain −0.1 at λ = 0.02: P = 1/(1 + e^5) ≈ 0.7 %), so B is pivotal
    assert plan["pivotal"] == "B" and out["logit_scale"]["source"].startswith("parley's assumption")
    assert {p["name"] for p in plan["parties"]} == {"A", "B"}
    assert "status quo" in out["walkaway"] and out["conclusion"]
    res = runner.invoke(app, ["brief", str(path), "-n", "100", "--seed", "4"])
    assert res.exit_code == 0 and "Bottom line" in res.stdout and "Headline forecast" in res.stdout
    res = runner.invoke(app, ["brief", str(path), "--plan", "nope"])
    assert res.exit_code != 0 and "no plan 'nope'" in res.output


def test_deferred_issue_is_drawn_in_monte_carlo() -> None:
    # x deferred over U[60, 100]; B at 70, walk-away 50: B accepts iff |z − 70| < 20 iff z < 90: P = 30/40 = 0.75
    data = json.loads(json.dumps(_two(a_pos=70, b_pos=70).to_dict()))
    data["plans"][0]["provisions"] = [
        {"point": "1", "text": "later", "issue": "x", "deferred": {"low": 60, "high": 100}}
    ]
    n = 20000
    mc = monte_carlo(Experiment.of(scenario_from_dict(data)), n, rng=11, runner="sequential")
    assert mc.plan_summary()["p"]["accept"]["B"] == pytest.approx(0.75, abs=4 * math.sqrt(0.25 / n))
    # the point scorecard integrates the same range: E|z − 70| over U[60, 100] = (10² + 30²)/80 = 12.5 -> −0.125
    card = score_plans(scenario_from_dict(data), models=[])
    assert card.plan("p").actor("B").utility == pytest.approx(-0.125, abs=1e-4)


def test_range_reports_the_scorecard_verdicts_of_its_sides() -> None:
    from parley.analysis.plans.bargaining import bargaining_range

    plans = [{"id": "p", "provisions": [{"text": "land 45", "issue": "land", "position": 45}]}]
    br = bargaining_range(make(plans=plans))
    # scorecard (§1): A's gain −0.05 -> no; B: land |45−20| = 0.25 vs 0.3 -> +0.05, money unchanged -> yes
    pl = br.plan("p")
    assert pl.accepts_a is False and pl.accepts_b is True
    assert pl.agrees_with_scorecard == (not pl.inside)


def test_new_fields_are_cross_checked_with_their_place() -> None:
    data = copy.deepcopy(BASE)
    data["signatories"] = ["A", "Q"]
    data["sides"] = {"a": {"members": ["A"]}, "b": {"members": ["Z"]}}
    data["no_agreement"] = {"positions": {"land": {"position": 130}, "sea": {"position": 1}}}
    data["plans"] = [{"id": "p", "provisions": [{"text": "t", "issue": "land", "deferred": {"low": 50, "high": 150}}]}]
    data["shocks"] = [{"id": "s", "changes": [{"op": "set", "target": "no_agreement", "issue": "land", "value": 200}]}]
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(data)
    text = str(e.value)
    for where in (
        "signatories[1]",
        "sides.b.members[0]",
        "no_agreement.positions.land.position",
        "no_agreement.positions.sea",
        "plans[0].provisions[0].deferred.high",
        "shocks[0].changes[0].value",
    ):
        assert where in text, where
