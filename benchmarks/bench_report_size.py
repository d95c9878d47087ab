"""Benchmark: the size of ``parley report`` and how long it takes (printed figures, not a test).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_report_size.py [--repeat 3] [--before-rev df832d6]

For the 2025 case (examples/ukraine-2025, target: at most 1.5 MB = 1,500,000 bytes) and the one-issue EC case
(examples/ec-emissions), with the CLI's defaults (every model, 1,000 Monte Carlo draws):

1. the size of the report before (``--before-rev``: the parley source at that git revision, which inlines
   plotly.py's full bundle, run from a ``git archive`` of it) and after (this checkout), in total and by part:
   the inlined Plotly bundle, the figure JSON, and the rest (HTML and text);
2. the whole process: ``parley report FILE -o OUT --no-store`` in a fresh interpreter, median of ``--repeat``;
3. in process, on an already loaded scenario: computing the report data
   (:func:`parley.report.build_report_data`) and rendering it (:func:`parley.report.render_html`).
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
CASES = {"2025": ROOT / "examples/ukraine-2025/scenario.yaml", "EC": ROOT / "examples/ec-emissions/scenario.yaml"}
TARGET = 1_500_000


def parts(html: str) -> dict[str, int]:
    """Bytes of the inlined bundle (the first <script>), the figure JSON (the chart object of the page's last
    script, old or new layout) and the rest."""
    size = lambda s: len(s.encode("utf-8"))  # noqa: E731
    a = html.index("<script>") + len("<script>")
    bundle = size(html[a : html.index("</script>", a)])
    tail = html.rindex("<script>")
    for start, end in (("var P = ", ";\n  var base"), ("var charts = ", "};\n  var config")):
        if start in html[tail:]:
            s = html.index(start, tail) + len(start)
            charts = size(html[s : html.index(end, s)])
            break
    else:
        charts = 0
    return {"total": size(html), "bundle": bundle, "figure JSON": charts, "HTML and text": size(html) - bundle - charts}


def run_report(src: Path, case: Path, out: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(src), "PARLEY_STORE": "sqlite:///:memory:"}
    cmd = [
        sys.executable,
        "-c",
        "from parley.cli import main; main()",
        "report",
        str(case),
        "-o",
        str(out),
        "--no-store",
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"parley report failed ({src}):\n{done.stderr}")
    return took


def show(label: str, p: dict[str, int]) -> None:
    by = ", ".join(f"{k} {v:,}" for k, v in p.items() if k != "total")
    print(f"  {label:<7} {p['total']:>10,} bytes ({p['total'] / 1e6:.2f} MB): {by}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="whole-process runs (the median is kept)")
    ap.add_argument("--before-rev", default="df832d6", help="git revision of the 'before' (full Plotly bundle)")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        old.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.before_rev, "src"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        for name, case in CASES.items():
            print(f"{name} case ({case.relative_to(ROOT)}):")
            before_out, after_out = Path(tmp) / f"{name}-before.html", Path(tmp) / f"{name}-after.html"
            before_time = run_report(old / "src", case, before_out)
            times = [run_report(ROOT / "src", case, after_out) for _ in range(max(1, args.repeat))]
            before, after = parts(before_out.read_text("utf-8")), parts(after_out.read_text("utf-8"))
            show("before", before)
            show("after", after)
            print(
                f"  smaller by {before['total'] - after['total']:,} bytes "
                f"({after['total'] / before['total']:.0%} of before)"
            )
            print(
                f"  whole process `parley report`: before {before_time:.2f} s (1 run); "
                f"after median {statistics.median(times):.2f} s of {', '.join(f'{t:.2f}' for t in times)}"
            )
            if name == "2025":
                ok = after["total"] <= TARGET
                print(f"  target <= {TARGET:,} bytes: {'met' if ok else 'NOT met'}")

    from parley.api import load_scenario
    from parley.report import ReportOptions, build_report_data, render_html

    for name, case in CASES.items():
        scenario = load_scenario(case)
        start = time.perf_counter()
        data = build_report_data(scenario, ReportOptions())
        built = time.perf_counter() - start
        start = time.perf_counter()
        render_html(data)
        rendered = time.perf_counter() - start
        print(f"{name} in process: report data {built:.2f} s, rendering {rendered:.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
