"""``parley runs ...``: listing, showing, exporting and deleting stored runs; clear errors, atomic files.

Every test uses a store in its tmp folder (``PARLEY_STORE`` is set to it), never the user's.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import parley
from parley.cli.common import open_store
from parley.cli.runs import runs_app
from parley.store import Store, record_forecast

ROOT = Path(__file__).resolve().parents[1]
EC = ROOT / "examples" / "ec-emissions" / "scenario.yaml"
runner = CliRunner()


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """parley (test app)"""

    app.add_typer(runs_app, name="runs")
    return app


APP = make_app()


def run(*args: str) -> tuple[int, str, str]:
    # a wide terminal: a message is then one line (wrapping at the width is tests/test_cli_width.py's)
    result = runner.invoke(APP, list(args), env={"COLUMNS": "1000"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("PARLEY_STORE", url)
    return url


@pytest.fixture
def filled(store_url: str) -> dict[str, str]:
    """A store holding a compromise forecast of the EC example, a failed plans run and a Monte Carlo run."""
    scenario = parley.load_scenario(EC)
    with Store.open(store_url) as st:
        fc = record_forecast(st, scenario, parley.forecast(scenario, "compromise"))
        with pytest.raises(RuntimeError), st.run("plans", scenario) as failed:
            raise RuntimeError("no plan given")
        with st.run("montecarlo", scenario, model="median", params={"draws": 3}, seed=7) as mc:
            draws = np.array([[1.0], [2.0], [4.0]])
            summary = {"emissions_year": {"mean": 7 / 3, "sd": float("nan"), "q50": 2.0}}  # mean of 1, 2, 4
            mc.finish({"draws": 3, "outcomes": summary}, samples={"outcomes": draws})
    return {"forecast": fc, "failed": failed.id, "montecarlo": mc.id}


def test_help_lists_the_commands() -> None:
    code, out, _ = run("runs", "--help")
    assert code == 0 and all(c in out for c in ("list", "show", "export", "delete"))


def test_list_empty_store(store_url: str) -> None:
    code, out, _ = run("runs", "list")
    assert code == 0 and "no runs" in out
    code, out, _ = run("runs", "list", "--format", "json")
    assert code == 0 and json.loads(out) == []


def test_list(filled: dict[str, str]) -> None:
    code, out, _ = run("runs", "list", "-f", "json")
    data = json.loads(out)
    assert code == 0 and [r["id"] for r in data] == [filled["montecarlo"], filled["failed"], filled["forecast"]]
    assert [r["status"] for r in data] == ["done", "failed", "done"]
    assert data[1]["error"] == "RuntimeError: no plan given" and data[0]["seed"] == 7
    assert "result" not in data[0]
    code, out, _ = run("runs", "list", "--kind", "forecast", "-f", "json")
    assert [r["id"] for r in json.loads(out)] == [filled["forecast"]]
    code, out, _ = run("runs", "list", "--limit", "1", "-f", "json")
    assert len(json.loads(out)) == 1
    code, out, _ = run("runs", "list")
    assert code == 0 and all(i in out for i in filled.values()) and "EC car-emission" in out


def test_list_by_status(filled: dict[str, str]) -> None:
    code, out, _ = run("runs", "list", "--status", "failed", "-f", "json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [filled["failed"]]
    # a status that no run can have is a usage error naming the choices, not an empty list
    code, out, err = run("runs", "list", "--status", "bogus")
    text = " ".join(err.replace("│", " ").split())
    assert code == 2 and out == "" and "Invalid value for '--status'" in text
    assert all(choice in text for choice in ("running", "done", "failed"))


def test_show(filled: dict[str, str]) -> None:
    code, out, _ = run("runs", "show", filled["forecast"][:5], "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["id"] == filled["forecast"] and data["model"] == "compromise"
    # 7.39: the capability x salience weighted mean worked out by hand in test_static.py
    assert round(data["result"]["outcomes"]["emissions_year"], 2) == 7.39
    code, out, _ = run("runs", "show", filled["forecast"])
    assert code == 0 and "emissions_year" in out and "7.39" in out and "compromise" in out
    code, out, _ = run("runs", "show", filled["failed"])
    assert code == 0 and "failed" in out and "RuntimeError: no plan given" in out
    code, out, _ = run("runs", "show", filled["montecarlo"], "-f", "json")
    data = json.loads(out)
    assert data["result"]["outcomes"]["emissions_year"]["sd"] is None  # NaN written as null
    assert data["samples"] == ["outcomes"]
    code, out, _ = run("runs", "show", filled["montecarlo"])
    assert code == 0 and "mean" in out and "2.333" in out and "q50" in out


def test_unknown_id_gets_a_hint(filled: dict[str, str]) -> None:
    fid = filled["forecast"]
    typo = fid[:-1] + ("0" if fid[-1] != "0" else "1")
    code, out, err = run("runs", "show", typo)
    assert code == 1 and out == ""
    assert f"no run '{typo}'" in err and "did you mean" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_export_to_stdout_and_file(filled: dict[str, str], tmp_path: Path) -> None:
    code, out, _ = run("runs", "export", filled["montecarlo"])
    data = json.loads(out)
    assert code == 0 and data["format"] == "parley-run" and data["seed"] == 7 and data["params"] == {"draws": 3}
    assert data["scenario"] == json.loads(json.dumps(parley.load_scenario(EC).to_dict()))
    assert data["samples"]["outcomes"] == {"dtype": "<f8", "shape": [3, 1], "data": [[1.0], [2.0], [4.0]]}
    assert data["result"]["outcomes"]["emissions_year"]["sd"] is None
    target = tmp_path / "out" / "run.json"
    target.parent.mkdir()
    target.write_text("old content")
    code, out, err = run("runs", "export", filled["montecarlo"], "-o", str(target), "--no-samples")
    assert code == 0 and "exported" in err
    written = json.loads(target.read_text())
    assert written["id"] == filled["montecarlo"] and written["samples"] == {}
    assert sorted(os.listdir(target.parent)) == ["run.json"]  # no temporary file left behind


def test_export_failure_leaves_the_old_file(
    filled: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run.json"
    target.write_text("old content")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("parley._files.os.replace", broken_replace)
    code, _, err = run("runs", "export", filled["forecast"], "-o", str(target))
    assert code == 1 and "cannot write" in err and "No space left" in err
    assert target.read_text() == "old content"
    assert [p for p in os.listdir(tmp_path) if not p.startswith("runs.db")] == ["run.json"]  # no temporary file
    code, _, err = run("runs", "export", filled["forecast"], "-o", str(tmp_path / "no" / "such" / "dir.json"))
    assert code == 1 and "Traceback" not in err


def test_delete(filled: dict[str, str]) -> None:
    fid = filled["forecast"]
    code, _, err = run("runs", "delete", fid[:5])
    assert code == 1 and f"did you mean '{fid}'" in err  # delete wants the full id
    code, out, _ = run("runs", "delete", fid)
    assert code == 0 and f"deleted run {fid}" in out
    code, _, err = run("runs", "show", fid)
    assert code == 1 and "no run" in err
    code, out, _ = run("runs", "list", "-f", "json")
    assert fid not in out and filled["montecarlo"] in out


def test_store_option_overrides_the_environment(filled: dict[str, str], tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    code, out, _ = run("runs", "list", "--store", other, "-f", "json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run("runs", "list", "-f", "json")  # PARLEY_STORE
    assert len(json.loads(out)) == 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ("nosuchdb://x/y", "unknown database kind"),
        ("sqlite:////no/such/folder/runs.db", "does not exist"),
        ("postgresql://u:pw@127.0.0.1:{port}/db", "Connection refused"),
    ],
)
def test_bad_or_unreachable_store(store_url: str, store: str, message: str) -> None:
    if store.startswith("postgresql"):
        pytest.importorskip("psycopg")
    for command in (["list"], ["show", "abcd1234"], ["export", "abcd1234"], ["delete", "abcd1234"]):
        code, out, err = run("runs", *command, "--store", store.format(port=_closed_port()))
        assert code == 1 and out == "" and message in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "pw@" not in err


def test_open_store_helper_exits_cleanly(tmp_path: Path) -> None:
    with pytest.raises(typer.Exit) as info:
        open_store("nosuchdb://x")
    assert info.value.exit_code == 1
    st = open_store(f"sqlite:///{tmp_path / 'ok.db'}")
    assert st.list_runs() == []
    st.close()
