"""What every task shares: its result, the store it keeps runs in, seeds, progress and option schemas."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from parley.errors import ParleyError

if TYPE_CHECKING:
    from parley.scenario.core import Scenario

Progress = Callable[..., None]
"""Told what a task is doing: ``progress(message)``, and ``progress(message, done, total)`` for counted
steps (Monte Carlo draws); a callable taking only the message will do for tasks without steps."""


class ActiveRunLike(Protocol):
    """A run being computed in a store (see :class:`parley.store.ActiveRun`)."""

    id: str

    def finish(self, result: Any, samples: Mapping[str, Any] | None = None) -> None:
        """Store the results and mark the run done."""


class RunStore(Protocol):
    """Where tasks keep their runs: :class:`parley.store.Store` (the tasks never import it: the store
    sits above them and is handed in by the front end)."""

    def record(
        self,
        kind: str,
        scenario: Scenario | None,
        result: Any,
        *,
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        seed: Any = None,
        samples: Mapping[str, Any] | None = None,
        started: dt.datetime | None = None,
        version: str | None = None,
    ) -> str:
        """Store a finished run; return its id."""

    def run(
        self,
        kind: str,
        scenario: Scenario | None = None,
        *,
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        seed: Any = None,
    ) -> AbstractContextManager[ActiveRunLike]:
        """A run written ``running`` first, then ``done`` with its results."""


@dataclass(frozen=True)
class TaskResult:
    """What a task returns.

    Attributes
    ----------
    kind
        The kind of run (``forecast``, ``plans``, ...).
    result
        The analysis' own result object (``Forecast``, ``PlanReport``, ...; a dict for a report).
    data
        Its JSON-ready form, as a front end prints it.
    run_id
        The id of the run kept in the store, or None when it was not kept.
    seed
        The seed actually used (drawn fresh when none was given), or None for runs that draw nothing.
    details
        Further result objects of the run (Monte Carlo: ``discovery``, plan → its finding).
    """

    kind: str
    result: Any
    data: dict[str, Any]
    run_id: str | None
    seed: int | None
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def resolve_seed(seed: int | None) -> int:
    """The seed to use: ``seed``, or fresh entropy when None (recorded, so the run can be repeated).

    Raises
    ------
    ParleyError
        For a seed that is not a whole number >= 0.
    """
    from parley._random import root_seed

    return int(root_seed(seed).entropy)  # type: ignore[arg-type]


def say(progress: Progress | None, message: str, done: int | None = None, total: int | None = None) -> None:
    """Call ``progress`` when there is one."""
    if progress is None:
        return
    if done is None:
        progress(message)  # a plain ``progress(message)`` callable will do for tasks without steps
    else:
        progress(message, done, total)


def now() -> dt.datetime:
    """The current time (UTC), for a run's ``started``."""
    return dt.datetime.now(dt.UTC)


def unique(ids: Any) -> list[str] | None:
    """Ids given more than once kept once, in the order first given (None stays None)."""
    return None if ids is None else list(dict.fromkeys(ids))


def option(default: Any, help: str) -> Any:
    """A field of a task's options (an immutable default), with the help text its schema shows."""
    return dataclasses.field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class TaskKind:
    """One kind of run in the registry: its name, its function and its options.

    ``run(target, options, *, store=None, progress=None) -> TaskResult``, where ``target`` is a
    :class:`~parley.scenario.core.Scenario` (``takes == "scenario"``) or a file path (``"path"``).
    ``check(target, options)`` raises :class:`~parley.errors.ParleyError` for a request that cannot
    run, cheaply and before anything is computed (front ends call it before starting a job).
    """

    name: str
    run: Callable[..., TaskResult]
    options: type
    summary: str
    takes: str = "scenario"
    check: Callable[[Any, Any], None] | None = None
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def schema(self) -> list[dict[str, Any]]:
        """The options: name, type, default and help of each."""
        out = []
        for f in dataclasses.fields(self.options):
            default: Any = f.default
            if f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            out.append({"name": f.name, "type": str(f.type), "default": default, "help": f.metadata.get("help", "")})
        return out

    def make_options(self, values: Mapping[str, Any], *, strict: bool = True) -> Any:
        """Options from a mapping of the schema's names (or its aliases); None values keep the default.

        With ``strict=False`` names the kind does not take are left out (a front end's request
        form has the fields of every kind).

        Raises
        ------
        ParleyError
            For a name the kind does not take (``strict``).
        """
        names = {f.name for f in dataclasses.fields(self.options)}
        given = {}
        for key, value in values.items():
            name = self.aliases.get(key, key)
            if name not in names:
                if not strict:
                    continue
                raise ParleyError(f"a {self.name} run takes no option {key!r}; it takes {', '.join(sorted(names))}")
            if value is not None:
                given[name] = value
        return self.options(**given)

    def validate(self, target: Any, options: Any) -> None:
        """Run the kind's cheap checks (see the class docstring)."""
        if self.check is not None:
            self.check(target, options)


def iter_fields(options: Any) -> Iterator[tuple[str, Any]]:
    """(name, value) of every option (for recording a run's parameters)."""
    for f in dataclasses.fields(options):
        yield f.name, getattr(options, f.name)
