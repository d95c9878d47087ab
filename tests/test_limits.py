"""Regression tests for the fuzzing findings of issue 16 (scenario input).

Each test names the finding it guards. The references are the issue's findings and the
limits documented in :mod:`parley.scenario.parse`, :mod:`parley.scenario.schema` and
:mod:`parley.models.exchange`; expected numbers are worked out in the tests.
"""

from __future__ import annotations

import copy
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from parley.cli import app
from parley.errors import ModelError, ScenarioError
from parley.models.base import get_model
from parley.scenario import load_scenario, scenario_from_dict, scenario_from_text
from parley.scenario.importers import detect_format, import_text

ROOT = Path(__file__).resolve().parents[1]


def small() -> dict[str, Any]:
    """Two actors on a 0–4 issue: compromise = (1·1·1 + 1·1·3) / 2 = 2."""
    return {
        "schema_version": 1,
        "issues": [{"id": "a", "scale": {"min": 0, "max": 4}, "status_quo": 1}],
        "actors": [
            {"id": "x", "capability": 1, "stances": {"a": {"position": 1, "salience": 1}}},
            {"id": "y", "capability": 1, "stances": {"a": {"position": 3, "salience": 1}}},
        ],
    }


def problems(data: Any) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    return [str(p) for p in info.value.problems]


def text_problems(text: str, fmt: str = "yaml") -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, fmt=fmt)
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------- uncaught exceptions


@pytest.mark.parametrize("big", [10**20, 10**400, -(10**30)])
def test_huge_integers_are_problems_not_overflow(big: int) -> None:
    """Finding: OverflowError in checks._num for huge integers."""
    data = small()
    data["actors"][0]["stances"]["a"]["position"] = big
    data["issues"][0]["status_quo"] = big
    found = problems(data)
    assert any("too large" in p and "stances.a.position" in p for p in found), found


def test_integer_of_5000_digits_in_text() -> None:
    """Finding: ValueError (int-string limit) for 5,000-digit integers, YAML and JSON."""
    digits = "9" * 5000
    found = text_problems(f"schema_version: 1\nmetadata: {{x: {digits}}}\n")
    assert any("5000 digits" in p for p in found), found
    found = text_problems(f'{{"schema_version": 1, "metadata": {{"x": {digits}}}}}', "json")
    assert any("5000 digits" in p for p in found), found


@pytest.mark.parametrize("depth", [900, 3000])
def test_deep_nesting_is_refused(depth: int) -> None:
    """Finding: RecursionError for nesting depth 900–3,000."""
    found = text_problems("schema_version: 1\nmetadata: " + "[" * depth + "]" * depth + "\n")
    assert any("nested deeper than" in p for p in found), found
    found = text_problems('{"schema_version": 1, "metadata": ' + "[" * depth + "]" * depth + "}", "json")
    assert any("nested deeper than" in p for p in found), found


def test_long_based_on_chain_resolves() -> None:
    """Finding: RecursionError in core.resolve for a 1,100-long based_on chain."""
    data = small()
    data["plans"] = [{"id": "p0", "provisions": [{"text": "t", "issue": "a", "position": 2}]}] + [
        {"id": f"p{k}", "based_on": f"p{k - 1}", "inherit": True, "provisions": []} for k in range(1, 1100)
    ]
    data["plans"].reverse()  # the latest revision first: resolving it walks the whole chain at once
    sc = scenario_from_dict(data)
    last = sc.plan("p1099")
    # p1099 inherits p0's provision through 1,099 links; a provision names the text it was written in
    assert last.positions == {"a": 2.0}
    assert last.provisions[0].inherited_from == "p0"


def test_based_on_cycle_is_reported_once_per_member() -> None:
    """A cycle p1 → p2 → p3 → p1 and a plan p4 leading into it: the three members are on the cycle."""
    data = small()
    data["plans"] = [
        {"id": "p1", "based_on": "p3", "provisions": []},
        {"id": "p2", "based_on": "p1", "provisions": []},
        {"id": "p3", "based_on": "p2", "provisions": []},
        {"id": "p4", "based_on": "p1", "provisions": []},
    ]
    found = [p for p in problems(data) if "cycle" in p]
    assert [p.split(".")[0] for p in found] == ["plans[0]", "plans[1]", "plans[2]"], found


