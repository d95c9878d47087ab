"""The web app through its HTTP interface (FastAPI's TestClient): pages, JSON API, limits, escaping."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parley.web import create_app

ROOT = Path(__file__).resolve().parents[1]
EC = (ROOT / "examples/ec-emissions/scenario.yaml").read_text()
EVIL = "<script>alert('x')</script>"


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = create_app(f"sqlite:///{tmp_path / 'web.db'}", max_upload_bytes=400_000)  # the 2025 case fits
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def upload(client: TestClient, text: str, name: str = "s.yaml"):  # type: ignore[no-untyped-def]
    return client.post("/api/scenarios", files={"file": (name, text.encode(), "application/yaml")})


def test_upload_forecast_and_list(client: TestClient) -> None:
    r = upload(client, EC)
    assert r.status_code == 201
    sid = r.json()["scenario_id"]
    f = client.post(f"/api/scenarios/{sid}/forecast", json={"model": "compromise"})
    assert f.status_code == 200
    # hand calculation in tests/test_static.py: 5.003 / 0.677
    assert round(f.json()["outcomes"]["emissions_year"], 2) == 7.39
    run = client.get(f"/api/runs/{f.json()['run_id']}").json()
    assert (
        run["status"] == "done"
        and run["result"]["outcomes"]["emissions_year"] == f.json()["outcomes"]["emissions_year"]
    )
    assert client.get("/api/scenarios").json()[0]["runs"] == 1
    page = client.get(f"/runs/{run['id']}")
    assert page.status_code == 200 and "forecast-chart" in page.text


def test_invalid_upload_lists_problems_with_lines(client: TestClient) -> None:
    bad = EC.replace("salience: 0.8}", "salience: 1.8}", 1)
    r = upload(client, bad)
    assert r.status_code == 422
    (problem,) = r.json()["problems"]
    assert (
        problem["path"] == "actors[0].stances.emissions_year.salience" and problem["line"] == 20
    )  # NL, the first actor, sits on line 20 of the file
    page = client.post("/scenarios", files={"file": ("bad.yaml", bad.encode(), "application/yaml")})
    assert page.status_code == 422 and "1.8 is not between 0 and 1" in page.text and 'href="#line-20"' in page.text
    assert client.get("/api/scenarios").json() == []  # nothing stored


def test_background_job_and_report(client: TestClient) -> None:
    sid = upload(client, EC).json()["scenario_id"]
    job = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "report", "draws": 0}).json()
    for _ in range(200):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert state["status"] == "done", state
    report = client.get(f"/runs/{state['run_id']}/report")
    assert report.status_code == 200 and "Plotly.newPlot" in report.text


def test_names_render_as_text(client: TestClient) -> None:
    text = EC.replace("name: Netherlands", f'name: "{EVIL}"')
    sid = upload(client, text).json()["scenario_id"]
    page = client.get(f"/scenarios/{sid}")
    assert EVIL not in page.text and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text


def test_upload_limit_and_file_names(client: TestClient) -> None:
    big = "#" * 600_000
    assert upload(client, big).status_code == 413
    # a file name with a path never becomes one: the scenario is read from memory
    r = upload(client, EC, name="../../etc/passwd.yaml")
    assert r.status_code == 201


def test_unknown_things_are_404_or_422(client: TestClient) -> None:
    assert client.get("/scenarios/ffff").status_code == 404
    assert client.get("/api/runs/ffffffff").status_code == 404
    sid = upload(client, EC).json()["scenario_id"]
    r = client.post(f"/api/scenarios/{sid}/forecast", json={"model": "bogus"})
    assert r.status_code == 422 and "unknown model" in r.json()["detail"]


def test_openapi_documents_every_api_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/scenarios",
        "/api/scenarios/{sid}/forecast",
        "/api/jobs/{jid}",
        "/api/runs/{rid}",
        "/api/validate",
        "/api/models",
    } <= paths
    assert not any(p.startswith("/scenarios") for p in paths)  # HTML pages stay out of the API docs


CASE = (ROOT / "examples/ukraine-2025/scenario.yaml").read_text()


def wait_for(client: TestClient, job_id: str) -> dict:  # type: ignore[type-arg]
    for _ in range(600):
        state = client.get(f"/api/jobs/{job_id}").json()
        if state["status"] in ("done", "failed"):
            return state  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_plans_and_montecarlo_jobs_render_with_report_sections(client: TestClient) -> None:
    sid = upload(client, CASE).json()["scenario_id"]
    plans = wait_for(client, client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "plans"}).json()["id"])
    assert plans["status"] == "done", plans
    page = client.get(f"/runs/{plans['run_id']}")
    assert page.status_code == 200 and '<table class="grid" id="scorecard">' in page.text and "us-28" in page.text
    mc = wait_for(
        client,
        client.post(
            f"/api/scenarios/{sid}/jobs", json={"kind": "montecarlo", "model": "compromise", "draws": 50}
        ).json()["id"],
    )
    assert mc["status"] == "done", mc
    run = client.get(f"/api/runs/{mc['run_id']}").json()
    assert run["kind"] == "montecarlo" and run["result"]["n"] == 50
    assert "How sure is that?" in client.get(f"/runs/{mc['run_id']}").text


def test_compare_shock_side_by_side(client: TestClient) -> None:
    from parley.analysis.plans.report import compare
    from parley.scenario import scenario_from_text

    sid = upload(client, CASE).json()["scenario_id"]
    data = client.get(f"/api/scenarios/{sid}/compare", params={"shock": "wh-adopts-envoy"}).json()
    # the same numbers as the analysis API called directly
    direct = compare(scenario_from_text(CASE), "wh-adopts-envoy", models=("compromise", "median")).to_dict()
    assert len(data["changes"]) == len(direct["changes"])
    assert data["after"]["us-28"]["support"] == direct["after"]["scores"]["plans"][0]["support"]
    page = client.get(f"/scenarios/{sid}/compare", params={"shock": "wh-adopts-envoy"})
    assert page.status_code == 200 and "before and after" in page.text
    assert client.get(f"/api/scenarios/{sid}/compare", params={"shock": "nope"}).status_code == 422


def test_review_fixes(client: TestClient, tmp_path: Path) -> None:
    # a CSV in a format the CLI imports is imported here too
    csv = "Actor,Capability,Position,Salience\nA,1,4,0.5\nB,3,10,1\n"
    r = client.post("/api/scenarios", files={"file": ("bdm.csv", csv.encode(), "text/csv")})
    assert r.status_code == 201, r.text
    sid = r.json()["scenario_id"]
    # compromise by hand: (1·.5·4 + 3·1·10) / (1·.5 + 3·1) = 32 / 3.5
    f = client.post(f"/api/scenarios/{sid}/forecast", json={"model": "compromise"}).json()
    assert f["outcomes"]["bdm"] == pytest.approx(32 / 3.5)
    # negative seeds are refused, not a server error
    assert client.post(f"/api/scenarios/{sid}/forecast", json={"model": "exchange", "seed": -1}).status_code == 422
    # deleting needs the whole id, never a prefix
    assert client.delete(f"/api/runs/{f['run_id'][:4]}").status_code == 404
    assert client.delete(f"/api/runs/{f['run_id']}").status_code == 204
    # pages answer in HTML, the API in JSON
    page = client.get("/scenarios/ffff")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html") and "Not found" in page.text
    assert client.get("/api/runs/ffffffff").headers["content-type"].startswith("application/json")
    mc = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "montecarlo", "draws": 0})
    assert mc.status_code == 422


def test_api_page_lists_every_route_offline(client: TestClient) -> None:
    page = client.get("/api")
    assert page.status_code == 200
    for path in client.get("/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in page.text
    assert "cdn" not in page.text.lower()


def test_run_page_title_is_plain_text(client: TestClient) -> None:
    """The page title of a plans run is the run's name, not the sections (a template slip once put them there)."""
    sid = upload(client, CASE).json()["scenario_id"]
    job = wait_for(client, client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "plans"}).json()["id"])
    page = client.get(f"/runs/{job['run_id']}").text
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip() == f"Run {job['run_id']} — parley"
    assert page.count('id="scorecard"') == 1  # the scorecard table (issue 15: no longer a heatmap)
