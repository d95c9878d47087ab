"""``parley plans`` and ``parley coalitions``, and a smoke run of every plan analysis on the 2025 case.

The CLI tests use a small scenario written here; the numbers they check are the hand
calculations of tests/test_plans.py and tests/test_coalitions.py for the same data.
The smoke test checks the 2025 case against an independent, loop-by-loop recomputation
of the utilities from the YAML file itself.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from parley.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "ukraine-2025" / "scenario.yaml"

TOY = """
schema_version: 1
title: toy
belligerents: [A, B]
issues:
  - {id: land, scale: {min: 0, max: 100}, status_quo: 40, vetoes: [A, B]}
  - {id: army, scale: {min: 0, max: 1000}, status_quo: 800, vetoes: [west]}
actors:
  - id: A
    capability: 2
    outside_option: {land: 20}
    stances: {land: {position: 100, salience: 1.0}, army: {position: 1000, salience: 0.5}}
  - id: B
    capability: 3
    stances: {land: {position: 0, salience: 1.0}, army: {position: 0, salience: 0.5}}
  - id: C
    capability: 1
    groups: [west]
    stances: {land: {position: 80, salience: 0.5}, army: {position: 1000, salience: 0.2}}
  - id: D
    capability: 1
    groups: [west]
    stances: {land: {position: 60, salience: 0.5, stated: 30}}
plans:
  - id: p1
    proposer: C
    provisions:
      - {text: "land to 30", issue: land, position: 30}
      - {text: "army capped at 400", issue: army, position: 400, category: army_cap}
      - {text: "a demilitarised buffer zone", no_issue_reason: "no issue"}
  - id: p2
    provisions:
      - {text: "land to 50", issue: land, position: 50}
shocks:
  - id: drop
    changes: [{op: scale, actor: C, target: capability, factor: 0.1}]
