"""The run store: forecasts and analyses kept in a database, with their scenarios.

By default a SQLite file ``parley.db`` in the user's data directory (``platformdirs``);
``$PARLEY_STORE`` or an explicit URL selects another database (any SQLAlchemy URL,
PostgreSQL included). See ``docs/store.md``.

>>> from parley.store import Store
>>> with Store.open("sqlite:///runs.db") as store:  # doctest: +SKIP
...     with store.run("forecast", scenario, model="median") as run:
...         run.finish(parley.forecast(scenario, "median").to_dict())
"""

from parley.store.api import ActiveRun, Store, record_forecast
from parley.store.db import ENV_VAR, default_path
from parley.store.errors import RunNotFoundError, StoreError
from parley.store.rows import KINDS, RunRecord

__all__ = [
    "ENV_VAR",
    "KINDS",
    "ActiveRun",
    "RunNotFoundError",
    "RunRecord",
    "Store",
    "StoreError",
    "default_path",
    "record_forecast",
]
