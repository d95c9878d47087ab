"""Timings of the expected-utility challenge model (``bdm``); a script, not a test.

Run with ``python benchmarks/bench_bdm.py``. It prints

1. one forecast (default configuration, 10 rounds) at 100, 300 and 1,000 actors, on one
   issue and on five, with random data from a fixed seed;
2. a batch of 1,000 variants of a 13-actor case in one call against a loop of 1,000 single
   calls, measured in the same run, with their ratio and the largest difference between them;
3. 1,000 variants of the 2025 case (examples/ukraine-2025/scenario.yaml: 16 actors, 18
   issues, about a fifth of the stances absent) in one call, in CPU milliseconds per draw:
   the per-draw cost of a Monte Carlo run with ``bdm``.

It takes well under two minutes on one core.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from parley.models.bdm import BDM
from parley.scenario.core import Stances

SEED = 20240611
CASE_2025 = Path(__file__).resolve().parents[1] / "examples" / "ukraine-2025" / "scenario.yaml"


def random_case(rng: np.random.Generator, n: int, m: int, b: int = 1) -> Stances:
    """``b`` variants of ``n`` actors on ``m`` issues on 0-100, every actor with a stance."""
    positions = rng.uniform(0.0, 100.0, (b, n, m))
    saliences = rng.uniform(0.05, 1.0, (b, n, m))
    capabilities = np.broadcast_to(rng.uniform(0.5, 5.0, (b, n, 1)), (b, n, m)).copy()
    return Stances(positions, saliences, capabilities, np.ones((b, n, m), dtype=bool),
                   np.zeros(m), np.full(m, 100.0), np.full((b, m), np.nan))


def variants_of(base: Stances, rng: np.random.Generator, b: int) -> Stances:
    """``b`` Monte Carlo variants of a one-variant case: positions (5 % of each scale) and saliences jittered."""
    width = base.upper - base.lower
    noise = rng.normal(0.0, 0.05 * width, (b, *base.shape[1:]))
    positions = np.clip(base.positions + noise, base.lower, base.upper)
    saliences = np.clip(base.saliences * rng.uniform(0.8, 1.2, (b, *base.shape[1:])), 0.0, 1.0)
    capabilities = np.repeat(base.capabilities, b, axis=0)
    return Stances(positions, saliences, capabilities, np.repeat(base.mask, b, axis=0),
                   base.lower, base.upper, np.repeat(base.reference, b, axis=0))


def timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    rng = np.random.default_rng(SEED)
    model = BDM()
    print(f"bdm, default configuration ({model.rounds} rounds), seed {SEED}")
    print(f"{'actors':>7} {'issues':>6} {'rounds run':>10} {'total s':>9} {'s / round':>10}")
    for n in (100, 300, 1000):
        for m in (1, 5):
            case = random_case(rng, n, m)
            result = model.forecast_batch(case)
            rounds_run = int(result.n_rounds[0]) if result.n_rounds is not None else model.rounds
            seconds = timed(lambda case=case: model.forecast_batch(case), repeat=1 if n >= 1000 else 3)
            print(f"{n:>7} {m:>6} {rounds_run:>10} {seconds:>9.3f} {seconds / rounds_run:>10.4f}")

    b = 1000
    batch = variants_of(random_case(rng, 13, 1), rng, b)
    whole = model.forecast_batch(batch)
    batch_s = timed(lambda: model.forecast_batch(batch), repeat=3)
    start = time.perf_counter()
    singles = [model.forecast_batch(batch.item(k)) for k in range(b)]
    loop_s = time.perf_counter() - start
    diff = float(np.max(np.abs(np.concatenate([s.outcomes for s in singles]) - whole.outcomes)))
    print()
    print(f"{b} variants of a 13-actor case, 1 issue, {model.rounds} rounds:")
    print(f"  one batched call   {batch_s:8.3f} s")
    print(f"  loop of {b} calls {loop_s:8.3f} s")
    print(f"  ratio (loop / batch) {loop_s / batch_s:6.1f}x; largest outcome difference {diff:.1e}")

    print()
    if not CASE_2025.exists():
        print(f"{CASE_2025.name}: not there, section 3 skipped")
        return
    from parley.api import load_scenario

    base = load_scenario(CASE_2025).stances()
    batch = variants_of(base, rng, b)
    model.forecast_batch(variants_of(base, rng, 8))  # warm up (first allocations)
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        model.forecast_batch(batch)
        best = min(best, time.process_time() - start)
    _, n, m = base.shape
    print(f"{b} variants of the 2025 case ({n} actors, {m} issues, {model.rounds} rounds), one call:")
    print(f"  {best:8.3f} s CPU, {1e3 * best / b:.2f} ms per draw (best of 3)")


if __name__ == "__main__":
    main()
