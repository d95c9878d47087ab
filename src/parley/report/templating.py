"""What the report's templates and charts share: the Jinja2 environment, chart JSON that is safe
inside a ``<script>`` tag (compact: rounded numbers, no template, repeated arrays kept once), and reading
a value in words (the nearest labelled anchor)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2
import plotly.graph_objects as go

DIGITS = 4
"""Significant digits kept for the numbers in chart data (hover texts give the values to at most 4)."""

SHARED_MIN = 6
"""Arrays of at least this many items that occur more than once across the charts are written once."""


def _round(obj: Any, digits: int = DIGITS) -> Any:
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            return obj
        r = float(f"{obj:.{digits}g}")
        return int(r) if r.is_integer() and abs(r) < 1e15 else r
    if isinstance(obj, list):
        return [_round(x, digits) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    return obj


def figure_dict(fig: go.Figure) -> dict[str, Any]:
    """A figure as plain JSON data without its style template (the page sets the style once), numbers rounded
    to :data:`DIGITS` significant digits."""
    out: dict[str, Any] = json.loads(fig.to_json())
    out.get("layout", {}).pop("template", None)
    return dict(_round(out))


def safe_json(obj: Any) -> str:
    """Compact JSON that is safe inside ``<script>``: no "</" can close the tag early."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figure_json(fig: go.Figure) -> str:
    """A figure as compact JSON that is safe inside ``<script>`` (see :func:`figure_dict`)."""
    return safe_json(figure_dict(fig))


def charts_json(figures: Mapping[str, go.Figure | dict[str, Any]]) -> str:
    """Every chart of a page as one compact JSON object ``{"shared": [...], "charts": {key: figure}}``.

    An array of at least :data:`SHARED_MIN` items that occurs more than once (the dates of a timeline, the actor
    names of the position charts) is written once in ``shared`` and replaced by ``{"$s": index}``; the page's
    script puts it back before drawing.
    """
    charts = {k: f if isinstance(f, dict) else figure_dict(f) for k, f in figures.items()}
    seen: dict[str, int] = {}

    def count(obj: Any) -> None:
        if isinstance(obj, list):
            if len(obj) >= SHARED_MIN:
                key = json.dumps(obj, separators=(",", ":"))
                seen[key] = seen.get(key, 0) + 1
            for x in obj:
                count(x)
        elif isinstance(obj, dict):
            for v in obj.values():
                count(v)

    count(charts)
    shared: list[Any] = []
    index: dict[str, int] = {}

    def replace(obj: Any) -> Any:
        if isinstance(obj, list):
            if len(obj) >= SHARED_MIN:
                key = json.dumps(obj, separators=(",", ":"))
                if seen.get(key, 0) > 1:
                    if key not in index:
                        index[key] = len(shared)
                        shared.append(obj)
                    return {"$s": index[key]}
            return [replace(x) for x in obj]
        if isinstance(obj, dict):
            return {k: replace(v) for k, v in obj.items()}
        return obj

    packed = {k: replace(v) for k, v in charts.items()}
    return safe_json({"shared": shared, "charts": packed})


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates (autoescaped, strict about undefined names)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("parley.report", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = lambda v, d=4: "–" if v is None else (f"{v:.{d}g}" if isinstance(v, float) else str(v))
    env.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.0f}%"
    env.globals["nearest_anchor"] = nearest_anchor
    return env


def nearest_anchor(issue: dict[str, Any], value: float | None) -> str:
    """The label of the anchor point closest to ``value`` on the issue's scale ("" when none)."""
    anchors = issue.get("anchors") or {}
    if value is None or not anchors or value != value:
        return ""
    key = min(anchors, key=lambda k: abs(float(k) - value))
    label = str(anchors[key])
    return f"≈ {label}" if abs(float(key) - value) > 1e-9 else label
