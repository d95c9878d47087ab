"""Errors parley raises for bad input.

Every problem a user can fix is reported as a :class:`Problem` with its place
(a path such as ``actors[3].stances.territory.salience``) and all problems of one
input are raised together in one :class:`ScenarioError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class ParleyError(Exception):
    """Base class of the errors parley raises for bad input or bad requests."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input, with its place.

    Parameters
    ----------
    path
        Where the problem is, e.g. ``actors[3].stances.territory.salience``;
        empty for the input as a whole.
    message
        What is wrong and what was expected.
    line
        The 1-based line in the file, where known.
    """

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where = f"{where} (line {self.line})" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message


class ScenarioError(ParleyError):
    """An input that cannot be used, with every problem found in it.

    Parameters
    ----------
    source
        The file or description of the input.
    problems
        All problems found, in the order found.
    """

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"{source} has {n} problem{'s' if n != 1 else ''}"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ModelError(ParleyError):
    """An unknown model, an unknown parameter or a parameter value that does not fit."""


def format_path(loc: Iterable[str | int]) -> str:
    """Turn a location tuple such as ``('actors', 3, 'name')`` into ``actors[3].name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