@pytest.mark.parametrize("issues", [1, "a", {"a": 1}])
def test_shock_issues_not_a_list(issues: Any) -> None:
    """Found by benchmarks/fuzz_scenarios.py (file 6413 of 10,000): `issues: 1` in a shock change raised TypeError."""
    data = small()
    data["shocks"] = [{"id": "s", "changes": [{"op": "adopt", "actor": "x", "from": "y", "issues": issues}]}]
    found = problems(data)
    assert any(p.startswith("shocks[0].changes[0].issues") for p in found), found


def test_lone_surrogate_is_a_problem() -> None:
    """Finding: UnicodeEncodeError in canonical_hash for a lone surrogate."""
    found = text_problems('{"schema_version": 1, "title": "\\ud800"}', "json")
    assert any("lone surrogate" in p for p in found), found


def test_csv_reader_errors_are_problems() -> None:
    """Finding: csv.Error from the importers' row reader and detect_format."""
    huge = "a" * 200_000
    with pytest.raises(ScenarioError) as info:
        import_text(f'Actor,Capability,Position,Salience\n"{huge}",1,2,3\n')
    assert "line 2" in str(info.value)
    with pytest.raises(ScenarioError) as info:
        detect_format(f'"{huge}",1,2,3\n')
    assert "line 1" in str(info.value)


# --------------------------------------------------------------- silent acceptance


@pytest.mark.parametrize(
    ("edit", "where", "says"),
    [
        (lambda d: d["actors"][0]["stances"]["a"].update(position="44.0"), "stances.a.position", "write 44.0 without"),
        (lambda d: d["actors"][0]["stances"]["a"].update(salience="0.5"), "stances.a.salience", "write 0.5 without"),
        (lambda d: d["issues"][0]["scale"].update(min="1.7"), "scale.min", "write 1.7 without"),
        (lambda d: d["actors"][0]["stances"]["a"].update(salience=True), "stances.a.salience", "boolean"),
        (lambda d: d["actors"][0].update(capability=True), "actors[0].capability", "boolean"),
        (lambda d: d["actors"][0].update(capability={"a": "2"}), "actors[0].capability", "write 2 without"),
        (lambda d: d["issues"][0].update(status_quo="1"), "status_quo", "write 1 without"),
        (lambda d: d.update(schema_version=True), "schema_version", "boolean"),
        (
            lambda d: d.update(plans=[{"id": "p", "inherit": "yes", "provisions": []}]),
            "plans[0].inherit",
            "'yes' is not true or false",
        ),
    ],
)
def test_quoted_numbers_and_booleans_are_refused(edit: Any, where: str, says: str) -> None:
    """Finding: numbers written as strings (or booleans) were coerced and skipped the range checks."""
    data = small()
    edit(data)
    found = problems(data)
    assert any(where in p and says in p for p in found), found


def test_ints_are_fine_for_floats() -> None:
    sc = scenario_from_dict(small())
    assert sc.positions.tolist() == [[1.0], [3.0]]


def test_quoted_position_off_scale_never_reaches_a_model() -> None:
    """Finding: position '44.0' on 0–4 gave a forecast of 8.08 off the scale."""
    text = yaml.safe_dump(small()).replace("position: 3", "position: '44.0'")
    found = text_problems(text)
    assert any("write 44.0 without quotes" in p for p in found), found


@pytest.mark.parametrize(
    "text",
    [
        "schema_version: 1\nschema_version: 1\n",
        "schema_version: 1\nissues:\n  - id: a\n    id: b\n",
    ],
)
def test_duplicate_yaml_keys(text: str) -> None:
    """Finding: duplicate keys in YAML mappings were accepted (last wins)."""
    found = text_problems(text)
    assert any("appears twice" in p for p in found), found


