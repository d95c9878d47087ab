"""Connecting to a store: URLs, engines, transactions and schema migrations.

SQLite files are opened in WAL mode with a busy timeout, and every write transaction
starts with ``BEGIN IMMEDIATE`` so that two writers (the CLI and the web app, say) queue
for the write lock instead of failing half-way. On PostgreSQL, migrations take an
advisory lock so that two processes opening a fresh database do not race.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, pool, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from parley.store.errors import StoreError
from parley.store.tables import SCHEMA_HEAD, VERSION_TABLE

ENV_VAR = "PARLEY_STORE"
SQLITE_TIMEOUT = 30.0  # seconds a writer waits for the lock before giving up
PG_CONNECT_TIMEOUT = 10  # seconds
_WRITE = "parley_write"
_PG_LOCK_KEY = 0x7061726C6579  # "parley": advisory lock taken while migrating


def default_path() -> Path:
    """The default SQLite file: ``platformdirs.user_data_dir("parley")/parley.db``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("parley")) / "parley.db"


def resolve_url(url: str | URL | None = None) -> tuple[URL, bool]:
    """The store URL to use, and whether it is the default one.

    ``url`` if given, else ``$PARLEY_STORE``, else the SQLite file :func:`default_path`.
    A value without ``://`` is taken as the path of a SQLite file. A PostgreSQL URL
    without a driver uses psycopg (version 3) when psycopg2 is not installed.

    Raises
    ------
    StoreError
        For a value that is not a database URL.
    """
    is_default = False
    if url is None or (isinstance(url, str) and not url.strip()):
        url = os.environ.get(ENV_VAR, "").strip() or None
    if url is None:
        url = f"sqlite:///{default_path()}"
        is_default = True
    if isinstance(url, str) and "://" not in url:
        url = f"sqlite:///{Path(url).expanduser()}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r} (expected e.g. sqlite:///path/runs.db)") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername=f"postgresql+{_pg_driver()}")
    return parsed, is_default


def _pg_driver() -> str:
    import importlib.util

    for module, name in (("psycopg2", "psycopg2"), ("psycopg", "psycopg")):
        if importlib.util.find_spec(module) is not None:
            return name
    return "psycopg"


def shown(url: URL) -> str:
    """The URL as text with its password hidden."""
    return url.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, or None for in-memory databases and other backends."""
    if url.get_backend_name() != "sqlite":
        return None
    db = url.database or ""
    if db in ("", ":memory:") or db.startswith("file:"):
        return None
    return Path(db)


def make_engine(url: URL) -> Engine:
    """An engine for ``url``, with SQLite set up for WAL, busy waits and immediate writes.

    Raises
    ------
    StoreError
        For a backend or driver that is not installed.
    """
    kwargs: dict[str, Any] = {}
    backend = url.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        if "timeout" not in url.query:
            connect_args["timeout"] = SQLITE_TIMEOUT
        if sqlite_path(url) is None:
            kwargs["poolclass"] = pool.StaticPool
            connect_args["check_same_thread"] = False
    elif backend == "postgresql" and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT
    try:
        engine = create_engine(url, connect_args=connect_args, **kwargs)
    except NoSuchModuleError:
        raise StoreError(f"unknown database kind in {shown(url)!r}: use sqlite:/// or postgresql://") from None
    except ModuleNotFoundError as err:
        raise StoreError(
            f"the driver for {shown(url)!r} is not installed ({err.name}); "
            "for PostgreSQL: pip install 'psycopg[binary]'"
        ) from None
    except (ArgumentError, TypeError, ValueError) as err:
        raise StoreError(f"cannot use {shown(url)!r}: {err}") from None
    if backend == "sqlite":
        _sqlite_setup(engine)
    return engine


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # take transaction control from the sqlite3 module (see SQLAlchemy's pysqlite notes)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed when the block ends, rolled back when it raises."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read transaction: one consistent snapshot for the block."""
    with engine.connect() as conn, conn.begin():
        yield conn


def describe(error: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's background links."""
    orig = getattr(error, "orig", None)
    text_ = str(orig if orig is not None else error).strip()
    return text_.splitlines()[0] if text_ else type(error).__name__


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Any:
    """An Alembic ``Config`` for the migrations shipped in ``parley.store.migrations``.

    Pass ``connection`` to migrate within an open transaction (as :func:`migrate` does),
    or ``url`` for Alembic commands such as ``revision`` while developing.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of parley knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise StoreError("parley's store migrations are missing from the installation")
    return head


def current_revision(conn: Connection) -> str | None:
    """The schema revision of the database behind ``conn`` (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return ctx.get_current_revision()


def _at_head(engine: Engine) -> bool:
    """Whether the store is at :data:`~parley.store.tables.SCHEMA_HEAD` already, read without Alembic.

    Any doubt (no version table, an older or newer revision, an error) answers False, and
    :func:`migrate` then takes the full way, with Alembic and the write lock.
    """
    try:
        with reading(engine) as conn:
            found = list(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    except SQLAlchemyError:
        return False
    return found == [SCHEMA_HEAD]


def migrate(engine: Engine, url: URL) -> None:
    """Bring the schema to the newest revision, in one transaction, holding the write lock.

    Raises
    ------
    StoreError
        When the database cannot be reached, or was written by a newer parley.
    """
    if _at_head(engine):
        return
    from alembic import command
    from alembic.util import CommandError

    head = head_revision()
    try:
        with writing(engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            rev = current_revision(conn)
            if rev == head:
                return
            try:
                command.upgrade(alembic_config(conn), "head")
            except CommandError as err:
                raise StoreError(
                    f"the store at {shown(url)} has schema revision {rev!r}, which this parley does not know "
                    f"(it knows up to {head!r}): it was written by a newer parley; upgrade parley"
                ) from err
    except DBAPIError as err:
        raise StoreError(f"cannot open the store at {shown(url)}: {describe(err)}") from None
    except SQLAlchemyError as err:  # pragma: no cover - defensive
        raise StoreError(f"cannot open the store at {shown(url)}: {describe(err)}") from None
