"""Alembic migrations of the run store (run by :meth:`parley.store.Store.open`)."""
