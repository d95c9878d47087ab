"""The store's tables (SQLAlchemy Core).

Every table name starts with ``parley_`` so that a store can live in a database
that holds other things (a shared PostgreSQL database, say), and Alembic keeps its
revision in ``parley_alembic_version`` for the same reason.

This module describes the schema at the newest migration; the migrations in
``parley/store/migrations/versions`` are what create it, and a test checks the two agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

VERSION_TABLE = "parley_alembic_version"

SCHEMA_HEAD = "0001"
"""The newest schema revision (the head of ``parley/store/migrations``; a test keeps them in step).
Opening a store at this revision needs no Alembic at all, which keeps every command quick."""
STATUSES = ("running", "done", "failed")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment kept as naive UTC in the database and handed back timezone-aware (UTC).

    SQLite has no time zones and PostgreSQL's ``timestamp with time zone`` converts on
    the way out; storing naive UTC everywhere keeps both backends alike.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert an aware datetime to naive UTC (naive values are taken to be UTC)."""
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Attach UTC to the stored naive value."""
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - SQLite returns datetime objects via SQLAlchemy
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.UTC)


scenarios = Table(
    "parley_scenarios",
    metadata,
    Column("scenario_id", String(64), primary_key=True, comment="content hash (Scenario.scenario_id)"),
    Column("title", Text, nullable=False, default=""),
    Column("data", Text, nullable=False, comment="canonical JSON of Scenario.to_dict()"),
    Column("created", UTCDateTime, nullable=False),
)

runs = Table(
    "parley_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column(
        "scenario_id",
        String(64),
        ForeignKey("parley_scenarios.scenario_id"),
        nullable=True,
    ),
    Column("model", String(64), nullable=True),
    Column("params", Text, nullable=False, default="{}", comment="JSON object"),
    Column("seed", String(80), nullable=True, comment="decimal integer (seeds may exceed 64 bits)"),
    Column("parley_version", String(64), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("started", UTCDateTime, nullable=True),
    Column("finished", UTCDateTime, nullable=True),
    Column("duration", Float, nullable=True, comment="seconds from started to finished"),
    Column("error", Text, nullable=True),
    Column("host", String(255), nullable=True),
    Column("pid", Integer, nullable=True),
    Column("proc_start", String(32), nullable=True, comment="process start mark, to tell a reused pid"),
    CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),
    Index(None, "created"),
    Index(None, "status"),
    Index(None, "kind"),
    Index(None, "scenario_id"),
)

results = Table(
    "parley_results",
    metadata,
    Column(
        "run_id",
        String(32),
        ForeignKey("parley_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("data", Text, nullable=False, comment="JSON"),
)

samples = Table(
    "parley_samples",
    metadata,
    Column(
        "run_id",
        String(32),
        ForeignKey("parley_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(64), primary_key=True),
    Column("dtype", String(16), nullable=False, comment="numpy dtype string, e.g. <f8"),
    Column("shape", String(255), nullable=False, comment="JSON list of ints"),
    Column("codec", String(16), nullable=False, comment="raw or zlib"),
    Column("data", LargeBinary, nullable=False, comment="C-order array bytes, maybe compressed"),
)
