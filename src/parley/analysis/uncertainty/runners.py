"""Where many model runs execute: in this process, in a local process pool, or on a Dask cluster.

A runner maps a worker function over :class:`Chunk` s of draws and returns the results in
chunk order. Each chunk names the draws it holds (``start`` .. ``stop − 1``), and draw ``i``
takes its random numbers from child stream ``i`` of the seed, so the runner never changes a
number: a sequential run, a process pool and a Dask cluster give identical results.

Nothing is returned until every chunk is done, and :func:`write_json_atomic` writes a file
under a temporary name and renames it, so an interrupted run leaves either the old file or
none, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from parley._files import write_text_atomic
from parley._json import json_safe
from parley.errors import ParleyError

__all__ = [
    "Chunk",
    "DaskRunner",
    "ProcessRunner",
    "ProgressFn",
    "Runner",
    "SequentialRunner",
    "get_runner",
    "write_json_atomic",
]

J = TypeVar("J")
R = TypeVar("R")
ProgressFn = Callable[[int, int], None]
"""``progress(done, total)``, counted in draws, called after each finished chunk."""


@dataclass(frozen=True)
class Chunk:
    """Draws ``start`` .. ``stop − 1`` of a run; ``unit`` holds their unit-cube points for a fixed design."""

    index: int
    start: int
    stop: int
    unit: np.ndarray | None = None

    @property
    def size(self) -> int:
        """Number of draws in the chunk."""
        return self.stop - self.start


class Runner(Protocol):
    """Maps ``fn(job, chunk)`` over chunks and returns the results in chunk order."""

    @property
    def name(self) -> str:
        """A short name for reports."""
        ...

    def map(
        self, fn: Callable[[J, Chunk], R], job: J, chunks: Sequence[Chunk], progress: ProgressFn | None = None
    ) -> list[R]:
        """Run every chunk; raise the first error after cancelling what is left."""
        ...


def _total(chunks: Sequence[Chunk]) -> int:
    return sum(c.size for c in chunks)


@dataclass(frozen=True)
class SequentialRunner:
    """Every chunk in this process, one after the other."""

    name: str = "sequential"

    def map(
        self, fn: Callable[[J, Chunk], R], job: J, chunks: Sequence[Chunk], progress: ProgressFn | None = None
    ) -> list[R]:
        """Run the chunks in order."""
        total, done, out = _total(chunks), 0, []
        for chunk in chunks:
            out.append(fn(job, chunk))
            done += chunk.size
            if progress is not None:
                progress(done, total)
        return out


_WORKER: tuple[Callable[[Any, Chunk], Any], Any] | None = None


_ORPHAN_POLL = 0.25
"""Seconds between a worker's checks that the process that started it is still alive."""


def _exit_when_orphaned(parent: int) -> None:
    """Exit this worker as soon as its parent is gone (a ``kill -9`` leaves no one to stop it)."""
    while True:
        if os.getppid() != parent:  # re-parented: the parent died
            os._exit(1)
        time.sleep(_ORPHAN_POLL)


def _init_worker(fn: Callable[[Any, Chunk], Any], job: Any, parent: int | None = None) -> None:
    """Keep the worker function and its job; start the watchdog that ends the worker with its parent.

    A thread that polls ``os.getppid()`` works on every POSIX system and for whatever thread
    started the pool (Linux's ``PR_SET_PDEATHSIG`` fires when the *thread* that forked exits).
    """
    global _WORKER
    _WORKER = (fn, job)
    if parent is not None:
        threading.Thread(target=_exit_when_orphaned, args=(parent,), name="parley-orphan-watch", daemon=True).start()


def _call_worker(chunk: Chunk) -> Any:
    if _WORKER is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("worker not initialised")
    fn, job = _WORKER
    return fn(job, chunk)


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - platforms without affinity


