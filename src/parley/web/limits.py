"""Bounds on what one request may cost the web app: bytes, seconds, memory.

- :class:`BodyLimits` (ASGI middleware) counts request-body bytes as they stream in and answers
  413 as soon as the count passes the limit (a ``Content-Length`` over it is refused before
  anything is read), and gives a request's body a deadline: a client that sends the headers and
  half a body gets 408 when the deadline passes instead of holding a connection open.
- :class:`ScenarioParsers` reads uploaded scenario text in a few worker *processes*, never on the
  event loop: each parse has a time limit (the worker is killed when it passes), the worker's
  address space is capped, and a scenario that expands (YAML aliases) to far more data than an
  upload may hold is refused before anything tries to store it. The answer is the scenario, or its
  problems as a :class:`~parley.errors.ScenarioError`, or :class:`ParseRefusedError`.
- :func:`job_problems` bounds what one analysis started from the app may ask for: Monte Carlo
  draws, sensitivity samples, and the model's own parameters (iteration caps, finite numbers, no
  file names: a request never makes the server read a file).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
import time
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley.errors import Problem, ScenarioError
from parley.scenario.core import Scenario
from parley.web.parse_worker import read_message, write_message

FORM_OVERHEAD_BYTES = 64 * 1024
"""Room for multipart boundaries and the other form fields on top of the upload limit."""

DEFAULT_BODY_TIMEOUT = 30.0
"""Seconds a request body may take to arrive (2 MB at 1 Mbit/s takes 16 s)."""

DEFAULT_PARSE_TIMEOUT = 60.0
"""Seconds one scenario may take to read and check (pure-Python PyYAML reads ~100 KB/s)."""

PARSE_WORKERS = 2
"""Scenario-reading processes kept at most (the machine has other work)."""

MEMORY_HEADROOM_BYTES = 1 << 30
"""Address space a parse worker may grow by after start-up (1 GiB)."""

EXPANSION_FACTOR = 10
"""A scenario may hold at most this many times the upload limit once aliases are followed."""

WORKER_START_TIMEOUT = 60.0
"""Seconds a new reader process may take to start (Python and its imports, on a busy machine)."""

MAX_DRAWS = 100_000
"""Monte Carlo draws one job may ask for."""

MAX_SENSITIVITY_SAMPLES = {"sobol": 4096, "morris": 1000}
"""Sobol' base samples and Morris trajectories one job may ask for (a Sobol' run makes n·(2k + 2) model
runs for k groups of inputs: 4096 base samples of a 16-actor case are ~140,000 runs, as many as the
largest Monte Carlo job)."""

MAX_MODEL_PARAMS = 32
"""Model parameters one request may set."""

MAX_MODEL_ITERATIONS = 1000
"""The largest value of a model's whole-number parameter (its rounds or turns): 100 times the defaults."""

MAX_MODEL_NUMBER = 1e6
"""The largest magnitude of a model's real-valued parameter."""


