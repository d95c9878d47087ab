"""Shared test fixtures: where the real-data files are (skipping when absent), and one scenario builder."""

from __future__ import annotations

import copy
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from parley.scenario import Scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """``$PARLEY_TEST_DATA``, else ``../shared/data`` beside the checkout; None when absent."""
    env = os.environ.get("PARLEY_TEST_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT.parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; skips the test, saying why, when it is not there."""
    found = shared_data_dir()
    if found is None:
        pytest.skip("real-data files not found: set PARLEY_TEST_DATA or place shared/data beside the checkout")
    return found


@pytest.fixture(scope="session")
def data_file(shared_data: Path):  # type: ignore[no-untyped-def]
    """A function returning a path inside the shared data, skipping when that file is missing."""

    def get(relative: str) -> Path:
        path = shared_data / relative
        if not path.exists():
            pytest.skip(f"{relative} not found in {shared_data}")
        return path

    return get


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever writes to the user's own run store: PARLEY_STORE points at a fresh file."""
    folder = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("PARLEY_STORE", f"sqlite:///{folder / 'parley.db'}")


# --- one scenario builder for every test ------------------------------------------------------

#: The issue a scenario gets when the test names none: x on 0–100 with the status quo at 0.
DEFAULT_ISSUES: list[dict[str, Any]] = [{"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 0}]


def _scenario_dict(
    actors: list[dict[str, Any]],
    issues: list[dict[str, Any]] | None = None,
    plans: list[dict[str, Any]] | None = None,
    **top_level: Any,
) -> dict[str, Any]:
    """The raw scenario mapping: ``schema_version: 1``, the default issue and no plans unless given.

    Every argument is deep-copied, so a test may pass a module-level constant and change the result.
    """
    data: dict[str, Any] = {
        "schema_version": 1,
        "issues": issues if issues is not None else DEFAULT_ISSUES,
        "actors": actors,
        "plans": plans if plans is not None else [],
        **top_level,
    }
    return copy.deepcopy(data)


def _build_scenario(
    actors: list[dict[str, Any]],
    issues: list[dict[str, Any]] | None = None,
    plans: list[dict[str, Any]] | None = None,
    **top_level: Any,
) -> Scenario:
    """A validated Scenario from compact input (see :func:`_scenario_dict`)."""
    return scenario_from_dict(_scenario_dict(actors, issues, plans, **top_level))


@pytest.fixture(scope="session")
def scenario_dict() -> Callable[..., dict[str, Any]]:
    """A function returning the raw scenario mapping: ``scenario_dict(actors, issues=None, plans=None, **top)``."""
    return _scenario_dict


@pytest.fixture(scope="session")
def build_scenario() -> Callable[..., Scenario]:
    """A function returning a validated Scenario: ``build_scenario(actors, issues=None, plans=None, **top)``.

    Fills ``schema_version: 1``, one issue x on 0–100 (status quo 0) when none is given, and no plans.
    """
    return _build_scenario


# --- browser tests (Playwright driving Debian's chromium); used by test_browser*.py ---

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get("PARLEY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("PARLEY_ARTIFACTS", ROOT / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        _missing("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from parley.web import create_app

    store = tmp_path_factory.mktemp("web") / "store.db"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(f"sqlite:///{store}"), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