@dataclass(frozen=True)
class ProcessRunner:
    """A local pool of worker processes (``spawn``: each starts clean); the job is sent once per worker.

    Starting a pool costs about a second (each worker imports numpy, scipy and parley), so the
    runner first runs chunk 0 in this process and times it: when the remaining chunks would
    take less than ``inline_below`` seconds here, they run here too. Which process runs a
    chunk never changes its numbers.

    Parameters
    ----------
    workers
        Number of processes; default: the CPUs this process may use. With one worker or
        one chunk the work runs in this process.
    start_method
        ``"spawn"`` (default: a fresh interpreter, safe beside threads) or ``"fork"``/``"forkserver"``.
        With ``spawn`` a script that starts a run must guard it with ``if __name__ == "__main__":``.
    inline_below
        Seconds of estimated remaining work below which no pool is started (0: always a pool).
    """

    workers: int | None = None
    start_method: str = "spawn"
    inline_below: float = 2.0
    name: str = "process"

    def map(
        self, fn: Callable[[J, Chunk], R], job: J, chunks: Sequence[Chunk], progress: ProgressFn | None = None
    ) -> list[R]:
        """Run the chunks on the pool; cancel the rest and re-raise on the first error or an interrupt."""
        workers = max(1, min(self.workers or _cpus(), len(chunks)))
        if workers == 1:
            return SequentialRunner().map(fn, job, chunks, progress)
        total, done = _total(chunks), 0
        out: list[Any] = [None] * len(chunks)
        rest = list(chunks)
        if self.inline_below > 0:
            first = rest.pop(0)
            start = time.perf_counter()
            out[first.index] = fn(job, first)
            per_draw = (time.perf_counter() - start) / max(first.size, 1)
            done += first.size
            if progress is not None:
                progress(done, total)
            if per_draw * _total(rest) < self.inline_below:
                for chunk in rest:
                    out[chunk.index] = fn(job, chunk)
                    done += chunk.size
                    if progress is not None:
                        progress(done, total)
                return out
            workers = max(1, min(workers, len(rest)))
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(self.start_method),
            initializer=_init_worker,
            initargs=(fn, job, os.getpid()),
        )
        try:
            pending: dict[Future[Any], Chunk] = {pool.submit(_call_worker, c): c for c in rest}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_EXCEPTION)
                for fut in finished:
                    chunk = pending.pop(fut)
                    out[chunk.index] = fut.result()
                    done += chunk.size
                    if progress is not None:
                        progress(done, total)
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            raise ParleyError(
                "a worker process stopped abruptly (out of memory, killed, or a script that starts a run "
                "without an `if __name__ == \"__main__\":` guard); try runner='sequential' to see the error"
            ) from None
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return out


@dataclass
class DaskRunner:
    """Chunks as tasks on a Dask distributed cluster; the job is scattered to every worker once.

    Parameters
    ----------
    scheduler
        The scheduler's address, e.g. ``"tcp://127.0.0.1:8786"``, or a ``distributed.Client``.
    """

    scheduler: Any
    name: str = "dask"

    def map(
        self, fn: Callable[[J, Chunk], R], job: J, chunks: Sequence[Chunk], progress: ProgressFn | None = None
    ) -> list[R]:
        """Submit every chunk; gather in chunk order; cancel the rest on the first error or an interrupt."""
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise ParleyError("the Dask runner needs dask[distributed]: pip install 'dask[distributed]'") from None
        own = not isinstance(self.scheduler, Client)
        try:
            client = Client(self.scheduler, set_as_default=False, timeout="10s") if own else self.scheduler
        except (OSError, TimeoutError, ValueError) as e:
            raise ParleyError(f"cannot reach the Dask scheduler at {self.scheduler}: {e}") from None
        futures: list[Any] = []
        try:
            [job_future] = client.scatter([job], broadcast=True, hash=False)
            futures = [client.submit(fn, job_future, c, pure=False) for c in chunks]
            index = {f.key: c for f, c in zip(futures, chunks, strict=True)}
            total, done = _total(chunks), 0
            out: list[Any] = [None] * len(chunks)
            for fut in as_completed(futures, loop=client.loop):
                chunk = index[fut.key]
                out[chunk.index] = fut.result()
                done += chunk.size
                if progress is not None:
                    progress(done, total)
            return out
        except BaseException:
            if futures:
                with contextlib.suppress(Exception):
                    client.cancel(futures)
            raise
        finally:
            if own:
                client.close()


def get_runner(spec: Runner | str | None = None, workers: int | None = None) -> Runner:
    """A runner from a name: ``"sequential"``, ``"process"`` (default) or a scheduler address ``tcp://host:port``."""
    if spec is None or spec == "process":
        return ProcessRunner(workers)
    if not isinstance(spec, str):
        return spec
    if spec == "sequential":
        return SequentialRunner()
    if "://" in spec:
        return DaskRunner(spec)
    raise ParleyError(f"unknown runner {spec!r}: use sequential, process or a Dask scheduler address tcp://HOST:PORT")


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"{type(x).__name__} is not JSON serialisable")


def write_json_atomic(path: str | Path, data: Any) -> None:
    """Write ``data`` as JSON (NaN as null) to a temporary file beside ``path``, then rename it into place.

    If anything fails, the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    text = json.dumps(json_safe(data), indent=2, ensure_ascii=False, default=_json_default) + "\n"
    write_text_atomic(target, text)
