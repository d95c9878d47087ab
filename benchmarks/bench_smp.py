"""Timings of KTAB's Spatial Model of Politics (``smp``) against KTAB's published ones; a script, not a test.

Run with ``python benchmarks/bench_smp.py``. Measured in the same run, it prints

1. parley's ``smp`` on the seven shipped KTAB examples against KTAB's ``smpc`` wall times
   (KTAB.md §7.1: O2 build with ``--logmin``, and the experimental build without the
   logging-only ``calcUtils`` pass), as ratios, with the number of steps of each;
2. random scenarios generated like KTAB.md §8 (capability U(10, 200), positions U(0, 100),
   total salience U(0.75, 0.99) split by U(0.1, 1) weights; seed 1000·N + K) at 100, 300 and
   1,000 actors on 1 and 5 dimensions: steps, total time and time per step, against KTAB's
   ≈5.2–5.6 s per step at 100 actors (§8);
3. a batch of 1,000 variants of the 13-actor SOE-Pol-Comp case (positions jittered by
   N(0, 1) points) in one call against a loop of 1,000 single calls, with the ratio and the
   largest difference between them.

The KTAB files are looked up in ``$PARLEY_TEST_DATA`` or ``../shared/data`` beside the
checkout; parts that need them are skipped, with a message, when they are absent. With numba
installed the O(N³) kernels are compiled (the first call in a process loads or compiles them;
that one-off time is printed); without it the 1,000-actor runs are cut to 3 steps. It takes
about two minutes on two idle cores.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from parley.models.smp import compiled as smp_numba
from parley.models.smp.model import SMP
from parley.scenario import load_scenario
from parley.scenario.core import Stances

ROOT = Path(__file__).resolve().parents[1]

# KTAB.md §7.1: (actors, dims, steps, O2 --logmin wall s, experimental no-calcUtils O2 --logmin wall s)
KTAB_TIMES = {
    "dummyData_3Dim": (7, 3, 10, 0.0348, 0.03),  # hyperfine mean for the O2 build (0.06 s by /usr/bin/time)
    "SOE-Pol-Comp": (13, 2, 27, 0.256, 0.22),  # hyperfine mean (0.25 s by /usr/bin/time)
    "SOE-Policy": (26, 1, 19, 1.10, 0.76),
    "SOE-Competitive": (34, 1, 35, 4.55, 3.02),
    "dummyData_6Dim": (27, 6, 29, 1.97, 1.51),
    "dummyData-a040": (40, 1, 20, 4.42, 3.07),
    "dummyData-a080": (80, 1, 17, 40.56, 21.97),
}
KTAB_STEP_100 = {1: 5.245, 3: 5.307, 5: 5.632}  # KTAB.md §8: mean s / step at 100 actors


def data_dir() -> Path | None:
    """``$PARLEY_TEST_DATA`` or ``../shared/data`` beside the checkout, if present."""
    env = os.environ.get("PARLEY_TEST_DATA")
    for candidate in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data"]:
        if candidate.is_dir():
            return candidate
    return None


def random_case(n: int, k: int) -> Stances:
    """KTAB.md §8's generator: capability U(10,200), positions U(0,100), salience U(.75,.99) split by U(.1,1)."""
    rng = np.random.default_rng(1000 * n + k)
    cap = rng.uniform(10.0, 200.0, n)
    pos = rng.uniform(0.0, 100.0, (n, k))
    total = rng.uniform(0.75, 0.99, n)
    w = rng.uniform(0.1, 1.0, (n, k))
    sal = total[:, None] * w / w.sum(axis=1, keepdims=True)
    return Stances(pos[None], sal[None], np.repeat(cap[:, None], k, axis=1)[None], np.ones((1, n, k), dtype=bool),
                   np.zeros(k), np.full(k, 100.0), np.full((1, k), np.nan))


