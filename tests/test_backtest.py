"""The DEU backtest.

Reference: parley issue 2 publishes, for deu_train.tsv under the scoring rule below,
"computed independently of parley": 247 issues; compromise model with GDP capability
MAE 24.47, with equal capability 24.51, unweighted mean of positions 25.01, unweighted
median 29.76. ``independent`` recomputes them here straight from the file with the csv
module and plain Python (no parley code); the test checks it against the published
figures and then checks parley's backtest against it, issue by issue.

Rule: an issue counts when ``out`` is in [0, 100] and at least one actor has both a
position and a salience in [0, 100]; an actor counts on an issue when it has both.
Capability ``gdp`` is the actor's number in the file's second row (under its p-column).
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parley._random import SeedLike
from parley.analysis import BASELINES, backtest_deu
from parley.errors import ModelError, ParleyError
from parley.models import BatchForecast, Model, get_model
from parley.scenario.core import Stances
from parley.scenario.importers import load_deu
from parley.testing import CHECKS, check_model, check_unanimity, random_stances

PUBLISHED = {"compromise-gdp": 24.47, "compromise-equal": 24.51, "mean": 25.01, "median": 29.76}


def _number(cell: str) -> float | None:
    """A value in [0, 100], else None (blank, or a missing-value code above 100)."""
    cell = cell.strip()
    if not cell:
        return None
    x = float(cell)
    return x if 0 <= x <= 100 else None


def independent(path: Path) -> dict[str, Any]:
    """Per-issue forecasts and outcomes under the rule, in plain Python."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    header, gdp_row = rows[0], rows[1]
    actors = [h[1:] for h in header if h.startswith("p") and "s" + h[1:] in header]
    gdp = {a: float(gdp_row[header.index("p" + a)]) for a in actors}
    out: dict[str, Any] = {"issues": [], "outcome": [], "compromise-gdp": [], "compromise-equal": [],
                           "mean": [], "median": [], "median-low": [], "median-high": []}
    for row in rows[2:]:
        outcome = _number(row[header.index("out")])
        pairs = []
        for a in actors:
            x, s = _number(row[header.index("p" + a)]), _number(row[header.index("s" + a)])
            if x is not None and s is not None:
                pairs.append((a, x, s / 100))
        if outcome is None or not pairs:
            continue
        xs = [x for _, x, _ in pairs]
        out["issues"].append(row[header.index("isnr")])
        out["outcome"].append(outcome)
        out["compromise-gdp"].append(
            sum(gdp[a] * s * x for a, x, s in pairs) / sum(gdp[a] * s for a, _, s in pairs))
        out["compromise-equal"].append(sum(s * x for _, x, s in pairs) / sum(s for _, _, s in pairs))
        out["mean"].append(sum(xs) / len(xs))
        out["median"].append(statistics.median(xs))
        out["median-low"].append(statistics.median_low(xs))
        out["median-high"].append(statistics.median_high(xs))
    return out


def mae(forecasts: list[float], outcomes: list[float]) -> float:
    return sum(abs(f - o) for f, o in zip(forecasts, outcomes, strict=True)) / len(outcomes)


@pytest.fixture(scope="module")
def deu(shared_data: Path) -> Path:
    path = shared_data / "deu" / "deu_train.tsv"
    if not path.exists():
        pytest.skip("deu/deu_train.tsv not found")
    return path


@pytest.fixture(scope="module")
def ref(deu: Path) -> dict[str, Any]:
    return independent(deu)


def test_independent_computation_matches_published_figures(ref: dict[str, Any]) -> None:
    assert len(ref["issues"]) == 247
    for key, published in PUBLISHED.items():
        assert abs(mae(ref[key], ref["outcome"]) - published) <= 0.005, key
    # Median of an even count: the published 29.76 is the average of the two middle
    # positions (statistics.median); the lower middle gives 30.09, the upper 29.99.
    assert abs(mae(ref["median-low"], ref["outcome"]) - 29.76) > 0.1
    assert abs(mae(ref["median-high"], ref["outcome"]) - 29.76) > 0.1


def test_parley_backtest_matches_independent_computation(deu: Path, ref: dict[str, Any]) -> None:
    gdp = backtest_deu(deu, ["compromise", "mean-unweighted", "median-unweighted", "constant50"])
    equal = backtest_deu(deu, ["compromise"], capability="equal")
    assert gdp.issue_ids == tuple(ref["issues"]) and gdp.outcomes == tuple(ref["outcome"])
    pairs = [(gdp, "compromise", "compromise-gdp"), (equal, "compromise", "compromise-equal"),
             (gdp, "mean-unweighted", "mean"), (gdp, "median-unweighted", "median")]
    for result, label, key in pairs:
        np.testing.assert_allclose(result.forecasts[label], ref[key], rtol=0, atol=1e-9, err_msg=key)
        score = result.scores[label]
        errors = np.abs(np.array(ref[key]) - np.array(ref["outcome"]))
        assert score.n == 247 and score.failed == 0
        assert score.mae == pytest.approx(errors.mean(), abs=1e-9)
        assert score.mae == pytest.approx(PUBLISHED[key], abs=0.005)
        assert score.median_ae == pytest.approx(statistics.median(errors.tolist()), abs=1e-9)
        assert score.within_10 == pytest.approx(sum(e <= 10 for e in errors) / 247)
    constant = gdp.scores["constant50"]
    assert constant.mae == pytest.approx(mae([50.0] * 247, ref["outcome"]), abs=1e-9)


