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


def test_docs_pages_need_no_other_host(client: TestClient) -> None:
    """Issue 15: /docs was blank offline (Swagger UI from a CDN). Every asset of /docs and /redoc now comes
    from this server (fastapi-offline's files), and the pages hold no inline script (the app's CSP stays)."""
    import re

    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        refs = re.findall(r'(?:src|href|spec-url)="([^"]+)"', page.text)
        assert refs and all(r.startswith("/") and not r.startswith("//") for r in refs), refs
        assert "http://" not in page.text and "https://" not in page.text
        assert "script-src 'self';" in page.headers["content-security-policy"]
        for ref in refs:
            asset = client.get(ref)
            assert asset.status_code == 200 and len(asset.content) > 0, ref
    bundle = client.get("/static/docs/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("application/javascript") and "SwaggerUIBundle" in bundle.text
    assert client.get("/static/docs/../app.py").status_code == 404
    assert client.get("/static/docs/core.py").status_code == 404  # only the listed files


def test_job_progress_moves_through_the_draws(client: TestClient) -> None:
    """Issue 15: a long Monte Carlo job's bar did not move. The job now reports draws done of the total after
    each model batch (about 1/100 of the run), and /api/jobs shows the count rising to the total."""
    sid = upload(client, CASE).json()["scenario_id"]
    job = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "montecarlo", "model": "bdm", "draws": 300}).json()
    seen: list[tuple[int, int]] = []
    for _ in range(6000):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state["total"]:
            seen.append((state["done"], state["total"]))
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.01)
    assert state["status"] == "done", state
    assert {t for _, t in seen} == {300} and seen[-1][0] == 300 and state["fraction"] == 1.0
    done = [d for d, _ in seen]
    assert done == sorted(done)  # never goes back
    intermediate = {d for d in done if 0 < d < 300}
    assert len(intermediate) >= 3, done  # batches of 3 draws: many steps between 0 and 300
    assert all(d % 3 == 0 for d in intermediate)  # ceil(300 / 100) draws per batch
    page = client.get(f"/jobs/{job['id']}").text
    assert 'max="300" value="300"' in page  # the page's bar starts where the job is


def test_report_job_progress_moves_through_its_steps(client: TestClient) -> None:
    """Issue 15: a report job showed a bar that did not move. The report now counts its steps (one per model's
    forecast, one per section: tests/test_tasks.py::test_report_progress_counts_its_steps), so /api/jobs gives
    done of total, never going back, and ends at total; the job page's bar starts where the job is.
    Reference: by hand, every registered model plus the six sections of parley.tasks.report.SECTIONS."""
    from parley.models.base import available_models

    steps = len(list(available_models())) + 6
    sid = upload(client, EC).json()["scenario_id"]
    job = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "report", "draws": 100}).json()
    seen: list[int] = []
    for _ in range(6000):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state["total"]:
            assert state["total"] == steps, state
            seen.append(state["done"])
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.01)
    assert state["status"] == "done", state
    assert seen == sorted(seen) and seen[-1] == steps and state["fraction"] == 1.0
    assert len({d for d in seen if 0 < d < steps}) >= 2, seen  # the bar moves between the ends
    page = client.get(f"/jobs/{job['id']}").text
    assert f'max="{steps}" value="{steps}"' in page


def test_job_parameters_are_bounded(client: TestClient) -> None:
    """Every parameter a job takes from a request is bounded (web/limits.py), and a model parameter that
    names a file is refused: a request never makes the server read a file."""
    sid = upload(client, EC).json()["scenario_id"]

    def start(**body: object) -> tuple[int, str]:
        r = client.post(f"/api/scenarios/{sid}/jobs", json=body)
        return r.status_code, str(r.json().get("detail", ""))

    assert start(kind="montecarlo", draws=100_001)[0] == 422
    code, detail = start(kind="sensitivity", method="sobol", draws=5000)
    assert code == 422 and "at most 4096" in detail
    code, detail = start(kind="sensitivity", method="morris", draws=1001)
    assert code == 422 and "at most 1000" in detail
    code, detail = start(kind="montecarlo", model="bdm", params={"rounds": 10**9})
    assert code == 422 and "params.rounds: between 0 and 1000" in detail
    code, detail = start(kind="forecast", model="ensemble", params={"weights": "/etc/passwd"})
    assert code == 422 and "does not read files" in detail
    code, detail = start(kind="forecast", model="bdm", params={"q": [1, 2]})
    assert code == 422 and "params.q" in detail
    r = client.post(f"/api/scenarios/{sid}/forecast", json={"model": "ensemble", "params": {"weights": "x.json"}})
    assert r.status_code == 422 and "does not read files" in r.json()["detail"]
    assert start(kind="sensitivity", method="morris", draws=4, model="compromise")[0] == 202


