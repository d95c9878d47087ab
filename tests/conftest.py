"""Shared test fixtures: where the real-data files are, and skipping when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
