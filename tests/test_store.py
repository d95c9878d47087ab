"""The run store: schema and migrations, round trips, transactions, crashes and concurrent writers.

Every test runs on a temporary SQLite file, and the backend-agnostic ones again on a
throwaway PostgreSQL cluster started for the session on a loopback port (skipped, saying
why, when the server binaries are absent; ``PARLEY_REQUIRE_PG=1`` turns that skip into a
failure, ``PARLEY_TEST_PG_URL`` uses a running server instead).

References: expected values are hand-built inputs read back (round trips), a hash computed
here with hashlib, counts of rows written by the test itself, or an independent re-run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest
from sqlalchemy import create_engine, event, func, insert, select, text

import parley
from parley._json import json_safe
from parley.scenario.io import scenario_from_dict
from parley.store import RunNotFoundError, Store, StoreError, record_forecast
from parley.store import db as store_db
from parley.store.tables import VERSION_TABLE, metadata, results, runs, samples, scenarios

ROOT = Path(__file__).resolve().parents[1]
EC = ROOT / "examples" / "ec-emissions" / "scenario.yaml"


@pytest.fixture(autouse=True)
def _tmp_store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's data folder: PARLEY_STORE points into the test's tmp folder."""
    monkeypatch.setenv("PARLEY_STORE", f"sqlite:///{tmp_path / 'env-default.db'}")


# -- a throwaway PostgreSQL server ----------------------------------------------------------