"""


@pytest.fixture()
def toy(tmp_path: Path) -> str:
    path = tmp_path / "toy.yaml"
    path.write_text(TOY)
    return str(path)


def run(*args: str) -> tuple[int, str, str]:
    # a wide terminal: a message is then one line (wrapping at the width is tests/test_cli_width.py's)
    result = runner.invoke(app, list(args), env={"COLUMNS": "1000"})
    return result.exit_code, result.stdout, result.stderr


def test_commands_registered_once() -> None:
    # commands of the app itself and of the groups merged into it (added without a name)
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    for group in app.registered_groups:
        if not isinstance(group.name, str) and group.typer_instance is not None:
            names += [c.name or "" for c in group.typer_instance.registered_commands]
    assert names.count("plans") == 1 and names.count("coalitions") == 1


def test_plans_json(toy: str) -> None:
    code, out, _ = run("plans", toy, "--format", "json", "--model", "compromise")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"scores", "bargaining", "durability", "words_deeds"}
    p1 = data["scores"]["plans"][0]
    # hand calculation (tests/test_plans.py): A -1.0 vs reservation -0.9; B -0.5 vs -0.8
    assert p1["actors"]["A"]["gain"] == pytest.approx(-0.1) and p1["accepting"] == ["B"]
    assert p1["support"] == pytest.approx(3 / 7) and p1["vetoes_pass"] is False
    assert p1["actors"]["A"]["concession"] == pytest.approx(1 / 1.5)
    # issue 11: sides are declared, not read from positions; C and D are in "west" without A, so A stands
    # alone: W_A = 2*(5/6), W_B = 3*(5/6) -> p = 0.4 (it was 2.4/4.9 with C and D counted for A by position)
    assert data["bargaining"]["p"] == pytest.approx(0.4)
    assert data["durability"]["p1"]["indicators"][0]["present"] is True  # 'demilitarised' keyword
    assert list(data["scores"]["forecasts"]) == ["compromise"]
    assert data["words_deeds"]["positions"][0]["actor"] == "D"


def test_plans_table(toy: str) -> None:
    code, out, _ = run("plans", toy, "--model", "compromise", "--provisions")
    assert code == 0
    for text in ("Acceptance", "Concession index", "Bargaining range", "Durability", "Words vs deeds", "land → 30"):
        assert text in out


def test_plans_filter_and_options(toy: str) -> None:
    code, out, _ = run("plans", toy, "--plan", "p2", "-f", "json", "--model", "compromise", "--p", "0.5")
    assert code == 0
    data = json.loads(out)
    assert [p["id"] for p in data["scores"]["plans"]] == ["p2"] and data["bargaining"]["p"] == 0.5
    # p ~ Beta(0.5*10, 0.5*10); P(acceptable) of p2 at x = 0.6 with costs 0.1: P(0.5 ≤ p ≤ 0.7)
    from scipy import stats

    code, out, _ = run(
        "plans", toy, "--plan", "p2", "-f", "json", "--model", "compromise", "--p", "0.5", "--p-concentration", "10"
    )
    expected = stats.beta(5, 5).cdf(0.7) - stats.beta(5, 5).cdf(0.5)
    assert json.loads(out)["bargaining"]["plans"][0]["p_acceptable"] == pytest.approx(expected, abs=1e-8)


def test_plans_shock(toy: str) -> None:
    code, out, _ = run("plans", toy, "--shock", "drop", "-f", "json", "--model", "compromise")
    assert code == 0
    data = json.loads(out)
    assert data["shock"] == "drop" and {"before", "after", "changes"} <= set(data)
    assert data["changes"][0] == {
        "plan": "p1",
        "actor": None,
        "what": "support",
        "before": pytest.approx(3 / 7),
        "after": pytest.approx(3 / 6.1),
    }
    code, out, _ = run("plans", toy, "--shock", "drop", "--model", "compromise")
    assert code == 0 and "(before)" in out and "(after)" in out and "What the shock changed" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "p9"], "no plan 'p9'"),
        (["--shock", "nope"], "no shock 'nope'"),
        (["--model", "nosuch"], "unknown model 'nosuch'"),
        (["--issue", "nosuch"], "'nosuch' is not an issue"),
    ],
)
def test_plans_errors(toy: str, args: list[str], message: str) -> None:
    code, out, err = run("plans", toy, *args)
    assert code == 1 and out == "" and message in err and "Traceback" not in err


def test_plans_durability_reads_na_where_an_indicator_cannot_apply(tmp_path: Path) -> None:
    # the one-issue EC case (a date for an emission standard: no belligerents, no forces or territory issue)
    # with one text: by durability.not_applicable, the five indicators of armed conflict (demilitarised zone,
    # withdrawal, power sharing, imposed by pressure, the battlefield) cannot apply: n/a, with why, never
    # "no"/"–"/"0"; the text names a commission that monitors it, so monitoring still reads yes
    spec = yaml.safe_load((ROOT / "examples" / "ec-emissions" / "scenario.yaml").read_text(encoding="utf-8"))
    spec["plans"] = [
        {
            "id": "standard-1996",
            "provisions": [
                {"text": "The standard takes effect in 1996; a commission monitors it.", "issue": "emissions_year",
                 "position": 7}
            ],
        }
    ]  # fmt: skip
    path = tmp_path / "ec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["plans", str(path), "--no-store", "-m", "median"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    table = result.stdout.split("Durability indicators", 1)[1]
    rows = {line.split("│")[1].strip(): line.split("│")[3].strip() for line in table.splitlines() if "│" in line}
    na = {"demilitarised zone", "withdrawal of forces", "imposed by third-party pressure"}
    assert all(rows[k] == "n/a" for k in na), rows
    assert rows["power-sharing dimensions (political, military,"] == "n/a"
    assert rows["consistent with the battlefield (inside the bargaining"] == "n/a"
    assert rows["monitoring or peacekeeping"] == "yes" and rows["third-party guarantee"] == "no"
    prose = " ".join(table.split())
    assert "n/a = not applicable to this case: an indicator of settlements of armed conflict" in prose
    assert "no belligerents" in prose
    data = json.loads(runner.invoke(app, ["plans", str(path), "--no-store", "-m", "median", "-f", "json"]).stdout)
    marks = {i["id"]: i["applicable"] for i in data["durability"]["standard-1996"]["indicators"]}
    assert sum(not v for v in marks.values()) == 5 and marks["monitoring"]


def test_plans_without_plans(tmp_path: Path) -> None:
    path = tmp_path / "none.yaml"
    path.write_text(
        "schema_version: 1\nissues: [{id: a}]\n"
        "actors: [{id: x, capability: 1, stances: {a: {position: 1, salience: 1}}}]\n"
    )
    code, _, err = run("plans", str(path))
    assert code == 1 and "has no plans" in err


def test_coalitions(toy: str) -> None:
    code, out, _ = run("coalitions", toy, "--format", "json", "--plan", "p2", "--bloc-threshold", "0.35")
    assert code == 0
    data = json.loads(out)
    assert data["blocs"]["blocs"] == [["A", "C", "D"], ["B"]]
    (pv,) = data["pivots"]
    assert pv["passes"] is False and [p["actor"] for p in pv["pivots"]] == ["B"]
    code, out, _ = run("coalitions", toy)
    assert code == 0 and "Blocs" in out and "Group west" in out and "Pivotal" in out
    code, _, err = run("coalitions", toy, "--group", "wst")
    assert code == 1 and "'wst' is not a group" in err


def _one_text(stderr: str) -> str:
    """A usage error's text with rich's box and line wrapping taken out."""
    return " ".join(stderr.replace("│", " ").split())


@pytest.mark.parametrize(
    "args",
    [
        ["plans", "--p", "2"],
        ["plans", "--p", "-0.5"],
        ["plans", "--cost-a", "-1"],
        ["plans", "--cost-b", "-0.1"],
        ["plans", "--p-concentration", "-3"],
        ["plans", "--seed", "-1"],
        ["coalitions", "--threshold", "5"],
        ["coalitions", "--threshold", "-1"],
        ["coalitions", "--bloc-threshold", "1.5"],
        ["plans", "--p", "nan"],
        ["plans", "--cost-a", "nan"],
        ["coalitions", "--threshold", "nan"],
        ["coalitions", "--bloc-threshold", "nan"],
    ],
)
def test_out_of_range_options_are_usage_errors(toy: str, args: list[str]) -> None:
    # p is a probability, costs are >= 0, thresholds are shares or distances in [0, 1], seeds >= 0;
    # nan is none of these
    command, flag, value = args
    code, out, err = run(command, toy, flag, value)
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"Invalid value for '{flag}'" in _one_text(err)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # typer's range checks reject nan but let inf through an option bounded below only: the analysis checks it
        (
            ["plans", "--cost-b", "inf"],
            "cost_b (B's cost of war on the 0–1 scale) must be a finite number ≥ 0, got inf",
        ),
        (
            ["plans", "--cost-a", "inf"],
            "cost_a (A's cost of war on the 0–1 scale) must be a finite number ≥ 0, got inf",
        ),
    ],
)
def test_non_finite_options_exit_1_with_one_message(toy: str, args: list[str], message: str) -> None:
    code, out, err = run(args[0], toy, *args[1:])
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [f"error: {message}"]


def test_a_plan_named_twice_is_scored_once(toy: str) -> None:
    code, out, _ = run("plans", toy, "--plan", "p2", "--plan", "p2", "--plan", "p1", "-f", "json", "-m", "compromise")
    assert code == 0
    data = json.loads(out)
    assert [p["id"] for p in data["scores"]["plans"]] == ["p2", "p1"]  # once each, in the order first given
    assert [p["plan"] for p in data["bargaining"]["plans"]] == ["p2", "p1"]
    assert list(data["durability"]) == ["p2", "p1"]
    code, out, _ = run("coalitions", toy, "--plan", "p2", "--plan", "p2", "-f", "json")
    assert code == 0 and [p["plan"] for p in json.loads(out)["pivots"]] == ["p2"]


# ------------------------------------------------------------------ the 2025 case


def _loss(z: float, x: float, span: float, quadratic: bool) -> float:
    d = abs(z - x) / span
    return d * d if quadratic else d


def _covers(named: str, point: str) -> bool:
    """A point number ``named`` covers itself and its sub-points ``named(x)``."""
    return point == named or (point.startswith(named + "(") and "(" not in named)


def _independent_gains(raw: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Plan utility minus reservation, actor by actor and issue by issue, from the YAML alone.

    Rules (docs/analysis.md §1, issue 11): quadratic or linear loss of |z - x| / span, weighted by
    salience. The reservation is the actor's outside option, else the scenario's no-agreement
    position, else the status quo; an issue the plan does not address stays at the status quo.
    A revision with ``inherit: true`` takes every point of its parent that it does not rewrite
    (a point "21" rewrites "21(d)"; parent provisions without a number: on issues it leaves out);
    ``inherit: [points]`` takes exactly those. A deferred issue is scored by its expected loss over
    its declared uniform range, worked out in closed form here: for U ~ uniform[a, b] and x in
    [a, b], E|U - x| = ((x - a)² + (b - x)²) / (2 (b - a)), else |(a + b)/2 - x|; and
    E(U - x)² = ((a + b)/2 - x)² + (b - a)²/12. (parley averages equally spaced quantiles; the
    two agree to the quantile grid's error, hence the tolerance of the test.)
    """
    issues = {i["id"]: i for i in raw["issues"]}
    plans = {p["id"]: p for p in raw["plans"]}
    quadratic = raw.get("utility", "linear") == "quadratic"
    no_agreement = {k: v["position"] for k, v in ((raw.get("no_agreement") or {}).get("positions") or {}).items()}

    def provisions(plan: dict[str, Any]) -> list[dict[str, Any]]:
        own = list(plan["provisions"])
        inherit, parent = plan.get("inherit", False), plans.get(plan.get("based_on") or "")
        if not inherit or parent is None:
            return own
        mine = [str(p["point"]) for p in own if p.get("point")]
        addressed = {p["issue"] for p in own if p.get("issue") is not None}
        kept = []
        for q in provisions(parent):
            point = str(q.get("point") or "")
            if isinstance(inherit, list):
                keep = point in [str(x) for x in inherit]
            elif point:
                keep = not any(_covers(m, point) for m in mine)
            else:
                keep = q.get("issue") not in addressed
            if keep:
                kept.append(q)
        return own + kept

    def settled(plan: dict[str, Any]) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
        pos: dict[str, float] = {}
        deferred: dict[str, tuple[float, float]] = {}
        for p in provisions(plan):  # the first provision on an issue decides it (own before inherited)
            key = p.get("issue")
            if key is None or key in pos or key in deferred:
                continue
            if p.get("deferred") is not None:
                deferred[key] = (p["deferred"]["low"], p["deferred"]["high"])
            else:
                pos[key] = p["position"]
        return pos, deferred

    def expected_loss(a: float, b: float, x: float, span: float) -> float:
        mid = (a + b) / 2
        if quadratic:
            return ((mid - x) ** 2 + (b - a) ** 2 / 12) / span**2
        inside = ((x - a) ** 2 + (b - x) ** 2) / (2 * (b - a)) if a <= x <= b else abs(mid - x)
        return inside / span

    out: dict[str, dict[str, float]] = {}
    for plan in raw["plans"]:
        pos, deferred = settled(plan)
        gains = {}
        for actor in raw["actors"]:
            total = 0.0
            for key, st in actor.get("stances", {}).items():
                issue = issues[key]
                ref = actor.get("outside_option", {}).get(key, no_agreement.get(key, issue.get("status_quo")))
                if ref is None:
                    continue
                span = issue["scale"]["max"] - issue["scale"]["min"]
                x = st["position"]
                if key in deferred:
                    plan_loss = expected_loss(*deferred[key], x, span)
                else:
                    z = pos.get(key, issue.get("status_quo"))
                    z = ref if z is None else z
                    plan_loss = _loss(z, x, span, quadratic)
                total += st["salience"] * (_loss(ref, x, span, quadratic) - plan_loss)
            gains[actor["id"]] = total
        out[plan["id"]] = gains
    return out


