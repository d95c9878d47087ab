"""Timings of the as-of analysis and of ``parley timeline``; a script, not a test.

Run with ``python benchmarks/bench_timeline.py [EVENTS.yaml]``. It takes the 2025 case
(examples/ukraine-2025/scenario.yaml: 16 actors, 19 issues, 5 texts), which is dated itself
(events from 18 Nov 2025, stance revisions); with an events fragment given (a YAML file with
``events:`` and ``history:``), with those instead.
It prints

1. the per-date cost, median and maximum over the dates of ``timeline --step event``, of its
   three parts: the scenario as of the date (filtering, revisions, events, re-validation),
   the verdicts on every text (P(accept) and P(deal), the brief's 2,000 draws) and the headline
   forecast (compromise);
2. the whole ``timeline --step event`` in-process, wall and CPU time (what the command computes, with the extra
   evaluations that credit several changes of one day in order), and the command end to end in
   a fresh process (start-up, reading the file, the table output).

Wall times include whatever else the machine runs; CPU time does not. It takes well under a
minute on one core.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from parley.analysis.timeline import _verdicts, timeline
from parley.models.base import get_model
from parley.scenario import scenario_from_dict
from parley.scenario.timeline import change_points, scenario_as_of

CASE_2025 = Path(__file__).resolve().parents[1] / "examples" / "ukraine-2025" / "scenario.yaml"


def dated_case(events_file: Path | None) -> dict[str, Any]:
    """The 2025 case as a ``schema_version: 2`` mapping with events and stance history."""
    data = yaml.safe_load(CASE_2025.read_text(encoding="utf-8"))
    if events_file is None and data.get("events"):
        return data  # the case is dated itself (89 events from 18 Nov 2025, stance revisions, red lines' dates)
    data["schema_version"] = 2
    if events_file is not None:
        extra = yaml.safe_load(events_file.read_text(encoding="utf-8"))
        data["events"] = extra["events"]
        for actor_id, stances in (extra.get("history") or {}).items():
            actor = next(a for a in data["actors"] if a["id"] == actor_id)
            for issue, revisions in stances.items():
                actor["stances"][issue]["history"] = revisions
        return data
    start = dt.date(2025, 11, 20)
    data["events"] = [
        {
            "id": f"front-{k}",
            "date": (start + dt.timedelta(days=2 * k)).isoformat(),
            "kind": "battlefield",
            "title": f"synthetic front-line change {k}",
            "source": "synthetic (benchmark)",
            "changes": [{"op": "status_quo", "issue": "territory_control", "by": 0.01}],
        }
        for k in range(60)
    ]
    russia = next(a for a in data["actors"] if a["id"] == "russia")
    russia["stances"]["ceasefire"]["history"] = [
        {"as_of": (start + dt.timedelta(days=7 * k)).isoformat(), "salience": 0.5 + 0.02 * k, "source": "synthetic"}
        for k in range(17)
    ]
    return data


def main() -> None:
    events_file = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    data = dated_case(events_file)
    sc = scenario_from_dict(data, "2025 case, dated")
    points = change_points(sc.spec)
    dates = sorted({p.date for p in points})
    print(
        f"2025 case dated with {'the events in ' + str(events_file) if events_file else 'its own events'}: "
        f"{len(points)} dated changes on {len(dates)} dates"
    )
    model = get_model("compromise")
    parts: dict[str, list[float]] = {
        "as of (filter, apply, validate)": [],
        "verdicts (P(accept), P(deal), 2,000 draws)": [],
        "forecast": [],
    }
    for d in dates:
        t0 = time.perf_counter()
        day = scenario_as_of(sc, d)
        t1 = time.perf_counter()
        _verdicts(day)
        t2 = time.perf_counter()
        model.forecast(day, rng=0)
        t3 = time.perf_counter()
        parts["as of (filter, apply, validate)"].append(t1 - t0)
        parts["verdicts (P(accept), P(deal), 2,000 draws)"].append(t2 - t1)
        parts["forecast"].append(t3 - t2)
    print("per date, ms (median / max):")
    total = [sum(x) for x in zip(*parts.values(), strict=True)]
    for name, values in [*parts.items(), ("all three", total)]:
        print(f"  {name:34s} {1e3 * statistics.median(values):7.1f} / {1e3 * max(values):7.1f}")
    t0, c0 = time.perf_counter(), time.process_time()
    tl = timeline(sc, step="event")
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"timeline --step event, in process: {elapsed:.2f} s wall, {cpu:.2f} s CPU for {len(tl.dates)} dates")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "parley", "timeline", str(path), "--step", "event"],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - t0
    status = "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr.strip()[:200]}"
    print(f"parley timeline FILE --step event, fresh process: {elapsed:.2f} s ({status})")


if __name__ == "__main__":
    main()