def test_duplicate_json_keys() -> None:
    found = text_problems('{"schema_version": 1,\n "title": "a",\n "title": "b"}', "json")
    assert any("'title' appears twice" in p and "line 2" in p and "line 3" in p for p in found), found


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["issues"][0].update(status_quo=5), "issues[0].status_quo"),
        (lambda d: d["issues"][0].update(anchors={9: "far"}), "issues[0].anchors.9"),
        (lambda d: d["actors"][0].update(outside_option={"a": -1}), "actors[0].outside_option.a"),
        (lambda d: d["actors"][0]["stances"]["a"].update(stated=4.5), "stances.a.stated"),
        (
            lambda d: d["actors"][0]["stances"]["a"].update(uncertainty={"low": 0, "high": 7}),
            "stances.a.uncertainty.high",
        ),
        (
            lambda d: d.update(shocks=[{"id": "s", "changes": [
                {"op": "set", "actor": "x", "target": "position", "issue": "a", "value": 9}]}]),
            "shocks[0].changes[0].value",
        ),
        (
            lambda d: d.update(plans=[{"id": "p", "provisions": [{"text": "t", "issue": "a", "position": -3}]}]),
            "plans[0].provisions[0].position",
        ),
    ],
)
def test_position_like_values_off_scale(edit: Any, where: str) -> None:
    """Finding: shock set values, status quo, anchors, outside options, uncertainty bounds off the scale."""
    data = small()
    edit(data)
    found = problems(data)
    assert any(where in p.split(":")[0] and "outside the scale of 'a' [0, 4]" in p for p in found), found


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["issues"][0].update(status_quo="5"), "issues[0].status_quo"),
        (lambda d: d["actors"][0].update(outside_option={"a": "-1"}), "actors[0].outside_option"),
        (lambda d: d["actors"][0]["stances"]["a"].update(uncertainty={"low": 0, "high": "7"}), "uncertainty.high"),
        (
            lambda d: d.update(shocks=[{"id": "s", "changes": [
                {"op": "set", "actor": "x", "target": "position", "issue": "a", "value": "9"}]}]),
            "shocks[0].changes[0].value",
        ),
        (lambda d: d["issues"][0]["scale"].update(max="4"), "issues[0].scale.max"),
    ],
)
def test_quoted_position_like_values_are_refused(edit: Any, where: str) -> None:
    """Finding: off-scale values written as text skipped the scale checks (a quoted scale end skipped all)."""
    data = small()
    edit(data)
    data["actors"][1]["stances"]["a"]["position"] = 3
    found = problems(data)
    assert any(where in p.split(":")[0] and "without quotes" in p for p in found), found


def test_a_quoted_scale_end_no_longer_hides_off_scale_positions() -> None:
    data = small()
    data["issues"][0]["scale"]["max"] = "4"
    data["actors"][1]["stances"]["a"]["position"] = 40
    found = problems(data)
    assert any("write 4 without quotes" in p for p in found), found


# --------------------------------------------------------------- hangs and memory


def zero_actor_text(issues: int) -> str:
    return yaml.safe_dump(
        {"schema_version": 1, "issues": [{"id": f"i{k}", "scale": {"min": 0, "max": 4}} for k in range(issues)],
         "actors": []}
    )


def test_zero_actors_validates_fast() -> None:
    """Finding: a file with zero actors took ~25 s (one YAML parse per problem); now one index."""
    text = zero_actor_text(400)
    start = time.perf_counter()
    found = text_problems(text)
    took = time.perf_counter() - start
    assert len(found) == 401  # 'actors' needs one item, and each of the 400 issues has no stance
    assert found[-1].startswith("issues[399] (line ")
    assert took < 1.0, took


def test_400_problems_validate_fast() -> None:
    """400 actors each off the scale: 400 problems, each placed on its line, well under 2 s."""
    data = small()
    data["actors"] = [{"id": f"x{k}", "capability": 1, "stances": {"a": {"position": 9, "salience": 0.5}}}
                      for k in range(400)]
    text = yaml.safe_dump(data, sort_keys=False)
    start = time.perf_counter()
    found = text_problems(text)
    took = time.perf_counter() - start
    assert len(found) == 400
    # safe_dump writes 8 header lines, then 6 per actor: actor k's position is on line 13 + 6k
    assert found[0] == "actors[0].stances.a.position (line 13): 9 is outside the scale of 'a' [0, 4]", found[0]
    assert found[-1].startswith(f"actors[399].stances.a.position (line {13 + 6 * 399}):"), found[-1]
    assert took < 2.0, took


