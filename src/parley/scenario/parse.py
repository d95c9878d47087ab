"""Bounded parsing of scenario text: YAML and JSON that cannot exhaust time, memory or the stack.

A scenario file is untrusted input. This module reads it with limits that every real
scenario stays far inside, and refuses anything beyond them with one clear message:

- the text is at most :data:`MAX_BYTES` long;
- containers nest at most :data:`MAX_DEPTH` deep;
- YAML aliases may repeat at most :data:`MAX_ALIAS_NODES` nodes in all (an "alias bomb" of
  a few lines expands to billions of nodes);
- the document holds at most :data:`MAX_NODES` values once aliases are expanded;
- a key appears at most once in each mapping (YAML and JSON keep the last one silently);
- an integer has at most :data:`MAX_INT_DIGITS` digits (parley's arithmetic is in floats);
- text holds no lone surrogate (it cannot be written as UTF-8);
- JSON has no ``NaN`` or ``Infinity``.

:func:`parse_text` returns plain Python data; :func:`line_index` maps a path such as
``actors[3].stances.x`` to its line, built once per file.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from parley.errors import Problem, ScenarioError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "check_tree",
    "line_index",
    "parse_text",
]

MAX_BYTES = 4_000_000
"""Longest scenario text read, in characters (the largest example is ~100 KB)."""
MAX_DEPTH = 40
"""Deepest nesting of mappings and lists (the format itself needs 6 levels)."""
MAX_ALIAS_NODES = 10_000
"""How many nodes YAML aliases may repeat in all."""
MAX_NODES = 400_000
"""Most values in one document, aliases expanded."""
MAX_INT_DIGITS = 16
"""Longest integer accepted, in digits (beyond ~1e15 integers are not exact as floats)."""

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _LimitError(ConstructorError):
    """A YAML document beyond one of the limits (a YAMLError with a mark)."""

    def __init__(self, problem: str, node_or_mark: Any) -> None:
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        super().__init__(None, None, problem, mark)


class _BoundedConstructor(SafeConstructor):
    """PyYAML's safe constructor, refusing duplicate keys and integers beyond :data:`MAX_INT_DIGITS` digits."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping, refusing a key that appears twice."""
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                    continue
                key = self.construct_object(key_node, deep=False)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                    seen.setdefault(key, line)
                except TypeError:
                    continue
                if first is not None:
                    raise _LimitError(f"the key '{key}' appears twice in this mapping (first on line {first})",
                                      key_node)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        """An integer of at most :data:`MAX_INT_DIGITS` digits."""
        digits = sum(ch.isalnum() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise _LimitError(
                f"the integer {str(node.value)[:20]}… has {digits} digits; parley takes numbers up to "
                f"{MAX_INT_DIGITS} digits (write a float such as 1e20 if you mean one)",
                node,
            )
        return super().construct_yaml_int(node)


class BoundedLoader(Reader, Scanner, Parser, Composer, _BoundedConstructor, Resolver):
    """PyYAML's pure-Python safe loader with the limits of this module (used where libyaml is absent)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _BoundedConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0
        self._sizes: dict[int, int] = {}
        self._alias_nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one node, counting depth, expanded size and alias repetitions."""
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            self._alias_nodes += self._sizes.get(id(node), 1) if node is not None else 1
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise _LimitError(
                    f"aliases repeat more than {MAX_ALIAS_NODES:,} values; write the values out "
                    "(parley refuses alias expansions this large)",
                    mark,
                )
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _LimitError(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._sizes.get(id(c), 1) for c in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1) for k, v in node.value)
        self._sizes[id(node)] = size
        if size > MAX_NODES:
            raise _LimitError(f"holds more than {MAX_NODES:,} values", node)
        return node

_BoundedConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:int", _BoundedConstructor.construct_yaml_int
)

_FAST: Any = getattr(yaml.cyaml, "CParser", None) if yaml.__with_libyaml__ else None
if _FAST is not None:

    class _FastLoader(_FAST, _BoundedConstructor, Resolver):
        """libyaml's parser and composer (6x faster) with the checks of the constructor; the depth
        and alias limits are checked first on the event stream (:func:`_check_events`)."""

        def __init__(self, stream: str) -> None:
            _FAST.__init__(self, stream)
            _BoundedConstructor.__init__(self)
            Resolver.__init__(self)


_LOADERS: list[Any] = [BoundedLoader] + ([_FastLoader] if _FAST is not None else [])
for _loader in _LOADERS:
    # YAML 1.1 reads 1e5 (no dot) as text; read it as the number it plainly is, as YAML 1.2 and JSON do.
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$"), list("-+0123456789")
    )