def _three_actors(scenario_dict) -> str:  # type: ignore[no-untyped-def]
    """tests/test_sensitivity.py's THREE (weights 1, 2, 1; positions uniform over widths 60, 20, 40 on 0–100),
    with names, and a fourth actor, Delta, whose stance is certain."""
    import json

    def actor(aid: str, name: str, cap: float, low: float | None = None, high: float | None = None) -> dict:  # type: ignore[type-arg]
        stance: dict[str, object] = {"position": 50, "salience": 1}
        if low is not None:
            stance["uncertainty"] = {"low": low, "high": high}
        return {"id": aid, "name": name, "capability": cap, "stances": {"x": stance}}

    actors = [
        actor("a_id", "Alpha", 1, 20, 80),
        actor("b_id", "Beta", 2, 40, 60),
        actor("c_id", "Gamma", 1, 30, 70),
        actor("d_id", "Delta", 1),
    ]
    issues = [{"id": "x_id", "label": "The issue", "scale": {"min": 0, "max": 100}}]
    for a in actors:
        a["stances"] = {"x_id": a["stances"]["x"]}
    return json.dumps(scenario_dict(actors, issues))


def test_sensitivity_job_ranks_actors_by_name(client: TestClient, scenario_dict) -> None:  # type: ignore[no-untyped-def]
    """The sensitivity action's page ranks the uncertain actors by name. References (tests/test_sensitivity.py,
    by hand): Morris μ* of the compromise model = c_i · width_i with c = w/Σw over the four actors
    (w = 1, 2, 1, 1: c = 1/5, 2/5, 1/5) → 12, 8, 8 on a 0–100 scale, i.e. 0.12, 0.08, 0.08 of the scale;
    Sobol' S1 ∝ w² width² = 3600, 1600, 1600 → Alpha 0.53. Delta, certain, is no unknown: not ranked."""
    from parley.web.views import sensitivity_view

    sid = upload(client, _three_actors(scenario_dict)).json()["scenario_id"]
    stored = client.get(f"/api/scenarios/{sid}").json()
    for method, n in (("morris", 10), ("sobol", 512)):
        body = {"kind": "sensitivity", "method": method, "draws": n, "model": "compromise", "seed": 5}
        state = wait_for(client, client.post(f"/api/scenarios/{sid}/jobs", json=body).json()["id"])
        assert state["status"] == "done", state
        result = client.get(f"/api/runs/{state['run_id']}").json()["result"]
        view = sensitivity_view(stored, result)
        names = [r["name"] for r in view["ranking"]]
        assert names[0] == "Alpha" and set(names) == {"Alpha", "Beta", "Gamma"} and view["silent"] == []
        if method == "morris":
            scores = {r["name"]: r["score"] for r in view["ranking"]}
            assert scores == pytest.approx({"Alpha": 0.12, "Beta": 0.08, "Gamma": 0.08})
        else:
            assert view["ranking"][0]["score"] == pytest.approx(3600 / 6800, abs=0.06)
        page = client.get(f"/runs/{state['run_id']}").text
        assert 'id="chart-ranking"' in page and "Alpha" in page and "a_id" not in page.split("<main>", 1)[1]
    scenario_page = client.get(f"/scenarios/{sid}").text
    assert 'data-testid="run-sensitivity"' in scenario_page and 'name="method"' in scenario_page


