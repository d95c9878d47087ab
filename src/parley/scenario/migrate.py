"""Migrating scenario text from ``schema_version: 1`` to ``2``, keeping comments and layout.

Version 2 adds the time features (events, stance history, ``tabled``) and names the date a
text was put on the table ``tabled``; a version 1 plan's ``date`` means the same and is renamed.
The text is edited in place at the positions the YAML (or JSON) parser reports, so nothing
else in the file changes.
"""

from __future__ import annotations

import yaml

from parley.errors import Problem, ScenarioError


def _key(node: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == name:
            return k, v
    return None


def migrate_text(text: str, source: str = "<scenario>") -> tuple[str, list[str]]:
    """Scenario text of version 1 as version 2, and a list of what changed.

    Raises
    ------
    ScenarioError
        When the text cannot be parsed, has no ``schema_version: 1``, or a plan has both ``date`` and ``tabled``.
    """
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as e:
        raise ScenarioError(source, [Problem("", f"not valid YAML or JSON: {e}")]) from None
    if not isinstance(root, yaml.MappingNode):
        raise ScenarioError(source, [Problem("", "a scenario must be a mapping")])
    version = _key(root, "schema_version")
    if version is None or not isinstance(version[1], yaml.ScalarNode) or version[1].value not in ("1", "2"):
        raise ScenarioError(source, [Problem("schema_version", "must be 1 to migrate")])
    if version[1].value == "2":
        raise ScenarioError(source, [Problem("schema_version", "is already 2: nothing to migrate")])
    edits: list[tuple[int, int, str]] = [(version[1].start_mark.index, version[1].end_mark.index, "2")]
    changes: list[str] = []
    plans = _key(root, "plans")
    problems = []
    if plans is not None and isinstance(plans[1], yaml.SequenceNode):
        for k, plan in enumerate(plans[1].value):
            if not isinstance(plan, yaml.MappingNode):
                continue
            date = _key(plan, "date")
            if date is None:
                continue
            if _key(plan, "tabled") is not None:
                problems.append(Problem(f"plans[{k}]", "has both date and tabled: remove one"))
                continue
            key = date[0]
            raw = text[key.start_mark.index : key.end_mark.index]
            quote = raw[0] if raw[:1] in ("'", '"') else ""
            edits.append((key.start_mark.index, key.end_mark.index, f"{quote}tabled{quote}"))
            pid = _key(plan, "id")
            changes.append(f"plans[{pid[1].value if pid else k}]: date → tabled")
    if problems:
        raise ScenarioError(source, problems)
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text, changes