def test_alias_bomb_is_refused_quickly() -> None:
    """Finding: a 2 KB alias bomb took 2–3 GiB and minutes."""
    lines = ["  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 9)]
    text = "schema_version: 1\nmetadata:\n" + "\n".join(lines) + "\n"
    assert len(text) < 2_000
    start = time.perf_counter()
    found = text_problems(text)
    assert time.perf_counter() - start < 2.0
    assert any("aliases repeat more than 10,000 values" in p for p in found), found


def test_a_few_aliases_are_fine() -> None:
    text = yaml.safe_dump(small()) + "metadata:\n  a: &s {k: 1}\n  b: *s\n"
    assert scenario_from_text(text).spec.metadata == {"a": {"k": 1}, "b": {"k": 1}}


def test_huge_file_is_refused_before_parsing() -> None:
    """Finding: 60,000 actors (10 MB) did not finish in 60 s; beyond 4 MB the text is refused."""
    actor = "  - {id: aXXXXX, capability: 1, stances: {a: {position: 1, salience: 0.5}}}\n"
    text = "schema_version: 1\nissues: [{id: a, scale: {min: 0, max: 4}}]\nactors:\n" + actor * 60_000
    start = time.perf_counter()
    found = text_problems(text)
    assert time.perf_counter() - start < 1.0
    assert any("parley reads scenarios up to 4,000,000" in p for p in found), found


def test_many_plans_validate_in_linear_time() -> None:
    """20,000 plans, 1,000 of them in one based_on chain: checks build their lookups once."""
    data = small()
    data["plans"] = [
        {"id": f"p{k}", "based_on": f"p{k - 1}" if 0 < k < 1000 else None, "provisions": [
            {"text": "t", "issue": "a", "position": 2}]}
        for k in range(20_000)
    ]
    start = time.perf_counter()
    sc = scenario_from_dict(data)
    assert len(sc.plans) == 20_000
    assert time.perf_counter() - start < 10.0


# --------------------------------------------------------------- degenerate inputs


@pytest.mark.parametrize("model", ["compromise", "median", "nash", "bdm", "smp", "exchange"])
def test_no_one_cares_is_explained_not_a_number(model: str) -> None:
    """Finding: all saliences 0 / one actor with salience 0 gave NaN (smp: a midpoint) without a word.

    With every salience 0 no outcome beats another, so no model has a forecast: NaN, with the reason
    in ``diagnostics['no_forecast']``; the other issue (salience 1, positions 1 and 3, equal weights)
    keeps its forecast, 2 for the mean-based models.
    """
    data = small()
    data["issues"].append({"id": "b", "scale": {"min": 0, "max": 4}})
    for actor in data["actors"]:
        actor["stances"]["b"] = {"position": actor["stances"]["a"]["position"], "salience": 0}
    f = get_model(model).forecast(scenario_from_dict(data), rng=1)
    assert math.isnan(f.outcomes["b"])
    assert f.diagnostics["no_forecast"] == {"b": "no actor cares about this issue (every salience is 0): no forecast"}
    assert 1 <= f.outcomes["a"] <= 3
    one = small()
    one["actors"] = one["actors"][:1]
    one["actors"][0]["stances"]["a"]["salience"] = 0
    f = get_model(model).forecast(scenario_from_dict(one), rng=1)
    assert math.isnan(f.outcomes["a"]) and "a" in f.diagnostics["no_forecast"]


def test_no_one_cares_in_the_cli(tmp_path: Path) -> None:
    data = small()
    for actor in data["actors"]:
        actor["stances"]["a"]["salience"] = 0
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(app, ["forecast", str(path), "--no-store", "-f", "json"])
    assert result.exit_code == 0
    assert "note: 'a': no actor cares about this issue" in result.stderr
    assert json.loads(result.stdout)["outcomes"] == {"a": None}
    table = CliRunner().invoke(app, ["forecast", str(path), "--no-store"])
    assert "no actor cares" in table.stderr and "nan" not in table.stdout.lower()


def test_non_finite_outcome_is_refused() -> None:
    """A model whose arithmetic overflows is refused with a message, never printed as inf."""
    import numpy as np

    from parley.models.base import BatchForecast
    from parley.models.static import Compromise

    class Overflowing(Compromise):
        def forecast_batch(self, stances: Any, *, rng: Any = None) -> BatchForecast:
            return BatchForecast(outcomes=np.full((1, stances.shape[2]), np.inf))

    with pytest.raises(ModelError, match="gave no finite forecast on 'a'"):
        Overflowing().forecast(scenario_from_dict(small()), rng=1)


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda d: d["actors"][0].update(capability=1e308), "too large"),
        (lambda d: d["actors"][0].update(capability=5e-324), "too small for the arithmetic"),
        (lambda d: d["issues"][0].update(scale={"min": -1e308, "max": 1e308}), "too large"),
        (lambda d: d["issues"][0].update(scale={"min": 0, "max": 1e-300}), "too narrow"),
    ],
)
def test_capabilities_and_scales_within_arithmetic(edit: Any, says: str) -> None:
    """Finding: capability 1e308 printed inf on 0–100; 5e-324 and ±1e308 scales gave NaN."""
    data = small()
    edit(data)
    found = problems(data)
    assert any(says in p for p in found), found


