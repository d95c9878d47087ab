"""Find where a problem's path (``actors[3].stances.territory.salience``) sits in YAML or JSON text."""

from __future__ import annotations

import re

_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def split_path(path: str) -> list[str | int]:
    """``actors[3].stances.x`` → ``['actors', 3, 'stances', 'x']``."""
    parts: list[str | int] = []
    for index, key in _PART.findall(path):
        parts.append(int(index) if index else key)
    return parts


def line_of(index: dict[tuple[str | int, ...], int], path: str) -> int | None:
    """1-based line of the deepest node of ``path`` found in a line index, or None.

    Parameters
    ----------
    index
        Lines by path, from :func:`parley.scenario.parse.line_index` (built once per file,
        so placing each problem costs a few dictionary look-ups).
    path
        A problem's path, e.g. ``actors[3].stances.territory.salience``.
    """
    if not path or path.startswith("line ") or not index:
        return None
    parts = tuple(split_path(path))
    for k in range(len(parts), -1, -1):
        line = index.get(parts[:k])
        if line is not None:
            return line
    return None
