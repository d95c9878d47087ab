"""The task layer: one registry of run kinds, the same defaults and the same kept runs from every front end.

References: the store's own list of run kinds (``parley.store.KINDS``), the CLI's command
names, and, for seeds, the run itself: a run repeated with the seed it stored gives the same
numbers (so the stored seed is the one that was used).
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import parley
from parley.cli import app
from parley.store import KINDS, Store
from parley.tasks import TASKS, ForecastOptions, MonteCarloOptions, get_task, scenario_tasks
from parley.tasks import forecast as forecast_task
from parley.tasks.defaults import plan_models

ROOT = Path(__file__).resolve().parents[1]
EC = ROOT / "examples" / "ec-emissions" / "scenario.yaml"
ALL_KINDS = {"forecast", "plans", "brief", "coalitions", "timeline", "montecarlo", "sensitivity", "backtest", "report"}

TOY = """schema_version: 1
title: toy
issues:
  - {id: x, label: Issue X, scale: {min: 0, max: 100}, status_quo: 0, vetoes: [A]}
actors:
  - id: A
    name: Alpha
    capability: 1
    groups: [G]
    stances: {x: {position: 50, salience: 1, uncertainty: {low: 0, high: 100}}}
  - id: B
    name: Beta
    capability: 2
    groups: [G]
    stances: {x: {position: 60, salience: 0.5, salience_range: [0.2, 0.9]}}
  - id: C
    name: Gamma
    capability: 1
    stances: {x: {position: 20, salience: 0.7}}
plans:
  - {id: p, provisions: [{text: x at 60, issue: x, position: 60}]}
