"""The scenario reader the web app runs in separate processes (``python -m parley.web.parse_worker``).

It reads one request at a time from stdin and writes the answer to stdout, each a pickle behind
an 8-byte length: a request is ``(text, name, fmt, budget)``, an answer ``("ok", scenario)``,
``("invalid", source, [(path, message, line), ...])``, ``("refused", message)`` or
``("error", message)``. Its address space is capped at start-up; the web app kills it when a
parse runs out of time (:class:`parley.web.limits.ScenarioParsers`). Only the app's own
process talks to it, so the pickles it reads are the app's own.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import IO, Any

from parley.errors import ScenarioError
from parley.scenario.core import Scenario

NODE_COST = 8
"""What one mapping, list or scalar counts for against the expansion budget (a string adds its length)."""

_HEADER = 8


def write_message(stream: IO[bytes], obj: Any) -> None:
    """Write ``obj`` as a length-prefixed pickle and flush.

    Parameters
    ----------
    stream
        A binary stream (a pipe).
    obj
        Anything picklable.
    """
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_HEADER, "big") + data)
    stream.flush()


def read_message(stream: IO[bytes]) -> Any:
    """Read one length-prefixed pickle; EOFError when the other side has gone.

    Parameters
    ----------
    stream
        A binary stream (a pipe) written by :func:`write_message`.

    Returns
    -------
    object
        The unpickled message.
    """
    head = _read_exactly(stream, _HEADER)
    return pickle.loads(_read_exactly(stream, int.from_bytes(head, "big")))


def _read_exactly(stream: IO[bytes], n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def parse_upload(body: str, name: str, fmt: str) -> Scenario:
    """A scenario from uploaded text: YAML, JSON, or one of the CSV formats the CLI imports.

    Parameters
    ----------
    body
        The text.
    name
        Where it came from (a file name or "pasted scenario"); only shown in messages.
    fmt
        ``yaml``, ``json`` or ``csv``.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        With every problem found.
    """
    if fmt == "csv":
        from parley.scenario.importers import import_text

        return import_text(body, source=name, name=Path(name).stem or "imported")
    from parley.scenario.io import scenario_from_text

    return scenario_from_text(body, name, fmt)


def expansion_exceeds(obj: Any, budget: int) -> bool:
    """Whether ``obj`` holds more than ``budget`` units of data, counting every alias again.

    A mapping, list or scalar counts :data:`NODE_COST`; a string also its length. Shared objects
    (YAML aliases) are counted each time they are reached, which is what storing them costs.
    The walk stops as soon as the budget is spent, so a billion-laughs bomb is found at once.

    Parameters
    ----------
    obj
        Parsed data: dicts, lists, tuples, scalars and pydantic models.
    budget
        The units allowed.

    Returns
    -------
    bool
        True when the budget was exceeded.
    """
    left = budget
    stack = [obj]
    while stack:
        item = stack.pop()
        left -= NODE_COST
        if isinstance(item, str):
            left -= len(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif hasattr(item, "__pydantic_fields__"):
            stack.extend(getattr(item, name) for name in item.__pydantic_fields__)
        if left < 0:
            return True
    return False


def handle(body: str, name: str, fmt: str, budget: int) -> tuple[Any, ...]:
    """One request: ("ok", scenario) or ("invalid", source, problems) or ("refused", msg).

    Parameters
    ----------
    body, name, fmt
        As for :func:`parse_upload`.
    budget
        The most data the scenario may hold, as counted by :func:`expansion_exceeds`.

    Returns
    -------
    tuple
        The answer to send back.
    """
    try:
        scenario = parse_upload(body, name, fmt)
    except ScenarioError as e:
        return ("invalid", e.source, [(p.path, p.message, p.line) for p in e.problems])
    except RecursionError:  # e.g. 100,000 "[" in a row: the readers recurse per level
        return ("refused", f"{name} is nested too deeply to read")
    if expansion_exceeds(scenario.spec, budget):
        return (
            "refused",
            f"{name} holds more than {budget // 1_000_000} MB of data once its YAML aliases are followed; "
            "write repeated parts out or make them smaller",
        )
    scenario.scenario_id  # noqa: B018 - computed here (bounded by the check above), kept by pickling
    return ("ok", scenario)


def _limit_memory(headroom: int) -> None:
    """Cap this process's address space at what it uses now plus ``headroom`` (where the OS allows)."""
    try:
        import resource

        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = current + headroom
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):  # not Linux: the time limit still holds
        pass


def main(argv: list[str]) -> int:
    """Serve requests on stdin/stdout until stdin closes (or memory ran out)."""
    headroom = int(argv[0]) if argv else 1 << 30
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    import parley.scenario.importers
    import parley.scenario.io  # noqa: F401 - loaded before the memory cap is measured

    _limit_memory(headroom)
    write_message(stdout, ("ready",))
    while True:
        try:
            request = read_message(stdin)
        except EOFError:
            return 0
        try:
            reply = handle(*request)
            write_message(stdout, reply)
        except MemoryError:
            write_message(stdout, ("refused", "reading the scenario needed more memory than allowed"))
            return 1  # start afresh: a MemoryError can leave anything half-built
        except Exception as exc:  # a bug in a reader: reported as a server error by the app
            write_message(stdout, ("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
