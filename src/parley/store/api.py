"""The run store: scenarios, runs, their results and samples, kept in a database.

>>> from parley.store import Store
>>> store = Store.open("sqlite:///runs.db")  # doctest: +SKIP
>>> with store.run("forecast", scenario, model="bdm", params=p, seed=1) as run:  # doctest: +SKIP
...     run.finish(result.to_dict())

A run is written as ``running`` when it starts; its results are written together with
``done`` in one transaction, so a run that is ``done`` always has all its results and a
process killed mid-run leaves at most a ``running`` row, which :meth:`Store.recover`
(called by :meth:`Store.open`) marks ``failed`` once its process is gone.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, and_, exists, func, insert, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError

from parley._random import SeedLike
from parley.models.base import Forecast
from parley.scenario.core import Scenario
from parley.store import codec, db, process
from parley.store.errors import RunNotFoundError, StoreError
from parley.store.rows import (
    RunRecord,
    check_kind,
    error_text,
    now,
    parley_version,
    put_scenario,
    record_of,
    run_query,
    seed_text,
)
from parley.store.tables import results, runs, scenarios
from parley.store.tables import samples as sample_table

_HEX = re.compile(r"^[0-9a-f]+$")
MIN_PREFIX = 4


class ActiveRun:
    """A run being computed: call :meth:`finish` with its results (or :meth:`fail`)."""

    def __init__(self, store: Store, run_id: str, kind: str, started: dt.datetime, clock: float) -> None:
        self._store = store
        self.id = run_id
        self.kind = kind
        self.started = started
        self._status = "running"
        self._clock = clock  # time.monotonic() at ``started``

    def _end(self) -> tuple[dt.datetime, float]:
        """Finish time and duration, from the monotonic clock (so finished - started == duration)."""
        duration = time.monotonic() - self._clock
        return self.started + dt.timedelta(seconds=duration), duration

    @property
    def status(self) -> str:
        """``running`` until :meth:`finish` or :meth:`fail` succeeds."""
        return self._status

    def finish(self, result: Any, samples: Mapping[str, Any] | None = None) -> None:
        """Store the results (JSON-ready) and sample arrays, and mark the run done, in one transaction.

        Parameters
        ----------
        result
            A JSON-ready value (numpy scalars and arrays are converted); NaN is kept.
        samples
            Named numeric arrays, e.g. ``{"outcomes": draws}`` of shape (draws, issues).

        Raises
        ------
        StoreError
            When the run is no longer running, the result cannot be stored, or the write fails;
            nothing of the run's results is then stored.
        """
        if self._status != "running":
            raise StoreError(f"run {self.id} is already {self._status}")
        payload = codec.dumps(result, "the result")
        rows = [{"run_id": self.id, **codec.encode_array(k, v)} for k, v in (samples or {}).items()]
        finished, duration = self._end()
        with self._store._write() as conn:
            conn.execute(insert(results).values(run_id=self.id, data=payload))
            if rows:
                conn.execute(insert(sample_table), rows)
            done = conn.execute(
                update(runs)
                .where(and_(runs.c.id == self.id, runs.c.status == "running"))
                .values(status="done", finished=finished, duration=duration, error=None)
            )
            if done.rowcount != 1:
                raise StoreError(f"run {self.id} is no longer running in the store; its results were not saved")
        self._status = "done"

    def fail(self, message: str) -> None:
        """Mark the run failed with ``message`` (no results are kept)."""
        if self._status != "running":
            raise StoreError(f"run {self.id} is already {self._status}")
        finished, duration = self._end()
        with self._store._write() as conn:
            conn.execute(
                update(runs)
                .where(and_(runs.c.id == self.id, runs.c.status == "running"))
                .values(status="failed", finished=finished, duration=duration, error=message)
            )
        self._status = "failed"


class Store:
    """A run store on any SQLAlchemy database; open one with :meth:`Store.open`."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self._url = url

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | URL | None = None, *, recover: bool = True) -> Store:
        """Open (and create or upgrade to the newest schema) the store at ``url``.

        Parameters
        ----------
        url
            A SQLAlchemy URL (``sqlite:///path.db``, ``postgresql://user@host/db``) or the path of a
            SQLite file; default ``$PARLEY_STORE``, else ``parley.db`` in the user's data directory.
        recover
            Mark runs left ``running`` by dead processes of this host as failed (see :meth:`recover`).

        Raises
        ------
        StoreError
            For a bad URL, an unreachable database, or a store written by a newer parley.
        """
        parsed, is_default = db.resolve_url(url)
        path = db.sqlite_path(parsed)
        if path is not None:
            if is_default:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.parent.is_dir():
                raise StoreError(f"cannot open the store at {db.shown(parsed)}: folder {path.parent} does not exist")
        engine = db.make_engine(parsed)
        store = cls(engine, parsed)
        try:
            db.migrate(engine, parsed)
            if recover:
                store.recover()
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def url(self) -> str:
        """The store's URL, password hidden."""
        return db.shown(self._url)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and tools; prefer the methods)."""
        return self._engine

    def close(self) -> None:
        """Close the store's connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with db.writing(self._engine) as conn:
                yield conn
        except DBAPIError as err:
            raise StoreError(f"cannot write to the store at {self.url}: {db.describe(err)}") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with db.reading(self._engine) as conn:
                yield conn
        except DBAPIError as err:
            raise StoreError(f"cannot read the store at {self.url}: {db.describe(err)}") from None

    # -- scenarios -------------------------------------------------------------------------

    def put_scenario(self, scenario: Scenario) -> str:
        """Store a scenario under its content hash (once) and return the hash."""
        with self._write() as conn:
            return put_scenario(conn, scenario)

    def get_scenario(self, scenario_id: str) -> dict[str, Any]:
        """The canonical JSON form of a stored scenario (as ``Scenario.to_dict()``)."""
        with self._read() as conn:
            text = conn.execute(select(scenarios.c.data).where(scenarios.c.scenario_id == scenario_id)).scalar()
        if text is None:
            raise StoreError(f"no scenario {scenario_id!r} in the store at {self.url}")
        data: dict[str, Any] = codec.loads(text)
        return data

    def list_scenarios(self, limit: int | None = 100) -> list[dict[str, Any]]:
        """Stored scenarios, newest first: id, title, when first stored, and how many runs use each."""
        n_runs = (
            select(func.count())
            .select_from(runs)
            .where(runs.c.scenario_id == scenarios.c.scenario_id)
            .scalar_subquery()
        )
        query = (
            select(scenarios.c.scenario_id, scenarios.c.title, scenarios.c.created, n_runs.label("runs"))
            .order_by(scenarios.c.created.desc(), scenarios.c.scenario_id)
            .limit(limit)
        )
        with self._read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def load_scenario(self, scenario_id: str) -> Scenario:
        """A stored scenario, ready to run again."""
        from parley.scenario.io import scenario_from_dict

        return scenario_from_dict(self.get_scenario(scenario_id), source=f"store:{scenario_id}")

    # -- writing runs ----------------------------------------------------------------------

    def _insert_run(self, values: dict[str, Any], scenario: Scenario | None, extra: Any = None) -> str:
        """Insert a run row under a fresh id (with its scenario, and ``extra(conn, id)``) in one transaction."""
        for attempt in range(8):
            run_id = secrets.token_hex(4)
            try:
                with self._write() as conn:
                    if conn.execute(select(exists().where(runs.c.id == run_id))).scalar():
                        continue
                    sid = put_scenario(conn, scenario) if scenario is not None else None
                    conn.execute(insert(runs).values(id=run_id, scenario_id=sid, **values))
                    if extra is not None:
                        extra(conn, run_id)
                return run_id
            except IntegrityError:  # pragma: no cover - an id taken by a concurrent writer
                if attempt == 7:
                    raise
        raise StoreError("could not find a free run id")  # pragma: no cover

    def _base_values(
        self, kind: str, model: str | None, params: Mapping[str, Any] | None, seed: SeedLike, version: str | None
    ) -> dict[str, Any]:
        me = process.current()
        return {
            "kind": check_kind(kind),
            "model": model,
            "params": codec.dumps(dict(params or {}), "the parameters"),
            "seed": seed_text(seed),
            "parley_version": version or parley_version(),
            "created": now(),
            "host": me.host,
            "pid": me.pid,
            "proc_start": me.start,
        }

    def start_run(
        self,
        kind: str,
        scenario: Scenario | None = None,
        *,
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        seed: SeedLike = None,
    ) -> ActiveRun:
        """Write a new ``running`` run and return its handle (prefer the :meth:`run` context manager)."""
        values = self._base_values(kind, model, params, seed, None)
        clock = time.monotonic()
        values.update(status="running", started=values["created"])
        run_id = self._insert_run(values, scenario)
        return ActiveRun(self, run_id, kind, values["started"], clock)

    @contextmanager
    def run(
        self,
        kind: str,
        scenario: Scenario | None = None,
        *,
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        seed: SeedLike = None,
    ) -> Iterator[ActiveRun]:
        """A run as a context manager: call ``run.finish(result, samples)`` inside the block.

        An exception in the block marks the run failed with its message and is re-raised; a
        block that ends without :meth:`ActiveRun.finish` marks the run failed too.
        """
        active = self.start_run(kind, scenario, model=model, params=params, seed=seed)
        try:
            yield active
        except BaseException as exc:
            if active.status == "running":
                # the original error matters more than a failed write; recover() cleans up later
                with suppress(StoreError):
                    active.fail(error_text(exc))
            raise
        if active.status == "running":
            active.fail("the run ended without results (finish() was not called)")

    def record(
        self,
        kind: str,
        scenario: Scenario | None,
        result: Any,
        *,
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        seed: SeedLike = None,
        samples: Mapping[str, Any] | None = None,
        started: dt.datetime | None = None,
        version: str | None = None,
    ) -> str:
        """Store a finished run (computed already) with its results, in one transaction; return its id.

        ``started`` is when the computation began (a naive datetime is local time); without it
        the run has no duration.
        """
        payload = codec.dumps(result, "the result")
        rows = [codec.encode_array(k, v) for k, v in (samples or {}).items()]
        values = self._base_values(kind, model, params, seed, version)
        finished = values["created"]
        begun = started.astimezone(dt.UTC) if started is not None else None  # naive: local time
        values.update(
            status="done",
            started=begun or finished,
            finished=finished,
            duration=(finished - begun).total_seconds() if begun is not None else None,
        )

        def extra(conn: Connection, run_id: str) -> None:
            conn.execute(insert(results).values(run_id=run_id, data=payload))
            if rows:
                conn.execute(insert(sample_table), [{"run_id": run_id, **r} for r in rows])

        return self._insert_run(values, scenario, extra)

    # -- reading runs ----------------------------------------------------------------------

    def list_runs(self, limit: int | None = 50, kind: str | None = None, status: str | None = None) -> list[RunRecord]:
        """The newest runs first (without results), optionally of one kind or status."""
        query = run_query()
        if kind is not None:
            query = query.where(runs.c.kind == kind)
        if status is not None:
            query = query.where(runs.c.status == status)
        query = query.order_by(runs.c.created.desc(), runs.c.id.desc())
        if limit is not None:
            query = query.limit(max(0, int(limit)))
        with self._read() as conn:
            return [record_of(row) for row in conn.execute(query)]

    def _not_found(self, conn: Connection, run_id: str) -> RunNotFoundError:
        ids = list(conn.execute(select(runs.c.id).order_by(runs.c.created.desc()).limit(5000)).scalars())
        prefixed = [i for i in ids if isinstance(run_id, str) and run_id and i.startswith(run_id)]
        close = prefixed[:3] or difflib.get_close_matches(str(run_id), ids, n=3, cutoff=0.5)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        if not ids:
            hint = " (the store has no runs yet)"
        return RunNotFoundError(f"no run {run_id!r} in the store at {self.url}{hint}")

    def resolve(self, ident: str) -> str:
        """The id of the run that ``ident`` names: a full id or a unique prefix of at least 4 characters.

        Raises
        ------
        RunNotFoundError
            When no run matches (the message suggests close ids).
        StoreError
            When a prefix matches several runs.
        """
        ident = ident.strip().lower()
        with self._read() as conn:
            if conn.execute(select(exists().where(runs.c.id == ident))).scalar():
                return ident
            if len(ident) >= MIN_PREFIX and _HEX.match(ident):
                found = list(conn.execute(select(runs.c.id).where(runs.c.id.startswith(ident)).limit(6)).scalars())
                if len(found) == 1:
                    return found[0]
                if found:
                    raise StoreError(f"{ident!r} matches several runs: {', '.join(found)}; give more of the id")
            raise self._not_found(conn, ident)

    def get_run(self, run_id: str) -> RunRecord:
        """One run with its result and the names of its sample arrays.

        Raises
        ------
        RunNotFoundError
            When there is no run with this id.
        """
        with self._read() as conn:
            row = conn.execute(run_query().where(runs.c.id == run_id)).first()
            if row is None:
                raise self._not_found(conn, run_id)
            text = conn.execute(select(results.c.data).where(results.c.run_id == run_id)).scalar()
            query = select(sample_table.c.name).where(sample_table.c.run_id == run_id).order_by(sample_table.c.name)
            names = tuple(conn.execute(query).scalars())
        return replace(record_of(row), result=codec.loads(text) if text is not None else None, samples=names)

    def get_samples(self, run_id: str) -> dict[str, np.ndarray]:
        """The sample arrays of a run, by name (empty when it has none)."""
        with self._read() as conn:
            if not conn.execute(select(exists().where(runs.c.id == run_id))).scalar():
                raise self._not_found(conn, run_id)
            query = select(sample_table).where(sample_table.c.run_id == run_id).order_by(sample_table.c.name)
            return {row["name"]: codec.decode_array(dict(row)) for row in conn.execute(query).mappings()}

    def export_run(self, run_id: str, *, include_samples: bool = True) -> dict[str, Any]:
        """Everything needed to re-render or re-run a run, as one JSON-ready mapping.

        The run's fields (kind, model, params, seed, parley_version, timings, status, result),
        plus ``scenario`` (the canonical JSON form, or None) and ``samples``
        (``{name: {"dtype", "shape", "data"}}`` with ``data`` as nested lists).
        """
        record = self.get_run(run_id)
        out: dict[str, Any] = {"format": "parley-run", "format_version": 1, **record.to_dict()}
        out["scenario"] = self.get_scenario(record.scenario_id) if record.scenario_id else None
        out["samples"] = {}
        if include_samples and record.samples:
            for name, a in self.get_samples(run_id).items():
                data: Any = a.tolist() if a.dtype.kind != "c" else {"real": a.real.tolist(), "imag": a.imag.tolist()}
                out["samples"][name] = {"dtype": a.dtype.str, "shape": list(a.shape), "data": data}
        return out

    # -- deleting and recovering -----------------------------------------------------------

    def delete_run(self, run_id: str) -> None:
        """Delete a run with its results and samples; its scenario stays (the web app lists it).

        Raises
        ------
        RunNotFoundError
            When there is no run with this id.
        """
        with self._write() as conn:
            if conn.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is None:
                raise self._not_found(conn, run_id)
            conn.execute(sample_table.delete().where(sample_table.c.run_id == run_id))
            conn.execute(results.delete().where(results.c.run_id == run_id))
            conn.execute(runs.delete().where(runs.c.id == run_id))

    def recover(self) -> list[str]:
        """Mark failed ("interrupted") the runs of this host left ``running`` by processes that ended.

        Runs started on other hosts are left alone: their processes cannot be checked from here.

        Returns
        -------
        The ids of the runs marked failed.
        """
        me = process.current()
        with self._read() as conn:
            rows = conn.execute(
                select(runs.c.id, runs.c.pid, runs.c.proc_start).where(
                    and_(runs.c.status == "running", runs.c.host == me.host)
                )
            ).all()
        dead = [
            (r.id, r.pid)
            for r in rows
            if not (r.pid == me.pid and (r.proc_start or "") == me.start)
            and not process.is_alive(r.pid or 0, r.proc_start or "")
        ]
        if not dead:
            return []
        marked = []
        with self._write() as conn:
            for run_id, pid in dead:
                res = conn.execute(
                    update(runs)
                    .where(and_(runs.c.id == run_id, runs.c.status == "running"))
                    .values(
                        status="failed",
                        error=f"interrupted: its process (pid {pid} on {me.host}) ended before the run finished",
                    )
                )
                if res.rowcount:
                    marked.append(run_id)
        return marked


def record_forecast(store: Store, scenario: Scenario, forecast: Forecast, *, started: dt.datetime | None = None) -> str:
    """Store a finished forecast as a ``forecast`` run; return the run id.

    Parameters
    ----------
    store
        An open store.
    scenario
        The scenario forecast (its JSON is stored once, under its content hash).
    forecast
        The model's result; its ``to_dict()`` is the run's result.
    started
        When the computation started, if known (gives the run a duration).

    Raises
    ------
    StoreError
        When ``forecast`` is not a forecast of ``scenario``.
    """
    if forecast.scenario_id != scenario.scenario_id:
        raise StoreError(
            f"the forecast is of scenario {forecast.scenario_id}, not of {scenario.scenario_id}; nothing stored"
        )
    return store.record(
        "forecast",
        scenario,
        forecast.to_dict(),
        model=forecast.model,
        params=forecast.params,
        seed=forecast.seed,
        started=started,
        version=forecast.version or None,
    )
