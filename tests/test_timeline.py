"""A negotiation over time: as-of filtering, stance revisions, a moving status quo, deadlines, the timeline, migrate.

Every expected number is worked out by hand in the test from the small dated scenario below
(references: the definitions in docs/analysis.md §1 for utilities and acceptance, Achen 2006
for the compromise forecast Σ c s x / Σ c s).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from parley.analysis.timeline import _verdicts, timeline
from parley.cli import app
from parley.errors import ScenarioError
from parley.scenario import scenario_from_dict
from parley.scenario.io import validate_dict
from parley.scenario.load import load_scenario as parley_load
from parley.scenario.migrate import migrate_text
from parley.scenario.timeline import as_of, change_points, scenario_as_of, snapshot

ROOT = Path(__file__).resolve().parents[1]

TOY = """
schema_version: 2
title: dated toy
date: 2025-01-01
utility: linear
belligerents: [a, b]
issues:
  - {id: land, scale: {min: 0, max: 10}, status_quo: 4, vetoes: [a]}
  - {id: army, scale: {min: 0, max: 100}, status_quo: 90}
actors:
  - id: a
    capability: 1
    stances:
      land:
        position: 2
        salience: 0.8
        history:
          - {as_of: 2025-01-10, position: 3, source: "a's statement of 10 Jan"}
          - {as_of: 2025-01-20, salience: 0.5, source: "a's statement of 20 Jan"}
      army: {position: 90, salience: 0.5}
  - id: b
    capability: 1
    stances:
      land: {position: 8, salience: 1.0}
      army: {position: 20, salience: 0.6}
plans:
  - id: p1
    tabled: 2025-01-05
    provisions:
      - {point: "1", text: "land to 6", issue: land, position: 6}
      - {point: "2", text: "army to 50", issue: army, position: 50}
      - {point: "3", text: "prisoners exchanged", no_issue_reason: humanitarian}
  - id: p2
    tabled: 2025-01-15
    based_on: p1
    provisions:
      - {point: "1", text: "land to 5", issue: land, position: 5}
      - {point: "(army)", text: "army to 70", issue: army, position: 70}
      - {point: "4", text: "a monitoring mission", no_issue_reason: process}
events:
  - {id: deadline-1, date: 2025-01-08, kind: deadline, title: sign by 14 Jan, source: s,
     due: 2025-01-14, elasticity: 0.5}
  - {id: front-1, date: 2025-01-12, kind: battlefield, title: b advances, source: s,
     changes: [{op: status_quo, issue: land, by: 5}]}
  - {id: speech-b, date: 2025-01-25, kind: statement, title: b hardens, source: s,
     changes: [{op: set, actor: b, target: position, issue: land, value: 9}]}
