"""The local web app (FastAPI): scenarios, runs and reports in a browser, with a JSON API for every action.

Start it with ``parley serve``; build it in code with :func:`create_app`.
"""

from parley.web.app import create_app

__all__ = ["create_app"]
