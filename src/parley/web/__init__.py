"""The local web app (FastAPI): scenarios, runs and reports in a browser, with a JSON API for every action.

Start it with ``parley serve``; build it in code with :func:`create_app`. The package itself
imports nothing heavy, so the scenario-reader processes (``parley.web.parse_worker``) start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parley.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from parley.web.app import create_app

        return create_app
    raise AttributeError(f"module 'parley.web' has no attribute {name!r}")
