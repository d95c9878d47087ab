"""Rows of the store as Python values: run records, scenario rows, and checks on what is written."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, exists, insert, select

from parley._random import SeedLike, seed_of
from parley.scenario.core import Scenario
from parley.store import codec
from parley.store.errors import StoreError
from parley.store.tables import runs, scenarios

KINDS = (
    "forecast", "plans", "brief", "montecarlo", "sensitivity", "report", "backtest", "shocks", "coalitions", "timeline",
)
_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def error_text(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (KeyboardInterrupt)"
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def scenario_text(scenario: Scenario) -> str:
    # the serialisation canonical_hash uses, so that sha256(text)[:16] == scenario_id
    return json.dumps(scenario.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class RunRecord:
    """One stored run; ``result`` is filled by :meth:`Store.get_run`, not by :meth:`Store.list_runs`."""

    id: str
    kind: str
    status: str
    scenario_id: str | None
    scenario_title: str | None
    model: str | None
    params: dict[str, Any]
    seed: int | None
    parley_version: str
    created: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None
    duration: float | None
    error: str | None
    host: str | None
    pid: int | None
    result: Any = None
    samples: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (times in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "scenario_id": self.scenario_id,
            "scenario_title": self.scenario_title,
            "model": self.model,
            "params": self.params,
            "seed": self.seed,
            "parley_version": self.parley_version,
            "created": iso(self.created),
            "started": iso(self.started),
            "finished": iso(self.finished),
            "duration": self.duration,
            "error": self.error,
            "host": self.host,
            "pid": self.pid,
            "result": self.result,
            "samples": list(self.samples),
        }


def record_of(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        kind=row.kind,
        status=row.status,
        scenario_id=row.scenario_id,
        scenario_title=row.title,
        model=row.model,
        params=codec.loads(row.params) if row.params else {},
        seed=int(row.seed) if row.seed is not None else None,
        parley_version=row.parley_version,
        created=row.created,
        started=row.started,
        finished=row.finished,
        duration=row.duration,
        error=row.error,
        host=row.host,
        pid=row.pid,
    )


_RUN_COLUMNS = [*runs.c, scenarios.c.title]


def run_query() -> Any:
    return select(*_RUN_COLUMNS).select_from(runs.outerjoin(scenarios, runs.c.scenario_id == scenarios.c.scenario_id))


def put_scenario(conn: Connection, scenario: Scenario) -> str:
    sid = scenario.scenario_id
    values = {
        "scenario_id": sid,
        "title": scenario.spec.title or scenario.source,
        "data": scenario_text(scenario),
        "created": now(),
    }
    name = conn.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(scenarios).values(**values).on_conflict_do_nothing(index_elements=["scenario_id"]))
    elif name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(scenarios).values(**values).on_conflict_do_nothing(index_elements=["scenario_id"]))
    elif not conn.execute(select(exists().where(scenarios.c.scenario_id == sid))).scalar():  # pragma: no cover
        conn.execute(insert(scenarios).values(**values))
    return sid


def check_kind(kind: str) -> str:
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise StoreError(
            f"run kind {kind!r} must be a short lower-case word (letters, digits, - or _), e.g. {', '.join(KINDS[:4])}"
        )
    return kind


def seed_text(seed: SeedLike) -> str | None:
    value = seed_of(seed)
    return str(value) if value is not None else None


def parley_version() -> str:
    from parley._version import __version__

    return __version__
