"""Benchmark: ``parley plans`` on the 2025 case, the fast default models against all six (printed, not a test).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_plans.py [--repeat 3]

Measures the whole process (a fresh interpreter: imports, loading, scoring, rendering the
tables at 80 columns) of ``parley plans FILE`` and ``parley plans FILE --shock us-aid-stops``
on examples/ukraine-2025/scenario.yaml, best of ``--repeat``:

- baseline, in the same run: ``--all-models`` (every model's forecast scored, exchange too:
  the default before issue 15);
- the default: the fast models of :data:`parley.tasks.defaults.PLAN_MODELS`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "ukraine-2025" / "scenario.yaml"


def best(cmd: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the best is kept)")
    ap.add_argument("--file", type=Path, default=CASE)
    ap.add_argument("--shock", default="us-aid-stops")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80"}
    base = [sys.executable, "-c", "from parley.cli import main; main()", "plans", str(args.file), "--no-store"]
    rows = []
    for label, extra in (("plans", []), (f"plans --shock {args.shock}", ["--shock", args.shock])):
        before = best([*base, *extra, "--all-models"], env, args.repeat)
        after = best([*base, *extra], env, args.repeat)
        rows.append((label, before, after))
    print(f"{args.file.relative_to(ROOT) if args.file.is_relative_to(ROOT) else args.file}, best of {args.repeat}")
    print(f"{'command':34} {'all six models':>15} {'fast default':>13} {'speed-up':>9}")
    for label, before, after in rows:
        print(f"{label:34} {before:13.2f} s {after:11.2f} s {before / after:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
