"""Structural promises of the flagship case, examples/ukraine-2025/scenario.yaml (parley issue 3).

These tests check what the scenario file promises a reader, not what any model
forecasts from it: the named actors and issues are there, every number carries a
source and a note, the plans are the five texts in FACTS.md with the army caps those
texts state, every shock applies, and every registered model runs on the file and
stays on each issue's scale. The facts are in /work/shared/docs/case-2025/FACTS.md
("FACTS.md" below), which the file cites; the tests do not read it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import parley
from parley.models import available_models
from parley.scenario import Scenario, apply_shock

PATH = Path(__file__).resolve().parents[1] / "examples" / "ukraine-2025" / "scenario.yaml"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return parley.load_scenario(PATH)


# ------------------------------------------------------------------ actors

REQUIRED_ACTORS = {
    "ukraine", "russia",
    "us_white_house", "us_envoy",  # separate actors: the analysis turns on their ambiguity
    "us_congress_hawks", "eu_institutions", "germany", "france", "uk", "poland",
    "nordic_baltic", "italy", "hungary", "turkey", "nato",
}


def test_file_validates(scenario: Scenario) -> None:
    assert scenario.spec.schema_version == 1
    assert scenario.spec.utility in ("linear", "quadratic")


def test_named_actors_present(scenario: Scenario) -> None:
    ids = set(scenario.actor_ids)
    assert len(ids) >= 12
    assert ids >= REQUIRED_ACTORS, f"missing actors: {sorted(REQUIRED_ACTORS - ids)}"
    assert scenario.spec.belligerents == ["ukraine", "russia"]


def test_actors_have_groups_capability_and_provenance(scenario: Scenario) -> None:
    for a in scenario.spec.actors:
        assert a.groups, f"{a.id} has no groups"
        assert a.source.strip() and a.note.strip(), f"{a.id}: capability needs a source and a note"
    members = {g: set(scenario.group_members(g)) for g in ("E3", "EU", "NATO", "US", "belligerent")}
    assert members["E3"] == {"germany", "france", "uk"}
    assert members["belligerent"] == {"ukraine", "russia"}
    assert {"us_white_house", "us_envoy", "us_congress_hawks"} <= members["US"]
    # Hungary's EU membership is what makes the unanimity shock meaningful; Turkey's NATO
    # membership is what makes its consent count on NATO issues.
    assert "hungary" in members["EU"] and "uk" not in members["EU"]
    assert {"turkey", "hungary", "nato"} <= members["NATO"]


# ------------------------------------------------------------------ issues

# each provision area the issue names, and the issue id that covers it
REQUIRED_AREAS = {
    "territory": "territory",
    "army cap": "army_cap",
    "long-range weapons": "long_range",
    "NATO membership": "nato_membership",
    "foreign troops in Ukraine": "foreign_troops",
    "security guarantee strength": "security_guarantee",
    "Russian language status": "russian_language",
    "Moscow-linked church": "church_status",
    "sanctions relief and G8": "sanctions_relief",
    "frozen Russian assets": "frozen_assets",
    "US military assistance": "us_military_aid",
    "European aid and reconstruction": "european_aid",
    "elections timing": "elections",
    "amnesty / accountability": "amnesty",
    "Zaporizhzhia nuclear plant": "znpp",
    "EU membership": "eu_membership",
}


def test_named_issues_present(scenario: Scenario) -> None:
    ids = set(scenario.issue_ids)
    assert len(ids) >= 14
    missing = {area: i for area, i in REQUIRED_AREAS.items() if i not in ids}
    assert not missing, f"areas without an issue: {missing}"


def test_issues_have_anchors_orientation_and_provenance(scenario: Scenario) -> None:
    for spec in scenario.spec.issues:
        assert len(spec.anchors) >= 2, f"{spec.id}: needs labelled anchors"
        assert all(label.strip() for label in spec.anchors.values()), spec.id
        # both ends of every scale are labelled, so a reader knows what 0 and max mean
        assert spec.scale.min in spec.anchors and spec.scale.max in spec.anchors, spec.id
        assert spec.orientation.strip(), f"{spec.id}: orientation missing"
        assert spec.source.strip() and spec.note.strip(), f"{spec.id}: needs source and note"


def test_army_cap_status_quo_is_no_cap(scenario: Scenario) -> None:
    # 'no cap' = the current wartime size, ~880-900 thousand (public reports; the note says so)
    issue = scenario.issue("army_cap")
    assert issue.unit == "thousand personnel"
    assert issue.status_quo is not None and 880 <= issue.status_quo <= 900


def test_vetoes_where_consent_is_needed(scenario: Scenario) -> None:
    vetoes = {i.id: set(i.vetoes) for i in scenario.issues}
    assert "ukraine" in vetoes["territory"]  # the constitution (Yermak; FACTS.md)
    assert "NATO" in vetoes["nato_membership"]
    assert "EU" in vetoes["frozen_assets"]
    assert "EU" in vetoes["eu_membership"]
    for issue, names in vetoes.items():
        for name in names:
            assert scenario.group_members(name), f"{issue}: veto '{name}' names no actor"


# ------------------------------------------------------------------ stances

def test_every_stance_has_source_and_note(scenario: Scenario) -> None:
    for a in scenario.spec.actors:
        assert a.stances, f"{a.id} has no stance at all"
        for issue, st in a.stances.items():
            where = f"{a.id}.{issue}"
            assert st.source.strip(), f"{where}: no source"
            assert st.note.strip(), f"{where}: no note"
            # the file's convention: sources point into FACTS.md or analysis.txt
            assert "FACTS.md" in st.source or "analysis.txt" in st.source, f"{where}: {st.source}"


def test_masking_is_used(scenario: Scenario) -> None:
    # actors without a view are left without a stance, not given a made-up one
    assert not scenario.mask.all()
    assert scenario.mask[scenario.actor_index("ukraine")].all()


def test_white_house_carries_uncertainty(scenario: Scenario) -> None:
    wh = next(a for a in scenario.spec.actors if a.id == "us_white_house")
    ranged = {k: s for k, s in wh.stances.items() if s.uncertainty is not None}
    assert ranged, "the White House's ambiguity must show as uncertainty ranges"
    for issue, st in ranged.items():
        u = st.uncertainty
        assert u is not None and u.low is not None and u.high is not None
        assert u.low <= st.position <= u.high, issue
        assert u.high > u.low, f"{issue}: a range of zero width is no range"


def test_russia_stated_differs_from_revealed(scenario: Scenario) -> None:
    i = scenario.actor_index("russia")
    differ = ~np.isclose(scenario.stated[i], scenario.positions[i]) & scenario.mask[i]
    assert differ.any()
    # on territory, where higher favours Russia, the stated position is the more conciliatory one
    j = scenario.issue_ids.index("territory")
    assert scenario.stated[i, j] < scenario.positions[i, j]


# ------------------------------------------------------------------ plans

# Army caps in thousands, as FACTS.md gives them: every published text of the leaked plan
# says 600,000 (LIGA, LNG, MAZ; Axios via LIGA); the analysis says about 400,000 (no
# published text does); the E3 counter-proposal (Reuters), the FT's report of the Geneva
# text and Zelensky's 20 points of 24 Dec all say 800,000.
ARMY_CAPS = {"us-28": 600, "us-28-analysis": 400, "e3-counter": 800, "geneva-19": 800, "ukraine-20": 800}


def test_five_plans_with_army_caps(scenario: Scenario) -> None:
    for plan_id, cap in ARMY_CAPS.items():
        assert scenario.plan(plan_id).positions.get("army_cap") == cap, plan_id
    for plan_id in ("us-28-analysis", "e3-counter", "geneva-19"):
        assert scenario.plan(plan_id).based_on == "us-28", plan_id


def test_every_plan_names_source_proposer_and_date(scenario: Scenario) -> None:
    for plan in scenario.plans:
        assert plan.source.strip(), plan.id
        assert plan.proposer is not None and scenario.group_members(plan.proposer), plan.id  # an actor or a group
        assert plan.date is not None, plan.id


def test_every_provision_maps_or_says_why(scenario: Scenario) -> None:
    for plan in scenario.plans:
        assert plan.provisions, plan.id
        for k, p in enumerate(plan.provisions):
            where = f"{plan.id}[{k}]"
            assert p.text.strip() and p.category.strip() and p.point.strip(), where
            if p.issue is None:
                assert p.no_issue_reason.strip(), f"{where}: maps to nothing and says not why"
            else:
                assert p.issue in scenario.issue_ids and p.position is not None, where


def test_us28_has_all_28_points(scenario: Scenario) -> None:
    # points are numbered "6", "10(a)", "20(a)" ...; the leading number is the plan's point
    points = {re.sub(r"\(.*\)$", "", p.point) for p in scenario.plan("us-28").provisions}
    assert points == {str(n) for n in range(1, 29)}


def test_analysis_variant_says_400k_is_unpublished(scenario: Scenario) -> None:
    plan = scenario.plan("us-28-analysis")
    text = (plan.note + " " + plan.source).lower()
    assert "400,000" in text and "no published text" in text


# ------------------------------------------------------------------ shocks

SHOCKS = ["us-aid-stops", "wh-adopts-envoy", "hungary-breaks-unanimity", "ternopil-strike"]


@pytest.mark.parametrize("shock", SHOCKS)
def test_shock_applies(scenario: Scenario, shock: str) -> None:
    shocked = apply_shock(scenario, shock)
    assert isinstance(shocked, Scenario)
    assert shocked.spec.metadata["applied_shocks"] == [shock]
    assert shocked.scenario_id != scenario.scenario_id


def _value(s: Scenario, what: str, actor: str, issue: str) -> float:
    return float(getattr(s, what)[s.actor_index(actor), s.issue_ids.index(issue)])


def test_shocks_move_what_their_descriptions_say(scenario: Scenario) -> None:
    aid = apply_shock(scenario, "us-aid-stops")
    assert _value(aid, "positions", "us_white_house", "us_military_aid") == 0
    for europe in ("germany", "france", "uk", "poland", "nordic_baltic", "eu_institutions"):
        assert _value(aid, "positions", europe, "european_aid") > _value(scenario, "positions", europe, "european_aid")
        assert _value(aid, "saliences", europe, "european_aid") > _value(scenario, "saliences", europe, "european_aid")

    adopt = apply_shock(scenario, "wh-adopts-envoy")
    wh, env = adopt.actor_index("us_white_house"), adopt.actor_index("us_envoy")
    np.testing.assert_array_equal(adopt.positions[wh], adopt.positions[env])

    hu = apply_shock(scenario, "hungary-breaks-unanimity")
    for issue in ("sanctions_relief", "frozen_assets"):
        assert _value(hu, "positions", "hungary", issue) == _value(hu, "positions", "russia", issue)
    assert _value(hu, "capabilities", "eu_institutions", "sanctions_relief") < _value(
        scenario, "capabilities", "eu_institutions", "sanctions_relief"
    )

    strike = apply_shock(scenario, "ternopil-strike")
    for actor in ("ukraine", "germany", "poland"):
        before = _value(scenario, "saliences", actor, "security_guarantee")
        after = _value(strike, "saliences", actor, "security_guarantee")
        assert after > before or after == 1.0


# ------------------------------------------------------------------ models

@pytest.mark.parametrize("model", list(available_models()))
@pytest.mark.parametrize("stated", [False, True])
def test_every_model_runs_and_stays_on_scale(scenario: Scenario, model: str, stated: bool) -> None:
    # every registered model takes well under a second on this file; none is skipped
    result = parley.forecast(scenario, model, rng=2025, stated=stated)
    assert set(result.outcomes) == set(scenario.issue_ids)
    for issue in scenario.issues:
        x = result.outcomes[issue.id]
        assert math.isfinite(x), f"{model}: {issue.id} is not finite"
        assert issue.lower <= x <= issue.upper, f"{model}: {issue.id} = {x} off [{issue.lower}, {issue.upper}]"
