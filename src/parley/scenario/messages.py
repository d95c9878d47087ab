"""Messages that teach the scenario format: what a field belongs to, and what shape was expected.

The pydantic models of :mod:`parley.scenario.schema` know which fields each entry has and, in
their docstrings, a one-line example of each entry (``Example: ``{...}````). This module turns a
validation error's location into the entry it sits in, so a message can say "'label' is not a
field of an actor (issues have it; actors use 'name')" or "expected a mapping like
{distribution: uniform, low: 2, high: 4}".
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from typing import Any, Union

from pydantic import BaseModel

from parley.scenario import schema
from parley.scenario.checks import did_you_mean

_EXAMPLE = re.compile(r"Example:\s*``(.+?)``", re.S)
_NAMES = {
    "ScenarioSpec": "the scenario",
    "IssueSpec": "an issue",
    "ActorSpec": "an actor",
    "PlanSpec": "a plan",
    "ShockSpec": "a shock",
    "ShockChange": "a shock change",
    "Provision": "a provision",
    "Stance": "a stance",
    "Uncertainty": "an uncertainty",
    "Scale": "a scale",
}
# Names of the same idea in different entries: suggest the one this entry uses.
_SYNONYMS = ({"label", "name", "title"}, {"description", "note"})


def entry_name(cls: type[BaseModel]) -> str:
    """The entry's name in words, with an article: ``an actor``, ``a stance``."""
    name = _NAMES.get(cls.__name__)
    if name:
        return name
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__.removesuffix("Spec")).lower()
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def _plural(cls: type[BaseModel]) -> str:
    noun = entry_name(cls).split(" ", 1)[-1]
    if noun == "scenario":
        return "the scenario's top level"
    return noun + ("es" if noun.endswith(("s", "sh", "ch")) else "s")


def example_of(cls: type[BaseModel]) -> str:
    """The one-line example in the class docstring, or ``""``."""
    m = _EXAMPLE.search(cls.__doc__ or "")
    return " ".join(m.group(1).split()) if m else ""


def schema_models() -> list[type[BaseModel]]:
    """Every entry class of the file format, top level first, in the order they are reached."""
    seen: list[type[BaseModel]] = []

    def visit(cls: type[BaseModel]) -> None:
        if cls in seen:
            return
        seen.append(cls)
        for info in cls.model_fields.values():
            for sub in _models_in(info.annotation):
                visit(sub)

    visit(schema.ScenarioSpec)
    return seen


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation one step further along a location, or None when the step leads nowhere."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _step(typing.get_args(annotation)[0], part)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is type(None):
                continue
            nxt = _step(arg, part)
            if nxt is not None:
                return nxt
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    if origin in (list, tuple) and isinstance(part, int):
        args = typing.get_args(annotation)
        return args[0] if args else None
    if origin is dict:
        args = typing.get_args(annotation)
        return args[1] if len(args) == 2 else None
    return None


