"""Start-up of the ``parley`` command, measured as whole processes; a script, not a test.

Run with ``python benchmarks/bench_startup.py [--src DIR] [--repeat N]``. Each command is
started ``N`` times (default 7) as a fresh process and the median wall time is printed, with
its ratio to two baselines measured in the same run on the same interpreter:
``python -c pass`` (the interpreter alone) and ``python -c "import numpy"``.

Commands (issue 10's targets in brackets):

- ``parley --help`` [≤ 0.4 s]
- ``parley validate examples/ukraine-2025/scenario.yaml`` [≤ 0.8 s]
- ``parley forecast ktab_dummyData-a080.csv -m smp`` [≤ 0.4 s] (the KTAB file from
  ``$PARLEY_TEST_DATA`` or ``../shared/data``; skipped, with a message, when absent)

``--src DIR`` puts ``DIR`` first on ``PYTHONPATH`` (e.g. an older checkout's ``src`` to compare
before and after). Runs are kept in a temporary store, never the user's. One warm-up run of
each command comes first (so the store exists and the file cache is warm); numba's on-disk
cache, when it is used, is therefore warm too, as on any second run on a user's machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path | None:
    """``$PARLEY_TEST_DATA``, else ``../shared/data`` beside the checkout."""
    for c in ([Path(os.environ["PARLEY_TEST_DATA"])] if "PARLEY_TEST_DATA" in os.environ else []) + [
        ROOT.parent / "shared" / "data"
    ]:
        if c.is_dir():
            return c
    return None


def timed(cmd: list[str], env: dict[str, str], repeat: int) -> tuple[float, float]:
    """Median and minimum wall time of ``repeat`` runs of ``cmd`` (after one warm-up run that must succeed)."""
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main() -> None:
    """Measure and print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="parley's source folder (default: this checkout)")
    ap.add_argument("--repeat", type=int, default=7, help="runs per command (median reported)")
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(args.src.resolve()),
            "PARLEY_STORE": f"sqlite:///{Path(tmp) / 'bench.db'}",
        }
        parley = [py, "-c", "import sys; from parley.cli import main; sys.argv[0] = 'parley'; main()"]
        case = str(ROOT / "examples" / "ukraine-2025" / "scenario.yaml")
        rows: list[tuple[str, list[str], str]] = [
            ("python -c pass", [py, "-c", "pass"], ""),
            ('python -c "import numpy"', [py, "-c", "import numpy"], ""),
            ("parley --help", [*parley, "--help"], "≤ 0.4 s"),
            ("parley validate examples/ukraine-2025/scenario.yaml", [*parley, "validate", case], "≤ 0.8 s"),
        ]
        data = data_dir()
        ktab = data / "cases" / "ktab_dummyData-a080.csv" if data else None
        if ktab is not None and ktab.exists():
            rows.append(
                (
                    "parley forecast ktab_dummyData-a080.csv -m smp",
                    [*parley, "forecast", str(ktab), "-m", "smp"],
                    "≤ 0.4 s",
                )
            )
        else:
            print("note: ktab_dummyData-a080.csv not found (set PARLEY_TEST_DATA): the forecast is not measured")
        print(
            f"parley from {args.src.resolve()}; {args.repeat} runs each, median (min); python {sys.version.split()[0]}"
        )
        results = {}
        for label, cmd, _ in rows:
            results[label] = timed(cmd, env, args.repeat)
        base, base_np = results["python -c pass"][0], results['python -c "import numpy"'][0]
        width = max(len(r[0]) for r in rows)
        print(f"{'command':<{width}}  {'median':>8}  {'min':>8}  {'× python':>9}  {'× numpy':>8}  target")
        for label, _, target in rows:
            med, low = results[label]
            print(f"{label:<{width}}  {med:7.3f}s  {low:7.3f}s  {med / base:9.1f}  {med / base_np:8.2f}  {target}")


if __name__ == "__main__":
    main()
