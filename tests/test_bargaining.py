"""Bargaining range (MODELS.md §5; docs/analysis.md §2) against hand calculations.

Scenario: A (cap 2) and B (cap 3) dispute land (0–100, sq 40; A at 100, B at 0, s 1 each) and
army (0–1000, sq 800; A at 1000, B at 0, s 0.5 each); C (cap 1) sits at land 80 (s 0.5), army
1000 (s 0.2); D (cap 1) at land 60 (s 0.5). A, C and D declare the group "west": since issue 11 the
sides of the range come from declared alliances, never from where actors stand (the fixture used to
rely on C and D standing nearer A).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from scipy import stats

from parley.analysis.plans.acceptability import Fixed, distribution, p_acceptable
from parley.analysis.plans.bargaining import BargainingOptions, MilitaryRule, bargaining_range, military_terms
from parley.errors import ParleyError, ScenarioError

DATA: dict[str, Any] = {
    "belligerents": ["A", "B"],
    "issues": [
        {"id": "land", "scale": {"min": 0, "max": 100}, "status_quo": 40},
        {"id": "army", "scale": {"min": 0, "max": 1000}, "status_quo": 800},
        {"id": "aid", "scale": {"min": 0, "max": 10}},
    ],
    "actors": [
        {
            "id": "A",
            "groups": ["west"],
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
            "groups": ["west"],
            "capability": 1,
            "stances": {
                "land": {"position": 80, "salience": 0.5},
                "army": {"position": 1000, "salience": 0.2},
                "aid": {"position": 10, "salience": 0.4},
            },
        },
        {"id": "D", "groups": ["west"], "capability": 1, "stances": {"land": {"position": 60, "salience": 0.5}}},
    ],
    "plans": [
        {
            "id": "p1",
            "proposer": "C",
            "provisions": [
                {"text": "A cedes land to the line", "issue": "land", "position": 30, "category": "territory"},
                {"text": "A's armed forces limited to 400", "issue": "army", "position": 400},
            ],
        },
        {"id": "p2", "provisions": [{"text": "land to 50", "issue": "land", "position": 50}]},
    ],
    "shocks": [{"id": "drop", "changes": [{"op": "scale", "actor": "C", "target": "capability", "factor": 0.1}]}],
}


def test_derived_p_and_range(build_scenario: Callable[..., Any]) -> None:
    br = bargaining_range(build_scenario(**DATA))
    # disputed issues land and army; composite weights (s_A + s_B)/2: land 1, army 0.5
    assert br.weights == {"land": 1.0, "army": 0.5}
    # sides: C and D share the declared group "west" with A, not with B
    assert br.coalition_a == ("A", "C", "D") and br.coalition_b == ("B",)
    # engagement Σω s/Σω: A, B (1 + 0.25)/1.5 = 5/6; C (0.5 + 0.1)/1.5 = 0.4; D 0.5/1.5 = 1/3
    # W_A = 2*5/6 + 1*0.4 + 1/3 = 2.4, W_B = 3*5/6 = 2.5 -> p = 2.4/4.9
    assert br.p == pytest.approx(2.4 / 4.9)
    assert br.share_a == pytest.approx((5 / 3) / 2.4) and br.share_b == pytest.approx(1.0)
    # default costs 0.1 each (assumed, and said so)
    assert br.cost_a == br.cost_b == 0.1 and "assumed" in br.inputs["cost_a"]["source"]
    assert br.lower == pytest.approx(2.4 / 4.9 - 0.1) and br.upper == pytest.approx(2.4 / 4.9 + 0.1)
    # status quo: land (40-0)/(100-0) = 0.4, army 800/1000 = 0.8 -> (0.4 + 0.4)/1.5
    assert br.status_quo == pytest.approx(0.8 / 1.5)


def test_plan_place_and_margins(build_scenario: Callable[..., Any]) -> None:
    br = bargaining_range(build_scenario(**DATA))
    p1, p2 = br.plan("p1"), br.plan("p2")
    # p1: land 0.3, army 0.4 -> (0.3 + 0.5*0.4)/1.5 = 1/3
    assert p1.x == pytest.approx(1 / 3)
    assert p1.margin_a == pytest.approx(1 / 3 - (2.4 / 4.9 - 0.1))
    assert p1.margin_b == pytest.approx(2.4 / 4.9 + 0.1 - 1 / 3)
    assert not p1.inside and p1.p_acceptable == 0.0
    # p2: land 0.5, army at the status quo 0.8 -> (0.5 + 0.4)/1.5 = 0.6 > upper 0.5898
    assert p2.x == pytest.approx(0.6) and not p2.inside


def test_single_issue_and_belligerent_rule(build_scenario: Callable[..., Any]) -> None:
    # land only: W_A = 2*1 + 1*0.5 + 1*0.5 = 3, W_B = 3*1 = 3 -> p = 0.5
    br = bargaining_range(build_scenario(**DATA), options=BargainingOptions(issue="land"))
    assert br.p == pytest.approx(0.5) and br.plan("p1").x == pytest.approx(0.3)
    # belligerents alone on the composite: 2*(5/6) vs 3*(5/6) -> p = 0.4
    bb = bargaining_range(build_scenario(**DATA), options=BargainingOptions(p_rule="belligerents"))
    assert bb.p == pytest.approx(0.4) and bb.coalition_a == ("A",) and bb.share_a == 1.0
    # capability weights, no salience: W_A = 2 + 1 + 1 = 4, W_B = 3 -> 4/7
    bc = bargaining_range(build_scenario(**DATA), options=BargainingOptions(p_weights="capability"))
    assert bc.p == pytest.approx(4 / 7)


def test_military_terms_and_commitment_shift(build_scenario: Callable[..., Any]) -> None:
    sc = build_scenario(**DATA)
    terms = military_terms(sc, sc.plan("p1"), "A", "B", MilitaryRule())
    land, army = terms
    # land: category 'territory'; A loses (|30-100| > |40-100|); kept |30-0|/|40-0| = 0.75; elasticity 0
    assert (land.tag, land.how, land.side, land.retained, land.elasticity) == ("territory", "category", "A", 0.75, 0.0)
    # army: found by its issue id; A loses; the move goes toward 0, kept 400/800 = 0.5; elasticity 1
    assert (army.tag, army.how, army.side, army.retained) == ("army_cap", "issue 'army'", "A", 0.5)
    br = bargaining_range(sc)
    p1 = br.plan("p1")
    # M_A = 1 - φ_A (1 - 0.5), φ_A = (5/3)/2.4; odds' = odds * M_A
    p = 2.4 / 4.9
    m_a = 1 - (5 / 3) / 2.4 * 0.5
    odds = p / (1 - p) * m_a
    assert p1.p_after == pytest.approx(odds / (1 + odds)) and p1.delta_p == pytest.approx(odds / (1 + odds) - p)
    assert p1.inside_after and not p1.commitment_problem
    # with territory counted at elasticity 1 too: kept 0.75 * 0.5
    rule = MilitaryRule(elasticity=(("army_cap", 1.0), ("territory", 1.0)))
    p1b = bargaining_range(sc, options=BargainingOptions(military=rule)).plan("p1")
    m_a = 1 - (5 / 3) / 2.4 * (1 - 0.375)
    odds = p / (1 - p) * m_a
    assert p1b.p_after == pytest.approx(odds / (1 + odds))


def test_commitment_problem_when_the_range_after_the_army_cut_no_longer_holds_the_plan(
    build_scenario: Callable[..., Any],
) -> None:
    # land only, p = 0.3 given, costs 0.1, belligerents only (φ = 1): today's range [0.2, 0.4] holds x = 0.3;
    # the army cut keeps 0.5 of A: odds 0.3/0.7 * 0.5 = 0.2143 -> p' = 0.17647, range after [0.0765, 0.2765]
    opts = BargainingOptions(issue="land", p=0.3, p_rule="belligerents")
    p1 = bargaining_range(build_scenario(**DATA), options=opts).plan("p1")
    assert p1.inside and p1.p_after == pytest.approx(0.15 / 0.85) and not p1.inside_after
    assert p1.commitment_problem


def test_p_acceptable_closed_forms() -> None:
    # p ~ Beta(2, 2), fixed costs 0.1 / 0.2, x = 0.5: P(0.3 ≤ p ≤ 0.6) = F(0.6) - F(0.3), F(t) = 3t² - 2t³
    beta = distribution({"distribution": "beta", "a": 2, "b": 2})
    assert p_acceptable(0.5, beta, 0.1, 0.2) == pytest.approx(0.648 - 0.216, abs=1e-9)
    # p = 0.5, c_A ~ U(0, 0.2), c_B ~ U(0, 0.4): x = 0.45 needs c_A ≥ 0.05 (0.75); x = 0.55 needs c_B ≥ 0.05 (0.875)
    ua = distribution({"distribution": "uniform", "low": 0, "high": 0.2})
    ub = distribution({"distribution": "uniform", "low": 0, "high": 0.4})
    assert p_acceptable(0.45, 0.5, ua, ub) == pytest.approx(0.75)
    assert p_acceptable(0.55, 0.5, ua, ub) == pytest.approx(0.875)
    # p ~ U(0, 1), c_A ~ U(0, 0.2), c_B = 0.1, x = 0.5: ∫_{0.4}^{0.5} 1 dp + ∫_0^{0.2} (1 - u/0.2) du = 0.1 + 0.1
    unit = distribution({"distribution": "beta", "a": 1, "b": 1})
    assert p_acceptable(0.5, unit, ua, 0.1) == pytest.approx(0.2, abs=1e-9)
    # normal cost: p = 0.5, x = 0.45, c_A ~ N(0.1, 0.05): P(c_A ≥ 0.05) = Φ(1)
    na = distribution({"distribution": "normal", "mean": 0.1, "sd": 0.05})
    assert p_acceptable(0.45, 0.5, na, 1.0) == pytest.approx(stats.norm.cdf(1.0))
    # a frozen scipy distribution works the same
    assert p_acceptable(0.5, stats.beta(2, 2), 0.1, 0.2) == pytest.approx(0.432, abs=1e-9)


def test_p_acceptable_with_shifts() -> None:
    # p = 0.5, costs 0.1: x = 0.35 is below A's limit 0.4; δ_A = 0.1 lowers the limit to 0.3
    assert p_acceptable(0.35, 0.5, 0.1, 0.1) == 0.0
    assert p_acceptable(0.35, 0.5, 0.1, 0.1, shift_a=0.1) == 1.0
    # the odds shift: p ~ U(0, 1), factor 0.5, costs 0.1, x = 0.3: 0.2 ≤ p' ≤ 0.4 with p' = 0.5p/(1 - 0.5p),
    # i.e. p = 2p'/(1 + p') between 1/3 and 0.8/1.4
    unit = distribution({"distribution": "beta", "a": 1, "b": 1})
    assert p_acceptable(0.3, unit, 0.1, 0.1, odds_factor=0.5) == pytest.approx(0.8 / 1.4 - 1 / 3, abs=1e-9)


def test_refusal_shift_and_shock(build_scenario: Callable[..., Any]) -> None:
    br = bargaining_range(build_scenario(**DATA), options=BargainingOptions(refusal_shift_a=0.05))
    assert br.lower == pytest.approx(2.4 / 4.9 - 0.05 - 0.1) and br.lower_base == pytest.approx(2.4 / 4.9 - 0.1)
    # the 'drop' shock cuts C's capability to 0.1: W_A = 5/3 + 0.1*0.4 + 1/3 = 2.04 -> p 2.04/4.54
    # δ_A = p - p_shocked
    bs = bargaining_range(build_scenario(**DATA), options=BargainingOptions(refusal_shock_a="drop"))
    assert bs.shift_a == pytest.approx(2.4 / 4.9 - 2.04 / 4.54)
    assert "drop" in bs.inputs["shift_a"]["source"]


def test_inputs_from_metadata_and_given(build_scenario: Callable[..., Any]) -> None:
    meta = {"bargaining": {"p": 0.6, "cost_a": {"distribution": "uniform", "low": 0.0, "high": 0.2}}}
    br = bargaining_range(build_scenario(**{**DATA, "metadata": meta}))
    assert (
        br.p == 0.6 and br.cost_a == pytest.approx(0.1) and br.inputs["p"]["source"] == "scenario metadata.bargaining"
    )
    assert br.inputs["cost_b"]["source"].startswith("assumed")
    given = bargaining_range(
        build_scenario(**{**DATA, "metadata": meta}), options=BargainingOptions(p=Fixed(0.7), cost_b=0.05)
    )
    assert given.p == 0.7 and given.cost_b == 0.05 and given.inputs["p"]["source"] == "given"
    # Beta from mean and concentration: a = m k, b = (1 - m) k
    d = distribution({"distribution": "beta", "mean": 0.25, "concentration": 8})
    assert d.describe() == {"distribution": "beta", "a": 2.0, "b": 6.0}


def test_bad_distribution_undisputed_issue_no_belligerents_or_unknown_shock_is_an_error(
    build_scenario: Callable[..., Any],
) -> None:
    with pytest.raises(ScenarioError, match="unknown distribution"):
        distribution({"distribution": "cauchy"})
    with pytest.raises(ScenarioError, match="'uniform' needs high"):
        distribution({"distribution": "uniform", "low": 0})
    with pytest.raises(ParleyError, match="do not dispute 'aid'"):
        bargaining_range(build_scenario(**DATA), options=BargainingOptions(issue="aid"))
    with pytest.raises(ParleyError, match="names no belligerents"):
        bargaining_range(build_scenario(**{**DATA, "belligerents": []}))
    with pytest.raises(ScenarioError, match="no shock 'nope'"):
        bargaining_range(build_scenario(**DATA), options=BargainingOptions(refusal_shock_a="nope"))


def test_to_dict_json_ready(build_scenario: Callable[..., Any]) -> None:
    import json

    data = json.loads(json.dumps(bargaining_range(build_scenario(**DATA)).to_dict(), allow_nan=False))
    assert data["sides"] == ["A", "B"] and data["plans"][0]["military_terms"][1]["tag"] == "army_cap"


def test_declared_allies_set_the_sides_and_unknown_or_two_sided_allies_are_errors(
    build_scenario: Callable[..., Any],
) -> None:
    # A with D only, B alone: W_A = 2*(5/6) + 1*(1/3) = 2, W_B = 2.5 -> p = 2/4.5
    br = bargaining_range(build_scenario(**DATA), options=BargainingOptions(allies_a=("D",)))
    assert br.coalition_a == ("A", "D") and br.coalition_b == ("B",) and br.p == pytest.approx(2 / 4.5)
    assert "declared" in br.inputs["p"]["source"]
    with pytest.raises(ScenarioError, match="'Q' is not an actor or group"):
        bargaining_range(build_scenario(**DATA), options=BargainingOptions(allies_a=("Q",)))
    with pytest.raises(ParleyError, match="declared on both sides: D"):
        bargaining_range(build_scenario(**DATA), options=BargainingOptions(allies_a=("D",), allies_b=("D",)))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"p": 2}, r"p \(A's chance of winning a war\) must be between 0 and 1, got 2"),
        ({"p": -0.5}, "must be between 0 and 1, got -0.5"),
        ({"p": float("nan")}, "must be between 0 and 1, got nan"),
        ({"p": Fixed(1.5)}, "must be between 0 and 1, got 1.5"),
        ({"cost_a": -1}, r"cost_a \(A's cost of war on the 0–1 scale\) must be a finite number ≥ 0, got -1"),
        ({"cost_b": float("inf")}, "cost_b .* must be a finite number ≥ 0, got inf"),
        # a uniform cost on [-0.1, 0.3] has mean 0.1 but reaches below 0
        ({"cost_a": {"distribution": "uniform", "low": -0.1, "high": 0.3}}, "the distribution reaches -0.1"),
        ({"p": {"distribution": "uniform", "low": 0.5, "high": 1.2}}, "the distribution reaches 1.2"),
        ({"p": {"distribution": "normal", "mean": 1.5, "sd": 0.1}}, "the distribution's mean is 1.5"),
        ({"default_cost": -0.1}, "default_cost must be a finite number ≥ 0"),
        ({"refusal_shift_a": float("nan")}, "refusal_shift_a must be a finite number"),
    ],
)
def test_out_of_range_inputs_are_refused(options: dict[str, Any], message: str) -> None:
    # before, --cost-a -1 gave the inverted range [p + 1, p + 0.1]
    with pytest.raises(ParleyError, match=message):
        BargainingOptions(**options)


def test_inputs_at_the_ends_of_their_ranges_are_accepted(build_scenario: Callable[..., Any]) -> None:
    # p = 1 (A wins for sure) and zero costs: the range is the single point [1, 1]
    br = bargaining_range(build_scenario(**DATA), options=BargainingOptions(p=1, cost_a=0, cost_b=0.0))
    assert (br.lower, br.upper) == (1.0, 1.0)
    # a normal p (unbounded support) is judged by its mean, 0.5
    BargainingOptions(p={"distribution": "normal", "mean": 0.5, "sd": 0.05})


def test_out_of_range_metadata_is_a_scenario_problem(build_scenario: Callable[..., Any]) -> None:
    meta = {"bargaining": {"cost_b": -0.2}}
    with pytest.raises(ScenarioError, match=r"metadata\.bargaining\.cost_b: cost_b .* got -0.2"):
        bargaining_range(build_scenario(**{**DATA, "metadata": meta}))


def test_a_plan_named_twice_is_placed_once(build_scenario: Callable[..., Any]) -> None:
    br = bargaining_range(build_scenario(**DATA), ["p2", "p2", "p1"])
    assert [p.plan for p in br.plans] == ["p2", "p1"]