def test_montecarlo_page_draws_bands_by_name(client: TestClient, scenario_dict) -> None:  # type: ignore[no-untyped-def]
    """The Monte Carlo page has its chart: a band per issue, labelled by the issue's name. Reference: with
    only Alpha uncertain (U(20, 80), weight 1 of 5) the compromise outcome is 50 + (x_A − 50)/5, so its 5% and
    95% quantiles are 50 ± 0.9·30/5 = 44.6 and 55.4 (sample quantiles of 4000 draws: within 0.3)."""
    import json

    data = json.loads(_three_actors(scenario_dict))
    for a in data["actors"][1:]:
        a["stances"]["x_id"].pop("uncertainty", None)
    sid = upload(client, json.dumps(data)).json()["scenario_id"]
    body = {"kind": "montecarlo", "model": "compromise", "draws": 4000, "seed": 3}
    state = wait_for(client, client.post(f"/api/scenarios/{sid}/jobs", json=body).json()["id"])
    assert state["status"] == "done", state
    page = client.get(f"/runs/{state['run_id']}").text
    assert 'id="chart-bands"' in page and "Monte Carlo run" in page
    chart = json.loads(page.split('id="charts-data">', 1)[1].split("</script>", 1)[0])["bands"]
    outer = chart["data"][0]
    assert outer["y"][:2] == ["The issue", "The issue"]  # the label, not x_id
    assert outer["x"][0] == pytest.approx(44.6, abs=0.3) and outer["x"][1] == pytest.approx(55.4, abs=0.3)


def test_compare_page_names_who_flips_and_who_gains(client: TestClient) -> None:
    """Issue 15: the shock comparison ended in a raw dump of rows with actor ids. The page now says who changes
    their verdict and who gains or loses most, by name; every change stays, named, in a closed <details>.
    Reference: the JSON API's own ``changes`` for the same shock (the page must agree with them)."""
    import html as html_lib

    sid = upload(client, CASE).json()["scenario_id"]
    data = client.get(f"/api/scenarios/{sid}/compare", params={"shock": "us-aid-stops"}).json()
    scenario = client.get(f"/api/scenarios/{sid}").json()
    name = {a["id"]: a["name"] for a in scenario["actors"]}
    page = html_lib.unescape(client.get(f"/scenarios/{sid}/compare", params={"shock": "us-aid-stops"}).text)
    verdicts = page.split('data-testid="compare-verdicts"', 1)[1].split("</table>", 1)[0]
    flips = [c for c in data["changes"] if c["what"] == "accepts"]
    assert flips and all(name[c["actor"]] in verdicts for c in flips)
    # the biggest gain: the actor whose gain rises most on average over the texts, from the API's changes
    deltas: dict[str, list[float]] = {}
    for c in data["changes"]:
        if c["what"] == "gain":
            deltas.setdefault(c["actor"], []).append(c["after"] - c["before"])
    best = max(deltas, key=lambda a: sum(deltas[a]) / len(deltas[a]))
    gains = page.split('data-testid="compare-gains"', 1)[1].split("</table>", 1)[0]
    first_row = gains.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert name[best] in first_row and f"{sum(deltas[best]) / len(deltas[best]):+.2f}" in first_row
    detail = page.split('data-testid="compare-detail"', 1)[1].split("</details>", 1)[0]
    assert detail.count("<tr>") == len(data["changes"]) + 1  # every change, and the header
    main = page.split("<main>", 1)[1]
    assert not any(f">{a}<" in main for a in name if "_" in a)  # no actor id as a cell


def _chart_of(page: str, block: str = "chart-data", key: str | None = None) -> dict:  # type: ignore[type-arg]
    import json

    fig = json.loads(page.split(f'id="{block}">', 1)[1].split("</script>", 1)[0])
    return fig[key] if key else fig  # type: ignore[no-any-return]


def test_forecast_chart_is_oriented_as_the_report_on_the_2025_case(client: TestClient) -> None:
    """Issue 15: the report draws every issue with side A's ideal on the left; the web app's forecast chart
    (which used to get a scenario without actors, so every issue ran lower end left) now does the same.
    Reference: the report figure builder's own orientation function applied to the stored scenario, and the
    stored forecast's values placed on each issue's scale by hand (reversed: 100 − the raw share)."""
    from parley.report.figures import orientation, series_colour

    sid = upload(client, CASE).json()["scenario_id"]
    run = client.post(f"/api/scenarios/{sid}/forecast", json={"model": "compromise"}).json()
    stored = client.get(f"/api/scenarios/{sid}").json()
    orient = orientation({"scenario": stored})
    flipped = {i["id"] for i in stored["issues"] if orient.flip[i["id"]]}
    assert flipped and len(flipped) < len(stored["issues"])  # the 2025 case has issues running both ways
    fig = _chart_of(client.get(f"/runs/{run['run_id']}").text)
    marks = next(t for t in fig["data"] if t.get("mode") == "markers")
    assert marks["marker"]["color"] == series_colour({}, "model", "compromise")
    for issue, label, x in zip(stored["issues"], marks["y"], marks["x"], strict=True):
        lo, hi = issue["scale"]["min"], issue["scale"]["max"]
        raw = 100 * (run["outcomes"][issue["id"]] - lo) / (hi - lo)
        assert label.endswith(" ⇄") == (issue["id"] in flipped), label
        assert x == pytest.approx(100 - raw if issue["id"] in flipped else raw, abs=0.01)  # 4 digits kept
    title = fig["layout"]["xaxis"]["title"]["text"]
    assert title.startswith(f"← {orient.left}'s side") and title.endswith(f"{orient.right}'s side →")


