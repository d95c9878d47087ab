"""Errors of the run store."""

from __future__ import annotations

from parley.errors import ParleyError


class StoreError(ParleyError):
    """The store cannot be opened or cannot do what was asked (bad URL, unreachable, bad data)."""


class RunNotFoundError(StoreError):
    """No run has the given id (the message suggests close ids when there are some)."""