"""


@pytest.fixture()
def raw() -> dict[str, Any]:
    data = yaml.safe_load(TOY)
    assert isinstance(data, dict)
    return data


def _stance(data: dict[str, Any], actor: str, issue: str) -> dict[str, Any]:
    return next(a for a in data["actors"] if a["id"] == actor)["stances"][issue]


def _sq(data: dict[str, Any], issue: str) -> float:
    return next(i for i in data["issues"] if i["id"] == issue)["status_quo"]


def test_only_texts_tabled_by_the_date_are_on_the_table(raw: dict[str, Any]) -> None:
    assert [p["id"] for p in as_of(raw, "2025-01-04")["plans"]] == []
    assert [p["id"] for p in as_of(raw, "2025-01-05")["plans"]] == ["p1"]
    assert [p["id"] for p in as_of(raw, "2025-01-14")["plans"]] == ["p1"]
    assert [p["id"] for p in as_of(raw, "2025-01-15")["plans"]] == ["p1", "p2"]
    assert as_of(raw, "2025-01-14")["metadata"]["as_of"]["later_plans"] == ["p2"]


def test_a_red_line_counts_only_from_the_day_it_was_stated(raw: dict[str, Any]) -> None:
    """A red line is a statement (issue 11): as of a date before its ``as_of`` nobody knew it, so an
    analysis as of that date leaves it out and says so; from that day on it binds."""
    _stance(raw, "b", "land")["red_line"] = {"min": 7, "as_of": "2025-01-18", "source": "b's statement of 18 Jan"}
    before = as_of(raw, "2025-01-17")
    assert _stance(before, "b", "land")["red_line"] is None
    assert before["metadata"]["as_of"]["red_lines_left_out"] == ["b.land@2025-01-18"]
    after = as_of(raw, "2025-01-18")
    assert _stance(after, "b", "land")["red_line"]["min"] == 7
    assert after["metadata"]["as_of"]["red_lines_left_out"] == []
    # the verdict follows: p1 puts land at 6, under b's floor of 7, so b refuses from 18 Jan on
    assert _verdicts(scenario_from_dict(after))["p1"]["accept"]["b"] == 0.0


def test_a_text_is_on_the_table_no_earlier_than_the_text_it_revises(raw: dict[str, Any]) -> None:
    raw["plans"][1]["tabled"] = "2025-01-02"  # dated before its parent p1 (5 Jan)
    assert [p["id"] for p in as_of(raw, "2025-01-03")["plans"]] == []
    assert [p["id"] for p in as_of(raw, "2025-01-05")["plans"]] == ["p1", "p2"]


def test_stances_take_their_latest_revision_on_or_before_the_date(raw: dict[str, Any]) -> None:
    before = _stance(as_of(raw, "2025-01-09"), "a", "land")
    assert (before["position"], before["salience"]) == (2, 0.8)  # the starting point
    on = _stance(as_of(raw, "2025-01-10"), "a", "land")
    assert (on["position"], on["salience"]) == (3, 0.8)  # the 10 Jan revision gives a position only
    later = _stance(as_of(raw, "2025-01-21"), "a", "land")
    assert (later["position"], later["salience"]) == (3, 0.5)  # the 20 Jan one a salience only
    assert later["history"] == []


def test_events_move_the_status_quo_from_their_date_and_later_events_are_dropped(raw: dict[str, Any]) -> None:
    assert _sq(as_of(raw, "2025-01-11"), "land") == 4
    day = as_of(raw, "2025-01-12")
    assert _sq(day, "land") == 9  # 4 moved by 5
    assert [e["id"] for e in day["events"]] == ["deadline-1", "front-1"]
    assert day["metadata"]["as_of"]["events"] == ["deadline-1", "front-1"]
    assert _stance(as_of(raw, "2025-01-24"), "b", "land")["position"] == 8
    assert _stance(as_of(raw, "2025-01-25"), "b", "land")["position"] == 9
    assert as_of(raw, "2025-01-25")["date"] == "2025-01-25"


def test_as_of_is_pure_and_cannot_be_taken_twice(raw: dict[str, Any]) -> None:
    kept = copy.deepcopy(raw)
    once = as_of(raw, "2025-01-20")
    assert raw == kept
    assert as_of(raw, "2025-01-20") == once
    scenario_from_dict(once)  # valid like any file
    with pytest.raises(ScenarioError, match="already as of 2025-01-20"):
        as_of(once, "2025-01-21")


def test_a_missed_deadline_is_noted_after_its_date(raw: dict[str, Any]) -> None:
    on_the_day = as_of(raw, "2025-01-14")["metadata"]["as_of"]["notes"]
    assert not any(n.startswith("missed:") for n in on_the_day)
    assert any("0 days ahead" in n and "elasticity 0.5" in n for n in on_the_day)
    after = as_of(raw, "2025-01-15")["metadata"]["as_of"]["notes"]
    assert any(n.startswith("missed:") and "2025-01-14" in n for n in after)
    raw["events"][0].update(moved_on="2025-01-13", moved_to="2025-02-01")
    moved = as_of(raw, "2025-01-15")["metadata"]["as_of"]["notes"]
    assert not any(n.startswith("missed:") for n in moved)
    assert any("moved on 2025-01-13 from 2025-01-14 to 2025-02-01" in n for n in moved)


def test_time_features_need_schema_version_2(raw: dict[str, Any]) -> None:
    raw["schema_version"] = 1
    with pytest.raises(ScenarioError, match="schema_version: 2"):
        scenario_from_dict(raw)


def test_bad_events_are_reported_with_their_place(raw: dict[str, Any]) -> None:
    raw["events"][1]["changes"] = [{"op": "status_quo", "issue": "lnd", "by": 1}]
    raw["events"][2]["elasticity"] = 0.3  # only deadlines have one
    raw["events"].append(dict(raw["events"][0]))  # a second 'deadline-1'
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(raw)
    text = str(info.value)
    assert "events[1].changes[0].issue: 'lnd' is not an issue (did you mean 'land'?)" in text
    assert "events[2]" in text and "only go with kind deadline" in text
    assert "events[3].id: 'deadline-1' is already the id of events[0]" in text


def test_status_quo_change_needs_exactly_one_of_value_and_by(raw: dict[str, Any]) -> None:
    raw["events"][1]["changes"] = [{"op": "status_quo", "issue": "land", "by": 1, "value": 2}]
    with pytest.raises(ScenarioError, match="exactly one of value and by"):
        scenario_from_dict(raw)


def test_verdicts_follow_the_moving_status_quo(raw: dict[str, Any]) -> None:
    # a (land ideal 3 after 10 Jan, s .8; army ideal 90, s .5) rates p1 (land 6, army 50):
    #   u_a(p1) = -(.8*3/10 + .5*40/100) = -.44
    # reservation before front-1 (status quo land 4, army 90): -(.8*1/10) = -.08 -> a rejects
    # after (land 9): -(.8*6/10) = -.48 -> a accepts. b: u_b(p1) = -(1*2/10 + .6*30/100) = -.38,
    # reservation -(4/10 + .6*70/100) = -.82 before and -(1/10 + .42) = -.52 after: accepts both times.
    # The verdicts are the brief's probabilities, with its random-utility term: P(accept) = 1 / (1 + e^(−gain/λ)),
    # λ = 0.02 (docs/analysis.md §1.4), and P(deal) = P_a · P_b (independent given the fixed inputs here).
    # before: a's gain −.44 + .08 = −.36 -> 1/(1+e^18) ≈ 0; b's .44 -> 1/(1+e^−22) ≈ 1
    # after:  a's gain −.44 + .48 = .04 -> 1/(1+e^−2) = .881; b's .14 -> 1/(1+e^−7) = .999
    import math

    def logistic(x: float) -> float:
        return 1 / (1 + math.exp(-x))

    sc = scenario_from_dict(raw)
    before = _verdicts(scenario_as_of(sc, "2025-01-11"))
    after = _verdicts(scenario_as_of(sc, "2025-01-12"))
    tol = 0.03  # about 4 binomial standard errors at 2,000 draws
    assert before["p1"]["accept"]["a"] == pytest.approx(logistic(-0.36 / 0.02), abs=tol)
    assert before["p1"]["accept"]["b"] == pytest.approx(logistic(0.44 / 0.02), abs=tol)
    assert before["p1"]["deal"] == pytest.approx(0.0, abs=tol)
    assert after["p1"]["accept"]["a"] == pytest.approx(logistic(0.04 / 0.02), abs=tol)
    assert after["p1"]["accept"]["b"] == pytest.approx(logistic(0.14 / 0.02), abs=tol)
    assert after["p1"]["deal"] == pytest.approx(logistic(2) * logistic(7), abs=tol)


def test_timeline_attributes_moves_to_the_events_between_dates(raw: dict[str, Any]) -> None:
    sc = scenario_from_dict(raw)
    assert [p.id for p in change_points(sc.spec)] == [
        "tabled:p1",
        "deadline-1",
        "revision:a.land@2025-01-10",
        "front-1",
        "tabled:p2",
        "revision:a.land@2025-01-20",
        "speech-b",
    ]
    tl = timeline(sc, step="event")
    data = tl.to_dict()
    assert set(data) >= {"dates", "events", "plans", "forecast", "moves"}
    assert data["dates"] == [
        "2025-01-05",
        "2025-01-08",
        "2025-01-10",
        "2025-01-12",
        "2025-01-15",
        "2025-01-20",
        "2025-01-25",
    ]
    assert min(data["plans"]["p2"]) == "2025-01-15"
    # front-1 moves a's P(accept) of p1 from ~0 to 1/(1+e^-2) = .881 and the deal likewise (see the test above)
    moved = data["moves"]["front-1"]["plans"]["p1"]
    assert moved["accept"]["a"] == pytest.approx(0.881, abs=0.03) and moved["deal"] == pytest.approx(0.880, abs=0.03)
    assert data["moves"]["front-1"]["forecast"] == {}  # the compromise ignores the status quo
    # compromise on land, Σ c s x / Σ c s: 20 Jan (a: 3, s .5; b: 8, s 1) = 9.5/1.5; 25 Jan (b at 9) = 10.5/1.5
    land = data["forecast"]["land"]
    assert land[-2] == pytest.approx(9.5 / 1.5) and land[-1] == pytest.approx(7.0)
    assert data["moves"]["speech-b"]["forecast"]["land"] == pytest.approx(7.0 - 9.5 / 1.5)
    assert data["moves"]["tabled:p2"]["plans"]["p2"]["tabled"] is True
    weekly = timeline(sc, start="2025-01-05", end="2025-01-25", step="week").to_dict()
    assert weekly["dates"] == ["2025-01-05", "2025-01-12", "2025-01-19", "2025-01-25"]
    # deadline-1, the 10 Jan revision and front-1 fall in one weekly step; the two that alter the
    # scenario are credited in order. The revision (a: land 2 -> 3, s .8) moves the compromise on land
    # from (.8*2 + 8)/1.8 to (.8*3 + 8)/1.8 and no verdict; front-1 then flips a and the deal on p1.
    moves = weekly["moves"]
    assert set(moves["front-1"]["with"]) == {"deadline-1", "revision:a.land@2025-01-10"}
    revision = moves["revision:a.land@2025-01-10"]
    assert revision["order"] == [1, 2] and revision["plans"] == {}
    assert revision["forecast"] == {"land": pytest.approx((0.8 * 3 + 8) / 1.8 - (0.8 * 2 + 8) / 1.8)}
    assert moves["front-1"]["order"] == [2, 2] and moves["front-1"]["forecast"] == {}
    assert moves["front-1"]["plans"]["p1"]["accept"]["a"] == pytest.approx(0.881, abs=0.03)
    assert moves["deadline-1"]["active"] is False and moves["deadline-1"]["size"] == 0.0


def _write(tmp_path: Path, text: str, name: str = "toy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_as_of_notes_a_missed_deadline_and_timeline_writes_json(tmp_path: Path) -> None:
    path = _write(tmp_path, TOY)
    runner = CliRunner()
    res = runner.invoke(app, ["forecast", str(path), "--as-of", "2025-01-15", "--no-store", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert "missed: as of 2025-01-15" in res.stderr
    res = runner.invoke(app, ["plans", str(path), "--as-of", "2025-01-04"])
    assert res.exit_code == 1 and "has no plans" in res.stderr
    res = runner.invoke(app, ["timeline", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["dates"][0] == "2025-01-05"
    res = runner.invoke(app, ["forecast", str(path), "--as-of", "15 Jan", "--no-store"])
    assert res.exit_code == 1 and "'15 Jan' is not a date" in res.stderr


V1 = """# a version 1 file; this comment stays
schema_version: 1
date: 2025-01-01
issues:
  - {id: land, scale: {min: 0, max: 10}, status_quo: 4}