def _two_ways(scenario_dict, uncertain: bool = False) -> str:  # type: ignore[no-untyped-def]
    """Two belligerents on two 0–100 issues whose scales run opposite ways: on ``land`` Alpha wants 10 and
    Beta 90 (Alpha's ideal is the lower end), on ``cap`` Alpha wants 80 and Beta 20 (the upper end)."""
    import json

    def stance(x: float) -> dict:  # type: ignore[type-arg]
        s: dict[str, object] = {"position": x, "salience": 1}
        if uncertain:
            s["uncertainty"] = {"low": x - 10, "high": x + 10}
        return s

    actors = [
        {
            "id": "a",
            "name": "Alpha (the first side)",
            "capability": 3,
            "stances": {"land": stance(10), "cap": stance(80)},
        },
        {"id": "b", "name": "Beta", "capability": 1, "stances": {"land": stance(90), "cap": stance(20)}},
    ]
    issues = [
        {"id": "land", "label": "Land", "scale": {"min": 0, "max": 100}},
        {"id": "cap", "label": "Army cap", "scale": {"min": 0, "max": 100}},
    ]
    return json.dumps(scenario_dict(actors, issues, belligerents=["a", "b"]))


def test_forecast_chart_puts_side_a_on_the_left_by_hand(client: TestClient, scenario_dict) -> None:  # type: ignore[no-untyped-def]
    """By hand: the compromise (Σ c·s·x / Σ c·s, capabilities 3 and 1) is 30 on Land and 65 on the army cap.
    Land runs Alpha-left already (30%); the army cap is reversed (Alpha wants its upper end), so it is drawn at
    100 − 65 = 35% and marked ⇄, and the axis says "← Alpha's side … Beta's side →"."""
    sid = upload(client, _two_ways(scenario_dict)).json()["scenario_id"]
    run = client.post(f"/api/scenarios/{sid}/forecast", json={"model": "compromise"}).json()
    fig = _chart_of(client.get(f"/runs/{run['run_id']}").text)
    marks = next(t for t in fig["data"] if t.get("mode") == "markers")
    assert marks["y"] == ["Land", "Army cap ⇄"]
    assert marks["x"] == pytest.approx([30.0, 35.0], abs=0.01)
    title = fig["layout"]["xaxis"]["title"]["text"]
    assert title.startswith("← Alpha's side") and title.endswith("Beta's side →")


def test_montecarlo_bands_put_side_a_on_the_left(client: TestClient, scenario_dict) -> None:  # type: ignore[no-untyped-def]
    """The Monte Carlo page's bands are oriented as the report's overview: on the reversed army cap every
    quantile is drawn at 100 − its share of the scale (so the 5% quantile is on the right of the 95%), on Land
    as it is; the median has the model's report colour. Reference: the stored quantiles, placed by hand."""
    from parley.report.figures import series_colour

    sid = upload(client, _two_ways(scenario_dict, uncertain=True)).json()["scenario_id"]
    body = {"kind": "montecarlo", "model": "compromise", "draws": 200, "seed": 1}
    state = wait_for(client, client.post(f"/api/scenarios/{sid}/jobs", json=body).json()["id"])
    assert state["status"] == "done", state
    q = client.get(f"/api/runs/{state['run_id']}").json()["result"]["outcomes"]
    chart = _chart_of(client.get(f"/runs/{state['run_id']}").text, "charts-data", "bands")
    outer, _, median = chart["data"]
    assert outer["y"][:2] == ["Land", "Land"] and outer["y"][3:5] == ["Army cap ⇄", "Army cap ⇄"]
    assert outer["x"][:2] == pytest.approx([q["land"]["q05"], q["land"]["q95"]])
    assert outer["x"][3:5] == pytest.approx([100 - q["cap"]["q05"], 100 - q["cap"]["q95"]])
    assert median["x"] == pytest.approx([q["land"]["q50"], 100 - q["cap"]["q50"]])
    assert median["marker"]["color"] == series_colour({}, "model", "compromise")
    assert chart["layout"]["xaxis"]["title"]["text"].startswith("← Alpha's side")