@pytest.fixture(scope="module")
def case() -> Any:
    if not CASE.exists():
        pytest.skip(f"{CASE.relative_to(ROOT)} not written yet")
    from parley.api import load_scenario

    return load_scenario(CASE)


def test_case_2025_every_analysis(case: Any) -> None:
    from parley.analysis.plans.coalitions import coalition_analysis
    from parley.analysis.plans.report import compare, plan_report

    rep = plan_report(case)
    card = rep.scorecard
    raw = yaml.safe_load(CASE.read_text())
    expected = _independent_gains(raw)
    for p in card.plans:
        deferred = any(q.deferred is not None for q in case.plan(p.plan).provisions)
        tol = 1e-3 if deferred else 1e-9  # a deferred range: parley's quantile grid against the closed form
        assert {a.actor: a.gain for a in p.actors} == pytest.approx(expected[p.plan], abs=tol), p.plan
        assert 0.0 <= p.support <= 1.0
        for a in p.actors:
            assert math.isnan(a.concession) or 0.0 <= a.concession <= 1.0
    assert rep.bargaining is not None and len(rep.durability) == len(case.plans)
    for place in rep.bargaining.plans:
        assert 0.0 <= place.x <= 1.0 and 0.0 <= place.p_acceptable <= 1.0
    # the stated positions the file gives are the gaps found
    stated = {
        (a["id"], k)
        for a in raw["actors"]
        for k, st in a["stances"].items()
        if st.get("stated") is not None and st["stated"] != st["position"]
    }
    assert {(g.actor, g.issue) for g in rep.words_deeds.positions} == stated
    json.dumps(rep.to_dict(), allow_nan=False)
    json.dumps(coalition_analysis(case).to_dict(), allow_nan=False)
    for shock in case.spec.shocks:
        cmp = compare(case, shock.id, models=())
        json.dumps(cmp.to_dict(), allow_nan=False)


def test_case_2025_cli(case: Any) -> None:
    code, out, err = run("plans", str(CASE))
    assert code == 0, err
    assert "us-28" in out and "Durability" in out
    code, out, err = run("coalitions", str(CASE), "-f", "json")
    assert code == 0, err
    assert {g["group"] for g in json.loads(out)["groups"]} >= {"western_coalition", "EU", "NATO"}