"""


@pytest.fixture()
def toy(tmp_path: Path) -> Path:
    path = tmp_path / "toy.yaml"
    path.write_text(TOY)
    return path


def test_registry_lists_every_kind() -> None:
    assert set(TASKS) == ALL_KINDS
    assert set(TASKS) <= set(KINDS)  # every kind can be kept in the store
    assert set(scenario_tasks()) == ALL_KINDS - {"backtest"}  # the backtest reads a data file
    for name, kind in TASKS.items():
        assert kind.name == name and callable(kind.run)
        fields = {f.name for f in dataclasses.fields(kind.options)}
        assert {o["name"] for o in kind.schema()} == fields
        assert all(o["help"] for o in kind.schema()), name
    # front ends name the draws "draws"; each kind maps it onto its own option
    assert get_task("montecarlo").make_options({"draws": 7}).n == 7
    assert get_task("report").make_options({"draws": 0}).montecarlo_draws == 0
    with pytest.raises(parley.ParleyError, match="unknown kind"):
        get_task("nope")
    with pytest.raises(parley.ParleyError, match="takes no option"):
        get_task("coalitions").make_options({"model": "bdm"})


def test_every_kind_run_from_the_cli_is_kept(toy: Path, tmp_path: Path, data_file) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    commands = [
        ["forecast", str(toy)],
        ["plans", str(toy), "-m", "compromise"],
        ["brief", str(toy), "-n", "50"],
        ["timeline", str(toy), "--from", "2025-01-01", "--to", "2025-01-15", "--step", "week", "-n", "20"],
        ["coalitions", str(toy)],
        ["montecarlo", str(toy), "-n", "20", "--workers", "1"],
        ["report", str(toy), "-o", str(tmp_path / "r.html"), "-n", "10", "-m", "compromise"],
        ["backtest", "deu", str(data_file("deu/deu_train.tsv")), "-m", "compromise"],
    ]
    pytest.importorskip("SALib", reason="sensitivity analysis needs SALib")
    commands.append(["sensitivity", str(toy), "--method", "morris", "-n", "4", "--workers", "1"])
    for cmd in commands:
        res = runner.invoke(app, cmd)
        assert res.exit_code == 0, (cmd, res.stderr)
    listed = runner.invoke(app, ["runs", "list", "-n", "50", "-f", "json"])
    runs = json.loads(listed.stdout)
    assert {r["kind"] for r in runs} == ALL_KINDS
    assert all(r["status"] == "done" for r in runs)
    # --no-store keeps nothing
    assert runner.invoke(app, ["coalitions", str(toy), "--no-store"]).exit_code == 0
    assert len(json.loads(runner.invoke(app, ["runs", "list", "-n", "50", "-f", "json"]).stdout)) == len(runs)


def wait_for(client, job_id: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    for _ in range(1200):
        state = client.get(f"/api/jobs/{job_id}").json()
        if state["status"] in ("done", "failed"):
            return state  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_every_scenario_kind_run_from_the_web_app_is_kept(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from parley.web import create_app

    with TestClient(create_app(f"sqlite:///{tmp_path / 'web.db'}"), base_url="http://127.0.0.1") as client:
        sid = client.post("/api/scenarios", files={"file": ("toy.yaml", TOY.encode(), "application/yaml")}).json()[
            "scenario_id"
        ]
        kinds = ["forecast", "plans", "brief", "coalitions", "montecarlo", "report"]
        try:
            import SALib  # noqa: F401

            kinds.append("sensitivity")
        except ImportError:  # pragma: no cover - the extra is missing
            pass
        for kind in kinds:
            job = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": kind, "draws": 16})
            assert job.status_code == 202, (kind, job.text)
            state = wait_for(client, job.json()["id"])
            assert state["status"] == "done", state
        runs = client.get("/api/runs").json()
        assert {r["kind"] for r in runs} == set(kinds)
        for r in runs:  # every run has its page; analyses are shown with the report's sections
            page = client.get(f"/runs/{r['id']}")
            assert page.status_code == 200, (r["kind"], page.text[:200])
            if r["kind"] in ("plans", "brief", "coalitions", "montecarlo"):
                assert '<section id="' in page.text, r["kind"]
        # every one was kept with the seed it used; only the coalition analysis draws nothing
        seeds = {r["kind"]: r["seed"] for r in runs}
        assert seeds.pop("coalitions") is None and None not in seeds.values()
        # the plan scoring uses the CLI's model set
        plans_run = next(r for r in runs if r["kind"] == "plans")
        scored = client.get(f"/api/runs/{plans_run['id']}").json()["result"]["scores"]["forecasts"]
        assert tuple(scored) == plan_models()
        # the same runs show up in `parley runs list` on that store
        listed = CliRunner().invoke(app, ["runs", "list", "--store", f"sqlite:///{tmp_path / 'web.db'}", "-f", "json"])
        assert {r["kind"] for r in json.loads(listed.stdout)} == set(kinds)


def test_seedless_run_stores_the_seed_it_used(tmp_path: Path) -> None:
    scenario = parley.load_scenario(EC)
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        # exchange's random-rate variant draws: the same seed gives the same numbers, another seed others
        done = forecast_task(scenario, ForecastOptions(model="exchange", params={"rate": "random"}), store=store)
        record = store.get_run(done.run_id)
        assert record.seed is not None and record.seed == done.seed == done.data["seed"]
        again = forecast_task(scenario, ForecastOptions(model="exchange", params={"rate": "random"}, seed=record.seed))
        assert again.data["outcomes"] == done.data["outcomes"]
        mc = get_task("montecarlo").run(scenario, MonteCarloOptions(n=30, workers=1), store=store)
        kept = store.get_run(mc.run_id)
        assert kept.seed is not None and kept.seed == mc.seed == mc.data["seed"]
        rerun = get_task("montecarlo").run(scenario, MonteCarloOptions(n=30, workers=1, seed=kept.seed))
        assert rerun.data["outcomes"] == mc.data["outcomes"]


def test_seedless_web_forecast_stores_its_seed(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from parley.web import create_app

    with TestClient(create_app(f"sqlite:///{tmp_path / 'web.db'}"), base_url="http://127.0.0.1") as client:
        sid = client.post("/api/scenarios", files={"file": ("ec.yaml", EC.read_bytes(), "application/yaml")}).json()[
            "scenario_id"
        ]
        f = client.post(f"/api/scenarios/{sid}/forecast", json={"model": "exchange", "params": {"rate": "random"}})
        assert f.status_code == 200, f.text
        run = client.get(f"/api/runs/{f.json()['run_id']}").json()
        assert run["seed"] is not None and run["seed"] == f.json()["seed"]
        again = client.post(
            f"/api/scenarios/{sid}/forecast",
            json={"model": "exchange", "params": {"rate": "random"}, "seed": run["seed"]},
        ).json()
        assert again["outcomes"] == f.json()["outcomes"]


def test_report_progress_counts_its_steps(toy: Path) -> None:
    """Issue 15: a report job's bar did not move. The report now counts its steps: one per model's forecast
    and one per section (brief, timeline, plans, coalitions, montecarlo, sensitivity). By hand, for two models
    that is 2 + 6 = 8 steps: each starts at 0, 1, …, 7 done of 8, the sections' own draws only add messages
    (never a count of their own), and the report ends at 8 of 8."""
    from parley.tasks import ReportOptions, report_data
    from parley.tasks.report import SECTIONS

    assert list(SECTIONS) == ["brief", "timeline", "plans", "coalitions", "montecarlo", "sensitivity"]
    calls: list[tuple[str, int | None, int | None]] = []

    def progress(message: str, done: int | None = None, total: int | None = None) -> None:
        calls.append((message, done, total))

    opts = ReportOptions(models=("compromise", "median"), montecarlo_draws=20, sensitivity_samples=8)
    data = report_data(parley.load_scenario(toy), opts, progress=progress)
    assert not data["errors"], data["errors"]
    assert {t for _, _, t in calls} == {8}
    done = [d for _, d, _ in calls]
    assert done == sorted(done) and done[-1] == 8
    assert sorted(set(done)) == list(range(9))  # every step is told as it starts
    starts = [m for m, d, _ in calls if m.endswith(f"(step {(d or 0) + 1} of 8)")]
    assert starts[:2] == ["forecast: compromise (step 1 of 8)", "forecast: median (step 2 of 8)"]
    assert any(m.startswith("montecarlo (step 7 of 8): ") and "of 20 draws" in m for m, _, _ in calls)
    messages: list[str] = []  # a caller's progress that takes only the message (the CLI's status line) still works
    report_data(parley.load_scenario(toy), dataclasses.replace(opts, models=("compromise",)), progress=messages.append)
    assert messages[0] == "forecast: compromise (step 1 of 7)" and messages[-1] == "every section computed (7 steps)"