def _pg_bindir() -> Path | None:
    candidates: list[Path] = []
    if os.environ.get("PARLEY_PG_BINDIR"):
        candidates.append(Path(os.environ["PARLEY_PG_BINDIR"]))
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)

    def version(p: Path) -> float:
        try:
            return float(p.parent.name)
        except ValueError:
            return 0.0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for c in candidates:
        if (c / "initdb").exists() and (c / "pg_ctl").exists() and (c / "postgres").exists():
            return c
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _no_pg(reason: str) -> NoReturn:
    if os.environ.get("PARLEY_REQUIRE_PG"):
        pytest.fail(f"PostgreSQL tests required (PARLEY_REQUIRE_PG) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL (without database) of a PostgreSQL server: $PARLEY_TEST_PG_URL, or a cluster started here."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _no_pg("psycopg is not installed (pip install 'psycopg[binary]')")
    if os.environ.get("PARLEY_TEST_PG_URL"):
        given = os.environ["PARLEY_TEST_PG_URL"].rstrip("/")
        yield given.replace("postgresql://", "postgresql+psycopg://", 1)
        return
    bindir = _pg_bindir()
    if bindir is None:
        _no_pg("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    prefix: list[str] = []
    as_root = os.geteuid() == 0
    # as root the server runs as 'postgres', which must reach the folder: keep it directly in /tmp
    base = Path(tempfile.mkdtemp(prefix="parley-pg-", dir="/tmp" if as_root and os.path.isdir("/tmp") else None))
    if as_root:  # initdb refuses to run as root: run the cluster as the postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            _no_pg("running as root and there is no 'postgres' user to run the server as")
        os.chown(base, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    port = _free_port()
    initdb = [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
    initdb += ["--locale=C", "--no-sync"]
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
    start = [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]
    try:
        for command in (initdb, start):
            subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=120)
    except subprocess.CalledProcessError as e:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {e.stderr}\n{log}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'runs.db'}"
        return
    server: str = request.getfixturevalue("pg_server")
    name = f"parley_test_{secrets.token_hex(4)}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    st = Store.open(url)
    yield st
    st.close()


@pytest.fixture(scope="module")
def scenario() -> parley.Scenario:
    return parley.load_scenario(EC)


def count(st: Store, table: Any, *where: Any) -> int:
    with st.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def python(script: str, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    """Start ``script`` in a fresh Python process of this interpreter."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


# -- schema ------------------------------------------------------------------------------------


def test_open_creates_schema_at_head(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        assert store_db.current_revision(conn) == store_db.head_revision()
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "compare_type": True})
        # the migrations build exactly the tables models.py describes: no difference left to migrate
        assert compare_metadata(ctx, metadata) == []
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_reopen_keeps_data(url: str, scenario: parley.Scenario) -> None:
    with Store.open(url) as st:
        rid = st.record("forecast", scenario, {"x": 1})
    with Store.open(url) as st:
        assert st.get_run(rid).result == {"x": 1}


def test_store_of_a_newer_parley_is_refused(url: str) -> None:
    with Store.open(url) as st, st.engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 'ffff'"))
    with pytest.raises(StoreError, match="written by a newer parley"):
        Store.open(url)


# -- scenarios -----------------------------------------------------------------------------------


def test_scenario_kept_by_content_hash(store: Store, scenario: parley.Scenario) -> None:
    sid = store.put_scenario(scenario)
    assert store.put_scenario(scenario) == sid == scenario.scenario_id
    assert count(store, scenarios) == 1
    with store.engine.connect() as conn:
        stored = conn.execute(select(scenarios.c.data)).scalar_one()
    # the stored text is the canonical form: hashing it here gives the scenario's id
    assert hashlib.sha256(stored.encode("utf-8")).hexdigest()[:16] == scenario.scenario_id
    assert json.loads(stored) == scenario.to_dict()
    assert store.load_scenario(sid).scenario_id == sid


# -- runs --------------------------------------------------------------------------------------------


def test_run_round_trip(store: Store, scenario: parley.Scenario) -> None:
    big_seed = 2**100 + 7  # more than 64 bits
    result = {"outcomes": {"z_last": 1.5, "a_first": float("nan")}, "rounds": [[1, 2], [3, 4]], "note": "é"}
    arrays = {
        "draws": np.array([[0.1, np.nan, np.inf], [-0.0, 1e-300, -np.inf]]),
        "counts": np.arange(24, dtype=np.int32).reshape(2, 3, 4),
        "accepted": np.array([True, False, True]),
        "zeros": np.zeros(5000),  # compresses: stored with zlib
        "normal": np.random.default_rng(0).standard_normal(1000),  # random doubles barely compress: raw
        "big_endian": np.arange(4, dtype=">i8"),
    }
    t0 = dt.datetime.now(dt.UTC)
    with store.run("montecarlo", scenario, model="median", params={"draws": 2, "b": "x"}, seed=big_seed) as run:
        assert run.status == "running"
        assert store.get_run(run.id).status == "running"
        run.finish(result, samples=arrays)
    t1 = dt.datetime.now(dt.UTC)
    rec = store.get_run(run.id)
    assert (rec.kind, rec.status, rec.model, rec.seed, rec.error) == ("montecarlo", "done", "median", big_seed, None)
    assert rec.params == {"draws": 2, "b": "x"}
    assert rec.scenario_id == scenario.scenario_id and rec.scenario_title == scenario.title
    assert rec.parley_version == parley.__version__
    assert (rec.pid, rec.host) == (os.getpid(), socket.gethostname())
    assert rec.started is not None and rec.finished is not None and rec.duration is not None
    tol = dt.timedelta(milliseconds=1)  # databases keep microseconds
    assert t0 - tol <= rec.created <= rec.started <= rec.finished <= t1 + tol
    assert rec.duration == pytest.approx((rec.finished - rec.started).total_seconds(), abs=1e-5)
    assert list(rec.result["outcomes"]) == ["z_last", "a_first"]  # the given order is kept
    assert rec.result["outcomes"]["z_last"] == 1.5 and np.isnan(rec.result["outcomes"]["a_first"])
    assert rec.result["rounds"] == [[1, 2], [3, 4]] and rec.result["note"] == "é"
    assert rec.samples == tuple(sorted(arrays))
    back = store.get_samples(run.id)
    for name, a in arrays.items():
        b = back[name]
        assert b.shape == a.shape and b.dtype.kind == a.dtype.kind and b.dtype.itemsize == a.dtype.itemsize
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    assert np.signbit(back["draws"][1, 0])  # -0.0 kept bit for bit
    with store.engine.connect() as conn:
        codecs = dict(conn.execute(select(samples.c.name, samples.c.codec)).all())
    assert codecs["zeros"] == "zlib" and codecs["normal"] == "raw"


def test_exception_marks_run_failed_and_is_reraised(store: Store) -> None:
    with pytest.raises(ValueError, match="boom"), store.run("plans") as run:
        raise ValueError("boom")
    rec = store.get_run(run.id)
    assert (rec.status, rec.error, rec.result) == ("failed", "ValueError: boom", None)
    assert rec.finished is not None and count(store, results) == 0


def test_block_without_finish_is_failed(store: Store) -> None:
    with store.run("report") as run:
        pass
    rec = store.get_run(run.id)
    assert rec.status == "failed" and "finish() was not called" in (rec.error or "")


def test_finish_only_once(store: Store) -> None:
    with store.run("forecast") as run:
        run.finish({"a": 1})
        with pytest.raises(StoreError, match="already done"):
            run.finish({"a": 2})
    assert store.get_run(run.id).result == {"a": 1}


def test_finish_is_one_transaction(store: Store) -> None:
    """The results are written first; when marking the run done fails, none of them stays."""
    fired: list[str] = []

    def fail_on_done(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE PARLEY_RUNS") and not fired:
            fired.append(statement)
            raise RuntimeError("injected failure")

    with store.run("montecarlo") as run:
        event.listen(store.engine, "before_cursor_execute", fail_on_done)
        try:
            with pytest.raises(RuntimeError, match="injected"):
                run.finish({"a": 1}, samples={"x": np.arange(10.0)})
        finally:
            event.remove(store.engine, "before_cursor_execute", fail_on_done)
        assert fired  # the failure hit the status update, after the inserts
        run.fail("gave up")
    assert count(store, results) == 0 and count(store, samples) == 0
    assert store.get_run(run.id).status == "failed"


def test_unstorable_result_fails_the_run(store: Store) -> None:
    with pytest.raises(StoreError, match="cannot store the result"), store.run("forecast") as run:
        run.finish({"x": object()})
    assert store.get_run(run.id).status == "failed" and count(store, results) == 0
    with pytest.raises(StoreError, match="only numeric and boolean"), store.run("forecast") as run:
        run.finish({}, samples={"names": np.array(["a", "b"])})
    with pytest.raises(StoreError, match="run kind"):
        store.start_run("Forecast!")


def test_seeds_recorded(store: Store) -> None:
    ids = [
        store.record("forecast", None, {}, seed=seed)
        for seed in (12, np.random.SeedSequence(99), np.random.default_rng(1), None)
    ]
    # an int or a SeedSequence's entropy is recorded; a Generator has no seed to record
    assert [store.get_run(i).seed for i in ids] == [12, 99, None, None]


def test_list_runs_newest_first(store: Store) -> None:
    ids = [store.record(kind, None, {"i": i}) for i, kind in enumerate(["forecast", "plans", "forecast", "backtest"])]
    assert [r.id for r in store.list_runs()] == ids[::-1]
    assert [r.id for r in store.list_runs(limit=2)] == ids[:1:-1]
    assert [r.id for r in store.list_runs(kind="forecast")] == [ids[2], ids[0]]
    assert all(r.result is None for r in store.list_runs())


def test_unknown_ids_and_prefixes(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    queue = iter(["abcd0001", "abcd0001", "abcd0002", "ffff1234"])  # the repeat is taken: a new id is drawn
    monkeypatch.setattr("parley.store.api.secrets.token_hex", lambda n: next(queue))
    a = store.record("forecast", None, {})
    b = store.record("forecast", None, {})
    c = store.record("forecast", None, {})
    assert (a, b, c) == ("abcd0001", "abcd0002", "ffff1234")
    assert store.resolve("ffff") == c and store.resolve("ABCD0002") == b
    with pytest.raises(StoreError, match="matches several runs"):
        store.resolve("abcd")
    with pytest.raises(RunNotFoundError, match="did you mean 'ffff1234'"):
        store.get_run("ffff1243")
    with pytest.raises(RunNotFoundError, match="did you mean 'ffff1234'"):
        store.delete_run("ffff")  # delete wants the full id
    with pytest.raises(RunNotFoundError):
        store.resolve("0123456789")


def test_export_run_is_enough_to_rerun(store: Store, scenario: parley.Scenario) -> None:
    forecast = parley.forecast(scenario, "compromise", {"weights": "salience"})
    draws = np.linspace(0, 1, 12).reshape(4, 3)
    with store.run("forecast", scenario, model=forecast.model, params=forecast.params, seed=5) as run:
        run.finish(forecast.to_dict(), samples={"draws": draws})
    data = store.export_run(run.id)
    json.dumps(json_safe(data), allow_nan=False)  # strict JSON once NaN is nulled
    assert data["parley_version"] == parley.__version__ and data["seed"] == 5
    assert data["samples"]["draws"] == {"dtype": "<f8", "shape": [4, 3], "data": draws.tolist()}
    # an independent re-run from the export alone gives the stored result
    again = parley.forecast(scenario_from_dict(data["scenario"]), data["model"], data["params"], rng=data["seed"])
    assert again.scenario_id == scenario.scenario_id
    assert again.outcomes == data["result"]["outcomes"]
    assert store.export_run(run.id, include_samples=False)["samples"] == {}


def test_record_forecast(store: Store, scenario: parley.Scenario) -> None:
    forecast = parley.forecast(scenario, "compromise")
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    rid = record_forecast(store, scenario, forecast, started=started)
    rec = store.get_run(rid)
    assert (rec.kind, rec.status, rec.model, rec.params) == ("forecast", "done", "compromise", forecast.params)
    assert rec.result == json.loads(json.dumps(forecast.to_dict()))
    assert rec.duration is not None and 2.0 <= rec.duration < 60
    data = scenario.to_dict()
    data["title"] = "not the forecast scenario"
    with pytest.raises(StoreError, match="nothing stored"):
        record_forecast(store, scenario_from_dict(data), forecast)
    assert count(store, runs) == 1


def test_delete_run_keeps_scenarios(store: Store, scenario: parley.Scenario) -> None:
    data = scenario.to_dict()
    data["title"] = "another scenario"
    other = scenario_from_dict(data)
    a1 = store.record("forecast", scenario, {"a": 1}, samples={"x": np.arange(3)})
    a2 = store.record("plans", scenario, {"a": 2})
    b1 = store.record("forecast", other, {"b": 1}, samples={"x": np.arange(3)})
    store.delete_run(a1)
    assert count(store, runs) == 2 and count(store, samples) == 1 and count(store, results) == 2
    assert count(store, scenarios, scenarios.c.scenario_id == scenario.scenario_id) == 1  # a2 uses it
    store.delete_run(a2)
    # the scenario stays even with no run left: it is listed and can be run again
    assert count(store, scenarios, scenarios.c.scenario_id == scenario.scenario_id) == 1
    assert store.get_run(b1).result == {"b": 1} and count(store, scenarios) == 2
    with pytest.raises(RunNotFoundError):
        store.delete_run(a1)


# -- crashes and recovery -----------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_recover_marks_runs_of_dead_processes(store: Store) -> None:
    with store.run("montecarlo") as live:
        base = {"kind": "montecarlo", "status": "running", "params": "{}", "parley_version": "0"}
        now = dt.datetime.now(dt.UTC)
        host = socket.gethostname()
        my_start = _my_proc_start()
        rows = [
            {"id": "dead0001", "host": host, "pid": _dead_pid(), "proc_start": ""},
            # same pid as this process but another start time: the pid was reused, the owner is gone
            {"id": "reus0001", "host": host, "pid": os.getpid(), "proc_start": "1" if my_start != "1" else "2"},
            {"id": "else0001", "host": "some-other-host", "pid": 1, "proc_start": ""},
        ]
        with store.engine.begin() as conn:
            conn.execute(insert(runs), [{**base, **r, "created": now, "started": now} for r in rows])
        marked = store.recover()
        assert sorted(marked) == (["dead0001", "reus0001"] if my_start else ["dead0001"])
        assert store.get_run(live.id).status == "running"  # this process is alive
        assert store.get_run("else0001").status == "running"  # another host's runs cannot be checked
        dead = store.get_run("dead0001")
        assert dead.status == "failed" and (dead.error or "").startswith("interrupted")
        live.finish({"ok": True})
    assert store.get_run(live.id).status == "done"


def _my_proc_start() -> str:
    from parley.store.process import current

    return current().start


_CRASH = """
    import sys, time
    import numpy as np
    import parley
    from parley.store import Store
    store = Store.open(sys.argv[1])
    scenario = parley.load_scenario(sys.argv[2])
    with store.run("montecarlo", scenario, model="median", params={"i": 0}) as run:
        run.finish({"draws": 3}, samples={"x": np.arange(3.0)})
    print(run.id, flush=True)
    with store.run("montecarlo", scenario, params={"i": 1}) as run:
        print(run.id, flush=True)
        time.sleep(120)
"""


def test_sigkill_mid_run_leaves_it_failed_and_earlier_runs_intact(url: str, scenario: parley.Scenario) -> None:
    with Store.open(url) as st:
        before = st.record("forecast", scenario, {"earlier": True})
    proc = python(_CRASH, url, str(EC))
    try:
        assert proc.stdout is not None
        done_id = proc.stdout.readline().strip()
        killed_id = proc.stdout.readline().strip()
        assert killed_id, proc.stderr.read() if proc.stderr else ""
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    with Store.open(url) as st:  # opening recovers
        killed = st.get_run(killed_id)
        assert killed.status == "failed" and "interrupted" in (killed.error or "")
        assert killed.result is None
        done = st.get_run(done_id)
        assert done.status == "done" and done.result == {"draws": 3}
        assert np.array_equal(st.get_samples(done_id)["x"], np.arange(3.0))
        assert st.get_run(before).result == {"earlier": True}
        if st.engine.dialect.name == "sqlite":
            with st.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


_WRITER_LOOP = """
    import sys
    import numpy as np
    from parley.store import Store
    store = Store.open(sys.argv[1])
    i = 0
    while True:
        with store.run("montecarlo", None, params={"i": i}) as run:
            run.finish({"i": i}, samples={"draws": np.arange(i, i + 20000, dtype=float)})
        print(i, flush=True)
        i += 1
"""


def test_sigkill_while_writing_never_leaves_half_a_run(url: str) -> None:
    proc = python(_WRITER_LOOP, url)
    try:
        assert proc.stdout is not None
        for _ in range(10):
            assert proc.stdout.readline(), proc.stderr.read() if proc.stderr else ""
        time.sleep(0.001 * secrets.randbelow(20))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    with Store.open(url) as st:
        records = st.list_runs(limit=None)
        assert len(records) >= 10 and not [r for r in records if r.status == "running"]
        failed = [r for r in records if r.status == "failed"]
        assert len(failed) <= 1 and all("interrupted" in (r.error or "") for r in failed)
        for r in records:
            if r.status == "done":
                i = r.params["i"]
                assert st.get_run(r.id).result == {"i": i}
                assert np.array_equal(st.get_samples(r.id)["draws"], np.arange(i, i + 20000, dtype=float))
            else:
                assert count(st, results, results.c.run_id == r.id) == 0
                assert count(st, samples, samples.c.run_id == r.id) == 0


_WRITER = """
    import os, sys, time
    import numpy as np
    import parley
    from parley.store import Store
    url, tag, gate, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    scenario = parley.load_scenario(sys.argv[5])
    while not os.path.exists(gate + "-open"):
        time.sleep(0.001)
    store = Store.open(url)  # both open a fresh store at once: the migration runs once
    print("ready", flush=True)
    while not os.path.exists(gate + "-write"):
        time.sleep(0.001)
    for i in range(n):
        with store.run("sensitivity", scenario, params={"writer": tag, "i": i}) as run:
            run.finish({"writer": tag, "i": i}, samples={"x": np.full(1000, i, dtype=np.int64)})
        store.list_runs(3)
    print("ok", flush=True)
"""


def test_two_processes_write_at_once(url: str, tmp_path: Path) -> None:
    n = 100
    gate = tmp_path / "gate"
    procs = [python(_WRITER, url, tag, str(gate), str(n), str(EC)) for tag in ("a", "b")]
    time.sleep(1.0)  # let both import and wait at the gate
    Path(f"{gate}-open").touch()
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready", p.stderr.read() if p.stderr else ""
    Path(f"{gate}-write").touch()
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (stdout, stderr) in zip(procs, outputs, strict=True):
        assert p.returncode == 0 and stdout.strip() == "ok", stderr
    with Store.open(url) as st:
        records = st.list_runs(limit=None)
        assert len(records) == 2 * n and {r.status for r in records} == {"done"}
        by_writer: dict[str, list[int]] = {"a": [], "b": []}
        spans = {}
        for r in records:
            assert st.get_run(r.id).result == r.params
            assert np.array_equal(st.get_samples(r.id)["x"], np.full(1000, r.params["i"]))
            by_writer[r.params["writer"]].append(r.params["i"])
        for tag in by_writer:
            assert sorted(by_writer[tag]) == list(range(n))
            mine = [r for r in records if r.params["writer"] == tag]
            spans[tag] = (min(r.created for r in mine), max(r.finished for r in mine if r.finished))
        assert count(st, scenarios) == 1
    # the two writers really overlapped in time
    assert spans["a"][0] < spans["b"][1] and spans["b"][0] < spans["a"][1]


# -- opening: URLs and errors ------------------------------------------------------------------------


def test_default_store_is_in_the_user_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    asked: list[str] = []

    def fake_user_data_dir(appname: str, *args: Any, **kwargs: Any) -> str:
        asked.append(appname)
        return str(tmp_path / "user-data" / appname)

    monkeypatch.delenv("PARLEY_STORE")
    monkeypatch.setattr(platformdirs, "user_data_dir", fake_user_data_dir)
    with Store.open() as st:
        assert st.url == f"sqlite:///{tmp_path / 'user-data' / 'parley' / 'parley.db'}"
    assert asked[-1] == "parley" and (tmp_path / "user-data" / "parley" / "parley.db").is_file()


def test_env_and_paths_select_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_STORE", f"sqlite:///{tmp_path / 'from-env.db'}")
    with Store.open() as st:
        assert st.url.endswith("from-env.db")
    with Store.open(str(tmp_path / "plain-path.db")) as st:  # a path is a SQLite file
        assert st.url == f"sqlite:///{tmp_path / 'plain-path.db'}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nosuchdb://host/x", "unknown database kind"),
        ("sqlite:////no/such/folder/runs.db", "folder /no/such/folder does not exist"),
        ("://nothing", "not a database URL"),
    ],
)
def test_bad_urls_get_one_clear_message(value: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store.open(value)


def test_unreachable_server_and_non_database_file(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    port = _free_port()  # nothing listens there
    with pytest.raises(StoreError, match=r"cannot open the store at postgresql.*Connection refused"):
        Store.open(f"postgresql://someone:secret@127.0.0.1:{port}/db")
    try:
        Store.open(f"postgresql://someone:secret@127.0.0.1:{port}/db")
    except StoreError as e:
        assert "secret" not in str(e)  # the password is never shown
    junk = tmp_path / "junk.db"
    junk.write_text("not a database " * 200)
    with pytest.raises(StoreError, match="file is not a database"):
        Store.open(f"sqlite:///{junk}")


def test_importing_the_store_pulls_in_no_front_end() -> None:
    code = "import sys, parley.store; print(sorted(m for m in ('typer', 'rich', 'fastapi') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_list_scenarios_counts_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each stored scenario once, with the number of runs that use it."""
    from parley.scenario import scenario_from_dict
    from parley.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")

    def make(title: str):  # type: ignore[no-untyped-def]
        return scenario_from_dict(
            {
                "schema_version": 1,
                "title": title,
                "issues": [{"id": "x"}],
                "actors": [{"id": "a", "capability": 1, "stances": {"x": {"position": 1, "salience": 1}}}],
            }
        )

    a, b = make("A"), make("B")
    store.record("forecast", a, {"outcomes": {}})
    store.record("forecast", a, {"outcomes": {}})
    store.put_scenario(b)
    rows = {r["scenario_id"]: r for r in store.list_scenarios()}
    assert rows[a.scenario_id]["runs"] == 2 and rows[b.scenario_id]["runs"] == 0
    assert rows[b.scenario_id]["title"] == "B"


def test_schema_head_constant_is_the_migrations_head() -> None:
    """Opening a store skips Alembic when it is at SCHEMA_HEAD: that constant must be the head of
    the shipped migrations (reference: Alembic's own reading of the migration scripts)."""
    from parley.store.tables import SCHEMA_HEAD

    assert store_db.head_revision() == SCHEMA_HEAD


# -- faults through the command line (issue 16) ----------------------------------------------------

UKRAINE = ROOT / "examples" / "ukraine-2025" / "scenario.yaml"


def _cli(*args: str, url: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PARLEY_STORE=url,
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-m", "parley.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _wait_for_running(url: str, timeout: float = 60.0) -> str | None:
    """The id of a run the store shows as running, polled until ``timeout``."""
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with engine.connect() as conn:
                    found = conn.execute(select(runs.c.id).where(runs.c.status == "running")).scalar()
            except Exception:  # the table may not exist yet
                found = None
            if found:
                return str(found)
            time.sleep(0.05)
        return None
    finally:
        engine.dispose()


def test_sigkill_during_report_leaves_a_failed_run_and_earlier_runs(url: str, scenario: parley.Scenario,
                                                                     tmp_path: Path) -> None:
    """kill -9 of `parley report` mid-run: its run reads as failed, earlier runs stay readable, no HTML."""
    with Store.open(url) as st:
        before = st.record("forecast", scenario, {"earlier": True})
    out = tmp_path / "report.html"
    proc = _cli("report", str(UKRAINE), "-o", str(out), url=url)
    try:
        running = _wait_for_running(url)
        assert running, proc.stderr.read() if proc.stderr and proc.poll() is not None else "no running run seen"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    with Store.open(url) as st:  # opening recovers the runs of dead processes
        killed = st.get_run(running)
        assert killed.status == "failed" and "interrupted" in (killed.error or "")
        assert st.get_run(before).result == {"earlier": True}
        assert st.engine.dialect.name != "sqlite" or _integrity(st) == "ok"
    assert not out.exists() and not list(tmp_path.glob("*.tmp*"))


def _integrity(st: Store) -> str:
    with st.engine.connect() as conn:
        return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())


def test_sigkill_during_montecarlo_keeps_the_store_and_writes_no_half_file(url: str, scenario: parley.Scenario,
                                                                            tmp_path: Path) -> None:
    """kill -9 of `parley montecarlo -o`: every earlier run readable, no partial output file.

    (`parley montecarlo` keeps no run in the store, so there is no run of its own to mark failed.)
    """
    with Store.open(url) as st:
        before = st.record("forecast", scenario, {"earlier": True})
    out = tmp_path / "mc.json"
    proc = _cli("montecarlo", str(EC), "-m", "exchange", "-n", "100000", "--workers", "1", "--seed", "1",
                "--noise-position", "0.05", "-o", str(out), url=url)
    time.sleep(4.0)  # well into the draws (100,000 exchange runs take minutes)
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with Store.open(url) as st:
        assert st.get_run(before).result == {"earlier": True}
        assert not [r for r in st.list_runs(limit=None) if r.status == "running"]
        assert st.engine.dialect.name != "sqlite" or _integrity(st) == "ok"
    assert not out.exists() and not list(tmp_path.glob("*.tmp*"))


def _corrupt(path: Path) -> None:
    """Garbage over the schema page and the pages after it, past the 100-byte file header."""
    with path.open("r+b") as f:
        f.seek(200)
        f.write(b"\xde\xad" * 6000)


@pytest.mark.parametrize("damage", ["corrupted", "truncated", "read-only"])
@pytest.mark.parametrize("command", ["runs-list", "forecast", "report"])
def test_damaged_store_gives_one_clear_message(damage: str, command: str, scenario: parley.Scenario,
                                               tmp_path: Path) -> None:
    """A corrupted, truncated or read-only store: exit 1, one `error:` line naming the store, nothing written."""
    from typer.testing import CliRunner

    from parley.cli import app

    path = tmp_path / "runs.db"
    with Store.open(f"sqlite:///{path}") as st:
        for i in range(30):  # enough pages that the middle of the file holds data
            st.record("forecast", scenario, {"i": i, "pad": "x" * 2000})
    store_db.make_engine(store_db.resolve_url(f"sqlite:///{path}")[0]).dispose()
    for extra in path.parent.glob("runs.db-*"):  # WAL files: checkpointed on close
        extra.unlink()
    if damage == "corrupted":
        _corrupt(path)
        url = f"sqlite:///{path}"
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
        url = f"sqlite:///{path}"
    else:  # read-only, as the file would be for a user without write permission (tests may run as root)
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    out = tmp_path / "report.html"
    args = {"runs-list": ["runs", "list", "--store", url],
            "forecast": ["forecast", str(EC), "--store", url],
            "report": ["report", str(EC), "-o", str(out), "--store", url]}[command]
    result = CliRunner().invoke(app, args)
    if damage == "read-only" and command == "runs-list":
        assert result.exit_code == 0, result.output  # reading a read-only store works
        return
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    # one message (wrapped at the terminal's width: its continuation lines are indented)
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith(" ")]
    assert len(lines) == 1 and lines[0].startswith("error: cannot ") and "store" in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
