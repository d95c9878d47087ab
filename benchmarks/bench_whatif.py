"""Benchmark: live what-if round trips through the API on the 2025 case (printed figures, not a test).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_whatif.py [--updates 50] [--plan e3-counter]

A real uvicorn server on 127.0.0.1 (a fresh store in a temporary folder) gets the 2025 case
(examples/ukraine-2025/scenario.yaml), then ``--updates`` slider updates — Ukraine's position on
territory_control stepped across its scale, each a different value, as a dragged slider sends
them — posted one after another to ``POST /api/scenarios/{sid}/whatif`` over one keep-alive HTTP
connection, with the what-if's defaults (400 draws, the compromise forecast). Printed: median,
p95 and worst round trip (target: median under 200 ms), the same through FastAPI's in-process
TestClient, and two baselines over a few repeats, with their ratio to the what-if's median:

- the same request with ``draws: 2000``, the default of ``parley brief``;
- the brief as ``parley brief --plan PLAN`` computes it (2000 draws and the six models'
  headline forecasts), in process on the loaded scenario: what a slider would cost without a
  fast mode.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "ukraine-2025" / "scenario.yaml"
TARGET_MS = 200.0


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank)."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def line(label: str, ms: list[float]) -> str:
    return (
        f"{label:<44} median {statistics.median(ms):7.1f} ms   p95 {pct(ms, 0.95):7.1f} ms   "
        f"worst {max(ms):7.1f} ms   (n={len(ms)})"
    )


def slider_values(n: int) -> list[float]:
    """``n`` positions across territory_control's 0–6 scale, none repeated, as a dragged slider sends them."""
    return [round(6 * (k + 1) / (n + 1), 4) for k in range(n)]


def body(plan: str, value: float | None, draws: int | None = None) -> dict[str, Any]:
    changes = (
        []
        if value is None
        else [{"actor": "ukraine", "issue": "territory_control", "field": "position", "value": value}]
    )
    out: dict[str, Any] = {"plan": plan, "changes": changes}
    if draws is not None:
        out["draws"] = draws
    return out


def serve(store: Path) -> tuple[Any, int]:
    import uvicorn

    from parley.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(f"sqlite:///{store}"), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(200):
        if server.started:
            return server, port
        time.sleep(0.05)
    raise RuntimeError("the server did not start")


def upload(conn: http.client.HTTPConnection) -> str:
    boundary = "parleybench"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="case.yaml"\r\n'
            "Content-Type: application/yaml\r\n\r\n"
        ).encode()
        + CASE.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn.request("POST", "/api/scenarios", payload, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    r = conn.getresponse()
    data = json.loads(r.read())
    if r.status != 201:
        raise RuntimeError(f"upload failed: {r.status} {data}")
    return str(data["scenario_id"])


def post(conn: http.client.HTTPConnection, path: str, payload: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    conn.request("POST", path, json.dumps(payload), {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = json.loads(r.read())
    ms = 1000 * (time.perf_counter() - started)
    if r.status != 200:
        raise RuntimeError(f"{path}: {r.status} {data}")
    return ms, data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", type=int, default=50, help="slider updates timed")
    ap.add_argument("--baseline", type=int, default=5, help="repeats of each baseline")
    ap.add_argument("--plan", default="e3-counter", help="the text briefed")
    args = ap.parse_args()
    values = slider_values(args.updates)
    with tempfile.TemporaryDirectory() as tmp:
        server, port = serve(Path(tmp) / "store.db")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        sid = upload(conn)
        path = f"/api/scenarios/{sid}/whatif"
        first, data = post(conn, path, body(args.plan, None))  # loads and caches the scenario
        print(f"2025 case {sid}, plan {args.plan}: {data['draws']} draws, seed {data['seed']}, model {data['model']}")
        print(f"first request (loads the scenario into the cache): {first:.0f} ms")
        http_ms = [post(conn, path, body(args.plan, v))[0] for v in values]
        base_ms = [post(conn, path, body(args.plan, v, draws=2000))[0] for v in values[: args.baseline]]
        conn.close()
        server.should_exit = True

    from fastapi.testclient import TestClient

    from parley.web import create_app

    with (
        tempfile.TemporaryDirectory() as tmp,
        TestClient(create_app(f"sqlite:///{tmp}/s.db"), base_url="http://127.0.0.1") as client,
    ):
        r = client.post("/api/scenarios", files={"file": ("case.yaml", CASE.read_bytes(), "application/yaml")})
        sid = r.json()["scenario_id"]
        client.post(f"/api/scenarios/{sid}/whatif", json=body(args.plan, None))
        tc_ms = []
        for v in values:
            started = time.perf_counter()
            client.post(f"/api/scenarios/{sid}/whatif", json=body(args.plan, v)).raise_for_status()
            tc_ms.append(1000 * (time.perf_counter() - started))

    from parley.analysis.plans.brief import brief
    from parley.scenario import load_scenario

    scenario = load_scenario(CASE)
    full_ms = []
    for _ in range(args.baseline):
        started = time.perf_counter()
        brief(scenario, [args.plan], n=2000, seed=1)
        full_ms.append(1000 * (time.perf_counter() - started))

    median = statistics.median(http_ms)
    print(line("what-if over HTTP (uvicorn, keep-alive)", http_ms))
    print(line("what-if in process (FastAPI TestClient)", tc_ms))
    print(line("same request, draws 2000 (parley brief's)", base_ms))
    print(line("parley brief --plan (2000 draws, 6 models)", full_ms))
    print(
        f"ratios to the what-if's HTTP median: draws 2000 ×{statistics.median(base_ms) / median:.1f}, "
        f"parley brief ×{statistics.median(full_ms) / median:.1f}"
    )
    verdict = "met" if median < TARGET_MS else "MISSED"
    print(f"target: median round trip under {TARGET_MS:.0f} ms: {verdict} ({median:.0f} ms)")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
