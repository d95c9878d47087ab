"""The command line: contract of commands, options and JSON keys; clear errors, never tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli import app

ROOT = Path(__file__).resolve().parents[1]
EC = str(ROOT / "examples" / "ec-emissions" / "scenario.yaml")
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    # a wide terminal: a message is then one line (wrapping at the width is tests/test_cli_width.py's)
    result = runner.invoke(app, list(args), env={"COLUMNS": "1000"})
    return result.exit_code, result.stdout, result.stderr


def test_validate_ok() -> None:
    code, out, _ = run("validate", EC)
    assert code == 0 and "valid" in out


def test_validate_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "schema_version: 1\nissues: [{id: a}]\nactors:\n"
        "  - {id: x, capability: 1, stances: {a: {position: 5, salience: 1.7}}}\n"
        "  - {id: y, capability: -1, stances: {b: {position: 5, salience: 0.5}}}\n"
    )
    code, out, err = run("validate", str(bad))
    assert code == 1 and out == ""
    assert "has 3 problems" in err
    # each problem names its path and the line of the file it points at
    assert "actors[0].stances.a.salience (line 4): 1.7 is not between 0 and 1" in err
    assert "actors[1].stances.b (line 5):" in err
    assert "actors[1].capability" in err and "actors[1].stances.b" in err
    assert "Traceback" not in err


def test_forecast_json_contract() -> None:
    code, out, _ = run("forecast", EC, "--model", "compromise", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"scenario_id", "model", "outcomes"}
    assert data["model"]["name"] == "compromise" and data["model"]["params"] == {"weights": "capability*salience"}
    assert round(data["outcomes"]["emissions_year"], 2) == 7.39  # hand calculation in test_static.py


def test_forecast_param() -> None:
    code, out, _ = run("forecast", EC, "-m", "compromise", "--param", "weights=equal", "-f", "json")
    # equal weights: mean of 4,7,4,4,10,10,10,7,4,7 = 67/10
    assert code == 0 and json.loads(out)["outcomes"]["emissions_year"] == pytest.approx(6.7)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forecast", "missing.yaml"], "no such file"),
        (["forecast", EC, "--model", "bogus"], "unknown model 'bogus'"),
        (["forecast", EC, "--param", "weight=equal"], "did you mean 'weights'"),
        (["forecast", EC, "--param", "weights=heavy"], "is not one of"),
        (["forecast", EC, "--param", "weights"], "KEY=VALUE"),
    ],
)
def test_bad_input_gets_clear_error(args: list[str], message: str) -> None:
    code, _, err = run(*args)
    assert code != 0 and message in err and "Traceback" not in err


def test_models_lists_registry() -> None:
    code, out, _ = run("models", "--format", "json")
    data = json.loads(out)
    assert code == 0 and {"compromise", "median", "nash"} <= set(data)
    assert data["median"]["reference"] and data["median"]["params"][0]["name"] == "weights"


def test_installed_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "parley.cli", "forecast", EC, "-f", "json"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "outcomes" in json.loads(proc.stdout)


def test_a_run_without_seed_records_one_that_repeats_it(data_file) -> None:  # type: ignore[no-untyped-def]
    """DESIGN.md: every result records its seed; a random model run without --seed can be repeated."""
    cop = data_file("cases/cop15_copenhagen_decide.csv")
    code, out, _ = run("forecast", str(cop), "-m", "exchange", "-p", "rate=random", "-f", "json", "--no-store")
    first = json.loads(out)
    assert code == 0 and isinstance(first["seed"], int)
    code, out, _ = run(
        "forecast",
        str(cop),
        "-m",
        "exchange",
        "-p",
        "rate=random",
        "-f",
        "json",
        "--no-store",
        "--seed",
        str(first["seed"]),
    )
    assert json.loads(out)["outcomes"] == first["outcomes"]


def test_negative_seed_is_refused() -> None:
    code, _, err = run("forecast", EC, "--seed", "-5")
    assert code != 0 and "Traceback" not in err