class ParseRefusedError(Exception):
    """A scenario that was not read: too slow, too big once expanded, or the server is busy.

    Parameters
    ----------
    status
        The HTTP status to answer with (422, or 503 when every worker stayed busy).
    message
        What happened, for the user.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------- job parameters


def job_problems(
    *, model: str | None = None, params: Any = None, draws: int | None = None, method: str | None = None
) -> list[str]:
    """What is wrong with the parameters of an analysis requested from the app: one message per problem.

    Parameters
    ----------
    model
        The registered model asked for (None: the task's default); an unknown name is left to the task.
    params
        The model's parameters as sent (a mapping of name to value).
    draws
        Monte Carlo draws, or a sensitivity run's size (``method`` given): Sobol' base samples or
        Morris trajectories.
    method
        ``sobol`` or ``morris`` for a sensitivity run, else None.

    Returns
    -------
    list of str
        Empty when the request is within bounds.
    """
    problems: list[str] = []
    if draws is not None:
        if method is None and draws > MAX_DRAWS:
            problems.append(f"draws: at most {MAX_DRAWS} Monte Carlo draws, not {draws}")
        elif method in MAX_SENSITIVITY_SAMPLES and draws > MAX_SENSITIVITY_SAMPLES[method]:
            problems.append(f"n: a {method} run takes at most {MAX_SENSITIVITY_SAMPLES[method]}, not {draws}")
    if params is None:
        return problems
    if not isinstance(params, dict):
        return [*problems, "params: a mapping of parameter names to values"]
    if len(params) > MAX_MODEL_PARAMS:
        return [*problems, f"params: at most {MAX_MODEL_PARAMS} parameters, not {len(params)}"]
    from parley.models.base import available_models, parameter_info

    cls = available_models().get(model or "compromise")
    kinds = {p["name"]: p["type"] for p in parameter_info(cls)} if cls is not None else {}
    for name, value in params.items():
        where = f"params.{str(name)[:40]}"
        kind = kinds.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            problems.append(f"{where}: a number or a name, not {type(value).__name__}")
        elif kind == "str" and value != "":
            problems.append(f"{where}: the web app does not read files named in a request (leave it empty)")
        elif isinstance(value, str) and len(value) > 100:
            problems.append(f"{where}: at most 100 characters")
        elif kind == "int" and isinstance(value, (int, float)) and not 0 <= value <= MAX_MODEL_ITERATIONS:
            problems.append(f"{where}: between 0 and {MAX_MODEL_ITERATIONS}, not {value}")
        elif isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_MODEL_NUMBER):
            problems.append(f"{where}: a finite number of magnitude at most {MAX_MODEL_NUMBER:g}")
        elif isinstance(value, int) and abs(value) > MAX_MODEL_NUMBER:
            problems.append(f"{where}: a number of magnitude at most {MAX_MODEL_NUMBER:g}")
    return problems


# ---------------------------------------------------------------- request bodies


class BodyLimits:
    """Refuse request bodies over ``max_bytes`` (413) or slower than ``timeout`` seconds (408).

    The limit is checked on the bytes actually received, so a chunked body (no
    ``Content-Length``) is cut off at the limit instead of being read whole first. The deadline
    starts when the app first asks for the body. Both errors are raised as HTTP exceptions from
    the app's ``receive``, so the app's own error handlers answer them (JSON under ``/api``).

    Parameters
    ----------
    app
        The ASGI app.
    max_bytes
        The largest body accepted.
    timeout
        Seconds the whole body may take to arrive.
    stated_limit
        The limit named in the 413 message (the upload limit, without room for form encoding).
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, timeout: float = DEFAULT_BODY_TIMEOUT, stated_limit: int | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.stated_limit = stated_limit or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            await JSONResponse({"detail": self._too_large()}, status_code=413, headers={"Connection": "close"})(
                scope, receive, send
            )
            return
        received = 0
        complete = not ((length.isdigit() and int(length) > 0) or "transfer-encoding" in headers)
        deadline: float | None = None
        started = False

        async def limited_receive() -> Message:
            nonlocal received, complete, deadline
            if complete:
                return await receive()
            if deadline is None:
                deadline = time.monotonic() + self.timeout
            try:
                with anyio.fail_after(max(0.0, deadline - time.monotonic())):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(408, f"the request body did not arrive within {self.timeout:g} s") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._too_large())
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not complete:  # the rest of the body will not be read: do not keep the connection
                    message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except HTTPException as exc:  # raised outside the app's own handlers
            if started or exc.status_code not in (408, 413):
                raise
            await JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers={"Connection": "close"})(
                scope, receive, send
            )

    def _too_large(self) -> str:
        return f"upload too large: the limit is {self.stated_limit} bytes"


# ---------------------------------------------------------------- scenario parsing


class _Worker:
    """One ``python -m parley.web.parse_worker`` process and its pipes, ready to read."""

    def __init__(self, headroom: int) -> None:
        env = dict(os.environ)
        # the worker imports parley from wherever this process found it
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parley.web.parse_worker", str(headroom)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        # its imports do not count against a parse's time: wait for "ready" (bounded too)
        if self._exchange(None, WORKER_START_TIMEOUT) != ("ready",):
            self.kill()
            raise RuntimeError("the scenario reader did not start")

    def call(self, request: tuple[Any, ...], timeout: float) -> tuple[Any, ...] | None:
        """The reply, or None when the time ran out (the worker is then killed).

        Raises EOFError when the worker died of something else (the OS refusing it memory).
        """
        reply = self._exchange(request, timeout)
        if reply is not None and (not isinstance(reply, tuple) or not reply):
            raise RuntimeError(f"the scenario reader answered {reply!r}")
        return reply

    def _exchange(self, request: tuple[Any, ...] | None, timeout: float) -> Any:
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            self.process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            assert self.process.stdin is not None and self.process.stdout is not None
            if request is not None:
                write_message(self.process.stdin, request)
            return read_message(self.process.stdout)
        except (OSError, EOFError):  # a broken pipe: the worker is gone
            if killed.is_set():
                return None
            raise EOFError("the scenario reader stopped") from None
        finally:
            timer.cancel()

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        self.process.wait(5)


