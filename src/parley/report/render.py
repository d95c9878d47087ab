"""Render report data to one self-contained HTML file (Plotly's JavaScript inlined, no network).

The Plotly inlined is the published partial bundle "basic" (scatter, bar, pie) at the plotly.js version the
installed plotly.py ships, vendored as ``parley/report/assets/plotly-basic.min.js`` by
``scripts/vendor-plotly.sh``: about a quarter of plotly.py's full bundle. Every report figure uses only those
trace types (checked by the tests).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from parley._files import write_text_atomic
from parley.report import figures
from parley.report.sections import RENDERERS
from parley.report.templating import charts_json, environment

BUNDLE = "plotly-basic.min.js"
"""The vendored bundle's file name in ``parley/report/assets``."""

BUNDLE_TRACES = frozenset({"scatter", "bar", "pie"})
"""The trace types the vendored bundle has."""


@cache
def _plotly_js() -> str:
    """The vendored Plotly bundle (its licence header kept)."""
    return resources.files("parley.report").joinpath("assets", BUNDLE).read_text(encoding="utf-8")


def plotly_bundle() -> str:
    """The vendored partial Plotly bundle (scatter, bar, pie) as text: what each report inlines and what the web
    app serves as ``/static/plotly.min.js`` (its charts use only these trace types too)."""
    return _plotly_js()


def bundle_version() -> str:
    """The plotly.js version of the vendored bundle, read from its licence header."""
    found = re.search(r"plotly\.js \(basic - minified\) v([0-9][0-9A-Za-z.\-]*)", _plotly_js()[:400])
    return found.group(1) if found else ""


SectionRenderer = Callable[[dict[str, Any]], dict[str, Any] | None]


def _extra_sections() -> list[SectionRenderer]:
    """Renderers for the analysis sections (plans, coalitions, uncertainty, durability)."""
    return list(RENDERERS)


def report_figures(data: dict[str, Any]) -> tuple[dict[str, go.Figure], list[dict[str, Any]], dict[str, Any]]:
    """Every figure of a report (by chart key), the analysis sections, and the position charts' index.

    The position charts are ``pos-0``, ``pos-1``, …: one per issue, drawn one at a time into ``#chart-position``.
    """
    sc = data["scenario"]
    orient = figures.orientation(data)
    charts: dict[str, go.Figure] = {"overview": figures.forecast_overview(data, orient)}
    if sc["issues"]:
        charts["positions-grid"] = figures.small_multiples(data, orient)
    issue_maps = []
    for k, issue in enumerate(sc["issues"]):
        charts[f"pos-{k}"] = figures.position_map(data, issue, orient)
        issue_maps.append(
            {
                "id": issue["id"],
                "label": issue.get("label") or issue["id"],
                "chart": f"pos-{k}",
                "reversed": orient.flip.get(issue["id"], False),
                "orientation": issue.get("orientation", ""),
                "anchors": sorted((float(v), t) for v, t in (issue.get("anchors") or {}).items()),
            }
        )
    for k, issue in enumerate(sc["issues"]):
        traj = figures.trajectory(data, issue)
        if traj is not None:
            charts[f"traj-{k}"] = traj
    sections = [s for s in (r(data) for r in _extra_sections()) if s]
    for s in sections:
        for key, fig in s.pop("figures", {}).items():
            if fig is not None:
                charts[key] = fig
    legend = {
        "models": [{"name": m, "colour": figures.series_colour(data, "model", m)} for m in data.get("forecasts", {})],
        "plans": [
            {"name": p["id"], "colour": figures.series_colour(data, "plan", p["id"])} for p in sc.get("plans", [])
        ],
        "orientation": orient,
        "issues": issue_maps,
    }
    return charts, sections, legend


def render_html(data: dict[str, Any]) -> str:
    """Turn report data (from :func:`parley.report.build_report_data` or a stored run) into HTML."""
    charts, sections, legend = report_figures(data)
    template = environment().get_template("report.html.j2")
    return template.render(
        data=data,
        meta=data["meta"],
        scenario=data["scenario"],
        issue_maps=legend["issues"],
        legend=legend,
        orient=legend["orientation"],
        chart_keys=list(charts),
        charts_json=charts_json(charts),
        font_json=json.dumps(figures.FONT),
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
