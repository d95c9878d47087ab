"""Live what-if through the JSON API: the numbers of ``parley brief``, changes applied as documented, bad input refused.

References: ``parley brief`` run through its CLI on the stored scenario written out as a file
(no change), and on a copy of that file edited by hand and validated again (with a change) — an
independent path from the what-if's in-place edit of a cached scenario; the compromise
forecast's move is checked against the weighted-mean formula worked by hand from the file's
numbers. The reference file is the *stored* form (``GET /api/scenarios/{sid}``), not
examples/…/scenario.yaml itself: the store keeps keys sorted, and the Monte Carlo's inputs
follow the order of an actor's stances, so the same seed draws differently for the two orders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parley.analysis.plans.whatif import Change, apply_changes
from parley.cli import app as cli
from parley.errors import ScenarioError
from parley.scenario import Scenario
from parley.web import create_app

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples/ukraine-2025/scenario.yaml"
PLAN = "e3-counter"  # Ukraine's P(accept) is about one half there: numbers that can move
DRAWS, SEED = 400, 7


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("whatif") / "web.db"
    with TestClient(create_app(f"sqlite:///{db}"), base_url="http://127.0.0.1") as c:
        r = c.post("/api/scenarios", files={"file": ("case.yaml", CASE.read_bytes(), "application/yaml")})
        assert r.status_code == 201, r.text
        yield c, r.json()["scenario_id"]


def whatif(api: tuple[TestClient, str], **body: Any) -> Any:
    client, sid = api
    r = client.post(f"/api/scenarios/{sid}/whatif", json={"plan": PLAN, "draws": DRAWS, "seed": SEED, **body})
    assert r.status_code == 200, r.text
    return r.json()


def stored(api: tuple[TestClient, str]) -> dict[str, Any]:
    client, sid = api
    data: dict[str, Any] = client.get(f"/api/scenarios/{sid}").json()
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data, ensure_ascii=False))  # key order kept
    return path


def cli_brief(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        ["brief", str(path), "--plan", PLAN, "-n", str(DRAWS), "--seed", str(SEED), "--format", "json", "--no-store"],
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_no_change_is_parley_brief(api: tuple[TestClient, str], tmp_path: Path) -> None:
    got = whatif(api)
    ref = cli_brief(write(tmp_path, stored(api)))
    assert got["draws"] == DRAWS and got["seed"] == SEED and got["model"] == "compromise"
    # the text's whole entry, field by field: P(deal), parties, pivotal, deciding provisions, smallest change
    assert got["brief"] == ref["plans"][0]
    p_deal = ref["plans"][0]["p_deal"]
    assert (got["p_deal"]["p"], got["p_deal"]["interval"]) == (p_deal["p"], p_deal["interval"])
    assert got["pivotal"] == ref["plans"][0]["pivotal"]
    # sentences name actors by their short names (the brief's own sentences do too): "Russia: a fixed red line …"
    assert p_deal["why"].startswith("Russia:") and got["p_deal"]["why"].startswith("Russia:")
    # the forecast per issue is the brief's compromise forecast, with the brief's Monte Carlo band
    for mine, theirs in zip(got["forecast"], ref["headlines"], strict=True):
        assert mine["issue"] == theirs["issue"] and mine["label"] == theirs["label"]
        assert mine["value"] == pytest.approx(theirs["models"]["compromise"], abs=1e-12)
        assert mine["band_90"] == pytest.approx(theirs["band_90"], abs=1e-12)
    # names, not ids
    ukraine = next(p for p in got["parties"] if p["name"] == "ukraine")
    assert ukraine["label"] == "Ukraine (President Zelensky and government)"
    assert 0.3 < ukraine["p_accept"]["p"] < 0.7  # a live number, not a certainty


def test_a_change_is_the_brief_of_the_file_edited_by_hand(api: tuple[TestClient, str], tmp_path: Path) -> None:
    changes = [
        {"actor": "ukraine", "issue": "territory_control", "field": "position", "value": 0.5},
        {"actor": "us_envoy", "field": "capability", "value": 70},
        {"actor": "russia", "issue": "army_cap", "field": "salience", "value": 0.2},
    ]
    got = whatif(api, changes=changes)
    # the same edit by hand, in the file: the position with its uniform range [2, 3] moved by -1.5,
    # the envoy's capability doubled with its range [15, 70], Russia's salience on the army cap
    data = stored(api)
    actors = {a["id"]: a for a in data["actors"]}
    st = actors["ukraine"]["stances"]["territory_control"]
    assert st["position"] == 2 and st["uncertainty"] == {"low": 2, "high": 3}  # uniform, the default
    st["position"], st["uncertainty"]["low"], st["uncertainty"]["high"] = 0.5, 0.5, 1.5
    envoy = actors["us_envoy"]
    assert envoy["capability"] == 35 and envoy["capability_range"] == [15, 70]
    envoy["capability"], envoy["capability_range"] = 70, [30, 140]
    actors["russia"]["stances"]["army_cap"]["salience"] = 0.2
    ref = cli_brief(write(tmp_path, data))
    assert got["brief"] == ref["plans"][0]
    for mine, theirs in zip(got["forecast"], ref["headlines"], strict=True):
        assert mine["value"] == pytest.approx(theirs["models"]["compromise"], abs=1e-12)
    assert [c["actor_name"] for c in got["changes"]] == [actors[k]["name"] for k in ("ukraine", "us_envoy", "russia")]
    base = whatif(api)
    # a real change: the forecast and the brief both moved
    assert got["forecast"][0]["value"] != base["forecast"][0]["value"] and got["brief"] != base["brief"]


def test_the_forecast_moves_as_the_weighted_mean_says(api: tuple[TestClient, str]) -> None:
    before = {f["issue"]: f["value"] for f in whatif(api)["forecast"]}
    change = [{"actor": "ukraine", "issue": "territory_control", "field": "position", "value": 0}]
    after = {f["issue"]: f["value"] for f in whatif(api, changes=change)["forecast"]}
    # compromise = Σ c s x / Σ c s: moving Ukraine (c 55, s 1.0) from 2 to 0 moves it by 55 · 1.0 · (0 − 2) / Σ c s
    data = yaml.safe_load(CASE.read_text())
    total = 0.0
    for a in data["actors"]:
        st = a["stances"].get("territory_control")
        if st is None:
            continue
        cap = a["capability"]
        c = cap.get("territory_control", 1.0) if isinstance(cap, dict) else cap
        total += c * st["salience"]
    assert after["territory_control"] - before["territory_control"] == pytest.approx(55 * 1.0 * -2 / total)
    assert after["territory_control"] < before["territory_control"]
    assert all(after[k] == pytest.approx(before[k]) for k in before if k != "territory_control")
    # Ukraine's gain from the text, quadratic loss, s 1.0 on a 0–6 scale, the text at 2 and the
    # walk-away at the no-agreement point 2.75: [(2.75 − 0)² − 2² − ((2.75 − 2)² − 0²)] / 6² = 3/36 more
    gains = [next(p["gain"] for p in whatif(api, changes=c)["parties"] if p["name"] == "ukraine") for c in ([], change)]
    assert gains[1] - gains[0] == pytest.approx(3 / 36)


def test_heavy_model_on_request(api: tuple[TestClient, str]) -> None:
    client, sid = api
    got = whatif(api, model="bdm")
    assert got["model"] == "bdm" and got["monte_carlo_model"] == "compromise"
    forecast = client.post(f"/api/scenarios/{sid}/forecast", json={"model": "bdm", "seed": SEED}).json()
    # the point forecast is BDM's own, as the forecast endpoint computes it on the same seed
    for f in got["forecast"]:
        assert f["value"] == pytest.approx(forecast["outcomes"][f["issue"]], abs=1e-9)


def test_bad_input_lists_every_problem(api: tuple[TestClient, str]) -> None:
    client, sid = api
    body = {
        "plan": "nope",
        "model": "oracle",
        "changes": [
            {"actor": "ukrane", "issue": "territory_control", "field": "position", "value": 1},
            {"actor": "ukraine", "issue": "territory_control", "field": "position", "value": 7},
            {"actor": "ukraine", "issue": "territory_control", "field": "salience", "value": 1.5},
            {"actor": "russia", "field": "capability", "value": 0},
            {"actor": "russia", "issue": "army_cap", "field": "capability", "value": 5},
            {"actor": "russia", "issue": "no_such_issue", "field": "position", "value": 1},
            {"actor": "russia", "field": "salience", "value": 0.5},
        ],
    }
    r = client.post(f"/api/scenarios/{sid}/whatif", json=body)
    assert r.status_code == 422
    found = {(".".join(map(str, p["loc"])), p["msg"]) for p in r.json()["detail"]}
    places = sorted(place for place, _ in found)
    assert places == sorted(
        [
            "body.changes.0.actor",
            "body.changes.1.value",
            "body.changes.2.value",
            "body.changes.3.value",
            "body.changes.4.issue",
            "body.changes.5.issue",
            "body.changes.6.issue",
            "body.plan",
            "body.model",
        ]
    )
    msgs = dict(found)
    assert "did you mean 'ukraine'" in msgs["body.changes.0.actor"]
    assert "0–6" in msgs["body.changes.1.value"] and "[0, 1]" in msgs["body.changes.2.value"]
    # the schema's own bounds: field names, numbers, draws, the number of changes
    too_many = [{"actor": "ukraine", "field": "capability", "value": 1}] * 65
    bad = client.post(
        f"/api/scenarios/{sid}/whatif",
        json={"changes": [{"actor": "ukraine", "field": "pos", "value": "x"}], "draws": 0, "seed": -1},
    )
    assert bad.status_code == 422
    assert {".".join(map(str, p["loc"])) for p in bad.json()["detail"]} == {
        "body.changes.0.field",
        "body.changes.0.value",
        "body.draws",
        "body.seed",
    }
    assert client.post(f"/api/scenarios/{sid}/whatif", json={"changes": too_many}).status_code == 422
    assert client.post(f"/api/scenarios/{sid}/whatif", json={"draws": 20_001}).status_code == 422
    missing = client.post("/api/scenarios/0000000000000000/whatif", json={})
    assert missing.status_code == 404 and missing.json() == {"detail": "no scenario 0000000000000000"}


def test_openapi_and_page(api: tuple[TestClient, str]) -> None:
    client, sid = api
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/scenarios/{sid}/whatif"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/WhatIfRequest")
    change = spec["components"]["schemas"]["WhatIfChange"]["properties"]
    assert change["field"]["enum"] == ["position", "salience", "capability"]
    page = client.get(f"/scenarios/{sid}/whatif")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/static/whatif.js"></script>' in page.text
    assert page.text.count("<script") == page.text.count("<script src=") + 1  # + the JSON data block
    assert '<script type="application/json" id="whatif-data">' in page.text
    assert "Ukraine (President Zelensky and government)" in page.text and "Control of the land" in page.text
    js = client.get("/static/whatif.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript")
    assert f'href="/scenarios/{sid}/whatif"' in client.get(f"/scenarios/{sid}").text
    assert client.get("/scenarios/0000000000000000/whatif").status_code == 404


def test_how_each_change_moves_its_uncertainty(build_scenario: Callable[..., Scenario]) -> None:
    issues = [{"id": "x", "scale": {"min": 0, "max": 10}, "status_quo": 5}, {"id": "y", "scale": {"min": 0, "max": 10}}]
    sc = build_scenario(
        [
            {
                "id": "a",
                "capability": {"x": 4, "y": 2},
                "capability_range": [2, 8],
                "stances": {
                    "x": {
                        "position": 3,
                        "salience": 0.5,
                        "uncertainty": {"distribution": "triangular", "low": 2, "mode": 3, "high": 5},
                        "salience_range": [0.3, 0.7],
                    },
                    "y": {"position": 1, "salience": 0.5},
                },
            },
            {"id": "b", "capability": 1, "stances": {"x": {"position": 8, "salience": 1}}},
        ],
        issues,
    )
    out = apply_changes(
        sc,
        [
            Change("a", "position", 8, "x"),  # +5: [2, 3, 5] → [7, 8, 10], mode kept
            Change("a", "position", 9, "x"),  # +1 more: [8, 9, 11] clipped to the scale's 10
            Change("a", "salience", 0.9, "x"),  # +0.4: [0.3, 0.7] → [0.7, 1.1] clipped to 1
            Change("a", "capability", 6),  # the largest (4) → 6: every issue and the range × 1.5
        ],
    )
    a = out.spec.actors[0]
    unc = a.stances["x"].uncertainty
    assert unc is not None and (unc.low, unc.mode, unc.high) == (8, 9, 10)
    assert a.stances["x"].salience == 0.9 and a.stances["x"].salience_range == pytest.approx((0.7, 1.0))
    assert a.capability == {"x": 6, "y": 3} and a.capability_range == (3, 12)
    assert out.positions[0, 0] == 9 and out.saliences[0, 0] == 0.9 and list(out.capabilities[0]) == [6, 3]
    assert sc.positions[0, 0] == 3  # the original is untouched
    with pytest.raises(ScenarioError) as err:
        apply_changes(sc, [Change("b", "position", 1, "y"), Change("a", "salience", -0.1, "y")])
    assert [p.path for p in err.value.problems] == ["changes[0].issue", "changes[1].value"]
