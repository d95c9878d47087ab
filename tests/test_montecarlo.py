"""Monte Carlo: distributions, closed-form quantiles, plan acceptance, provenance, CLI.

References: hand calculations written out in each test; scipy.stats as an independent
implementation of the triangular and normal distributions; parley.analysis.plans.scorecard (another
engineer's single-scenario scorer) as an independent implementation of the acceptance rule.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from scipy import stats
from typer.testing import CliRunner

from parley._random import as_generator, child_generators
from parley.analysis.plans.scorecard import score_plans
from parley.analysis.plans.scoring import ScoringOptions
from parley.analysis.uncertainty.experiment import Experiment
from parley.analysis.uncertainty.inputs import InputSpace, Noise
from parley.analysis.uncertainty.montecarlo import monte_carlo
from parley.cli.uncertainty import app as uncertainty_app
from parley.errors import ModelError, ParleyError, ScenarioError


def stance(pos: float, sal: float = 1.0, **kw: object) -> dict:
    return {"position": pos, "salience": sal, **kw}


# --- quantiles against a closed form -------------------------------------------------------


def trapezoid_cdf(t: np.ndarray) -> np.ndarray:
    """CDF of O = 0.25 X_A + 0.75 X_B, X_A ~ U(20, 60), X_B ~ U(40, 80), by hand.

    Compromise weights w = capability × salience: A 1, B 3, so O = (1·X_A + 3·X_B) / 4.
    0.25 X_A ~ U(5, 15) (width 10) and 0.75 X_B ~ U(30, 60) (width 30); their sum has a
    trapezoidal density on [35, 75]: rising linearly on [35, 45] to 1/30, flat on [45, 65],
    falling on [65, 75]. Integrating:
      F(t) = (t − 35)² / 600             on [35, 45]   (F(45) = 1/6)
      F(t) = 1/6 + (t − 45) / 30         on [45, 65]   (F(65) = 5/6)
      F(t) = 1 − (75 − t)² / 600         on [65, 75]
    Quantiles: q05 = 35 + √30 = 40.477, q25 = 47.5, q50 = 55, q75 = 62.5, q95 = 75 − √30.
    """
    t = np.asarray(t, dtype=float)
    return np.where(
        t < 35,
        0.0,
        np.where(
            t < 45,
            (t - 35) ** 2 / 600,
            np.where(t < 65, 1 / 6 + (t - 45) / 30, np.where(t < 75, 1 - (75 - t) ** 2 / 600, 1.0)),
        ),
    )


def test_quantiles_of_a_compromise_of_two_uniforms_match_the_closed_form(build_scenario: Callable[..., Any]) -> None:
    sc = build_scenario(
        [
            {"id": "A", "capability": 1, "stances": {"x": stance(40, uncertainty={"low": 20, "high": 60})}},
            {"id": "B", "capability": 3, "stances": {"x": stance(60, uncertainty={"low": 40, "high": 80})}},
        ]
    )
    n = 40_000
    res = monte_carlo(Experiment.of(sc, "compromise"), n, rng=11, runner="sequential")
    q = res.quantiles()["x"]
    expected = {"q05": 35 + math.sqrt(30), "q25": 47.5, "q50": 55.0, "q75": 62.5, "q95": 75 - math.sqrt(30)}
    for key, p in (("q05", 0.05), ("q25", 0.25), ("q50", 0.5), ("q75", 0.75), ("q95", 0.95)):
        # coverage: the share of the true distribution below the estimate is p, within 4 binomial SEs
        assert abs(float(trapezoid_cdf(q[key])) - p) < 4 * math.sqrt(p * (1 - p) / n), key
        assert q[key] == pytest.approx(expected[key], abs=0.3), key
    # mean 0.25·40 + 0.75·60 = 55; variance (10² + 30²)/12 = 83.33
    assert q["mean"] == pytest.approx(55.0, abs=4 * math.sqrt(83.33 / n))
    assert q["sd"] == pytest.approx(math.sqrt(1000 / 12), rel=0.02)


# --- each distribution against scipy.stats ------------------------------------------------


def test_triangular_and_clipped_normal_draws_follow_scipy(build_scenario: Callable[..., Any]) -> None:
    sc = build_scenario(
        [
            {
                "id": "A",
                "capability": 1,
                "stances": {
                    "x": stance(30, uncertainty={"distribution": "triangular", "low": 10, "high": 90, "mode": 30})
                },
            },
            {
                "id": "B",
                "capability": 1,
                "stances": {"x": stance(90, uncertainty={"distribution": "normal", "sd": 10})},
            },
        ]
    )
    n = 20_000
    res = monte_carlo(Experiment.of(sc, "compromise"), n, rng=5, runner="sequential")
    tri, norm = res.inputs[:, 0], res.inputs[:, 1]
    crit = 1.95 / math.sqrt(n)  # Kolmogorov–Smirnov critical value at the 0.1 % level
    assert stats.kstest(tri, stats.triang(c=(30 - 10) / 80, loc=10, scale=80).cdf).statistic < crit
    # normal around 90 with sd 10, clipped to the scale [0, 100]: P(X = 100) = 1 − Φ(1) = 0.1587
    assert norm.max() == 100.0 and norm.min() >= 0.0
    at_top = float(np.mean(norm == 100.0))
    assert at_top == pytest.approx(1 - stats.norm.cdf(1.0), abs=4 * math.sqrt(0.16 * 0.84 / n))
    below = norm[norm < 100.0]
    truncated = stats.truncnorm(a=-9.0, b=1.0, loc=90, scale=10)
    assert stats.kstest(below, truncated.cdf).statistic < 1.95 / math.sqrt(len(below))


def test_input_space_takes_explicit_ranges_and_puts_noise_only_where_there_is_none(
    build_scenario: Callable[..., Any],
) -> None:
    sc = build_scenario(
        [
            {
                "id": "A",
                "capability": {"x": 2, "y": 1},
                "capability_range": [1, 3],
                "stances": {"x": stance(10, 0.5, salience_range=[0.2, 0.8]), "y": stance(5, 0.5)},
            },
            {"id": "B", "capability": 1, "stances": {"x": stance(90, 0.5)}},
        ],
        issues=[{"id": "x", "scale": {"min": 0, "max": 100}}, {"id": "y", "scale": {"min": 0, "max": 10}}],
    )
    space = InputSpace.from_scenario(sc, Noise(position=0.1))
    names = space.names
    # A's x position has no range, so noise applies; its salience range and capability range are explicit
    assert "salience:A:x" in names and "capability:A" in names and "position:A:x" in names
    assert "salience:A:y" not in names  # no salience noise asked for
    unit = np.full((1, space.size), 0.5)
    unit[0, names.index("capability:A")] = 1.0  # top of [1, 3]
    st = space.stances(space.values(unit))
    # per-issue capabilities keep their ratio; the range applies to the largest (x: 2 → 3, y: 1 → 1.5)
    assert st.capabilities[0, 0].tolist() == [3.0, 1.5]
    assert st.saliences[0, 0, 0] == pytest.approx(0.5)  # middle of [0.2, 0.8]
    assert st.positions[0, 0, 0] == pytest.approx(10.0)  # median of the noise is the point value


# --- plans: acceptance, vetoes, splits ------------------------------------------------------


def veto_case(build_scenario: Callable[..., Any]) -> Any:
    """A and B each stand anywhere on 0–100 (uniform), status quo 0, the plan puts x at 60.

    With linear loss an actor at p accepts iff |60 − p| < |0 − p| ⇔ p > 30: P = 0.7 each.
    Both hold a veto through group G: P(pass) = 0.7² = 0.49; G splits when exactly one
    accepts: 2 · 0.7 · 0.3 = 0.42. C, without range, stands at 50 and always accepts.
    """
    unc = {"low": 0, "high": 100}
    return build_scenario(
        [
            {"id": "A", "capability": 1, "groups": ["G"], "stances": {"x": stance(50, uncertainty=unc)}},
            {"id": "B", "capability": 1, "groups": ["G"], "stances": {"x": stance(50, uncertainty=unc)}},
            {"id": "C", "capability": 1, "stances": {"x": stance(50)}},
        ],
        issues=[{"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 0, "vetoes": ["G"]}],
        plans=[{"id": "p", "provisions": [{"text": "x at 60", "issue": "x", "position": 60}]}],
    )


def test_acceptance_veto_and_split_probabilities_match_hand_calculation(build_scenario: Callable[..., Any]) -> None:
    n = 20_000
    res = monte_carlo(Experiment.of(veto_case(build_scenario), "compromise"), n, rng=2, runner="sequential")
    s = res.plan_summary()["p"]

    def se(p: float) -> float:
        return 4 * math.sqrt(p * (1 - p) / n)

    assert s["accept"]["A"] == pytest.approx(0.7, abs=se(0.7))
    assert s["accept"]["B"] == pytest.approx(0.7, abs=se(0.7))
    assert s["accept"]["C"] == 1.0
    assert s["veto_holders"] == ["A", "B"]
    assert s["passes_vetoes"] == pytest.approx(0.49, abs=se(0.49))
    assert s["splits"]["G"] == pytest.approx(0.42, abs=se(0.42))
    # per draw, the rule itself: A accepts exactly when its drawn position is above 30
    assert np.array_equal(res.accept[:, 0, 0], res.inputs[:, 0] > 30)


@pytest.mark.parametrize("utility", ["linear", "quadratic"])
def test_acceptance_agrees_with_the_plan_scorer(build_scenario: Callable[..., Any], utility: str) -> None:
    """Draws that leave every input at its point value must give plans.score_plans' verdicts."""
    sc = build_scenario(
        [
            {
                "id": "A",
                "capability": 2,
                "outside_option": {"y": 8},
                "stances": {"x": stance(20, 0.9), "y": stance(9, 0.4)},
            },
            {"id": "B", "capability": 1, "groups": ["G"], "stances": {"x": stance(70, 0.5), "y": stance(2, 0.8)}},
            {"id": "C", "capability": 1, "groups": ["G"], "stances": {"x": stance(45, 0.7)}},
        ],
        issues=[
            {"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 50, "vetoes": ["A", "G"]},
            {"id": "y", "scale": {"min": 0, "max": 10}},
        ],
        plans=[
            {"id": "p1", "provisions": [{"text": "x 40", "issue": "x", "position": 40}]},
            {
                "id": "p2",
                "provisions": [
                    {"text": "x 60", "issue": "x", "position": 60},
                    {"text": "y 5", "issue": "y", "position": 5},
                ],
            },
            {"id": "p3", "provisions": [{"text": "y 9", "issue": "y", "position": 9}]},
        ],
        utility=utility,
    )
    card = score_plans(sc, models=[])
    res = monte_carlo(Experiment.of(sc, "compromise"), 3, rng=1, runner="sequential")
    for k, plan in enumerate(card.plans):
        for i, a in enumerate(sc.actor_ids):
            assert bool(res.accept[0, k, i]) == plan.actor(a).accepts, (plan.plan, a)
        assert bool(res.passes[0, k]) == plan.vetoes_pass, plan.plan


def test_capability_majority_veto_uses_drawn_capabilities(build_scenario: Callable[..., Any]) -> None:
    # G = {A, B}; only A accepts (B stands at 0 = status quo, the plan moves away from it).
    # A's capability is uniform on [1, 3], B's is 2: A's share exceeds ½ iff its capability > 2: P = 0.5.
    sc = build_scenario(
        [
            {"id": "A", "capability": 2, "capability_range": [1, 3], "groups": ["G"], "stances": {"x": stance(100)}},
            {"id": "B", "capability": 2, "groups": ["G"], "stances": {"x": stance(0)}},
        ],
        issues=[{"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 0, "vetoes": ["G"]}],
        plans=[{"id": "p", "provisions": [{"text": "x 60", "issue": "x", "position": 60}]}],
    )
    opts = ScoringOptions(group_veto="capability_majority")
    res = monte_carlo(Experiment.of(sc, "compromise", options=opts), 4000, rng=3, runner="sequential")
    assert np.array_equal(res.passes[:, 0], res.inputs[:, 0] > 2)


# --- seeds and provenance -------------------------------------------------------------------


def test_draw_i_uses_child_stream_i_whatever_the_chunking(build_scenario: Callable[..., Any]) -> None:
    sc = veto_case(build_scenario)
    a = monte_carlo(Experiment.of(sc, "compromise"), 50, rng=123, runner="sequential", chunk_size=7)
    b = monte_carlo(Experiment.of(sc, "compromise"), 50, rng=123, runner="sequential", chunk_size=50)
    assert np.array_equal(a.inputs, b.inputs) and np.array_equal(a.outcomes, b.outcomes)
    # draw 17 from the 17th child of the seed: U(0, 100) = 100 · u
    u = np.random.default_rng(np.random.SeedSequence(123).spawn(50)[17]).random(2)
    assert np.allclose(a.inputs[17], 100 * u, rtol=0, atol=1e-12)
    c = monte_carlo(Experiment.of(sc, "compromise"), 50, rng=124, runner="sequential")
    assert not np.array_equal(a.inputs, c.inputs)


def test_result_records_provenance_and_is_json_ready(build_scenario: Callable[..., Any]) -> None:
    sc = veto_case(build_scenario)
    res = monte_carlo(Experiment.of(sc, "median"), 20, rng=9, runner="sequential")
    data = json.loads(json.dumps(res.to_dict(draws=True)))
    assert data["seed"] == 9 and data["n"] == 20 and data["scenario_id"] == sc.scenario_id
    assert data["model"] == {"name": "median", "params": {"weights": "capability*salience"}}
    assert data["parley_version"] and len(data["draws"]["inputs"]) == 20
    assert set(data["outcomes"]["x"]) == {"mean", "sd", "q05", "q25", "q50", "q75", "q95"}
    with pytest.raises(ValueError):
        res.outcomes[0, 0] = 1.0  # frozen arrays
    fresh = monte_carlo(Experiment.of(sc, "compromise"), 5, runner="sequential")
    assert isinstance(fresh.seed, int)
    again = monte_carlo(Experiment.of(sc, "compromise"), 5, rng=fresh.seed, runner="sequential")
    assert np.array_equal(fresh.inputs, again.inputs)


def test_bad_requests_are_clear_errors(build_scenario: Callable[..., Any]) -> None:
    sc = veto_case(build_scenario)
    with pytest.raises(ParleyError, match="number of draws"):
        monte_carlo(Experiment.of(sc, "compromise"), 0)
    with pytest.raises(ParleyError, match="noise on position"):
        Noise(position=-0.1)
    with pytest.raises(ModelError, match="unknown model"):
        monte_carlo(Experiment.of(sc, "no-such-model"), 10)
    with pytest.raises(ParleyError, match="seed"):
        monte_carlo(Experiment.of(sc, "compromise"), 10, rng=-1)


def test_negative_seeds_are_clear_value_errors() -> None:
    # numpy's own message for SeedSequence(-5) is "expected non-negative integer"; parley says what a seed is
    message = "seed must be a whole number >= 0, got -5"
    with pytest.raises(ValueError, match=message):
        as_generator(-5)
    with pytest.raises(ValueError, match=message):
        child_generators(-5, 3)
    with pytest.raises(ValueError, match=message):
        child_generators([1, -5], 2)
    with pytest.raises(ValueError, match=r"got 1\.5"):
        as_generator(1.5)  # type: ignore[arg-type]
    # the error is a ParleyError too, so every front end reports it as one line
    with pytest.raises(ParleyError, match=message):
        as_generator(np.int64(-5))  # type: ignore[arg-type]
    # seed 0 is a seed like any other: the same stream each time
    assert as_generator(0).random() == np.random.default_rng(0).random()
    assert [g.random() for g in child_generators(0, 2)] == [
        np.random.default_rng(s).random() for s in np.random.SeedSequence(0).spawn(2)
    ]


def test_a_model_that_draws_rejects_a_negative_seed_clearly(build_scenario: Callable[..., Any]) -> None:
    # the path of `parley forecast FILE -m exchange -p rate=random --seed -5`
    from parley.models import get_model

    sc = veto_case(build_scenario)
    with pytest.raises(ParleyError, match="seed must be a whole number >= 0, got -5"):
        get_model("exchange", {"rate": "random"}).forecast(sc, rng=-5)


def test_a_capability_range_outside_zero_to_high_never_reaches_the_draws(build_scenario: Callable[..., Any]) -> None:
    # [5, 1] and [-5, 0] used to be drawn as U(5, 1) and U(-5, 0) capabilities (a mean outcome of 175 on 0-10)
    for bad in ([5, 1], [-5, 0]):
        with pytest.raises(ScenarioError, match=r"actors\[0\]\.capability_range"):
            build_scenario([{"id": "A", "capability": 1, "capability_range": bad, "stances": {"x": stance(50)}}])


# --- CLI smoke ------------------------------------------------------------------------------

SMALL = """schema_version: 1
title: small
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
plans:
  - {id: p, provisions: [{text: x at 60, issue: x, position: 60}]}
"""


@pytest.fixture()
def cli() -> typer.Typer:
    return uncertainty_app


def test_cli_montecarlo_json_table_and_output(cli: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    runner = CliRunner()
    res = runner.invoke(cli, ["montecarlo", str(path), "-n", "300", "--seed", "4", "--workers", "1", "-f", "json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["n"] == 300 and data["seed"] == 4 and data["model"]["name"] == "compromise"
    assert 0.0 < data["plans"]["p"]["passes_vetoes"] < 1.0
    target = tmp_path / "mc.json"
    res = runner.invoke(
        cli,
        [
            "montecarlo",
            str(path),
            "-n",
            "300",
            "--seed",
            "4",
            "--workers",
            "1",
            "--discover",
            "cart",
            "-o",
            str(target),
        ],
    )
    assert res.exit_code == 0, res.stderr
    assert "Issue X" in res.stdout and "passes every veto when Alpha position on Issue X is above" in res.stdout
    assert json.loads(target.read_text())["plans"] == data["plans"]


def test_cli_sensitivity_and_errors(cli: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    runner = CliRunner()
    res = runner.invoke(
        cli, ["sensitivity", str(path), "--method", "sobol", "-n", "64", "--seed", "1", "--workers", "1", "-f", "json"]
    )
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["method"] == "sobol" and set(data["value_of_clarity"]["outcome:x"]) == {"A", "B"}
    res = runner.invoke(cli, ["sensitivity", str(path), "--method", "morris", "-n", "10", "--workers", "1"])
    assert res.exit_code == 0 and "mu*" in res.stdout
    res = runner.invoke(cli, ["montecarlo", str(path), "-m", "nope", "-n", "5"])
    assert res.exit_code == 1 and "unknown model" in res.stderr and "Traceback" not in res.stderr
    res = runner.invoke(cli, ["montecarlo", str(tmp_path / "missing.yaml"), "-n", "5"])
    assert res.exit_code == 1 and "Traceback" not in res.stderr


@pytest.mark.parametrize("command", ["montecarlo", "sensitivity"])
def test_cli_negative_seed_is_a_usage_error(cli: typer.Typer, tmp_path: Path, command: str) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    res = CliRunner().invoke(cli, [command, str(path), "-n", "8", "--seed", "-5", "--workers", "1"])
    assert res.exit_code == 2, res.output  # click's exit code for a bad option value
    text = " ".join(res.stderr.replace("│", " ").split())  # the message may wrap inside rich's box
    assert "Invalid value for '--seed': Input should be greater than or equal to 0" in text
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("command", ["montecarlo", "sensitivity"])
def test_cli_output_that_cannot_be_written_names_the_path_not_the_temp_file(
    cli: typer.Typer, tmp_path: Path, command: str
) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    target = tmp_path / "review"
    target.mkdir()  # a directory: the atomic rename onto it fails
    args = [command, str(path), "-n", "8", "--seed", "1", "--workers", "1", "-o", str(target)]
    if command == "sensitivity":
        args += ["--method", "morris", "-n", "2"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1, res.output
    # one message, wrapped at the terminal's width (a long path may be cut across lines): compared without spaces
    messages = [line for line in res.stderr.splitlines() if line and not line.startswith(" ")]
    assert len(messages) == 1 and messages[0].startswith("error: cannot write")
    assert "".join(res.stderr.split()) == "".join(f"error: cannot write {target}: Is a directory".split())


def test_key_order_of_a_stance_mapping_does_not_change_the_draws(build_scenario: Any) -> None:
    """Same content (and content hash), stances written in another order: the same seed gives the same draws.

    The store keeps a scenario with its keys sorted, so a run on the stored copy must match the file's.
    """
    issues = [{"id": i, "scale": {"min": 0, "max": 10}} for i in ("zeta", "alpha")]
    zeta = {"position": 2, "salience": 0.5, "uncertainty": {"distribution": "uniform", "low": 1, "high": 3}}
    alpha = {"position": 7, "salience": 0.9, "uncertainty": {"distribution": "uniform", "low": 6, "high": 9}}
    other = {
        "id": "b",
        "capability": 1,
        "stances": {"zeta": {"position": 8, "salience": 1}, "alpha": {"position": 1, "salience": 1}},
    }
    forward = build_scenario([{"id": "a", "capability": 1, "stances": {"zeta": zeta, "alpha": alpha}}, other], issues)
    backward = build_scenario([{"id": "a", "capability": 1, "stances": {"alpha": alpha, "zeta": zeta}}, other], issues)
    assert forward.scenario_id == backward.scenario_id
    one = monte_carlo(Experiment.of(forward, "compromise"), 50, rng=4, runner="sequential")
    two = monte_carlo(Experiment.of(backward, "compromise"), 50, rng=4, runner="sequential")
    np.testing.assert_array_equal(one.outcomes, two.outcomes)