actors:
  - {id: a, capability: 1, stances: {land: {position: 2, salience: 0.8}}}
plans:
  - id: p1
    date: 2025-01-05   # when it was tabled
    provisions: [{text: land to 6, issue: land, position: 6}]
"""


def test_migrate_text_renames_plan_dates_and_keeps_the_rest() -> None:
    new, changes = migrate_text(V1)
    expected = V1.replace("schema_version: 1", "schema_version: 2").replace(
        "    date: 2025-01-05", "    tabled: 2025-01-05"
    )
    assert new == expected
    assert changes == ["plans[p1]: date → tabled"]
    sc = scenario_from_dict(yaml.safe_load(new))
    assert sc.plan("p1").date is not None and str(sc.plan("p1").date) == "2025-01-05"
    with pytest.raises(ScenarioError, match="already 2"):
        migrate_text(new)


def test_migrate_json_keeps_quotes() -> None:
    data = yaml.safe_load(V1)
    text = json.dumps(data, default=str, indent=1)
    new, _ = migrate_text(text)
    assert json.loads(new)["plans"][0]["tabled"] == "2025-01-05" and json.loads(new)["schema_version"] == 2


def test_migrate_command_writes_atomically_and_refuses_to_overwrite(tmp_path: Path) -> None:
    src = _write(tmp_path, V1, "v1.yaml")
    runner = CliRunner()
    res = runner.invoke(app, ["migrate", str(src)])
    assert res.exit_code == 1 and "--force" in res.stderr
    assert src.read_text(encoding="utf-8") == V1  # untouched
    dst = tmp_path / "v2.yaml"
    res = runner.invoke(app, ["migrate", str(src), "-o", str(dst)])
    assert res.exit_code == 0, res.output
    assert "schema_version: 2" in dst.read_text(encoding="utf-8")
    res = runner.invoke(app, ["migrate", str(src), "-o", str(dst)])
    assert res.exit_code == 1 and "exists" in res.stderr
    res = runner.invoke(app, ["migrate", str(src), "--force"])
    assert res.exit_code == 0 and "# a version 1 file" in src.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_timeline_runs_on_the_2025_case() -> None:
    """The 2025 case is dated (events from 18 Nov 2025, stance revisions, red lines with the day they
    were stated): the timeline starts on the first dated change, every text appears on the day
    FACTS.md dates it, and a missed deadline is noted."""
    sc = parley_load(ROOT / "examples" / "ukraine-2025" / "scenario.yaml")
    tl = timeline(sc, step="event", draws=200).to_dict()
    assert tl["dates"][0] == "2025-11-18"
    assert len(tl["forecast"]["territory_control"]) == len(tl["dates"])
    first_day = {pid: min(days) for pid, days in tl["plans"].items()}
    assert first_day["us-28"] == "2025-11-20" and first_day["e3-counter"] == "2025-11-23"
    assert first_day["geneva-19"] == "2025-11-23" and first_day["ukraine-20"] == "2025-12-24"
    notes = [n for day in tl["notes"].values() for n in day]
    assert any(n.startswith("missed:") for n in notes)
    # a red line counts from the day it was stated: Russia's on foreign troops (2025-12-28) is left out before
    assert any("russia.foreign_troops@2025-12-28" in n for n in tl["notes"]["2025-12-27"])


def test_no_agreement_moves_write_the_spec11_block(raw: dict[str, Any]) -> None:
    # `no_agreement` (issue 11) is not in this branch's schema yet: check the mapping before validation.
    raw["events"][2]["changes"] = [
        {"op": "no_agreement", "issue": "land", "by": 0.5},  # no entry yet: from the status quo, 4 + 5 + 0.5
        {"op": "no_agreement", "issue": "army", "value": 80},
    ]
    data = snapshot(validate_dict(raw), dt.date(2025, 1, 25))
    assert data["no_agreement"]["positions"] == {"land": {"position": 9.5}, "army": {"position": 80}}
    assert "no_agreement" not in snapshot(validate_dict(raw), dt.date(2025, 1, 24))


def test_verdicts_name_the_signatories_as_the_brief_does(raw: dict[str, Any]) -> None:
    """A group that signs is one party (its members must all accept), named as the brief names it;
    before, the timeline looked for its members by name and dropped the group's verdict."""
    raw["signatories"] = ["a", "bloc"]
    next(x for x in raw["actors"] if x["id"] == "b")["groups"] = ["bloc"]
    verdicts = _verdicts(scenario_as_of(scenario_from_dict(raw), "2025-01-12"), draws=200)
    assert set(verdicts["p1"]["accept"]) == {"a", "bloc"}
