"""The scenario format: validation with every problem and its place, frozen objects, hashing, shocks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from parley.errors import ScenarioError
from parley.scenario import apply_shock, dump_scenario, load_scenario, scenario_from_dict


def base() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "title": "test",
        "belligerents": ["ua", "ru"],
        "issues": [
            {
                "id": "territory",
                "scale": {"min": 0, "max": 100},
                "anchors": {0: "1991 borders"},
                "status_quo": 20,
                "vetoes": ["ua"],
            },
            {"id": "army_cap", "scale": {"min": 0, "max": 1000, "unit": "thousand"}, "status_quo": 880},
        ],
        "actors": [
            {
                "id": "ua",
                "capability": 3,
                "groups": ["west"],
                "stances": {
                    "territory": {"position": 0, "salience": 1.0},
                    "army_cap": {"position": 880, "salience": 0.8},
                },
            },
            {
                "id": "ru",
                "capability": 6,
                "stances": {
                    "territory": {"position": 100, "salience": 0.9, "stated": 80},
                    "army_cap": {"position": 400, "salience": 0.6},
                },
            },
            {
                "id": "eu",
                "capability": {"army_cap": 4},
                "groups": ["west"],
                "stances": {"army_cap": {"position": 800, "salience": 0.5, "uncertainty": {"low": 700, "high": 900}}},
            },
        ],
        "plans": [
            {
                "id": "p1",
                "title": "Plan",
                "proposer": "ru",
                "provisions": [
                    {"text": "Army capped at 600k", "issue": "army_cap", "position": 600},
                    {"text": "Grain corridor", "no_issue_reason": "not modelled"},
                ],
            },
        ],
        "shocks": [
            {"id": "aid", "changes": [{"op": "scale", "target": "capability", "actor": "eu", "factor": 2}]},
        ],
    }


def problems_of(data: object) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, "x.yaml")
    return [str(p) for p in info.value.problems]


def test_valid_scenario_builds_frozen_arrays() -> None:
    sc = scenario_from_dict(base())
    assert sc.actor_ids == ("ua", "ru", "eu")
    assert sc.issue_ids == ("territory", "army_cap")
    # eu has no stance on territory: masked, NaN position, salience 0 -- never position 0
    assert not sc.mask[2, 0] and np.isnan(sc.positions[2, 0]) and sc.saliences[2, 0] == 0
    assert sc.stated[1, 0] == 80 and sc.stated[0, 0] == 0
    assert sc.capabilities[2, 1] == 4 and sc.capabilities[1, 0] == 6
    with pytest.raises(ValueError):
        sc.positions[0, 0] = 5
    assert sc.plans[0].positions == {"army_cap": 600}
    assert sc.plans[0].unaddressed(sc.issue_ids) == ("territory",)
    assert sc.group_members("west") == ("ua", "eu")


def test_every_problem_reported_with_its_path() -> None:
    data = base()
    data["actors"][0]["stances"]["territory"]["salience"] = 1.7
    data["plans"][0]["provisions"][0]["issue"] = "army_size"
    data["actors"][1]["stances"]["teritory"] = data["actors"][1]["stances"].pop("territory")
    found = problems_of(data)
    assert "actors[0].stances.territory.salience: 1.7 is not between 0 and 1" in found
    assert (
        "plans[0].provisions[0].issue: 'army_size' is not an issue of this scenario (did you mean 'army_cap'?)"
    ) in found
    assert any(p.startswith("actors[1].stances.teritory:") and "did you mean 'territory'" in p for p in found)
    assert len(found) == 3


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["issues"][0]["scale"].update(max=-1), "issues[0].scale: max (-1.0) must be greater than min"),
        (
            lambda d: d["actors"][0]["stances"]["army_cap"].update(position=2000),
            "actors[0].stances.army_cap.position: 2000 is outside the scale of 'army_cap' [0, 1000]",
        ),
        (lambda d: d["actors"][1].update(capability=-2), "actors[1].capability: -2.0 is not a positive number"),
        (
            lambda d: d["actors"].append(copy.deepcopy(d["actors"][0])),
            "actors[3].id: 'ua' is used already by actors[0]",
        ),
        (lambda d: d["actors"][0].update(colour="red"), "actors[0].colour: 'colour' is not a field of an actor"),
        (
            lambda d: d["actors"][0]["stances"]["army_cap"].update(salince=0.3),
            "actors[0].stances.army_cap.salince: 'salince' is not a field of a stance (did you mean 'salience'?)",
        ),
        (
            lambda d: d["actors"][2]["stances"]["army_cap"]["uncertainty"].update(low=850),
            "actors[2].stances.army_cap.uncertainty: the range [850, 900] does not hold the position 800",
        ),
        (lambda d: d["plans"][0]["provisions"][1].pop("no_issue_reason"), "plans[0].provisions[1]: maps to no issue"),
        (
            lambda d: d["plans"][0]["provisions"].append({"text": "x", "issue": "army_cap", "position": 700}),
            "plans[0].provisions[2].position: 700 contradicts provisions[0]",
        ),
        (
            lambda d: d["plans"][0].update(proposer="rus"),
            "plans[0].proposer: 'rus' is not an actor or group of this scenario",
        ),
        (lambda d: d["issues"][0].update(vetoes=["nato"]), "issues[0].vetoes[0]: 'nato' is not an actor or group"),
        (lambda d: d.update(belligerents=["ua"]), "belligerents: name exactly two actors, not 1"),
        (
            lambda d: d["actors"][2].update(capability={"territory": 1}),
            "actors[2].capability: gives no capability on 'army_cap'",
        ),
        (lambda d: d["shocks"][0]["changes"][0].pop("factor"), "shocks[0].changes[0]: op 'scale' needs factor"),
        (lambda d: d.update(schema_version=3), "schema_version: should be 1 or 2 (got 3)"),
        (
            lambda d: d["actors"][0]["stances"]["army_cap"].update(position="many"),
            "actors[0].stances.army_cap.position: should be a valid number",
        ),
        (
            lambda d: d["actors"][0]["stances"]["army_cap"].update(position=float("nan")),
            "actors[0].stances.army_cap.position: should be a finite number",
        ),
        (lambda d: d["issues"].append({"id": "extra"}), "issues[2]: no actor has a stance on 'extra'"),
        # capability ranges: a range must run from low to high above 0 and hold the point value
        (
            lambda d: d["actors"][0].update(capability_range=[5, 1]),
            "actors[0].capability_range: low (5.0) is above high (1.0)",
        ),
        (
            lambda d: d["actors"][0].update(capability_range=[-5, 0]),
            "actors[0].capability_range: low (-5.0) is not a positive number",
        ),
        (
            lambda d: d["actors"][0].update(capability_range=[0, 4]),
            "actors[0].capability_range: low (0.0) is not a positive number",
        ),
        (
            lambda d: d["actors"][0].update(capability_range=[4, 9]),  # ua's capability is 3
            "actors[0].capability_range: the range [4, 9] does not hold the capability 3",
        ),
        (
            lambda d: d["actors"][2].update(capability_range=[1, 2]),  # eu: {army_cap: 4}, the range scales the 4
            "actors[2].capability_range: the range [1, 2] does not hold the largest per-issue capability 4",
        ),
    ],
)
def test_single_problems(edit: Any, expected: str) -> None:
    data = base()
    edit(data)
    found = problems_of(data)
    assert any(p.startswith(expected) for p in found), found


def test_capability_range_that_holds_the_capability_is_accepted() -> None:
    data = base()
    data["actors"][0]["capability_range"] = [3, 3]  # low == high == capability: a degenerate but valid range
    data["actors"][2]["capability_range"] = [2, 8]  # holds eu's largest per-issue capability, 4
    sc = scenario_from_dict(data)
    assert sc.spec.actors[0].capability_range == (3, 3) and sc.spec.actors[2].capability_range == (2, 8)


def test_not_a_mapping() -> None:
    assert problems_of([1, 2]) == ["a scenario must be a mapping with 'issues' and 'actors'"]


def test_error_message_names_file_and_count() -> None:
    data = base()
    data["actors"][0]["stances"]["territory"]["salience"] = 1.7
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, "examples/bad.yaml")
    assert str(info.value).splitlines()[0] == "examples/bad.yaml has 1 problem"


def test_hash_ignores_layout_but_not_content(tmp_path: Path) -> None:
    data = base()
    a = tmp_path / "a.yaml"
    a.write_text(yaml.safe_dump(data, sort_keys=True))
    b = tmp_path / "b.json"
    b.write_text(json.dumps(data, indent=4))
    sa, sb = load_scenario(a), load_scenario(b)
    assert sa.scenario_id == sb.scenario_id and len(sa.scenario_id) == 16
    data["actors"][0]["stances"]["army_cap"]["position"] = 870
    assert scenario_from_dict(data).scenario_id != sa.scenario_id
    # the canonical dump loads back to the same scenario
    c = tmp_path / "c.yaml"
    c.write_text(dump_scenario(sa))
    assert load_scenario(c).scenario_id == sa.scenario_id


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("schema_version: 1\nissues: [\n  - id: x\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    assert "line" in info.value.problems[0].path and "not valid YAML" in info.value.problems[0].message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="directory"):
        load_scenario(tmp_path)


def test_shocks() -> None:
    sc = scenario_from_dict(base())
    after = apply_shock(sc, "aid")
    assert after.capabilities[2, 1] == 8 and sc.capabilities[2, 1] == 4
    assert after.scenario_id != sc.scenario_id
    assert after.spec.metadata["applied_shocks"] == ["aid"]
    from parley.scenario.schema import ShockSpec

    adopt = ShockSpec.model_validate({"id": "a", "changes": [{"op": "adopt", "actor": "eu", "from": "ru"}]})
    moved = apply_shock(sc, adopt)
    assert moved.positions[2, 1] == 400 and moved.positions[2, 0] == 100  # eu takes ru's stance on territory too
    removed = apply_shock(sc, ShockSpec.model_validate({"id": "r", "changes": [{"op": "remove", "actor": "ru"}]}))
    assert removed.actor_ids == ("ua", "eu") and removed.spec.belligerents == []
    setsal = ShockSpec.model_validate(
        {"id": "s", "changes": [{"op": "set", "target": "salience", "actor": "ru", "issue": "army_cap", "value": 1.0}]}
    )
    assert apply_shock(sc, setsal).saliences[1, 1] == 1.0
    with pytest.raises(ScenarioError, match="no shock 'ade'"):
        apply_shock(sc, "ade")
    bad = ShockSpec.model_validate(
        {"id": "b", "changes": [{"op": "set", "target": "salience", "actor": "eu", "issue": "territory", "value": 0.5}]}
    )
    with pytest.raises(ScenarioError, match="'eu' has no stance on 'territory'"):
        apply_shock(sc, bad)


def test_examples_validate() -> None:
    root = Path(__file__).resolve().parents[1] / "examples"
    files = sorted(root.glob("*/scenario.yaml"))
    assert files, "no shipped examples found"
    for f in files:
        load_scenario(f)


def test_problems_carry_their_line(tmp_path: Path) -> None:
    text = (
        "schema_version: 1\n"  # line 1
        "issues:\n"
        "  - id: a\n"
        "actors:\n"
        "  - id: x\n"  # line 5
        "    capability: 1\n"
        "    stances:\n"
        "      a:\n"
        "        position: 5\n"
        "        salience: 1.7\n"  # line 10
    )
    p = tmp_path / "s.yaml"
    p.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    (problem,) = info.value.problems
    assert problem.line == 10 and str(problem) == "actors[0].stances.a.salience (line 10): 1.7 is not between 0 and 1"


def test_veto_shocks_and_group_proposer() -> None:
    from parley.scenario.schema import ShockSpec

    data = base()
    data["plans"][0]["proposer"] = "west"  # a group may table a text
    sc = scenario_from_dict(data)
    add = ShockSpec.model_validate({"id": "v", "changes": [{"op": "add_veto", "actor": "west", "issue": "army_cap"}]})
    assert apply_shock(sc, add).issue("army_cap").vetoes == ("west",)
    drop = ShockSpec.model_validate(
        {"id": "d", "changes": [{"op": "remove_veto", "actor": "ua", "issue": "territory"}]}
    )
    assert apply_shock(sc, drop).issue("territory").vetoes == ()
    data["shocks"].append({"id": "bad", "changes": [{"op": "add_veto", "actor": "west"}]})
    assert any("op 'add_veto' needs issue" in p for p in problems_of(data))


def test_plan_inherits_unaddressed_issues_from_its_parent() -> None:
    data = base()
    data["plans"][0]["provisions"].append({"text": "Recognition", "issue": "territory", "position": 80})
    data["plans"].append(
        {
            "id": "p2",
            "based_on": "p1",
            "inherit": True,
            "provisions": [{"text": "cap 800k", "issue": "army_cap", "position": 800}],
        }
    )
    data["plans"].append(
        {"id": "p3", "based_on": "p1", "provisions": [{"text": "cap 800k", "issue": "army_cap", "position": 800}]}
    )
    sc = scenario_from_dict(data)
    p2, p3 = sc.plan("p2"), sc.plan("p3")
    assert p2.positions == {"army_cap": 800, "territory": 80}  # its own cap, p1's territory
    assert [p.inherited_from for p in p2.provisions] == [None, "p1"] and len(p2.own_provisions) == 1
    assert p3.positions == {"army_cap": 800}  # no inherit: territory unaddressed
    data["plans"][0]["based_on"] = "p2"
    assert any("cannot form a cycle" in p for p in problems_of(data))
