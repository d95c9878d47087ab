"""What the report's templates and charts share: the Jinja2 environment, chart JSON that is safe
inside a ``<script>`` tag, and reading a value in words (the nearest labelled anchor)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
import plotly.graph_objects as go


def figure_json(fig: go.Figure) -> str:
    """A figure as JSON that is safe inside ``<script>``: no "</" can close the tag early."""
    # safe inside <script>: no "</" can close the tag early
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
