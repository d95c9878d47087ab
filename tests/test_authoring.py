"""Writing scenarios: the generated field reference, messages that teach, `parley new`, `parley code`.

References: the expected codings below are hand codings of the small texts written here (a
reader can check each against the scenario written in this file); the reference-page test
compares the committed page with the generator, and shows it fails when the schema changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from parley.cli import app
from parley.errors import ScenarioError
from parley.scenario import schema
from parley.scenario.io import scenario_from_text, validate_dict
from parley.scenario.messages import schema_models, unknown_field
from parley.scenario.reference import json_schema, json_schema_text, markdown, split_description
from parley.scenario.starter import starter_yaml

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


# ---------------------------------------------------------------- 1. the reference


def test_reference_page_is_in_step_with_the_schema() -> None:
    page = (ROOT / "docs/scenario-format.md").read_text(encoding="utf-8")
    assert page == markdown(), (
        "docs/scenario-format.md is out of date: run `python -m parley.scenario.reference > docs/scenario-format.md`"
    )
    committed = (ROOT / "docs/scenario.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema_text(), (
        "docs/scenario.schema.json is out of date: run `parley schema -o docs/scenario.schema.json`"
    )


def test_reference_check_fails_when_the_schema_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    before = markdown()
    info = schema.Scale.model_fields["unit"]
    monkeypatch.setattr(info, "description", "A changed meaning. Example: ``unit: km``")
    after = markdown()
    assert after != before and "A changed meaning." in after and "`unit: km`" in after


def test_every_field_is_described_with_an_example() -> None:
    missing = []
    for cls in schema_models():
        for name, info in cls.model_fields.items():
            desc, example = split_description(info)
            if not desc or not example:
                missing.append(f"{cls.__name__}.{name}")
    assert not missing, f"describe these fields (a docstring under the field, ending 'Example: ``...``'): {missing}"


def test_reference_names_the_fields_the_issue_asked_for() -> None:
    page = markdown()
    for needle in (
        "`label`",
        "`name`",
        "`title`",
        "`no_issue_reason`",
        "`changes`",
        "`belligerents`",
        "`distribution`",
    ):
        assert needle in page
    assert "one of `uniform`, `triangular`, `normal`" in page


def test_json_schema_accepts_the_example_and_rejects_a_stray_field() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = yaml.safe_load((ROOT / "examples/ukraine-2025/scenario.yaml").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(data, default=str))  # dates as text, anchor keys as strings, as an editor sees them
    jsonschema.validate(data, json_schema())
    data["actors"][0]["label"] = "x"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


def test_schema_command_prints_json_schema_and_markdown(tmp_path: Path) -> None:
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0 and json.loads(res.stdout)["properties"]["issues"]["type"] == "array"
    res = runner.invoke(app, ["schema", "--markdown"])
    assert res.exit_code == 0 and res.stdout.startswith("# The scenario file format")


# ---------------------------------------------------------------- 2. messages


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "t.yaml")
    return [str(p) for p in info.value.problems]


def test_label_on_an_actor_names_the_field_actors_use() -> None:
    text = starter_yaml().replace('    name: "Actor A"', '    label: "Actor A"')
    found = _problems(text)
    # the message names the entries that do have the field (issues, and sides since issue 11) and the actor's own word
    wanted = ("'label' is not a field of an actor (", "issues", "actors use 'name')")
    assert any(all(w in p for w in wanted) for p in found), found


def test_did_you_mean_never_suggests_the_same_word() -> None:
    # every field name of every entry, placed where it does not belong
    places = {
        schema.IssueSpec: ("issues", 0),
        schema.ActorSpec: ("actors", 0),
        schema.Stance: ("actors", 0, "stances", "x"),
        schema.Uncertainty: ("actors", 0, "stances", "x", "uncertainty"),
        schema.PlanSpec: ("plans", 0),
        schema.Provision: ("plans", 0, "provisions", 0),
        schema.ShockSpec: ("shocks", 0),
        schema.ShockChange: ("shocks", 0, "changes", 0),
        schema.Scale: ("issues", 0, "scale"),
        schema.ScenarioSpec: (),
    }
    names = {info.alias or n for cls in schema_models() for n, info in cls.model_fields.items()}
    for cls, loc in places.items():
        own = {info.alias or n for n, info in cls.model_fields.items()}
        for name in names - own:
            msg = unknown_field((*loc, name))
            assert f"did you mean '{name}'" not in msg, msg
            assert msg.startswith(f"'{name}' is not a field of ")


def test_a_list_for_uncertainty_names_the_expected_shape() -> None:
    text = starter_yaml().replace(
        "uncertainty: {distribution: uniform, low: 0, high: 10}", "uncertainty: [uniform, 0, 10]"
    )
    found = _problems(text)
    assert any(
        "uncertainty" in p and "expected a mapping like {distribution: uniform, low: 2, high: 4}, got a list" in p
        for p in found
    ), found


def test_wrong_shapes_show_the_field_example() -> None:
    text = starter_yaml().replace("vetoes: [actor_a]", "vetoes: actor_a", 1)
    text = text.replace("scale: {min: 0, max: 100, unit: percent}", 'scale: "0 to 100"', 1)
    found = _problems(text)
    assert any(
        "issues[0].vetoes" in p and "expected a list like vetoes: [ukraine], got the text 'actor_a'" in p for p in found
    )
    assert any("issues[0].scale" in p and "expected a mapping like {min: 0, max: 1000" in p for p in found), found


def test_yaml_error_points_at_the_unclosed_quote() -> None:
    lines = starter_yaml().split("\n")
    n = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[n] = 'title: "A negotiation'  # the quote opened here is never closed
    found = _problems("\n".join(lines))
    assert len(found) == 1
    assert found[0].startswith(f"line {n + 1}, column 8:"), found  # column of the opening quote
    assert "quoted text opened here is not closed" in found[0]
    # a quote left open at the end of a file: PyYAML itself marks where the quoted scalar began
    lines = starter_yaml().rstrip("\n").split("\n")
    lines.append('      - {op: set, actor: actor_a, target: salience, value: 1, note: "open}')
    found = _problems("\n".join(lines))
    col = lines[-1].index('"') + 1  # the opening quote
    assert found[0].startswith(f"line {len(lines)}, column {col}:") and "quoted scalar" in found[0], found


# ---------------------------------------------------------------- 3. the starter


def test_new_writes_a_valid_scenario_that_runs_through_forecast_plans_and_report(tmp_path: Path) -> None:
    target = tmp_path / "iran.yaml"
    res = runner.invoke(app, ["new", "--actors", "5", "--issues", "4", "-o", str(target)])
    assert res.exit_code == 0, res.output
    sc = scenario_from_text(target.read_text(encoding="utf-8"), str(target))
    assert len(sc.actors) == 5 and len(sc.issues) == 4
    store = f"sqlite:///{tmp_path / 'store.db'}"
    res = runner.invoke(app, ["validate", str(target)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["forecast", str(target), "--no-store", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.stdout)["outcomes"]) == {"issue_1", "issue_2", "issue_3", "issue_4"}
    res = runner.invoke(app, ["plans", str(target), "--format", "json", "--shock", "actor_a-weakens"])
    assert res.exit_code == 0, res.output
    pytest.importorskip("plotly")
    report = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(target), "-o", str(report), "--draws", "20", "--store", store])
    assert res.exit_code == 0, res.output
    assert report.stat().st_size > 10_000


def test_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    target.write_text("mine", encoding="utf-8")
    res = runner.invoke(app, ["new", "-o", str(target)])
    assert res.exit_code == 1 and "--force" in res.output
    assert target.read_text(encoding="utf-8") == "mine"
    res = runner.invoke(app, ["new", "-o", str(target), "--force"])
    assert res.exit_code == 0 and "schema_version: 1" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(("actors", "issues"), [(2, 1), (3, 2), (7, 5), (26, 26)])
def test_starter_validates_for_any_size(actors: int, issues: int) -> None:
    sc = scenario_from_text(starter_yaml(actors, issues), "starter")
    assert (len(sc.actors), len(sc.issues)) == (actors, issues)


# ---------------------------------------------------------------- 4. parley code

SMALL = """\
schema_version: 1
title: Army and elections
issues:
  - id: army_cap
    label: Cap on the armed forces
    description: The ceiling on the size of the army in peacetime, in thousands of troops.
    scale: {min: 0, max: 1000, unit: thousand personnel}
    anchors: {0: no army at all, 500: "army capped at half a million", 1000: no cap on the army}
  - id: elections
    label: Timing of elections
    description: How soon after signature elections are held.
    scale: {min: 0, max: 365, unit: days after signature}
    anchors: {0: elections on signature, 180: "elections as soon as possible", 365: no election date}
  - id: sanctions
    label: Sanctions relief
    description: Whether the sanctions on the aggressor are lifted.
    scale: {min: 0, max: 4, unit: ordinal step}
    anchors: {0: all sanctions stay in force, 2: sanctions lifted in stages, 4: all sanctions lifted at once}