def timed(fn, repeat: int = 1) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` calls, in seconds, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def ktab_examples(data: Path | None, model: SMP) -> None:
    print("\n1. KTAB's shipped examples (KTAB.md §7.1), best of 3 warm runs")
    if data is None:
        print("   skipped: KTAB files not found (set PARLEY_TEST_DATA or place shared/data beside the checkout)")
        return
    print(f"{'file':>16} {'N':>3} {'K':>2} {'steps':>9} {'parley s':>9} {'KTAB s':>7} {'ratio':>7} "
          f"{'KTAB w/o calcUtils':>19} {'ratio':>6}")
    for name, (n, k, steps, ktab, ktab_lean) in KTAB_TIMES.items():
        path = data / "cases" / f"ktab_{name}.csv"
        if not path.exists():
            print(f"{name:>16}  skipped: {path} not found")
            continue
        stances = load_scenario(path).stances()
        seconds, out = timed(lambda st=stances: model.forecast_batch(st), repeat=3)
        got = int(out.n_rounds[0])  # type: ignore[attr-defined]
        print(f"{name:>16} {n:>3} {k:>2} {got:>3} ({steps:>2}) {seconds:>9.4f} {ktab:>7.2f} {ktab / seconds:>6.0f}x "
              f"{ktab_lean:>19.2f} {ktab_lean / seconds:>5.0f}x")
    print("   steps: parley (KTAB); KTAB times from KTAB.md §7.1 (same kind of 2-core machine), parley's measured now")


def scaling(model: SMP) -> None:
    print("\n2. Random scenarios like KTAB.md §8 (seed 1000·N + K), default parameters")
    print(f"{'actors':>7} {'dims':>4} {'steps':>5} {'total s':>8} {'s / step':>9} {'KTAB s / step':>14} {'ratio':>7}")
    headline = ""
    for n in (100, 300, 1000):
        for k in (1, 5):
            case = random_case(n, k)
            cut = n >= 1000 and not smp_numba.ENABLED
            run = SMP(max_iter=3) if cut else model
            seconds, out = timed(lambda c=case, r=run: r.forecast_batch(c))
            steps = int(out.n_rounds[0])  # type: ignore[attr-defined]
            per = seconds / steps
            ktab = KTAB_STEP_100.get(k) if n == 100 else None
            none = "(not run)" if n < 250 else "(>233 at 250)"
            ref = f"{ktab:>14.3f} {ktab / per:>6.0f}x" if ktab else f"{none:>14} {'':>7}"
            note = "  (cut to 3 steps: numba not installed)" if cut else ""
            print(f"{n:>7} {k:>4} {steps:>5} {seconds:>8.2f} {per:>9.4f} {ref}{note}")
            if n == 1000 and k == 5 and not cut:
                headline = f"   1,000 actors x 5 dims: {seconds:.1f} s for the run ({steps} steps; goal < 10 s), " \
                           f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    print("   KTAB at 250 actors needs 234-299 s for one step and refuses more than 250 actors (KTAB.md §8)")
    if headline:
        print(headline)


def batch_versus_loop(data: Path | None, model: SMP) -> None:
    print("\n3. 1,000 variants of SOE-Pol-Comp (13 actors, 2 dims; positions + N(0, 1) points)")
    if data is None or not (data / "cases" / "ktab_SOE-Pol-Comp.csv").exists():
        print("   skipped: ktab_SOE-Pol-Comp.csv not found (set PARLEY_TEST_DATA)")
        return
    base = load_scenario(data / "cases" / "ktab_SOE-Pol-Comp.csv").stances()
    b = 1000
    rng = np.random.default_rng(20240611)
    pos = np.clip(base.positions + rng.normal(0.0, 1.0, (b, *base.shape[1:])), 0.0, 100.0)

    def rep(a: np.ndarray) -> np.ndarray:
        return np.repeat(a, b, axis=0)

    batch = Stances(pos, rep(base.saliences), rep(base.capabilities), rep(base.mask), base.lower, base.upper,
                    rep(base.reference))
    t_batch, whole = timed(lambda: model.forecast_batch(batch))
    start = time.perf_counter()
    singles = [model.forecast_batch(batch.item(k)) for k in range(b)]
    t_loop = time.perf_counter() - start
    diff = max(float(np.max(np.abs(whole.positions[k] - s.positions[0])))  # type: ignore[attr-defined]
               for k, s in enumerate(singles))
    steps = whole.n_rounds  # type: ignore[attr-defined]
    print(f"   batch {t_batch:.2f} s, loop {t_loop:.2f} s, ratio {t_loop / t_batch:.1f}x; "
          f"steps {int(steps.min())}-{int(steps.max())} (mean {steps.mean():.1f}); "
          f"largest position difference batch vs loop {diff:.1e}")


def main() -> None:
    model = SMP()
    print(f"smp, default configuration (KTAB.md §5.9); numba kernels: "
          f"{'on' if smp_numba.ENABLED else 'off (numba not installed)'}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other jobs slow every figure)")
    start = time.perf_counter()
    model.forecast_batch(random_case(smp_numba.FROM_ACTORS, 1))  # loads (or compiles) the kernels once
    warm = time.perf_counter() - start
    print(f"one-off kernel load/compile and a {smp_numba.FROM_ACTORS}-actor warm-up: {warm:.2f} s")
    data = data_dir()
    ktab_examples(data, model)
    scaling(model)
    batch_versus_loop(data, model)


if __name__ == "__main__":
    main()