def test_compromise_at_the_capability_limits() -> None:
    """Capabilities 1e12 and 1e-9 (the bounds): compromise = (1e12·1 + 1e-9·3) / (1e12 + 1e-9) ≈ 1."""
    data = small()
    data["actors"][0]["capability"] = 1e12
    data["actors"][1]["capability"] = 1e-9
    out = get_model("compromise").forecast(scenario_from_dict(data), rng=1).outcomes["a"]
    assert out == pytest.approx(1.0, abs=1e-15)


def test_exchange_refuses_500_by_50_before_starting() -> None:
    """Finding: exchange on 500 actors x 50 issues grew to ~23 GB; now refused at once.

    The bound is floor(500/2)·ceil(500/2)·C(50, 2) = 250·250·1225 = 76,562,500 > 4,000,000.
    """
    import numpy as np

    from parley.models.exchange import MAX_CANDIDATES, Exchange, candidate_bound
    from parley.scenario.core import Stances

    assert candidate_bound(500, 50) == 76_562_500
    n, m = 500, 50
    stances = Stances(np.full((1, n, m), 50.0), np.full((1, n, m), 0.5), np.ones((1, n, m)),
                      np.ones((1, n, m), dtype=bool), np.zeros(m), np.full(m, 100.0), np.full((1, m), np.nan))
    start = time.perf_counter()
    with pytest.raises(ModelError, match=f"at most {MAX_CANDIDATES:,}"):
        Exchange().forecast_batch(stances, rng=1)
    assert time.perf_counter() - start < 1.0


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the workers")
def test_montecarlo_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    """Finding: kill -9 of `parley montecarlo` left two workers and a resource tracker for 13–16 minutes."""
    env = dict(os.environ, PARLEY_STORE=f"sqlite:///{tmp_path / 'mc.db'}",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "parley.cli", "montecarlo", str(ROOT / "examples/ec-emissions/scenario.yaml"),
           "-m", "exchange", "-n", "200000", "--workers", "2", "--seed", "1", "--noise-position", "0.05"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kids: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(kids) < 3:  # two workers and the resource tracker
            kids = _children(proc.pid)
            time.sleep(0.1)
        assert len(kids) >= 3, f"the pool did not start: {kids}"
        time.sleep(1.0)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.1)
    left = [k for k in kids if _alive(k)]
    for k in left:  # never leave them behind, even when the test fails
        os.kill(k, signal.SIGKILL)
    assert not left, f"orphans still alive 10 s after the parent died: {left}"


def test_examples_still_load() -> None:
    for path in sorted((ROOT / "examples").glob("*/scenario.yaml")):
        sc = load_scenario(path)
        assert sc.actors


def test_mutating_an_example_keeps_it_valid() -> None:
    data = yaml.safe_load((ROOT / "examples/ec-emissions/scenario.yaml").read_text())
    again = copy.deepcopy(data)
    assert scenario_from_dict(again).scenario_id == scenario_from_dict(data).scenario_id
    assert json.loads(json.dumps(data, default=str))
