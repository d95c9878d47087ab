"""How every command's terminal output fits the width: prose wraps, tables fit or change shape.

One place decides widths, so that no command squeezes a table into ``0…`` cells or prints
lines of hundreds of characters:

- :func:`width` is the terminal's width: ``$COLUMNS`` when set, else the terminal's own width
  when stdout is one, else 80.
- :func:`say` prints prose wrapped at that width (a hanging indent for continuation lines).
- :func:`show` prints a rich table so that no line is wider than the width and no cell is cut:
  as built when it fits; with its long text columns wrapped at word boundaries when the short
  ones keep their full width; split into several narrower tables that repeat the key column
  (a matrix of actors, plans side by side); else as a list of records, one ``column: value``
  line per cell.
- ``--wide`` (:data:`WideOption`, on every command that prints tables) prints every table
  whole, at its natural width, whatever the terminal's width.

``--format json`` never goes through here.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = ["DEFAULT_WIDTH", "WideOption", "note", "say", "set_wide", "show", "width", "wrap_lines"]

DEFAULT_WIDTH = 80
"""The width when neither ``$COLUMNS`` nor a terminal says otherwise."""

FLEX_MIN = 24
"""The narrowest a wrapped text column may become before a table is split or listed instead."""

_state = {"wide": False}


def width() -> int:
    """The output width: ``$COLUMNS`` if set (a positive integer), else the terminal's, else 80."""
    value = os.environ.get("COLUMNS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        if sys.stdout.isatty():
            return max(20, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)
    except (AttributeError, ValueError, OSError):
        pass
    return DEFAULT_WIDTH


def set_wide(value: bool) -> bool:
    """Option callback of ``--wide``: remember whether tables are printed whole (returns the value)."""
    _state["wide"] = bool(value)
    return value


WideOption = Annotated[
    bool,
    typer.Option(
        "--wide",
        callback=set_wide,
        help="print every table whole, at its natural width (lines may run past the terminal)",
    ),
]


def _console(w: int, file: Any = None) -> Console:
    from rich.console import Console

    return Console(file=file or sys.stdout, width=w, highlight=False, soft_wrap=False)


def _plain(cell: Any) -> str:
    from rich.text import Text

    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return Text.from_markup(cell).plain
    return str(cell)


def say(text: str, *, indent: str = "", hang: str = "  ", markup: bool = False) -> None:
    """Print prose wrapped at :func:`width`, each paragraph on its own (``indent`` first, ``hang`` after).

    Parameters
    ----------
    text : the prose; newlines start new lines (each wrapped on its own)
    indent : prefix of each first line
    hang : prefix of continuation lines (after ``indent``)
    markup : interpret rich markup (``[bold]…[/bold]``); otherwise the text is printed as is
    """
    w = width()
    console = _console(w + 1)
    if markup:  # wrapped as plain text, each line then cut from the marked-up text (its styles kept)
        from rich.text import Text

        styled = Text.from_markup(text)
        for para in styled.split("\n", allow_blank=True):
            plain = para.plain
            lead = indent + plain[: len(plain) - len(plain.lstrip(" "))]
            cursor = 0
            for k, line in enumerate(wrap_lines(plain, w, indent=indent, hang=hang)):
                body = line[len(lead) + (len(hang) if k else 0) :]
                start = plain.index(body, cursor) if body else cursor
                cursor = start + len(body)
                console.print(Text(line[: len(line) - len(body)]) + para[start:cursor], soft_wrap=True)
        return
    for line in wrap_lines(text, w, indent=indent, hang=hang):
        console.print(line, markup=False, soft_wrap=True)


def wrap_lines(text: str, w: int, *, indent: str = "", hang: str = "  ") -> list[str]:
    """``text`` wrapped at ``w``: each line of it on its own, keeping its leading spaces; continuation lines
    indented by ``hang`` more than their first line; no line ends in whitespace.

    Parameters
    ----------
    text : the prose; newlines start new lines
    w : the width
    indent : prefix of each first line
    hang : extra indent of continuation lines
    """
    lines: list[str] = []
    for para in text.split("\n"):
        lead = indent + para[: len(para) - len(para.lstrip(" "))]
        body = para.strip()
        if not body:
            lines.append("")
            continue
        lines.extend(
            line.rstrip()
            for line in textwrap.wrap(
                body,
                w,
                initial_indent=lead,
                subsequent_indent=lead + hang,
                break_on_hyphens=False,
                break_long_words=True,
            )
        )
    return lines


def note(text: str, *, hang: str = "  ") -> None:
    """Print a message to stderr as is (no markup), wrapped at :func:`width`.

    Each line keeps its own indent ("  place: problem" lines of a validation report stay indented);
    continuation lines are indented by ``hang`` more.
    """
    for line in wrap_lines(text, width(), hang=hang):
        sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _extra(table: Table, columns: int) -> int:
    """Characters a table adds to its columns' widths: its borders (as rich's ``Table._extra_width``)."""
    if not table.box:
        return 0
    return columns - 1 + (2 if table.show_edge else 0)


def _natural(table: Table) -> int:
    """The width of the table with no cell wrapped (counted from the cells, not rendered: tables can be long)."""
    return sum(_col_widths(table)) + _extra(table, len(table.columns))


def _col_widths(table: Table) -> list[int]:
    """Each column's natural width, padding included (the widest line of its header and cells)."""
    from rich.cells import cell_len

    _, right, _, left = table.padding
    widths = []
    for col in table.columns:
        texts = [_plain(col.header), *(_plain(c) for c in col._cells)]
        w = max((cell_len(line) for t in texts for line in t.split("\n")), default=0)
        widths.append(max(w, col.min_width or 0) + left + right)
    return widths


def _copy(table: Table, columns: list[int]) -> Table:
    from rich.table import Table

    new = Table(
        box=table.box,
        show_header=table.show_header,
        show_edge=table.show_edge,
        padding=table.padding,
        title_justify=table.title_justify,
        caption_justify=table.caption_justify,
    )
    for j in columns:
        col = table.columns[j]
        new.add_column(col.header, justify=col.justify, style=col.style, header_style=col.header_style)
    for i, row in enumerate(table.rows):
        new.add_row(*(table.columns[j]._cells[i] for j in columns), end_section=row.end_section)
    return new


def _wrap_fit(table: Table, w: int) -> bool:
    """Let the long text columns wrap, keeping the short ones whole; True when that fits ``w``."""
    widths = _col_widths(table)
    extra = _extra(table, len(widths))
    fixed = [x <= FLEX_MIN or col.no_wrap for col, x in zip(table.columns, widths, strict=True)]
    need = sum(x if f else FLEX_MIN for x, f in zip(widths, fixed, strict=True)) + extra
    if need > w or all(fixed):
        return False
    for col, x, f in zip(table.columns, widths, fixed, strict=True):
        if f:
            col.no_wrap = True
            col.min_width = x - sum(table.padding[1::2])
        else:
            col.overflow = "fold"
    return True  # rich narrows the wrapping columns (widest first) until the table fits


def _unique_keys(table: Table, keys: int) -> bool:
    """Whether the key columns name each row once (else a split table could not be read across)."""
    seen = [tuple(_plain(c._cells[i]) for c in table.columns[:keys]) for i in range(len(table.rows))]
    return len(set(seen)) == len(seen)


def _label(k: int, n: int) -> str:
    return chr(ord("A") + k) if n <= 26 else str(k + 1)


def _abbreviated(table: Table, keys: int) -> tuple[Table, str] | None:
    """The table with its long column headers (over 3 characters) replaced by letters, and the key to them."""
    others = [j for j in range(keys, len(table.columns)) if len(_plain(table.columns[j].header)) > 3]
    n = len(others)
    if n < 2:
        return None
    short = _copy(table, list(range(len(table.columns))))
    for k, j in enumerate(others):
        short.columns[j].header = _label(k, n)
    key = "columns: " + ", ".join(f"{_label(k, n)} = {_plain(table.columns[j].header)}" for k, j in enumerate(others))
    return short, key


def _split(table: Table, w: int, keys: int) -> list[Table] | None:
    """The table as several narrower ones, each with the key columns; None when one column is too wide."""
    n = len(table.columns)
    if n <= keys + 1 or not _unique_keys(table, keys):
        return None
    key_cols = list(range(keys))
    widths = _col_widths(table)
    key_width = sum(widths[:keys])

    def fits(cols: list[int]) -> bool:
        return key_width + sum(widths[j] for j in cols) + _extra(table, keys + len(cols)) <= w

    parts: list[list[int]] = []
    current: list[int] = []
    for j in range(keys, n):
        if fits([*current, j]):
            current.append(j)
            continue
        if not current or not fits([j]):
            return None
        parts.append(current)
        current = [j]
    parts.append(current)
    if len(parts) == 1:
        return None
    return [_copy(table, key_cols + cols) for cols in parts]


def _records(table: Table, keys: int) -> None:
    """The table as a list: the key cells on one line, then ``column: value`` for every other cell."""
    headers = [_plain(c.header) for c in table.columns]
    room = width() - 2
    for i in range(len(table.rows)):
        cells = [_plain(c._cells[i]) for c in table.columns]
        say(" · ".join(x for x in cells[:keys] if x) or "–", hang="    ")
        items = [f"{h}: {v}" if h else v for h, v in zip(headers[keys:], cells[keys:], strict=True) if v]
        line = ""
        for item in items:  # short fields share a line; a long one gets its own, wrapped
            if line and len(line) + 3 + len(item) <= room:
                line += " · " + item
                continue
            if line:
                say(line, indent="  ", hang="    ")
            line = item
        if line:
            say(line, indent="  ", hang="    ")


def _fit(table: Table, w: int, keys: int, title: Any) -> None:
    """Print a table too wide for ``w``: letters for long headers, parts, or records (the first that reads)."""
    abbreviated = _abbreviated(table, keys)
    if abbreviated is not None and (_natural(abbreviated[0]) <= w or _wrap_fit(abbreviated[0], w)):
        say(abbreviated[1])
        _console(w).print(abbreviated[0])
        return
    parts = _split(table, w, keys)
    if abbreviated is not None:
        short = _split(abbreviated[0], w, keys)
        if short is not None and (parts is None or len(short) < len(parts)):
            say(abbreviated[1])
            parts = short
    if parts is None:
        _records(table, keys)
        return
    for k, part in enumerate(parts):
        if k and title:
            say(f"{_plain(title)} (continued)")
        _console(w).print(part)


def show(table: Table, *, keys: int = 1) -> None:
    """Print ``table`` within :func:`width` without cutting a cell (whole with ``--wide``).

    Parameters
    ----------
    table : a rich table (its columns and cells are read, and may be re-laid out)
    keys : how many leading columns identify a row (repeated when the table is split)
    """
    w = width()
    title, caption = table.title, table.caption
    table.title = table.caption = None  # said as prose: wrapped at the width, not at the table's
    if title:
        say(_plain(title))
    natural = _natural(table)
    if _state["wide"] or natural <= w:
        _console(max(w, natural)).print(table)
    elif _wrap_fit(table, w):
        _console(w).print(table)
    else:
        _fit(table, w, keys, title)
    if caption:
        say(_plain(caption))
