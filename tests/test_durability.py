"""Durability indicators (parley docs, Models: docs/models.md; docs/analysis.md §6) and the category vocabulary.

Each expectation below is read off the provision texts and tags written in the test, by the
rules in docs/analysis.md §7.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from parley.analysis.plans.bargaining import bargaining_range
from parley.analysis.plans.durability import (
    BASE_RATE,
    FORTNA,
    HARTZELL_HODDIE,
    WERNER_YUEN,
    durability,
    plan_durability,
)
from parley.analysis.plans.scorecard import score_plans
from parley.analysis.plans.vocabulary import DURABILITY_TAGS, MILITARY_TAGS, detect, tags_of
from parley.scenario.core import Provision

# A (cap 2) and B (cap 3) dispute land 0–100 (sq 40); A's outside option on land is 20. C declares the
# group "west" with A (issue 11: the range's sides come from declared alliances, not from positions).
DATA: dict[str, Any] = {
    "belligerents": ["A", "B"],
    "issues": [{"id": "land", "scale": {"min": 0, "max": 100}, "status_quo": 40}],
    "actors": [
        {
            "id": "A",
            "groups": ["west"],
            "capability": 2,
            "outside_option": {"land": 20},
            "stances": {"land": {"position": 100, "salience": 1}},
        },
        {"id": "B", "capability": 3, "stances": {"land": {"position": 0, "salience": 1}}},
        {"id": "C", "groups": ["west"], "capability": 1, "stances": {"land": {"position": 60, "salience": 1}}},
    ],
    "plans": [
        {
            "id": "strong",
            "proposer": "C",
            "provisions": [
                {"text": "A neutral demilitarised buffer zone along the line", "no_issue_reason": "zone"},
                {"text": "Both sides pull back 10 km", "category": "withdrawal", "no_issue_reason": "x"},
                {"text": "Observers from the OSCE", "no_issue_reason": "x"},
                {"text": "C guarantees the settlement", "category": "security_guarantee", "no_issue_reason": "x"},
                {"text": "A joint commission settles disputes", "no_issue_reason": "x"},
                {"text": "Land line at 35", "issue": "land", "position": 35},
                {"text": "A unity government", "category": "power_sharing:political", "no_issue_reason": "x"},
                {"text": "Shared army command", "category": "power-sharing:military, dmz", "no_issue_reason": "x"},
            ],
        },
        {
            "id": "bare",
            "proposer": "A",
            "provisions": [{"text": "Land line at 45", "issue": "land", "position": 45}],
        },
        {"id": "orphan", "provisions": [{"text": "Talks continue", "no_issue_reason": "x"}]},
    ],
}


def test_fortna_indicators_from_tags_and_keywords(build_scenario: Callable[..., Any]) -> None:
    d = plan_durability(build_scenario(**DATA), "strong")
    ev = {i.id: [(e.provision, e.how) for e in i.evidence] for i in d.indicators}
    # provision 0 by keyword, provision 7 by its 'dmz' tag
    assert ev["dmz"] == [(0, "keyword 'demilitarised'"), (7, "category")]
    assert ev["withdrawal"] == [(1, "category")]
    assert ev["monitoring"] == [(2, "keyword 'Observer'")]
    assert ev["guarantee"] == [(3, "category")]
    assert ev["dispute_resolution"] == [(4, "keyword 'commission'")]
    for tag in ("dmz", "withdrawal", "monitoring", "guarantee", "dispute_resolution"):
        ind = d.indicator(tag)
        assert ind.present and ind.direction == "+" and ind.source == FORTNA
    # without keywords only the tags count
    bare = plan_durability(build_scenario(**DATA), "strong", keywords=False)
    assert [e.provision for e in bare.indicator("dmz").evidence] == [7]
    assert bare.indicator("monitoring").present is False


def test_specificity_and_power_sharing(build_scenario: Callable[..., Any]) -> None:
    d = plan_durability(build_scenario(**DATA), "strong")
    # 8 provisions, 1 maps to an issue position
    assert d.indicator("specificity").value == {"provisions": 8, "with_issue_position": 1, "share": 1 / 8}
    assert d.indicator("specificity").present is None
    ps = d.indicator("power_sharing")
    assert ps.value == {"dimensions": ["political", "military"], "count": 2} and ps.source == HARTZELL_HODDIE
    assert d.power_sharing == ("political", "military")
    assert plan_durability(build_scenario(**DATA), "bare").indicator("power_sharing").present is False


def test_werner_yuen_imposed_and_range(build_scenario: Callable[..., Any]) -> None:
    sc = build_scenario(**DATA)
    card = score_plans(sc, models=())
    br = bargaining_range(sc)
    strong = plan_durability(sc, "strong", scorecard=card, bargaining=br)
    imposed = strong.indicator("imposed")
    # land 35: A loses 0.65 vs its outside option 0.8: accepts (+0.15), but is worse off than at the status
    # quo (0.6); B gains (0.35 vs 0.4). Proposed by C, a third party: imposed.
    assert card.plan("strong").accepting == ("A", "B")
    assert imposed.present is True and imposed.direction == "-" and imposed.source == WERNER_YUEN
    assert imposed.value == {
        "third_party_proposer": True,
        "belligerents_not_accepting": [],
        "belligerents_worse_than_status_quo": ["A"],
    }
    # bare is A's own text: not imposed, whatever B thinks
    assert plan_durability(sc, "bare", scorecard=card, bargaining=br).indicator("imposed").present is False
    # no proposer: cannot say
    assert plan_durability(sc, "orphan", scorecard=card, bargaining=br).indicator("imposed").present is None
    # the range: land is the only issue; C sides with A (declared group "west"): W_A = 2*1 + 1*1, W_B = 3*1 -> p 0.5;
    # default costs 0.1: range [0.4, 0.6]; strong at 0.35 -> outside; bare at 0.45 -> inside
    assert br.p == pytest.approx(0.5)
    assert strong.indicator("inside_bargaining_range").present is False
    assert plan_durability(sc, "bare", bargaining=br).indicator("inside_bargaining_range").present is True
    # without the analyses, not assessed
    alone = plan_durability(sc, "bare")
    assert alone.indicator("imposed").present is None and alone.indicator("inside_bargaining_range").present is None


def test_base_rate_is_labelled_and_nothing_is_a_probability(build_scenario: Callable[..., Any]) -> None:
    out = durability(build_scenario(**DATA))
    assert [d.plan for d in out] == ["strong", "bare", "orphan"]
    data = out[0].to_dict()
    assert data["base_rate"] == BASE_RATE
    assert data["base_rate"]["label"] == "published base rate, not a forecast for this plan"
    # every indicator names its source; none carries a probability
    for ind in data["indicators"]:
        assert ind["source"] and "probability" not in ind


def test_vocabulary_tags_and_aliases() -> None:
    p = Provision(text="x", category="DMZ; Peacekeeping  joint-commission power_sharing:economic other")
    assert tags_of(p) == {"dmz", "monitoring", "dispute_resolution", "power_sharing:economic", "other"}
    assert {t.id for t in DURABILITY_TAGS} == {"dmz", "withdrawal", "monitoring", "guarantee", "dispute_resolution"}
    assert {t.id for t in MILITARY_TAGS} == {"army_cap", "weapons_limit", "territory"}


def test_military_detection_rules() -> None:
    army, weapons, territory = MILITARY_TAGS
    # a provision mapped to an issue is judged by the issue's id, not its text
    mapped = Provision(text="NATO troops not stationed", issue="foreign_troops", position=0)
    assert detect(mapped, army) is None
    assert detect(Provision(text="An 800,000 army", issue="army_cap", position=800), army) == "issue 'army_cap'"
    on_other = Provision(text="recognition of the new territory revoked", issue="security_guarantee", position=1)
    assert detect(on_other, territory) is None
    # an unmapped provision by its text: every pattern of the rule must match
    free = Provision(text="Ukraine's armed forces limited to 600,000", no_issue_reason="x")
    assert detect(free, army) == "keyword 'armed forces' + 'limit'"
    assert detect(Provision(text="a large army", no_issue_reason="x"), army) is None
    assert detect(Provision(text="give up all long-range weapons", no_issue_reason="x"), weapons).startswith("keyword")
    # a tag always counts, keywords or not
    assert detect(Provision(text="anything", category="army", no_issue_reason="x"), army, keywords=False) == "category"


# A one-issue standard-setting case, like the EC emissions case: no belligerents, no issue about forces or
# territory. Its plan's text even mentions a "buffer zone" (of years), which the keyword rule would count.
CIVIL: dict[str, Any] = {
    "issues": [{"id": "emissions_year", "scale": {"min": 4, "max": 10}}],
    "actors": [
        {"id": "A", "capability": 1, "stances": {"emissions_year": {"position": 4, "salience": 1}}},
        {"id": "B", "capability": 1, "stances": {"emissions_year": {"position": 10, "salience": 1}}},
    ],
    "plans": [
        {
            "id": "deal",
            "proposer": "A",
            "provisions": [
                {"text": "Standard from year 7, with a buffer zone of one year", "issue": "emissions_year",
                 "position": 7},
                {"text": "A joint commission settles disputes", "no_issue_reason": "x"},
                {"text": "The Commission monitors compliance", "no_issue_reason": "x"},
            ],
        }
    ],
}


def test_indicators_of_armed_conflict_are_not_applicable_without_one(build_scenario: Callable[..., Any]) -> None:
    from parley.analysis.plans.durability import ARMED_ONLY, armed_conflict, not_applicable

    sc = build_scenario(**CIVIL)
    assert armed_conflict(sc) == ""
    d = plan_durability(sc, "deal", scorecard=score_plans(sc, models=()))
    for ind in d.indicators:
        if ind.id in ARMED_ONLY:
            # not "no": not applicable, with why, and nothing claimed present or absent
            assert ind.present is None and not ind.applicable and "no belligerents" in ind.not_applicable, ind.id
            assert ind.to_dict()["applicable"] is False
        else:
            assert ind.applicable and ind.to_dict()["not_applicable"] == ""
    # the indicators any agreement can have are still assessed from the texts
    assert d.indicator("dispute_resolution").present is True and d.indicator("monitoring").present is True
    assert d.indicator("guarantee").present is False
    assert set(not_applicable(sc)) == set(ARMED_ONLY)


def test_armed_conflict_is_read_from_belligerents_or_a_military_issue(build_scenario: Callable[..., Any]) -> None:
    from parley.analysis.plans.durability import armed_conflict, not_applicable

    assert armed_conflict(build_scenario(**DATA)) == "the scenario names two belligerents"
    assert not_applicable(build_scenario(**DATA)) == {}
    # no belligerents, but an issue about territory (the 'territory' rule matches the id 'territory_line')
    land = dict(CIVIL, issues=[{"id": "territory_line", "scale": {"min": 4, "max": 10}}])
    land["actors"] = [
        {"id": a, "capability": 1, "stances": {"territory_line": {"position": p, "salience": 1}}}
        for a, p in (("A", 4), ("B", 10))
    ]
    land["plans"] = [{"id": "deal", "provisions": [{"text": "a demilitarised zone", "no_issue_reason": "x"}]}]
    sc = build_scenario(**land)
    assert armed_conflict(sc) == "issue 'territory_line' is about territory"
    assert plan_durability(sc, "deal").indicator("dmz").present is True