class ScenarioParsers:
    """Read scenarios in up to ``workers`` processes, each parse limited to ``timeout`` seconds.

    Workers start when first needed and are reused; one that runs out of time or memory is
    killed and replaced. A request that finds every worker busy waits up to ``timeout``
    seconds for one, then is refused with 503.

    Parameters
    ----------
    workers
        The most processes at once.
    timeout
        Seconds one parse may take.
    max_bytes
        The upload limit; a scenario may expand to :data:`EXPANSION_FACTOR` times it.
    memory_headroom
        Bytes of address space a worker may add after start-up.
    """

    def __init__(
        self,
        workers: int = PARSE_WORKERS,
        timeout: float = DEFAULT_PARSE_TIMEOUT,
        max_bytes: int = 2_000_000,
        memory_headroom: int = MEMORY_HEADROOM_BYTES,
    ) -> None:
        self.timeout = timeout
        self.budget = EXPANSION_FACTOR * max_bytes
        self._max = max(1, workers)
        self._headroom = memory_headroom
        self._idle: list[_Worker] = []
        self._count = 0
        self._closed = False
        self._cond = threading.Condition()

    async def parse(self, body: str, name: str, fmt: str) -> Scenario:
        """The scenario in ``body``, read in a worker process without blocking the event loop.

        Parameters
        ----------
        body, name, fmt
            As for :func:`parse_upload`.

        Returns
        -------
        Scenario
            The validated scenario (its ``scenario_id`` already computed).

        Raises
        ------
        ScenarioError
            With every problem found.
        ParseRefusedError
            When the parse ran out of time or memory, expanded too far, or no worker came free.
        """
        reply = await anyio.to_thread.run_sync(self._call, (body, name, fmt, self.budget), abandon_on_cancel=True)
        kind = reply[0]
        if kind == "ok":
            scenario: Scenario = reply[1]
            return scenario
        if kind == "invalid":
            raise ScenarioError(reply[1], [Problem(path, message, line) for path, message, line in reply[2]])
        if kind == "refused":
            raise ParseRefusedError(422, reply[1])
        raise RuntimeError(f"reading {name} failed: {reply[1]}")

    def _call(self, request: tuple[Any, ...]) -> tuple[Any, ...]:
        worker = self._acquire()
        try:
            reply = worker.call(request, self.timeout)
        except EOFError:  # the worker died (out of memory at the OS level)
            self._discard(worker)
            return ("refused", "reading the scenario needed more memory than allowed")
        except BaseException:
            self._discard(worker)
            raise
        if reply is None:
            self._discard(worker)
            return ("refused", f"reading the scenario took longer than {self.timeout:g} s and was stopped")
        if reply[0] == "refused" and "memory" in reply[1]:
            self._discard(worker)  # it exits after a MemoryError
        else:
            self._release(worker)
        return reply

    def _acquire(self) -> _Worker:
        deadline = time.monotonic() + self.timeout
        with self._cond:
            while True:
                if self._closed:
                    raise ParseRefusedError(503, "the server is shutting down")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return worker
                    worker.kill()
                    self._count -= 1
                if self._count < self._max:
                    self._count += 1
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ParseRefusedError(503, "every scenario reader is busy; try again in a moment")
                self._cond.wait(left)
        try:
            return _Worker(self._headroom)
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker)
            self._cond.notify()

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._cond:
            self._count -= 1
            self._cond.notify()

    def close(self) -> None:
        """Stop every idle worker; busy ones stop when their parse ends."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in idle:
            worker.kill()
