"""Benchmark: Monte Carlo on the 2025 case (printed figures, not a test).

    .venv/bin/python benchmarks/bench_montecarlo.py [-n 10000] [--dask-n 2000] [--skip-slow]

Measures, on examples/ukraine-2025/scenario.yaml:

1. 10,000 draws with ``compromise`` in this process and on the default process pool
   (target: under 2 s);
2. 10,000 draws with ``bdm`` and ``smp`` (when registered) on a 2-process pool
   (target: under 60 s on 2 cores);
3. the speed-up of the Dask runner with 2 local worker processes over 1, and a check that
   both give the numbers of the sequential run.

Every run uses the case's own uncertainty ranges plus global noise (positions 5 % of each
scale, saliences 0.1, capabilities 20 %), so every stance is uncertain.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "ukraine-2025" / "scenario.yaml"


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<52} {seconds:8.2f} s", flush=True)
    return result, seconds


def verdict(seconds: float, target: float) -> str:
    return f"{'meets' if seconds < target else 'MISSES'} the {target:g} s target"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="draws per run (default 10,000)")
    parser.add_argument("--dask-n", type=int, default=2_000, help="draws for the Dask speed-up (default 2,000)")
    parser.add_argument("--dask-model", default="bdm", help="model for the Dask speed-up (default bdm)")
    parser.add_argument("--skip-slow", action="store_true", help="skip bdm/smp and Dask")
    args = parser.parse_args()
    if not CASE.exists():
        print(f"skipped: {CASE.relative_to(ROOT)} is not there yet")
        return 0

    from parley.analysis.uncertainty.experiment import Experiment
    from parley.analysis.uncertainty.inputs import Noise
    from parley.analysis.uncertainty.montecarlo import monte_carlo
    from parley.analysis.uncertainty.runners import DaskRunner, ProcessRunner
    from parley.api import load_scenario
    from parley.models import available_models

    sc = load_scenario(CASE)
    noise = Noise(position=0.05, salience=0.1, capability=0.2)
    print(f"{CASE.relative_to(ROOT)}: {len(sc.actors)} actors, {len(sc.issues)} issues, {len(sc.plans)} plans")
    monte_carlo(Experiment.of(sc, "compromise", noise=noise), 10, rng=0, runner="sequential")  # warm imports

    print(f"1. compromise, {args.n} draws")
    seq, t_seq = timed(
        "in this process",
        lambda: monte_carlo(Experiment.of(sc, "compromise", noise=noise), args.n, rng=1, runner="sequential"),
    )
    pool, t_pool = timed(
        "process pool (default, 2 workers)",
        lambda: monte_carlo(
            Experiment.of(sc, "compromise", noise=noise), args.n, rng=1, runner=ProcessRunner(workers=2)
        ),
    )
    print(
        f"  {seq.space.size} uncertain inputs; same numbers: {np.array_equal(seq.outcomes, pool.outcomes)}; "
        f"in-process {verdict(t_seq, 2)}, pool {verdict(t_pool, 2)}"
    )
    if args.skip_slow:
        return 0

    print(f"2. dynamic models, {args.n} draws on a 2-process pool")
    for name in ("bdm", "smp"):
        if name not in available_models():
            print(f"  {name}: not registered, skipped")
            continue
        _, t = timed(
            name,
            lambda name=name: monte_carlo(
                Experiment.of(sc, name, noise=noise), args.n, rng=1, runner=ProcessRunner(workers=2)
            ),
        )
        print(f"  {name} {verdict(t, 60)}")

    print(f"3. Dask runner, {args.dask_model}, {args.dask_n} draws")
    try:
        from distributed import LocalCluster
    except ImportError:
        print("  dask[distributed] is not installed, skipped")
        return 0
    ref = monte_carlo(Experiment.of(sc, args.dask_model, noise=noise), args.dask_n, rng=2, runner="sequential")
    times = {}
    for workers in (1, 2):
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster:
            runner = DaskRunner(cluster.scheduler_address)
            monte_carlo(Experiment.of(sc, "compromise"), 10, rng=0, runner=runner)  # workers import parley
            res, times[workers] = timed(
                f"{workers} worker{'s' if workers > 1 else ''}",
                lambda runner=runner: monte_carlo(
                    Experiment.of(sc, args.dask_model, noise=noise), args.dask_n, rng=2, runner=runner
                ),
            )
            print(f"  same numbers as in-process: {np.array_equal(res.outcomes, ref.outcomes)}")
    print(f"  speed-up with 2 workers over 1: {times[1] / times[2]:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
