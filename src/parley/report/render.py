"""Render report data to one self-contained HTML file (Plotly's JavaScript inlined, no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from parley._files import write_text_atomic
from parley.report import figures
from parley.report.sections import RENDERERS
from parley.report.templating import environment, figure_json


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


SectionRenderer = Callable[[dict[str, Any]], dict[str, Any] | None]


def _extra_sections() -> list[SectionRenderer]:
    """Renderers for the analysis sections (plans, coalitions, uncertainty, durability)."""
    return list(RENDERERS)


def render_html(data: dict[str, Any]) -> str:
    """Turn report data (from :func:`parley.report.build_report_data` or a stored run) into HTML."""
    sc = data["scenario"]
    charts: dict[str, str] = {"overview": figure_json(figures.forecast_overview(data))}
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
        charts[f"map-{k}"] = figure_json(figures.position_map(data, issue))
    traj = figures.trajectories(data)
    if traj is not None:
        charts["trajectories"] = figure_json(traj)
    sections = [s for s in (r(data) for r in _extra_sections()) if s]
    for s in sections:
        for key, fig in s.pop("figures", {}).items():
            charts[key] = figure_json(fig)
    template = environment().get_template("report.html.j2")
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
