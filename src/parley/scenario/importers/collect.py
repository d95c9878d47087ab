"""What every importer shares: a problem collector that places each problem at its line and
column, and a CSV row reader."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator

from parley.errors import Problem, ScenarioError
from parley.scenario.parse import MAX_BYTES


class Collector:
    """Problems of one input, each placed at a line (and column)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str, column: int | None = None, label: str = "") -> None:
        where = "" if line is None else f"line {line}"
        if column is not None:
            where += f", column {column}" + (f" ({label})" if label else "")
        self.problems.append(Problem(where, message))

    def number(self, cell: str, line: int, column: int, what: str, label: str = "") -> float | None:
        """The number in ``cell``, or None after recording why it is not one."""
        text = cell.strip()
        message = None
        if not text:
            message = f"{what} is empty; a number is needed"
        else:
            try:
                value = float(text)
            except ValueError:
                message = f"{what} '{text}' is not a number"
            else:
                if math.isfinite(value):
                    return value
                message = f"{what} '{text}' is not a finite number"
        self.add(line, message, column, label)
        return None

    def name(self, cell: str, line: int, column: int, what: str, seen: dict[str, int]) -> str | None:
        """A trimmed id; None after recording why it cannot be one (empty, too long, repeated)."""
        text = cell.strip()
        if not text:
            self.add(line, f"the {what} name is empty", column)
        elif len(text) > 120:
            self.add(line, f"the {what} name is longer than 120 characters", column)
        elif re.search(r"[\x00-\x1f]", text):
            self.add(line, f"the {what} name '{text}' holds a control character", column)
        elif text in seen:
            self.add(line, f"{what} '{text}' is already named on line {seen[text]}", column)
        else:
            seen[text] = line
            return text
        return None

    def raise_if_any(self, source: str) -> None:
        if self.problems:
            raise ScenarioError(source, self.problems)


MAX_ROWS = 20_000
"""Most non-blank rows an importer reads (the largest real table has a few hundred)."""
MAX_FIELD = 10_000
"""Longest field, in characters."""


def read_rows(
    text: str, delimiter: str, quotechar: str = '"', source: str = "<text>"
) -> Iterator[tuple[int, list[str]]]:
    """Non-blank lines as (line number, fields), fields trimmed of whitespace and quotes.

    Raises
    ------
    ScenarioError
        For a line the CSV reader cannot read, a field longer than :data:`MAX_FIELD`
        characters, or more than :data:`MAX_ROWS` rows (text beyond ``MAX_BYTES`` is refused first).
    """
    if len(text) > MAX_BYTES:
        raise ScenarioError(
            source, [Problem("", f"is {len(text):,} characters long; parley reads files up to {MAX_BYTES:,}")]
        )
    rows = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ScenarioError(
                source, [Problem(f"line {number}", f"more than {MAX_ROWS:,} rows; parley reads at most that many")]
            )
        try:
            fields = next(csv.reader([line], delimiter=delimiter, quotechar=quotechar, skipinitialspace=True), [])
        except csv.Error as err:
            what = f"cannot be read as {_name(delimiter)}-separated fields: {err}"
            raise ScenarioError(source, [Problem(f"line {number}", what)]) from None
        for k, f in enumerate(fields, start=1):
            if len(f) > MAX_FIELD:
                raise ScenarioError(
                    source,
                    [Problem(f"line {number}, column {k}", f"the field has {len(f):,} characters, over {MAX_FIELD:,}")],
                )
        yield number, [f.strip().strip(quotechar + '"').strip() for f in fields]


def _name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(delimiter, repr(delimiter))


def without_trailing_empty(fields: list[str]) -> list[str]:
    while fields and not fields[-1]:
        fields = fields[:-1]
    return fields


def first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")
