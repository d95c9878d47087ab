"""Which process owns a run, and whether that process is still alive.

A run records the host, pid and (on Linux) the process's start time in clock ticks since
boot, read from ``/proc/<pid>/stat``. A run left ``running`` is taken to be orphaned when,
on the same host, its pid no longer exists, is a zombie, or now belongs to a process that
started at another time (the pid was reused). Runs of other hosts cannot be checked.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessMark:
    """Identity of a process: host name, pid and start mark (empty where unknown)."""

    host: str
    pid: int
    start: str


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of ``pid`` from /proc, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            text = fh.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # the command name (field 2) is in parentheses and may hold spaces: split after the last ')'
    rest = text[text.rfind(")") + 2 :].split()
    # rest[0] is field 3 (state); field 22 (starttime) is rest[19]
    return rest[0], rest[19]


def _has_proc() -> bool:
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self")


def current() -> ProcessMark:
    """The mark of this process."""
    pid = os.getpid()
    start = ""
    if _has_proc():
        st = _stat(pid)
        start = st[1] if st else ""
    return ProcessMark(host=socket.gethostname(), pid=pid, start=start)


def is_alive(pid: int, start: str = "") -> bool:
    """Whether the process ``pid`` of this host (started at ``start``, when known) still runs.

    Unknown cases (no /proc and no signals, e.g. Windows) count as alive, so that a run
    is never marked failed while it may still be working.
    """
    if pid <= 0:
        return False
    if _has_proc():
        st = _stat(pid)
        if st is None:
            return False
        state, started = st
        if state in ("Z", "X", "x"):
            return False
        return not (start and started != start)
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would terminate the process there
        return True
    try:  # pragma: no cover - non-Linux POSIX
        os.kill(pid, 0)
    except ProcessLookupError:  # pragma: no cover
        return False
    except PermissionError:  # pragma: no cover - exists, owned by someone else
        return True
    return True  # pragma: no cover
