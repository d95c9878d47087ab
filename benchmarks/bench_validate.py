"""Timings of scenario validation on hostile and degenerate files; a script, not a test.

Run with ``python benchmarks/bench_validate.py``. For each file it prints the time
:func:`parley.load_scenario` takes (best of 3, in this process), the number of problems
found and the peak memory of the process, then the wall time of ``parley validate`` as a
command (which adds ~1 s of interpreter and import start-up). The files:

- zero actors on 400 issues (401 problems: the fuzzing run's 25 s case);
- a 400-problem file: 400 actors each with a position off its scale;
- the 2 KB YAML alias bomb (refused by the alias budget);
- 60,000 actors, 10 MB (refused by the size limit before parsing);
- nesting 3,000 deep, YAML and JSON;
- the Ukraine example (valid, 16 actors, 18 issues, 5 plans).

Targets (issue 16): zero actors under 1 s, 400 problems under 2 s.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from parley.errors import ScenarioError
from parley.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def files(folder: Path) -> dict[str, Path]:
    """Write the benchmark files into ``folder``."""
    out: dict[str, Path] = {}

    def put(name: str, text: str) -> None:
        out[name] = folder / name
        out[name].write_text(text)

    put("zero-actors.yaml", yaml.safe_dump({"schema_version": 1, "issues": [
        {"id": f"i{k}", "scale": {"min": 0, "max": 4}} for k in range(400)], "actors": []}))
    off_scale = [{"id": f"x{k}", "capability": 1, "stances": {"a": {"position": 9, "salience": 0.5}}}
                 for k in range(400)]
    one_issue = [{"id": "a", "scale": {"min": 0, "max": 4}}]
    put("400-problems.yaml", yaml.safe_dump({"schema_version": 1, "issues": one_issue, "actors": off_scale}))
    bomb = ["  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    bomb += [f"  a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 9)]
    put("alias-bomb.yaml", "schema_version: 1\nmetadata:\n" + "\n".join(bomb) + "\n")
    actor = "  - {id: a%05d, capability: 1, stances: {a: {position: 1, salience: 0.5}}}\n"
    put("60000-actors.yaml", "schema_version: 1\nissues: [{id: a, scale: {min: 0, max: 4}}]\nactors:\n"
        + "".join(actor % k for k in range(60_000)))
    put("deep.yaml", "schema_version: 1\nmetadata: " + "[" * 3000 + "]" * 3000 + "\n")
    put("deep.json", '{"schema_version": 1, "metadata": ' + "[" * 3000 + "]" * 3000 + "}")
    out["ukraine-2025.yaml"] = ROOT / "examples" / "ukraine-2025" / "scenario.yaml"
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = files(Path(tmp))
        print(f"{'file':<20} {'size':>9} {'load (best of 3)':>17} {'problems':>9} {'peak MB':>8} {'CLI wall':>9}")
        for name, path in paths.items():
            best, found = float("inf"), 0
            for _ in range(3):
                start = time.perf_counter()
                try:
                    load_scenario(path)
                    found = 0
                except ScenarioError as e:
                    found = len(e.problems)
                best = min(best, time.perf_counter() - start)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "parley.cli", "validate", str(path)], capture_output=True,
                           check=False)
            wall = time.perf_counter() - start
            size = path.stat().st_size
            print(f"{name:<20} {size:>9,} {best:>15.3f} s {found:>9} {peak:>8.0f} {wall:>7.2f} s")


if __name__ == "__main__":
    main()