def _check_events(text: str) -> None:
    """The depth, size and alias limits, checked on libyaml's event stream (flat, so never recursive).

    Raises
    ------
    yaml.YAMLError
        A :class:`_LimitError` beyond a limit, or the parser's own error.
    """
    frames: list[list[Any]] = []  # per open container: [anchor, size so far]
    anchors: dict[str, int] = {}
    aliased = 0
    total = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            if len(frames) >= MAX_DEPTH:
                raise _LimitError(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
            frames.append([event.anchor, 1])
            continue
        if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            anchor, size = frames.pop()
        elif isinstance(event, ScalarEvent):
            anchor, size = event.anchor, 1
        elif isinstance(event, AliasEvent):
            anchor, size = None, anchors.get(event.anchor or "", 1)
            aliased += size
            if aliased > MAX_ALIAS_NODES:
                raise _LimitError(
                    f"aliases repeat more than {MAX_ALIAS_NODES:,} values; write the values out "
                    "(parley refuses alias expansions this large)",
                    event.start_mark,
                )
        else:
            continue
        if anchor is not None:
            anchors[anchor] = size
        if frames:
            frames[-1][1] += size
        total += size if isinstance(event, AliasEvent) else 1
        if total > MAX_NODES:
            raise _LimitError(f"holds more than {MAX_NODES:,} values", event.start_mark)


class _JsonDuplicateError(ValueError):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JsonDuplicateError(key)
        out[key] = value
    return out


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise ValueError(
            f"the integer {text[:20]}… has {digits} digits; parley takes numbers up to {MAX_INT_DIGITS} digits"
        )
    return int(text)


def _json_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number parley accepts (JSON has no {name})")


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


_DUP_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int, parse_constant=_json_constant)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        raise ScenarioError(source, [Problem(where, f"not valid JSON: {err.msg}")]) from None
    except _JsonDuplicateError as err:
        key = str(err)
        lines = [_line_col(text, m.start()) for m in _DUP_KEY.finditer(text) if m.group(1) == key][:2]
        where = f" ({' and '.join(lines)})" if lines else ""
        raise ScenarioError(source, [Problem("", f"the key '{key}' appears twice in one object{where}")]) from None
    except ValueError as err:
        raise ScenarioError(source, [Problem("", str(err))]) from None
    except RecursionError:
        raise ScenarioError(source, [Problem("", f"nested deeper than {MAX_DEPTH} levels")]) from None


def _parse_yaml(text: str, source: str) -> Any:
    try:
        if _FAST is not None:
            _check_events(text)
            loader: Any = _FastLoader(text)
        else:
            loader = BoundedLoader(text)
    except yaml.YAMLError as err:
        _yaml_problem(err, source, text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as err:
        _yaml_problem(err, source, text)
    except RecursionError:
        raise ScenarioError(source, [Problem("", f"nested deeper than {MAX_DEPTH} levels")]) from None
    finally:
        loader.dispose()


def _yaml_problem(err: yaml.YAMLError, source: str, text: str | None = None) -> NoReturn:
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = getattr(err, "problem", None) or str(err)
    if not isinstance(err, _LimitError):  # a syntax error: placed where the construct starts, not where PyYAML gave up
        from parley.scenario.messages import yaml_error

        where, what = yaml_error(err, text)
    message = what if isinstance(err, _LimitError) else f"not valid YAML: {what}"
    if "maximum nesting depth" in str(what):  # libyaml's own limit (1,000), met before parley's
        message = f"nested deeper than {MAX_DEPTH} levels"
    raise ScenarioError(source, [Problem(where, message)]) from None


def check_tree(data: Any, source: str) -> None:
    """Refuse parsed data nested too deep, too large, or holding lone surrogates (iteratively).

    Raises
    ------
    ScenarioError
        With the first limit exceeded.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ScenarioError(source, [Problem("", f"holds more than {MAX_NODES:,} values")])
        if depth > MAX_DEPTH:
            raise ScenarioError(source, [Problem("", f"nested deeper than {MAX_DEPTH} levels")])
        if isinstance(value, str):
            _check_text(value, source)
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str):
                    _check_text(k, source)
                stack.append((v, depth + 1))
        elif isinstance(value, (list, tuple)):
            stack.extend((v, depth + 1) for v in value)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(text: str, source: str) -> None:
    if _SURROGATE.search(text):
        raise ScenarioError(
            source, [Problem("", f"the text {text[:40]!r} holds a lone surrogate (\\ud800–\\udfff), not a character")]
        )


def parse_text(text: str, source: str = "<scenario>", fmt: str = "yaml") -> Any:
    """Parse YAML or JSON scenario text within the limits of this module.

    Parameters
    ----------
    text
        The file's content.
    source
        The file name, for messages.
    fmt
        ``"yaml"`` or ``"json"``.

    Raises
    ------
    ScenarioError
        When the text is not valid YAML or JSON, or exceeds a limit.
    """
    if len(text) > MAX_BYTES:
        raise ScenarioError(
            source, [Problem("", f"is {len(text):,} characters long; parley reads scenarios up to {MAX_BYTES:,}")]
        )
    data = _parse_json(text, source) if fmt == "json" else _parse_yaml(text, source)
    check_tree(data, source)
    return data


def line_index(text: str) -> dict[tuple[str | int, ...], int]:
    """The 1-based line of every key and list item in ``text`` (YAML or JSON), by path.

    A path is a tuple of keys (as text) and list indices, e.g. ``('actors', 3, 'stances')``;
    the empty tuple maps to the document's first line. Built in one pass; empty when the
    text cannot be composed.
    """
    try:
        loader = _FastLoader(text) if _FAST is not None else BoundedLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        return {}
    if root is None:
        return {}
    index: dict[tuple[str | int, ...], int] = {(): root.start_mark.line + 1}
    stack: list[tuple[Node, tuple[str | int, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    sub = (*path, str(key.value))
                    index.setdefault(sub, key.start_mark.line + 1)
                    stack.append((value, sub))
        elif isinstance(node, SequenceNode):
            for k, child in enumerate(node.value):
                sub = (*path, k)
                index.setdefault(sub, child.start_mark.line + 1)
                stack.append((child, sub))
    return index
