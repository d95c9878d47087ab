"""The scenario-format reference and JSON Schema, generated from :mod:`parley.scenario.schema`.

``python -m parley.scenario.reference > docs/scenario-format.md`` writes the reference page;
``python -m parley.scenario.reference --json`` the JSON Schema (``parley schema`` does the same).
Every field's meaning comes from its description in the schema (a ``Field(description=...)`` or
the docstring under the field), whose last sentence ``Example: ``...```` gives the example.
``tests/test_reference.py`` fails when the schema changes and the committed page does not.
"""

from __future__ import annotations

import json
import re
import sys
import types
import typing
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from parley.scenario import schema
from parley.scenario.messages import entry_name, example_of, schema_models
from parley.scenario.starter import starter_yaml

SCHEMA_ID = "https://parley.invalid/scenario.schema.json"
_EXAMPLE = re.compile(r"\s*Example:\s*``(.+?)``\s*\.?\s*$", re.S)
_WHERE = {
    "ScenarioSpec": "the top level of the file",
    "IssueSpec": "each entry of `issues:`",
    "Scale": "`scale:` of an issue",
    "ActorSpec": "each entry of `actors:`",
    "Stance": "each value of an actor's `stances:` (keyed by issue id)",
    "Uncertainty": "`uncertainty:` of a stance",
    "PlanSpec": "each entry of `plans:`",
    "Provision": "each entry of a plan's `provisions:`",
    "ShockSpec": "each entry of `shocks:`",
    "ShockChange": "each entry of a shock's `changes:`",
}


def split_description(info: FieldInfo) -> tuple[str, str]:
    """A field's description and its example, from ``"... Example: ``x: 1``"``."""
    text = " ".join((info.description or "").split())
    m = _EXAMPLE.search(text)
    if not m:
        return text, ""
    return text[: m.start()].strip(), m.group(1).strip()


