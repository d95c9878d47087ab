"""Fuzz N scenario files through validate, forecast and plans; print findings per category.

Run with ``python benchmarks/fuzz_scenarios.py [N] [--seed S] [--models compromise,median,...]``.
Each file is one of the two examples or a generated scenario, mutated (see
:mod:`parley.fuzzing`), as YAML or JSON; every file is validated, and an accepted one is
forecast with the chosen models (default: all six, one per file in turn, so N files cost
about N forecasts) and its plans scored. It prints, per category (crash, silent, bad-forecast,
slow), the number of files with such a finding and the first examples, and the time taken.
A step counts as slow beyond ``--limit`` seconds (default 10).
"""

from __future__ import annotations

import argparse
import collections
import resource
import time
from pathlib import Path

import numpy as np

from parley.fuzzing import RandomChooser, judge, load_seed, mutate

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("compromise", "median", "nash", "bdm", "smp", "exchange")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--limit", type=float, default=10.0)
    parser.add_argument("--budget", type=float, default=None, help="stop after this many seconds; report N reached")
    args = parser.parse_args()
    seeds = [load_seed(p.read_text()) for p in sorted(ROOT.glob("examples/*/scenario.yaml"))]
    models = args.models.split(",")
    ch = RandomChooser(np.random.default_rng(args.seed))
    counts: collections.Counter[str] = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    outcomes: collections.Counter[str] = collections.Counter()
    start = time.perf_counter()
    done = 0
    for k in range(args.n):
        if args.budget is not None and time.perf_counter() - start > args.budget:
            break
        done = k + 1
        case = mutate(ch, seeds)
        findings = judge(case, models=[models[k % len(models)]], limit=args.limit)
        outcomes["must be refused" if case.must_refuse else "may be valid"] += 1
        for category in sorted({f.category for f in findings}):
            counts[category] += 1
            if len(examples[category]) < 5:
                first = next(f for f in findings if f.category == category)
                examples[category].append(f"file {k} ({' / '.join(case.how)[:120]}): {first.step}: {first.detail}")
        if (k + 1) % 500 == 0:
            so_far = ", ".join(f"{c} {counts[c]}" for c in ("crash", "silent", "bad-forecast", "slow"))
            print(f"  {k + 1} files, {time.perf_counter() - start:.0f} s: {so_far}", flush=True)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{done} fuzzed files of {args.n} asked (seed {args.seed}; {dict(outcomes)}) in {took:.0f} s, "
          f"peak memory {peak:.0f} MB")
    for category in ("crash", "silent", "bad-forecast", "slow"):
        print(f"{category:>13}: {counts[category]} files")
        for line in examples[category]:
            print(f"               {line}")


if __name__ == "__main__":
    main()