def model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The entry class that the location ``loc`` points *into* (its last part is a key of it)."""
    annotation: Any = schema.ScenarioSpec
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    models = _models_in(annotation)
    return models[0] if len(models) == 1 else None


def unknown_field(loc: Sequence[str | int]) -> str:
    """The message for a key that is not a field of its entry, e.g. ``label`` on an actor."""
    name = str(loc[-1]) if loc else ""
    cls = model_at(loc[:-1])
    if cls is None:
        return f"'{name}' is not a field here"
    own = [info.alias or field for field, info in cls.model_fields.items()]
    where = entry_name(cls)
    others = [c for c in schema_models() if c is not cls and name in _keys(c)]
    hint = ""
    for group in _SYNONYMS:
        if name in group:
            use = [k for k in own if k in group]
            if use:
                hint = f"{_plural(cls)} use '{use[0]}'"
    if not hint:
        close = did_you_mean(name, [k for k in own if k != name])
        hint = close.strip().removeprefix("(").removesuffix(")")
    if others:
        holders = " and ".join(_plural(c) for c in others[:2])
        return f"'{name}' is not a field of {where} ({holders} have it{'; ' + hint if hint else ''})"
    return f"'{name}' is not a field of {where}" + (f" ({hint})" if hint else "")


def _keys(cls: type[BaseModel]) -> set[str]:
    return {info.alias or field for field, info in cls.model_fields.items()}


def _shape_of(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text {value!r}"
    if value is None:
        return "nothing"
    return f"{value!r}"


def field_example(loc: Sequence[str | int]) -> str:
    """The example in the description of the field at ``loc`` (``vetoes: [ukraine]``), or ``""``."""
    if not loc or isinstance(loc[-1], int):
        return ""
    cls = model_at(loc[:-1])
    if cls is None:
        return ""
    for name, info in cls.model_fields.items():
        if loc[-1] in (name, info.alias):
            m = _EXAMPLE.search(info.description or "")
            return " ".join(m.group(1).split()) if m else ""
    return ""


def wrong_shape(loc: Sequence[str | int], kind: str, value: object) -> str | None:
    """A message naming the expected shape with a one-line example, or None when none applies."""
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        cls = model_at(loc) if kind != "dict_type" else None
        if cls is not None:
            ex = example_of(cls)
            like = f" like {ex}" if ex else ""
            return f"expected a mapping{like}, got {_shape_of(value)}"
        ex = field_example(loc)
        like = f" like {ex}" if ex else " (key: value, or {key: value})"
        return f"expected a mapping{like}, got {_shape_of(value)}"
    if kind == "list_type":
        annotation: Any = schema.ScenarioSpec
        for part in loc:
            annotation = _step(annotation, part) if annotation is not None else None
        item = _step(annotation, 0) if annotation is not None else None
        models = _models_in(item) if item is not None else []
        if len(models) == 1 and example_of(models[0]):
            return f"expected a list of entries like [{example_of(models[0])}], got {_shape_of(value)}"
        ex = field_example(loc)
        like = f" like {ex}" if ex else " like [a, b] (or one '- item' per line)"
        return f"expected a list{like}, got {_shape_of(value)}"
    if kind == "tuple_type":
        return f"expected two numbers like [0.5, 0.9], got {_shape_of(value)}"
    return None


def yaml_error(err: Exception, text: str | None = None) -> tuple[str, str]:
    """Where a YAML syntax error starts and what it is.

    PyYAML reports where it gave up (``problem_mark``: for an unclosed quote often the end of
    the file or a later line) and, for errors inside a construct, where that construct began
    (``context_mark``: the opening quote of a quoted scalar, or the start of a mapping). The
    place given is the start of the construct; when that is a whole mapping and a line in
    between opens a quote it does not close, the place is that quote.
    """
    problem_mark = getattr(err, "problem_mark", None)
    context_mark = getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    mark = context_mark if context_mark is not None else problem_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = str(problem)
    if context_mark is not None:
        what = f"{context} here: {problem}"
    stopped = f"line {problem_mark.line + 1}, column {problem_mark.column + 1}" if problem_mark is not None else ""
    if text is not None and problem_mark is not None and "quoted scalar" not in str(context):
        first = context_mark.line if context_mark is not None else 0
        quote = _unclosed_quote(text.split("\n"), first, problem_mark.line)
        if quote is not None:
            line, col = quote
            return (
                f"line {line + 1}, column {col + 1}",
                f"a quoted text opened here is not closed on its line (the parser stopped at {stopped}: {problem})",
            )
    if context_mark is not None and problem_mark is not None and problem_mark.line != context_mark.line:
        what += f" (noticed at {stopped})"
    return where, what


_QUOTE_START = re.compile(r"(?:^\s*(?:-\s+)?(?:[^\s#'\"][^:#]*:\s+)?|[\[{,]\s*|:\s+|-\s+)([\"'])")


def _unclosed_quote(lines: list[str], first: int, last: int) -> tuple[int, int] | None:
    """The first line in ``first..last`` whose value opens a quote and does not close it."""
    for n in range(max(first, 0), min(last, len(lines) - 1) + 1):
        line = lines[n]
        if line.lstrip().startswith("#"):
            continue
        for m in _QUOTE_START.finditer(line):
            q, start = m.group(1), m.start(1)
            rest = line[start + 1 :]
            if q == '"':
                closed = re.search(r'(?<!\\)"', rest) is not None
            else:
                closed = re.search(r"'(?!')", rest.replace("''", "")) is not None
            if not closed:
                return n, start
            break
    return None
