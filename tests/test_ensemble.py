"""The stacked ensemble model, its shipped weights, and intervals in forecasts (issue 12).

References: the ensemble's forecast is recomputed by hand in the test from the members'
own forecasts and the weights in the shipped file; the data file's SHA-256 with hashlib;
the members' MAE on deu_train.tsv as published in issue 12 (compromise 24.47, nash 25.64,
exchange 25.85, median 29.21, unweighted mean 25.01; smp 27.41 by issue there, 27.39 by
proposal). The contract suite runs over the ensemble in tests/test_contract.py.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import parley
from parley.cli import app
from parley.errors import ModelError
from parley.models import get_model
from parley.models.calibration import DEFAULT_MEMBERS, INTERVAL_LABEL, read_fit

SCENARIO: dict[str, Any] = {
    "title": "three actors, two issues on different scales",
    "issues": [
        {"id": "budget", "scale": {"min": 0, "max": 100}},
        {"id": "years", "scale": {"min": 2, "max": 12}},
    ],
    "actors": [
        {"id": "a", "capability": 3, "stances": {"budget": {"position": 10, "salience": 0.8},
                                                  "years": {"position": 3, "salience": 0.3}}},
        {"id": "b", "capability": 2, "stances": {"budget": {"position": 70, "salience": 0.4},
                                                  "years": {"position": 10, "salience": 0.6}}},
        {"id": "c", "capability": 1, "stances": {"budget": {"position": 55, "salience": 0.5},
                                                  "years": {"position": 8, "salience": 0.2}}},
    ],
}


@pytest.fixture(scope="module")
def scenario(build_scenario: Callable[..., Any]) -> Any:
    return build_scenario(**SCENARIO)


def test_shipped_file_is_complete() -> None:
    fit = read_fit("")
    assert [m.label for m in fit.members] == [m.label for m in DEFAULT_MEMBERS]
    assert "bdm" not in {m.model for m in fit.members}  # left out on purpose (see calibration.DEFAULT_MEMBERS)
    assert all(w >= 0 for w in fit.weights)
    assert set(fit.calibration) == {"ensemble", *(m.label for m in fit.members)}
    assert fit.level == 0.8
    p = fit.provenance
    for key in ("data", "sha256", "cv", "created", "cv_score", "verdict", "variants_tried", "command"):
        assert p.get(key), key
    assert p["cv"]["grouped_by"] == "proposal" and p["cv"]["folds"] >= 2 and p["cv"]["repeats"] >= 1


def test_ensemble_forecast_by_hand(scenario) -> None:  # type: ignore[no-untyped-def]
    fit = read_fit("")
    result = parley.forecast(scenario, "ensemble", rng=1)
    for issue in scenario.issues:
        lo, hi = issue.lower, issue.upper
        z = [(parley.forecast(scenario, m.model, m.param_dict, rng=1).outcomes[issue.id] - lo) / (hi - lo)
             for m in fit.members]
        stacked = fit.intercept + sum(w * x for w, x in zip(fit.weights, z, strict=True))
        positions = [(a["stances"][issue.id]["position"] - lo) / (hi - lo) for a in SCENARIO["actors"]]
        expected = lo + (hi - lo) * min(max(stacked, min(positions)), max(positions))
        assert result.outcomes[issue.id] == pytest.approx(expected, abs=1e-9)
        q = fit.calibration["ensemble"].q["absolute"]
        centre = (expected - lo) / (hi - lo)
        assert result.intervals is not None
        assert result.intervals[issue.id] == pytest.approx(
            [lo + (hi - lo) * max(centre - q, 0.0), lo + (hi - lo) * min(centre + q, 1.0)], abs=1e-9
        )
    assert result.diagnostics["interval"]["label"] == INTERVAL_LABEL
    assert result.diagnostics["interval"]["level"] == 0.8


def test_spread_interval_scales_with_disagreement(scenario) -> None:  # type: ignore[no-untyped-def]
    from parley.models.calibration import SPREAD_FLOOR

    fit = read_fit("")
    result = parley.forecast(scenario, "ensemble", {"interval": "spread"}, rng=1)
    x = np.array([10.0, 70.0, 55.0]) / 100.0
    half = fit.calibration["ensemble"].q["spread"] * (x.std() + SPREAD_FLOOR)
    centre = result.outcomes["budget"] / 100.0
    assert result.intervals is not None
    assert result.intervals["budget"] == pytest.approx(
        [100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0)], abs=1e-9
    )


def test_intervals_sit_beside_outcomes_and_only_where_calibrated(scenario) -> None:  # type: ignore[no-untyped-def]
    data = parley.forecast(scenario, "compromise", rng=1).to_dict()
    keys = list(data)
    assert keys[keys.index("outcomes") + 1] == "intervals"  # beside outcomes; nothing else moved
    assert keys[: keys.index("outcomes") + 1] == ["scenario_id", "model", "outcomes"]
    for issue, (lo, hi) in data["intervals"].items():
        assert lo <= data["outcomes"][issue] <= hi
    assert data["diagnostics"]["interval"]["label"] == INTERVAL_LABEL
    # the unweighted mean is a member: compromise with equal weights is calibrated as it
    assert parley.forecast(scenario, "compromise", {"weights": "equal"}, rng=1).intervals is not None
    # no calibration for other parameters, nor for bdm (not stacked): no interval, no key
    assert parley.forecast(scenario, "compromise", {"weights": "salience"}, rng=1).intervals is None
    assert "intervals" not in parley.forecast(scenario, "bdm", rng=1).to_dict()


def test_unanimity_holds_despite_the_intercept(build_scenario: Callable[..., Any]) -> None:
    data = json.loads(json.dumps(SCENARIO))
    for actor in data["actors"]:
        actor["stances"]["budget"]["position"] = 40
    result = parley.forecast(build_scenario(**data), "ensemble", rng=1)
    assert result.outcomes["budget"] == pytest.approx(40.0, abs=1e-9)
    assert read_fit("").intercept != 0  # so the clip to the actors' range is what makes it hold


def test_bad_weights_file_is_one_clear_error(tmp_path: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "w.json"
    fit = read_fit("").to_dict()
    fit["weights"]["nash"] = -1
    bad.write_text(json.dumps(fit))
    with pytest.raises(ModelError, match=r"weights\.nash: expected a finite number >= 0"):
        get_model("ensemble", {"weights": str(bad)}).forecast(scenario, rng=1)
    with pytest.raises(ModelError, match="cannot read ensemble weights"):
        get_model("ensemble", {"weights": str(tmp_path / "missing.json")}).forecast(scenario, rng=1)
    bad.write_text("{")
    with pytest.raises(ModelError, match="not JSON"):
        get_model("ensemble", {"weights": str(bad)}).forecast(scenario, rng=1)


def test_models_command_shows_the_weights() -> None:
    result = CliRunner().invoke(app, ["models", "--format", "json"])
    assert result.exit_code == 0
    fitted = json.loads(result.stdout)["ensemble"]["fitted"]
    assert fitted["weights"] == read_fit("").to_dict()["weights"]
    assert fitted["provenance"]["sha256"]
    table = CliRunner().invoke(app, ["models"]).stdout
    assert "Shipped fit:" in table and "deu_train.tsv" in table


# ------------------------------------------------------------------ the shipped fit is the data's


@pytest.fixture(scope="module")
def deu(shared_data: Path) -> Path:
    path = shared_data / "deu" / "deu_train.tsv"
    if not path.exists():
        pytest.skip("deu/deu_train.tsv not found")
    return path


def test_shipped_fit_is_current(deu: Path, tmp_path: Path) -> None:
    """The shipped weights were fitted on this file, and the members still give what they gave then;
    refitting with the recorded folds, repeats and seed gives the shipped weights back. A member
    whose forecasts change (e.g. a new default) fails here: refit with the recorded command."""
    from parley.analysis.validation import fit_ensemble, fitted_on, validate_deu

    fit = read_fit("")
    p = fit.provenance
    assert p["sha256"] == hashlib.sha256(deu.read_bytes()).hexdigest()
    assert fitted_on(deu)  # the plain backtest warns that the ensemble's score there is in-sample ...
    other = tmp_path / "other.tsv"
    other.write_bytes(deu.read_bytes() + b"\n")
    assert not fitted_on(other)  # ... and not on any other file
    published = {"compromise": 24.47, "nash": 25.64, "exchange": 25.85, "smp": 27.39, "mean-unweighted": 25.01,
                 "median": 29.21}
    for label, mae in p["member_mae_in_sample"].items():
        assert mae == pytest.approx(published[label], abs=0.005), label
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bp, cv = validate_deu(deu, (), folds=p["cv"]["folds"], repeats=p["cv"]["repeats"], seed=p["cv"]["seed"])
    for m in fit.members:
        assert np.mean(np.abs(bp.forecasts[m.label] - bp.outcome)) == pytest.approx(
            p["member_mae_in_sample"][m.label], abs=1e-9
        ), f"{m.label} changed since the weights were fitted: refit with `{p['command']}`"
    # the model's own forecast on DEU (members run by proposal, stack, clip) is the stack the CV scored
    from parley.analysis.backtest import backtest_deu
    from parley.models.ensemble import apply_stack

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model = np.array(backtest_deu(bp.dataset, ["ensemble"]).forecasts["ensemble"])
    by_hand = bp.lower + (bp.upper - bp.lower) * apply_stack(
        bp.member_matrix(), fit.intercept, np.array(fit.weights), bp.lo, bp.hi
    )
    np.testing.assert_allclose(model, by_hand, atol=1e-9)
    again = fit_ensemble(bp, cv)
    np.testing.assert_allclose(again.weights, fit.weights, atol=1e-6)
    assert again.intercept == pytest.approx(fit.intercept, abs=1e-6)
    assert again.calibration["ensemble"].q == pytest.approx(fit.calibration["ensemble"].q)
    assert p["cv_score"]["ensemble_mae"] == pytest.approx(cv.scores["ensemble"].mae)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_cli_cv_and_fit(deu: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["backtest", "deu", str(deu)]
    result = runner.invoke(app, [*base, "--cv", "3", "--repeats", "2", "--seed", "1", "-m", "compromise", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["models"]["compromise"]["mae"] == pytest.approx(24.47, abs=0.005)
    assert {"ensemble", "nash", "exchange", "smp", "median", "mean-unweighted"} <= set(data["models"])
    assert data["cv"]["folds"] == 3 and data["cv"]["repeats"] == 2 and data["cv"]["grouped_by"] == "proposal"
    assert data["variants_tried"]["total"] == 2

    out = tmp_path / "weights.json"
    result = runner.invoke(app, [*base, "--fit-ensemble", "--cv", "3", "--repeats", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())  # prose wraps at the terminal's width
    for text in ("variants tried: 2", INTERVAL_LABEL, "Δ vs compromise", f"wrote {out}"):
        assert text in shown, text
    written = read_fit(str(out))
    assert written.provenance["cv"] == {"folds": 3, "repeats": 1, "seed": 0, "grouped_by": "proposal", "nested": True}
    assert get_model("ensemble", {"weights": str(out)}).fit().weights == written.weights

    for args, message in [
        (["--fit-ensemble"], "needs -o/--output"),
        (["-o", str(tmp_path / "x.json")], "use it with --fit-ensemble"),
        (["--cv", "1"], "at least 2 folds"),
        (["--cv", "3", "--by", "issue"], "--by applies to the plain backtest"),
        (["--fit-ensemble", "-o", str(tmp_path / "no" / "x.json")], "does not exist"),
    ]:
        result = runner.invoke(app, [*base, *args])
        assert result.exit_code == 1 and message in result.stderr, (args, result.output)
    assert not (tmp_path / "x.json").exists()

    result = runner.invoke(app, [*base, "-m", "ensemble", "-m", "compromise"])
    assert result.exit_code == 0 and "in-sample" in result.stderr
