"""Reading scenarios: files, mappings, and the formats real data comes in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import yaml
from pydantic import ValidationError

from parley.errors import Problem, ScenarioError, format_path
from parley.scenario import messages, schema
from parley.scenario.checks import cross_check
from parley.scenario.core import Scenario
from parley.scenario.locate import line_of
from parley.scenario.parse import check_tree, line_index, parse_text
from parley.scenario.timecheck import time_problems

_TYPE_TAGS = {"float", "int", "str", "bool", "none", "dict", "list", "tuple"}


def _is_tag(part: object) -> bool:
    if not isinstance(part, str):
        return False
    return part in _TYPE_TAGS or "[" in part or part.startswith(("function-", "constrained-"))


def _pydantic_problems(err: ValidationError) -> list[Problem]:
    out: list[Problem] = []
    seen: set[str] = set()
    for e in err.errors():
        loc = [p for p in e["loc"] if not _is_tag(p)]
        kind = e["type"]
        if kind == "extra_forbidden":
            path = format_path(loc)
            msg = messages.unknown_field(loc)
        else:
            path = format_path(loc)
            if kind == "missing":
                msg = "is required"
            elif shape := messages.wrong_shape(loc, kind, e.get("input")):
                msg = shape
            elif kind.endswith("_type") or kind.endswith("_parsing") or kind == "literal_error":
                msg = f"{e['msg'].replace('Input should be', 'should be')} (got {e.get('input')!r})"
            else:
                msg = e["msg"].removeprefix("Value error, ").replace("Input should be", "should be")
        if path in seen:
            continue
        seen.add(path)
        out.append(Problem(path, msg))
    return out


def validate_dict(data: object, source: str = "<scenario>") -> schema.ScenarioSpec:
    """Check a raw mapping; return the spec, or raise :class:`ScenarioError` with every problem."""
    if not isinstance(data, Mapping):
        raise ScenarioError(source, [Problem("", "a scenario must be a mapping with 'issues' and 'actors'")])
    check_tree(data, source)  # depth, size and text limits also for mappings built in Python
    problems: list[Problem] = []
    spec: schema.ScenarioSpec | None = None
    try:
        spec = schema.ScenarioSpec.model_validate(dict(data))
    except ValidationError as err:
        problems.extend(_pydantic_problems(err))
    problems.extend(cross_check(data))
    problems.extend(time_problems(data))
    if problems or spec is None:
        raise ScenarioError(source, problems)
    return spec


def scenario_from_dict(data: object, source: str = "<scenario>") -> Scenario:
    """Validate a raw mapping (as read from YAML or JSON) and build the :class:`Scenario`."""
    return Scenario.from_spec(validate_dict(data, source), source)


def read_text(path: Path) -> str:
    """Read a text file, turning I/O failures into a :class:`ScenarioError`."""
    source = str(path)
    if not path.exists():
        raise ScenarioError(source, [Problem("", "no such file")])
    if path.is_dir():
        raise ScenarioError(source, [Problem("", "is a directory, not a file")])
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScenarioError(source, [Problem("", f"is not UTF-8 text ({err.reason} at byte {err.start})")]) from None
    except OSError as err:
        raise ScenarioError(source, [Problem("", f"cannot be read: {err.strerror}")]) from None


def scenario_from_text(text: str, source: str = "<scenario>", fmt: str = "yaml") -> Scenario:
    """Parse and validate scenario text; problems carry the line they point at."""
    data = parse_text(text, source, fmt)
    try:
        return scenario_from_dict(data, source)
    except ScenarioError as e:
        index = line_index(text)  # built once, whatever the number of problems
        raise ScenarioError(source, [replace(p, line=p.line or line_of(index, p.path)) for p in e.problems]) from None


def dump_scenario(scenario: Scenario, fmt: str = "yaml") -> str:
    """The scenario's canonical form as YAML or JSON text."""
    data = scenario.to_dict()
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
