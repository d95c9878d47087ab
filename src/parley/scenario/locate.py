"""Find where a problem's path (``actors[3].stances.territory.salience``) sits in YAML or JSON text."""

from __future__ import annotations

import re

import yaml

_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def split_path(path: str) -> list[str | int]:
    """``actors[3].stances.x`` → ``['actors', 3, 'stances', 'x']``."""
    parts: list[str | int] = []
    for index, key in _PART.findall(path):
        parts.append(int(index) if index else key)
    return parts


def line_of(text: str, path: str) -> int | None:
    """1-based line of the deepest node of ``path`` found in ``text`` (YAML or JSON), or None."""
    if not path or path.startswith("line "):
        return None
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in split_path(path):
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
