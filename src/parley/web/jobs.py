"""Analyses started from the web app run in a small thread pool; their progress lives here.

A job writes its run to the store like the CLI does (running → done or failed in one
transaction), so a job that dies leaves a failed run, never a half-written one.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from parley.tasks import TaskKind

Progress = Callable[..., None]
"""``progress(message)``, or ``progress(message, done, total)`` for counted steps (draws, model runs)."""


@dataclass
class Job:
    """One analysis started from the browser or the JSON API."""

    id: str
    kind: str
    scenario_id: str
    status: str = "queued"  # queued, running, done, failed
    progress: list[str] = field(default_factory=list)
    run_id: str | None = None
    error: str | None = None
    done: int | None = None
    total: int | None = None

    def report(self, message: str, done: int | None = None, total: int | None = None) -> None:
        """Note a step: its message and, for counted steps, how many of how many are done."""
        if total:
            self.done, self.total = done, total
        self.progress.append(message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {
            "id": self.id,
            "kind": self.kind,
            "scenario_id": self.scenario_id,
            "status": self.status,
            "progress": self.progress[-1] if self.progress else "",
            "steps": len(self.progress),
            "done": self.done,
            "total": self.total,
            "fraction": None if not self.total else min(1.0, (self.done or 0) / self.total),
            "run_id": self.run_id,
            "error": self.error,
        }


class JobQueue:
    """A bounded thread pool for analyses and the table of their states."""

    def __init__(self, workers: int = 2, keep: int = 200) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parley-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, kind: str, scenario_id: str, work: Callable[[Progress], str]) -> Job:
        """Start ``work(progress) -> run_id`` in the pool and return its job (``progress`` as :data:`Progress`)."""
        job = Job(id=secrets.token_hex(6), kind=kind, scenario_id=scenario_id)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].status in ("done", "failed"):
                    del self._jobs[oldest]
                else:
                    break

        def run() -> None:
            job.status = "running"
            try:
                job.run_id = work(job.report)
                job.status = "done"
            except Exception as exc:  # reported to the user through the job's state
                job.error = str(exc) or type(exc).__name__
                job.status = "failed"

        self._pool.submit(run)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if known."""
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        """Wait for running jobs and stop the pool."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def job_work(kind: TaskKind, target: Any, options: Any, store: Any) -> Callable[[Progress], str]:
    """The work of a job: run the task ``kind`` (from the task registry) and keep its run in ``store``.

    The task keeps the run with the seed it used; the job's progress shows each step's message and,
    for counted steps (Monte Carlo draws, sensitivity runs), how many are done.
    """

    def work(progress: Progress) -> str:
        return str(kind.run(target, options, store=store, progress=progress).run_id)

    return work
