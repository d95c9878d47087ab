"""Timings of Stokman's position-exchange model (``exchange``); a script, not a test.

Run with ``python benchmarks/bench_exchange.py``. It prints

1. one forecast (default configuration, 10 rounds) of the COP21 case (15 actors,
   13 issues, from the shared data when present) and of random 100- and 300-actor cases
   on 10 issues, with the number of candidate exchanges and of exchanges carried out;
2. a batch of 1,000 variants of COP21 (positions and saliences jittered) in one call,
   against a loop of single calls timed on the first 50 variants and scaled to 1,000,
   with their ratio and the largest difference between the two.

The greedy execution is sequential within a variant (one exchange after another); the
batch runs the variants in lock-step. It takes about a minute and a half on one core.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from parley.models.exchange import Exchange
from parley.scenario.core import Stances

SEED = 20240611
COP21 = Path(__file__).resolve().parents[2] / "shared" / "data" / "cases" / "cop21_paris_decide.csv"


def random_case(rng: np.random.Generator, n: int, m: int) -> Stances:
    """``n`` actors on ``m`` issues on 0-100, every actor with a stance, one capability each."""
    positions = rng.uniform(0.0, 100.0, (1, n, m))
    saliences = rng.uniform(0.05, 1.0, (1, n, m))
    capabilities = np.broadcast_to(rng.uniform(0.5, 5.0, (1, n, 1)), (1, n, m)).copy()
    return Stances(positions, saliences, capabilities, np.ones((1, n, m), dtype=bool),
                   np.zeros(m), np.full(m, 100.0), np.full((1, m), np.nan))


def cop21_or_stand_in(rng: np.random.Generator) -> tuple[str, Stances]:
    """The COP21 inputs when the shared data is there, else a random case of the same size."""
    if COP21.exists():
        from parley import load_scenario

        return "COP21", load_scenario(COP21).stances()
    return "random 15 x 13 (COP21 not found)", random_case(rng, 15, 13)


def variants_of(base: Stances, rng: np.random.Generator, b: int) -> Stances:
    """``b`` Monte Carlo variants of a one-variant case: positions and saliences jittered."""
    span = base.upper - base.lower
    noise = rng.normal(0.0, 0.05, (b, *base.shape[1:])) * span
    positions = np.clip(base.positions + noise, base.lower, base.upper)
    saliences = np.clip(base.saliences * rng.uniform(0.8, 1.2, (b, *base.shape[1:])), 0.01, 1.0)
    return Stances(positions, saliences, np.repeat(base.capabilities, b, axis=0),
                   np.repeat(base.mask, b, axis=0), base.lower, base.upper,
                   np.repeat(base.reference, b, axis=0))


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    rng = np.random.default_rng(SEED)
    model = Exchange()
    name, cop = cop21_or_stand_in(rng)
    print(f"exchange, default configuration ({model.rounds} rounds), seed {SEED}")
    print(f"{'case':>34} {'candidates r1':>13} {'exchanges':>10} {'total s':>8} {'s / round':>10}")
    cases = [(name, cop), ("random 100 actors x 10 issues", random_case(rng, 100, 10)),
             ("random 300 actors x 10 issues", random_case(rng, 300, 10))]
    for label, case in cases:
        start = time.perf_counter()
        out = model.forecast_batch(case)
        seconds = time.perf_counter() - start
        rounds = out.diagnostics[0]["rounds"]
        executed = sum(r["executed"] for r in rounds)
        print(f"{label:>34} {rounds[0]['candidates']:>13} {executed:>10} {seconds:>8.2f} "
              f"{seconds / len(rounds):>10.3f}")

    b, looped = 1000, 50
    batch = variants_of(cop, rng, b)
    whole: list[object] = []
    batch_s = timed(lambda: whole.append(model.forecast_batch(batch)))
    singles: list[np.ndarray] = []
    loop_s = timed(lambda: singles.extend(model.forecast_batch(batch.item(k)).outcomes for k in range(looped)))
    loop_s *= b / looped
    diff = float(np.max(np.abs(np.concatenate(singles) - whole[0].outcomes[:looped])))  # type: ignore[attr-defined]
    print()
    print(f"{b} variants of {name}, {model.rounds} rounds:")
    print(f"  one batched call             {batch_s:8.2f} s")
    print(f"  loop of {b} calls (from {looped}) {loop_s:8.2f} s")
    print(f"  ratio (loop / batch) {loop_s / batch_s:6.1f}x; largest outcome difference {diff:.1e}")


if __name__ == "__main__":
    main()