def _page_charts(page: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    import json

    found: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    if 'id="chart-data">' in page:
        found.append(("chart", _chart_of(page)))
    if 'id="charts-data">' in page:
        block = page.split('id="charts-data">', 1)[1].split("</script>", 1)[0]
        found += list(json.loads(block).items())
    return found


def test_every_web_chart_is_in_the_basic_bundle(client: TestClient) -> None:
    """Issue 15: the run pages loaded plotly.py's whole bundle (4.6 MB). Every chart the app draws (a forecast,
    each analysis kind's page on the 2025 case) uses only the trace types of Plotly's partial bundle "basic", so
    /static/plotly.min.js serves the report's vendored basic bundle. Reference: the bundle's own licence header
    ("plotly.js (basic - minified)") and parley.report.render.BUNDLE_TRACES (scatter, bar, pie)."""
    from parley.report.render import BUNDLE_TRACES

    sid = upload(client, CASE).json()["scenario_id"]
    pages = [client.post(f"/api/scenarios/{sid}/forecast", json={"model": "compromise"}).json()["run_id"]]
    jobs = [
        {"kind": "plans"},
        {"kind": "brief", "draws": 50, "seed": 1},
        {"kind": "coalitions"},
        {"kind": "timeline", "draws": 20, "seed": 1},
        {"kind": "montecarlo", "model": "compromise", "draws": 50, "seed": 1},
        {"kind": "sensitivity", "method": "morris", "model": "compromise", "draws": 4, "seed": 1},
    ]
    for body in jobs:
        state = wait_for(client, client.post(f"/api/scenarios/{sid}/jobs", json=body).json()["id"])
        assert state["status"] == "done", (body, state)
        pages.append(state["run_id"])
    runs_with_charts = set()
    for rid in pages:
        page = client.get(f"/runs/{rid}").text
        for key, fig in _page_charts(page):
            runs_with_charts.add(rid)
            for trace in fig["data"]:
                assert trace.get("type", "scatter") in BUNDLE_TRACES, (rid, key, trace.get("type"))
        if _page_charts(page):
            assert '<script src="/static/plotly.min.js"></script>' in page
    assert len(runs_with_charts) >= 5, runs_with_charts  # forecast, plans, timeline, Monte Carlo, sensitivity
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and "plotly.js (basic - minified)" in js.text[:200]
    assert len(js.content) < 1_500_000  # plotly.py's full bundle is about 4.6 MB


def test_scenario_page_names_veto_holders_and_proposers(client: TestClient) -> None:
    """The scenario page's tables showed ids (``us_envoy``, ``us_white_house``, ``western_coalition``). Reference:
    the 2025 case's file: the first plan's ``proposer: us_envoy`` is the actor named "US envoy back-channel (…)",
    the NATO-membership issue's ``vetoes: [NATO, ukraine]`` are a group and the actor "Ukraine (…)"; and every
    action of the page has its card (the timeline's because the case has dated events)."""
    import html as html_lib

    sid = upload(client, CASE).json()["scenario_id"]
    page = html_lib.unescape(client.get(f"/scenarios/{sid}").text)
    plans = page.split("<h2>Plans on the table</h2>", 1)[1]
    assert "<td>US envoy back-channel</td>" in plans and "<td>E3 (group)</td>" in plans
    issues = page.split("<h2>Issues</h2>", 1)[1].split("</table>", 1)[0]
    assert "<td>NATO (group), Ukraine</td>" in issues
    tables = page.split("<h2>Issues</h2>", 1)[1]
    assert not any(i in tables for i in ("us_envoy", "us_white_house", "western_coalition"))
    for action in ("forecast", "plans", "montecarlo", "sensitivity", "timeline", "report"):
        assert f'data-testid="action-{action}"' in page, action