def test_to_dict_shape(deu: Path) -> None:
    data = backtest_deu(deu, ["compromise", "constant50"]).to_dict()
    assert set(data) == {"models", "capability", "source", "issues"}
    assert data["capability"] == "gdp" and data["source"] == str(deu) and data["issues"] == 247
    assert set(data["models"]["compromise"]) == {"n", "mae", "median_ae", "within_10", "failed"}


def test_batched_run_equals_one_scenario_at_a_time(deu: Path) -> None:
    """The backtest runs all issues as one padded batch; each must equal its own forecast."""
    data = load_deu(deu)
    result = backtest_deu(data, ["compromise", "nash", "median"])
    for label in ("compromise", "nash", "median"):
        model = get_model(label)
        single = [model.forecast(c.scenario).outcomes[c.issue_id] for c in data.cases]
        np.testing.assert_allclose(result.forecasts[label], single, rtol=0, atol=1e-9, err_msg=label)


@dataclass(frozen=True)
class FewActorsFail(Model):
    """A test model that raises when fewer than ``least`` actors have a stance."""

    name = "few-actors-fail"
    least: int = 10

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        if (stances.mask.sum(axis=1) < self.least).any():
            raise ValueError("too few actors")
        return BatchForecast(outcomes=np.full(stances.reference.shape, 50.0))


@dataclass(frozen=True)
class NanModel(Model):
    """A test model that forecasts nothing."""

    name = "nan-model"

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        return BatchForecast(outcomes=np.full(stances.reference.shape, np.nan))


def test_failures_are_counted_not_raised(deu: Path) -> None:
    data = load_deu(deu)
    few = [c.issue_id for c in data.cases if len(c.scenario.actors) < 10]
    assert 0 < len(few) < len(data)
    result = backtest_deu(data, [FewActorsFail(), NanModel(), "constant50"])
    score = result.scores["few-actors-fail"]
    assert score.failed == len(few) and score.n == len(data) - len(few)
    assert [i for i, _ in score.failures] == few
    assert score.failures[0][1] == "ValueError: too few actors"
    kept = [c.outcome for c in data.cases if c.issue_id not in few]
    assert score.mae == pytest.approx(mae([50.0] * len(kept), kept))
    nan = result.scores["nan-model"]
    assert (nan.n, nan.failed) == (0, len(data)) and np.isnan(nan.mae)
    assert result.to_dict()["models"]["few-actors-fail"]["failed"] == len(few)
    # a model object with changed parameters is labelled by them
    assert "few-actors-fail(least=5)" in backtest_deu(data, [FewActorsFail(least=5)]).scores


def test_bad_requests(deu: Path) -> None:
    data = load_deu(deu, capability="equal")
    with pytest.raises(ModelError, match="unknown model 'compromize'"):
        backtest_deu(data, ["compromize"])
    with pytest.raises(ModelError, match="named twice"):
        backtest_deu(data, ["constant50", "constant50"])
    with pytest.raises(ParleyError, match="read with capability 'equal'"):
        backtest_deu(data, ["constant50"], capability="gdp")


@pytest.mark.parametrize("name", ["mean-unweighted", "median-unweighted"])
def test_baselines_meet_the_model_contract(name: str) -> None:
    check_model(BASELINES[name]())


def test_constant_baseline_meets_all_but_unanimity() -> None:
    # constant50 ignores the actors by design, so "all actors at x gives x" cannot hold
    model, stances = BASELINES["constant50"](), random_stances(np.random.default_rng(0))
    for check in CHECKS:
        if check is not check_unanimity:
            check(model, stances)


def test_median_baseline_by_hand() -> None:
    # positions 10, 40, 20, 90 (and a masked 0): median (20 + 40) / 2 = 30; mean 40
    x = np.array([[[10.0], [40.0], [20.0], [90.0], [0.0]]])
    mask = np.array([[[True], [True], [True], [True], [False]]])
    st = Stances(x, np.ones_like(x), np.ones_like(x), mask, np.array([0.0]), np.array([100.0]),
                 np.array([[np.nan]]))
    assert BASELINES["median-unweighted"]().forecast_batch(st).outcomes.tolist() == [[30.0]]
    assert BASELINES["mean-unweighted"]().forecast_batch(st).outcomes.tolist() == [[40.0]]
    assert BASELINES["constant50"]().forecast_batch(st).outcomes.tolist() == [[50.0]]
