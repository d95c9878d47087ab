"""Benchmark: ``parley brief`` on the 2025 case (printed figures, not a test).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_brief.py [-n 2000] [--repeat 3]

Measures, on examples/ukraine-2025/scenario.yaml with 2,000 draws and the compromise forecast
(target: under 5 s):

1. the whole process: ``python -m parley.cli brief FILE --format json`` in a fresh interpreter
   (imports, loading, the models' headline forecasts, Monte Carlo, the pivotal-party and
   smallest-change searches, JSON output), best of ``--repeat``;
2. in process: :func:`parley.analysis.plans.brief.brief` on an already loaded scenario, best of
   ``--repeat``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "ukraine-2025" / "scenario.yaml"
TARGET = 5.0


def fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=2000, help="draws")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the best is kept)")
    ap.add_argument("--file", type=Path, default=CASE)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PARLEY_STORE": "sqlite:///:memory:"}
    cmd = [
        sys.executable,
        "-c",
        "from parley.cli import main; main()",
        "brief",
        str(args.file),
        "-n",
        str(args.n),
        "--seed",
        "1",
        "--format",
        "json",
    ]
    whole, whole_cpu = [], []
    for _ in range(args.repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        whole.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        whole_cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
    sys.path.insert(0, str(ROOT / "src"))
    from parley.analysis.plans.brief import brief
    from parley.api import load_scenario

    scenario = load_scenario(args.file)
    inproc, inproc_cpu = [], []
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        brief(scenario, n=args.n, seed=1)
        inproc.append(time.perf_counter() - start)
        inproc_cpu.append(time.process_time() - cpu)
    best_whole, best_in = min(whole), min(inproc)
    print(f"parley brief, {args.file.name}, {args.n} draws, compromise forecast")
    print(f"  whole process (fresh interpreter, JSON out)   {best_whole:6.2f} s  (runs: {fmt(whole)})")
    print(f"  in process (scenario loaded)                  {best_in:6.2f} s  (runs: {fmt(inproc)})")
    print(f"  CPU time (user + sys): whole process {min(whole_cpu):.2f} s, in process {min(inproc_cpu):.2f} s")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with it)")
    print(f"  {'meets' if best_whole < TARGET else 'MISSES'} the {TARGET:g} s target (whole process, wall clock)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
