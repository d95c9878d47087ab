"""Scenario fuzzing that stays in the suite (issue 16).

Hypothesis drives :mod:`parley.fuzzing`: each example is one of the two example scenarios or
a generated one, mutated (values replaced, numbers quoted, ids repeated, references broken,
duplicate keys, alias bombs, deep nesting, huge integers, truncation, ...) and written as
YAML or JSON. The oracle is the schema's contract, not parley's earlier output:

- validation raises nothing but ``ScenarioError``; a file the mutation made invalid is refused;
- every accepted scenario has positions, stated positions, status quo, anchors, outside options
  and provisions on their issue's scale, saliences in [0, 1], positive finite capabilities,
  unique ids and references that resolve;
- a forecast is a finite number on the issue's scale, or a ``ParleyError``;
- plans score without an uncaught exception and serialise to strict JSON.

The default budget keeps this well under a minute; set ``PARLEY_FUZZ_EXAMPLES`` (e.g. 2000)
for a longer run. ``benchmarks/fuzz_scenarios.py`` runs N files and prints the figures.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from parley.cli import app
from parley.fuzzing import judge, load_seed, mutate

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [load_seed(p.read_text()) for p in sorted(ROOT.glob("examples/*/scenario.yaml"))]
MODELS = ("compromise", "median", "nash", "bdm", "smp", "exchange")
EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("PARLEY_FUZZ_RANDOM") is None,  # CI: the same examples every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    database=None,
)


class HypothesisChooser:
    """The fuzzer's choices drawn by Hypothesis, so a failing case shrinks."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def integer(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))

    def real(self, lo: float, hi: float) -> float:
        return self.data.draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False))


@FUZZ
@given(st.data())
def test_fuzzed_scenarios_hold_the_contract(data: st.DataObject) -> None:
    case = mutate(HypothesisChooser(data), SEEDS)
    model = data.draw(st.sampled_from(MODELS))
    findings = judge(case, models=[model], limit=60.0)
    problems = [f for f in findings if f.category != "slow"]
    assert not problems, (case.how, case.text[:2000], problems)


@settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
@given(st.data())
def test_fuzzed_files_through_the_cli(data: st.DataObject) -> None:
    """validate and forecast, in-process: exit 0 or 1, never an uncaught exception, no NaN printed
    (an issue no actor cares about is null in the JSON, with the reason)."""
    case = mutate(HypothesisChooser(data), SEEDS)
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"scenario.{'json' if case.fmt == 'json' else 'yaml'}"
        path.write_text(case.text, encoding="utf-8", errors="surrogatepass")
        checked = runner.invoke(app, ["validate", str(path)])
        assert checked.exit_code in (0, 1), (case.how, checked.output, checked.exception)
        assert checked.exception is None or isinstance(checked.exception, SystemExit), checked.exception
        if case.must_refuse:
            assert checked.exit_code == 1, (case.how, checked.output)
        if checked.exit_code:
            return
        model = data.draw(st.sampled_from(MODELS))
        result = runner.invoke(app, ["forecast", str(path), "-m", model, "--no-store", "-f", "json", "--seed", "1"])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code in (0, 1), result.output
        if result.exit_code == 0:
            printed = json.loads(result.stdout)
            outcomes: dict[str, Any] = printed["outcomes"]
            explained = printed["diagnostics"].get("no_forecast") or {}
            for issue, value in outcomes.items():
                if value is None:  # no forecast: only where the reason is given, in the JSON and on stderr
                    assert issue in explained and f"note: '{issue}'" in result.stderr, (issue, result.stderr)
                else:
                    assert isinstance(value, float) and math.isfinite(value), outcomes


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_the_seeds_themselves_pass(seed: int) -> None:
    """The unmutated examples are accepted and forecast on scale by every model."""
    from parley.fuzzing import Case, _dump

    case = Case(text=_dump(SEEDS[seed], "yaml"), fmt="yaml", how=["seed"])
    assert judge(case, models=MODELS, limit=120.0) == []
