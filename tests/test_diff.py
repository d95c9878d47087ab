"""``parley diff``: provision matching and the attribution of each actor's utility move, computed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from parley.analysis.plans.diff import diff_plans, point_number
from parley.analysis.plans.scorecard import score_plans
from parley.cli import app
from parley.errors import ScenarioError
from parley.scenario import scenario_from_dict
from parley.scenario.core import Scenario

ROOT = Path(__file__).resolve().parents[1]

TEXTS = """
schema_version: 1
utility: linear
issues:
  - {id: land, scale: {min: 0, max: 10}, status_quo: 4}
  - {id: army, scale: {min: 0, max: 100}, status_quo: 90}
  - {id: church, scale: {min: 0, max: 4}, status_quo: 0}
actors:
  - id: a
    capability: 1
    stances:
      land: {position: 2, salience: 0.8}
      army: {position: 90, salience: 0.5}
      church: {position: 0, salience: 0.4}
  - id: b
    capability: 1
    stances:
      land: {position: 8, salience: 1.0}
      army: {position: 20, salience: 0.6}
      church: {position: 4, salience: 0.5}
plans:
  - id: p1
    provisions:
      - {point: "1", text: "land to 6", issue: land, position: 6}
      - {point: "2", text: "army to 50", issue: army, position: 50}
      - {point: "3", text: "prisoners exchanged", no_issue_reason: humanitarian}
      - {point: "20(a)", text: "church restored", issue: church, position: 3}
      - {text: "sovereignty confirmed", no_issue_reason: declaratory}
  - id: p2
    provisions:
      - {point: "1", text: "land to 5", issue: land, position: 5}
      - {point: "(army)", text: "army to 70", issue: army, position: 70}
      - {point: "4", text: "a monitoring mission", no_issue_reason: process}
      - {text: "sovereignty confirmed", no_issue_reason: declaratory}
"""


@pytest.fixture()
def sc() -> Scenario:
    return scenario_from_dict(yaml.safe_load(TEXTS))


def test_point_numbers_are_bare_numbers_not_labels() -> None:
    assert [point_number(p) for p in ("6", "21(d)", "10a", " 7 ")] == ["6", "21(d)", "10a", "7"]
    assert [point_number(p) for p in ("(army)", "US 6", "(1)", "", "(analysis)")] == [None] * 5


def test_provisions_match_by_number_then_issue_then_text(sc: Scenario) -> None:
    d = diff_plans(sc, "p1", "p2")
    assert [(e.key, e.matched_by, e.fields) for e in d.of("changed")] == [
        ("1", "point", ("text", "position")),
        ("2 → (army)", "issue", ("text", "position")),
    ]
    assert [e.key for e in d.of("removed")] == ["3", "20(a)"]
    assert [e.key for e in d.of("added")] == ["4"]
    assert [(e.key, e.matched_by) for e in d.of("unchanged")] == [("#5 → #4", "text")]


def test_utility_moves_are_attributed_to_the_points_that_set_each_issue(sc: Scenario) -> None:
    # linear utility -s|z - x|/span; p1: land 6, army 50, church 3; p2: land 5, army 70, church at its status quo 0.
    # a: land .8*(|6-2| - |5-2|)/10 = +.08; army .5*(40 - 20)/100 = +.10; church .4*(3 - 0)/4 = +.30
    # b: land 1*(|6-8| - |5-8|)/10 = -.10; army .6*(30 - 50)/100 = -.12; church .5*(|3-4| - |0-4|)/4 = -.375
    d = diff_plans(sc, "p1", "p2")
    assert d.by_point["a"] == pytest.approx({"1": 0.08, "2 → (army)": 0.10, "20(a)": 0.30})
    assert d.by_point["b"] == pytest.approx({"1": -0.10, "2 → (army)": -0.12, "20(a)": -0.375})
    assert d.net["a"] == pytest.approx(0.48) and d.net["b"] == pytest.approx(-0.595)
    removed = d.of("removed")[1].to_dict()
    assert removed["gainers"] == ["a"] and removed["losers"] == ["b"]
    # the net move equals the difference of the scorecard's utilities (its own code path)
    card = score_plans(sc, models=())
    for actor in ("a", "b"):
        move = card.plan("p2").actor(actor).utility - card.plan("p1").actor(actor).utility
        assert d.net[actor] == pytest.approx(move)


def test_unknown_plan_is_one_clear_error(sc: Scenario) -> None:
    with pytest.raises(ScenarioError, match="no plan 'p3'"):
        diff_plans(sc, "p1", "p3")


def test_diff_command_json_keys(tmp_path: Path) -> None:
    path = tmp_path / "texts.yaml"
    path.write_text(TEXTS, encoding="utf-8")
    res = CliRunner().invoke(app, ["diff", str(path), "p1", "p2", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) >= {"added", "removed", "changed", "unchanged", "actors"}
    assert data["actors"]["a"]["net"] == pytest.approx(0.48)
    assert data["actors"]["b"]["by_point"]["20(a)"] == pytest.approx(-0.375)


def test_diff_runs_on_the_2025_case() -> None:
    case = ROOT / "examples" / "ukraine-2025" / "scenario.yaml"
    res = CliRunner().invoke(app, ["diff", str(case), "us-28", "geneva-19", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    army = [c for c in data["changed"] if c["a"]["issue"] == "army_cap"]
    assert [(c["a"]["position"], c["b"]["position"]) for c in army] == [(600.0, 800.0)]
    for moves in data["actors"].values():
        assert sum(moves["by_point"].values()) == pytest.approx(moves["net"])
    res = CliRunner().invoke(app, ["diff", str(case), "us-28", "geneva-19"])
    assert res.exit_code == 0 and "Net utility move" in res.stdout