def type_text(annotation: Any) -> str:
    """A field's type in words: ``number``, ``list of id``, ``one of linear, quadratic``, ``[Stance](#stance)``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        base = args[0]
        if base is str and any(_has_pattern(m) for m in args[1:]):
            return "id"
        return type_text(base)
    if origin in (Union, types.UnionType):
        parts = [type_text(a) for a in args if a is not type(None)]
        return " or ".join(parts)
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is tuple:
        return "[" + ", ".join(type_text(a) for a in args) + "]"
    if origin is dict:
        return f"mapping {type_text(args[0])} → {type_text(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{_title(annotation)}](#{_anchor(annotation)})"
    names = {float: "number", int: "integer", str: "text", bool: "true/false", type(None): "null"}
    if annotation in names:
        return names[annotation]
    if getattr(annotation, "__name__", "") == "date":
        return "date (YYYY-MM-DD)"
    if annotation is Any:
        return "anything"
    return str(annotation).replace("typing.", "")


def _has_pattern(meta: Any) -> bool:
    if getattr(meta, "pattern", None):
        return True
    return any(getattr(m, "pattern", None) for m in getattr(meta, "metadata", ()))


def _field_type(info: FieldInfo) -> str:
    if info.annotation is str and any(_has_pattern(m) for m in info.metadata):
        return "id"
    return type_text(info.annotation)


def _title(cls: type[BaseModel]) -> str:
    return entry_name(cls).split(" ", 1)[-1].capitalize()


def _anchor(cls: type[BaseModel]) -> str:
    return _title(cls).lower().replace(" ", "-")


def _constraints(info: FieldInfo) -> str:
    words = []
    for m in info.metadata:
        for attr, word in (("gt", "> {}"), ("ge", "≥ {}"), ("lt", "< {}"), ("le", "≤ {}")):
            v = getattr(m, attr, None)
            if v is not None:
                words.append(word.format(v))
        n = getattr(m, "min_length", None)
        if n:
            words.append(f"at least {n}" + (" item" if n == 1 else " items") if info.annotation is not str else "")
    return "; ".join(w for w in words if w)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value: Any = info.default_factory()  # type: ignore[call-arg]
    else:
        value = info.default
    if value is PydanticUndefined:
        return ""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if value is None:
        return "none"
    if value == "":
        return '`""`'
    return f"`{json.dumps(value, default=str)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The reference page, in Markdown."""
    out: list[str] = [
        "# The scenario file format (`schema_version: 1`)",
        "",
        "<!-- Generated from src/parley/scenario/schema.py by "
        "`python -m parley.scenario.reference > docs/scenario-format.md`; do not edit by hand. -->",
        "",
        "A scenario is one YAML (or JSON) file. This page lists every field the file may hold: its",
        "type, its default, the values it allows, an example and what it means. It is generated from",
        "the schema itself, so it is never out of date; `parley schema` prints the same schema as JSON",
        "Schema for editors (see the README, *Editor support*). `parley new -o FILE` writes a small",
        "commented scenario to start from; `parley validate FILE` lists every problem with its line.",
        "",
        "Names differ by entry: an **issue** has a `label`, an **actor** a `name`, a **plan** and a",
        "**shock** a `title`. Ids are short names without leading or trailing spaces; everything that",
        "refers to an issue, actor, group or plan uses its id (type *id* below: 1 to 120 characters,",
        "no leading or trailing spaces, no control characters).",
        "",
        "## Entries",
        "",
    ]
    models = schema_models()
    for cls in models:
        out.append(f"- [{_title(cls)}](#{_anchor(cls)}) — {_WHERE.get(cls.__name__, 'see below')}")
    out.append("")
    for cls in models:
        doc = (cls.__doc__ or "").strip()
        first = " ".join(doc.split("\n\n")[0].split())
        out += [f"## {_title(cls)}", "", f"Where: {_WHERE.get(cls.__name__, 'see the fields that use it')}.", ""]
        out += [first, ""]
        rest = [p for p in doc.split("\n\n")[1:] if not p.strip().startswith("Example:") and p.strip().startswith("-")]
        for para in rest:
            out += [line.strip() for line in para.splitlines()]
            out.append("")
        ex = example_of(cls)
        if ex:
            out += [f"Example: `{ex}`", ""]
        out += ["| field | type | default | meaning | example |", "|---|---|---|---|---|"]
        for name, info in cls.model_fields.items():
            key = info.alias or name
            desc, example = split_description(info)
            typ = _field_type(info)
            extra = _constraints(info)
            if extra:
                typ += f" ({extra})"
            ex_cell = f"`{example}`" if example else ""
            out.append(f"| `{key}` | {_cell(typ)} | {_cell(_default(info))} | {_cell(desc)} | {_cell(ex_cell)} |")
        out.append("")
    out += [
        "## Checked across entries",
        "",
        "Besides each entry's own fields, `parley validate` checks what refers to what: ids are",
        "unique; every issue, actor, group and plan named anywhere exists (with a did-you-mean);",
        "every position, anchor and status quo lies on its issue's scale; an uncertainty range holds",
        "its position; every issue has at least one stance; a per-issue capability covers the",
        "actor's stances; `inherit` needs `based_on`, and `based_on` chains have no cycle; two",
        "provisions of one plan do not put the same issue at different positions.",
        "",
        "## A complete small scenario",
        "",
        "This is what `parley new --actors 3 --issues 2` writes:",
        "",
        "```yaml",
        starter_yaml().rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(out)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, for editors and other tools."""
    data = schema.ScenarioSpec.model_json_schema(by_alias=True)
    data = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **data,
    }
    data["title"] = "parley scenario (schema_version 1)"
    return data


def json_schema_text() -> str:
    """The JSON Schema as indented text, ending with a newline."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m parley.scenario.reference [--json]``: print the reference page or the JSON Schema."""
    args = sys.argv[1:] if argv is None else argv
    sys.stdout.write(json_schema_text() if "--json" in args else markdown())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