actors:
  - id: a
    capability: 1
    stances:
      army_cap: {position: 900, salience: 0.9}
      elections: {position: 365, salience: 0.5}
      sanctions: {position: 0, salience: 0.8}
  - id: b
    capability: 1
    stances:
      army_cap: {position: 300, salience: 0.9}
      elections: {position: 60, salience: 0.5}
      sanctions: {position: 4, salience: 0.8}
plans:
  - id: old
    provisions:
      - {point: "1", text: "Sanctions on the aggressor are lifted in stages, case by case.",
         issue: sanctions, position: 2}
      - {point: "2", text: "Both parties affirm their commitment to peace.", no_issue_reason: declaratory}
"""

TEXT = """\
1. The armed forces are limited to 600,000 troops.
2. Elections are held within 100 days of signature.
3. Sanctions:
   (a) all sanctions lifted at once on signature;
   (b) the parties affirm their commitment to peace and friendship.
4. A monument to the fallen is built in the capital.
"""


def test_code_maps_points_reads_quantities_and_validates(tmp_path: Path) -> None:
    scen = tmp_path / "s.yaml"
    scen.write_text(SMALL, encoding="utf-8")
    text = tmp_path / "plan.txt"
    text.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "plan.yaml"
    res = runner.invoke(app, ["code", str(text), "--scenario", str(scen), "--plan-id", "new-text", "-o", str(out)])
    assert res.exit_code == 0, res.output
    plans = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert isinstance(plans, list) and plans[0]["id"] == "new-text"
    got = {(p["point"], p.get("issue")): p for p in plans[0]["provisions"]}
    # hand coding: 600,000 troops on a thousand-personnel scale is 600; within 100 days is 100 days
    assert got[("1", "army_cap")]["position"] == 600 and "600,000" in got[("1", "army_cap")]["evidence"]
    assert got[("2", "elections")]["position"] == 100
    # no number on an ordinal scale: the nearest anchor, 'all sanctions lifted at once' = 4
    assert got[("3(a)", "sanctions")]["position"] == 4
    # declaratory and off-topic points map to no issue and ask for review
    for point in ("3(b)", "4"):
        assert got[(point, None)]["no_issue_reason"] == "not mapped — review" and got[(point, None)]["review"] is True
    for p in plans[0]["provisions"]:
        assert 0 <= p["confidence"] <= 1 and p["evidence"]
    # pasted into the scenario, the plan validates, and nothing was written into the scenario
    data = yaml.safe_load(SMALL)
    data["plans"] += plans
    validate_dict(data)
    assert scen.read_text(encoding="utf-8") == SMALL


def test_code_reads_stdin_and_refuses_clashing_ids_and_overwrites(tmp_path: Path) -> None:
    scen = tmp_path / "s.yaml"
    scen.write_text(SMALL, encoding="utf-8")
    res = runner.invoke(app, ["code", "-", "--scenario", str(scen)], input=TEXT)
    assert res.exit_code == 0, res.output
    assert yaml.safe_load(res.stdout)[0]["id"] == "coded-stdin"
    res = runner.invoke(app, ["code", "-", "--scenario", str(scen), "--plan-id", "old"], input=TEXT)
    assert res.exit_code == 1 and "already" in res.output
    target = tmp_path / "p.yaml"
    target.write_text("mine", encoding="utf-8")
    res = runner.invoke(app, ["code", "-", "--scenario", str(scen), "-o", str(target)], input=TEXT)
    assert res.exit_code == 1 and target.read_text(encoding="utf-8") == "mine"
    res = runner.invoke(app, ["code", str(tmp_path / "missing.txt"), "--scenario", str(scen)])
    assert res.exit_code == 1 and "no such file" in " ".join(res.output.split())  # the message wraps at the width


def test_split_points_numbers_sub_points() -> None:
    from parley.analysis.coding import split_points

    pts = split_points(
        "1. First point\n   continues here.\n2. Heading:\n   - one;\n   - two.\n"
        "3. Mixed:\n   - plain bullet;\n   - (a) lettered.\n"
    )
    assert [(p.point, p.text) for p in pts] == [
        ("1", "First point continues here."),
        ("2(a)", "one;"),
        ("2(b)", "two."),
        ("3", "plain bullet;"),
        ("3(a)", "lettered."),
    ]
    assert [p.point for p in split_points("- a thing\n- another thing\n")] == ["1", "2"]
    assert [p.text for p in split_points("One sentence. Another one.")] == ["One sentence.", "Another one."]


@pytest.mark.parametrize(
    ("text", "unit", "scale", "expected"),
    [
        ("limited to 600,000", "thousand personnel", (0, 900), 600.0),  # 600,000 / 1,000
        ("an army of 800 thousand", "thousand personnel", (0, 900), 800.0),
        ("elections within 100 days", "days after signature", (0, 365), 100.0),
        ("elections within 6 months", "days after signature", (0, 365), 180.0),  # 6 x 30 days
        ("within 2 years", "days after signature", (0, 365), None),  # 730 days: off the scale
        ("a 50% split", "ordinal step", (0, 4), None),  # ordinal scales take no quantities
        ("cut by 40%", "percent", (0, 100), 40.0),
        ("the 28 points", "thousand personnel", (0, 900), None),  # 28 is not thousands
    ],
)
def test_find_quantity(text: str, unit: str, scale: tuple[int, int], expected: float | None) -> None:
    from parley.analysis.coding import find_quantity

    issue = schema.IssueSpec(id="x", scale=schema.Scale(min=scale[0], max=scale[1], unit=unit))
    found = find_quantity(text, issue)
    assert (found[0] if found else None) == expected


# ---------------------------------------------- web (TestClient; the browser test is in test_browser.py)


@pytest.fixture
def web(tmp_path: Path):  # type: ignore[no-untyped-def]
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from parley.web import create_app

    with TestClient(create_app(f"sqlite:///{tmp_path / 'web.db'}"), base_url="http://127.0.0.1") as client:
        yield client


def test_web_code_api_and_grid_editor(web) -> None:  # type: ignore[no-untyped-def]
    import html
    import re

    assert "schema_version: 1" in web.get("/scenarios/new").text  # the New page starts from the starter
    res = web.post("/scenarios", data={"text": SMALL}, follow_redirects=False)
    sid = res.headers["location"].rsplit("/", 1)[-1]
    res = web.post("/api/code", json={"scenario_id": sid, "text": TEXT, "plan_id": "web"})
    assert res.status_code == 200 and res.json()["problems"] == []
    got = {(p["point"], p.get("issue")): p.get("position") for p in res.json()["plan"]["provisions"]}
    assert got[("1", "army_cap")] == 600 and got[("2", "elections")] == 100
    assert web.post("/api/code", json={"scenario_id": sid, "text": TEXT, "plan_id": "old"}).status_code == 422
    assert web.post("/api/code", json={"scenario_id": "nope", "text": TEXT}).status_code == 404
    page = web.post("/code/accept", data={"scenario": sid, "text": TEXT, "plan_id": "web"})
    assert page.status_code == 200 and "issue: army_cap" in html.unescape(page.text)
    assert web.get(f"/scenarios/{sid}").text.count(f"/code?scenario={sid}") == 1
    # the grid editor: 2 actors x 1 issue, one cell left empty (no stance), then check and save as usual
    grid = web.get("/scenarios/new/grid?actors=2&issues=1").text
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', grid))
    form.update({"pos_0_0": "10", "sal_0_0": "0.9", "pos_1_0": "90"})
    body = web.post("/scenarios/new/grid", data=form).text
    text = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", body, re.S).group(1))  # type: ignore[union-attr]
    saved = web.post("/scenarios", data={"text": text}, follow_redirects=False)
    assert saved.status_code == 303
    stored = web.get("/api/scenarios/" + saved.headers["location"].rsplit("/", 1)[-1]).json()
    assert stored["actors"][0]["stances"]["issue_1"] == {"position": 10.0, "salience": 0.9}
