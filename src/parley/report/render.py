"""Render report data to one self-contained HTML file (Plotly's JavaScript inlined, no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go

from parley._files import write_text_atomic
from parley.report import figures


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def _figure_json(fig: go.Figure) -> str:
    # safe inside <script>: no "</" can close the tag early
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def _env() -> jinja2.Environment:
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


SectionRenderer = Callable[[dict[str, Any]], dict[str, Any] | None]


def _extra_sections() -> list[SectionRenderer]:
    """Renderers for the analysis sections (plans, coalitions, uncertainty, durability)."""
    from parley.report.sections import RENDERERS

    return list(RENDERERS)


def render_html(data: dict[str, Any]) -> str:
    """Turn report data (from :func:`parley.report.build_report_data` or a stored run) into HTML."""
    sc = data["scenario"]
    charts: dict[str, str] = {"overview": _figure_json(figures.forecast_overview(data))}
    issue_maps = [
        {
            "id": issue["id"],
            "label": issue.get("label") or issue["id"],
            "chart": f"map-{k}",
            "orientation": issue.get("orientation", ""),
            "anchors": sorted((float(v), t) for v, t in (issue.get("anchors") or {}).items()),
        }
        for k, issue in enumerate(sc["issues"])
    ]
    for k, issue in enumerate(sc["issues"]):
        charts[f"map-{k}"] = _figure_json(figures.position_map(data, issue))
    traj = figures.trajectories(data)
    if traj is not None:
        charts["trajectories"] = _figure_json(traj)
    sections = [s for s in (r(data) for r in _extra_sections()) if s]
    for s in sections:
        for key, fig in s.pop("figures", {}).items():
            charts[key] = _figure_json(fig)
    template = _env().get_template("report.html.j2")
    return template.render(
        data=data,
        meta=data["meta"],
        scenario=sc,
        issue_maps=issue_maps,
        charts=charts,
        sections=sections,
        plotly_js=_plotly_js(),
        forecasts=data.get("forecasts", {}),
        errors=data.get("errors", {}),
    )


def write_report(data: dict[str, Any], path: str | Path) -> Path:
    """Render and write atomically: a temporary file in the same folder, then renamed."""
    return write_text_atomic(Path(path), render_html(data))


def dumps(data: dict[str, Any]) -> str:
    """Report data as JSON (what the store keeps)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, default=str)
