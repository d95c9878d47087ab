"""Plotly figures for the report, built from the report data (plain dicts), never from live objects.

Every figure uses only the trace types of Plotly's partial bundle "basic" (scatter, bar, pie), which is
what the report inlines (see :mod:`parley.report.render`). Two conventions hold across every chart:

* one colour per model and one per plan, from :func:`series_colour` (model and plan colours never coincide);
* every issue is drawn the same way round, side A's ideal on the left (:func:`orientation`).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import plotly.graph_objects as go

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]
"""Plotly's default colours (kept for callers outside the report); the report colours series with
:func:`series_colour`."""

MODEL_COLOURS: dict[str, str] = {
    "compromise": "#1f77b4",
    "median": "#2ca02c",
    "nash": "#9467bd",
    "bdm": "#d62728",
    "smp": "#ff7f0e",
    "exchange": "#8c564b",
    "ensemble": "#17becf",
}
"""The colour of each of parley's models, the same in every chart."""

EXTRA_MODEL_COLOURS = ("#393b79", "#637939", "#8c6d31", "#5b5b5b")
"""Colours for models outside :data:`MODEL_COLOURS` (in the order the report lists them)."""

PLAN_COLOURS = ("#e377c2", "#bcbd22", "#7f7f7f", "#843c39", "#7b4173", "#6baed6", "#fd8d3c", "#74c476")
"""Colours for plans, in the scenario's order (none is a model colour)."""

NEUTRAL = "#5f6b7a"
"""A colour for marks that are neither a model nor a plan (bars, bands)."""

ISSUE_COLOURS = (
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip
"""Light colours for issues (distinct from the model and plan colours; issues also differ by dash)."""

FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 12}
"""The report's chart font, set once for every chart by the page's script (not per figure)."""


def esc(text: object) -> str:
    """Text for Plotly labels: Plotly reads a subset of HTML, so names are escaped to show as written."""
    return html.escape(str(text), quote=False)


def series_colour(data: dict[str, Any], kind: Literal["model", "plan"], name: str) -> str:
    """The one colour of a model or a plan in every chart of a report.

    Parameters
    ----------
    data
        The report data (for the order of the scenario's plans and of the forecasts' models).
    kind
        ``"model"`` or ``"plan"``.
    name
        The model's name or the plan's id.

    Returns
    -------
    str
        A CSS colour. Models have fixed colours (:data:`MODEL_COLOURS`, others from
        :data:`EXTRA_MODEL_COLOURS`); plans take :data:`PLAN_COLOURS` in the scenario's order. No model
        colour is a plan colour.
    """
    if kind == "model":
        if name in MODEL_COLOURS:
            return MODEL_COLOURS[name]
        others = [m for m in (data.get("forecasts") or {}) if m not in MODEL_COLOURS]
        k = others.index(name) if name in others else sum(map(ord, name))
        return EXTRA_MODEL_COLOURS[k % len(EXTRA_MODEL_COLOURS)]
    ids = [p["id"] for p in (data.get("scenario") or {}).get("plans", [])]
    k = ids.index(name) if name in ids else len(ids) + sum(map(ord, name))
    return PLAN_COLOURS[k % len(PLAN_COLOURS)]


def layout(fig: go.Figure, height: int, **kw: Any) -> go.Figure:
    """Set a figure's height and layout; the font and the plain style are set once by the page's script."""
    kw.setdefault("margin", {"l": 10, "r": 10, "t": 30, "b": 50})
    for key in ("xaxis", "yaxis"):  # room for the tick labels (plotly.js's own default is none)
        kw[key] = {"automargin": True, **(kw.get(key) or {})}
    fig.update_layout(height=height, **kw)
    return fig


# ------------------------------------------------------------------------------------ orientation


@dataclass(frozen=True)
class Orientation:
    """Which way each issue is drawn: side A's ideal on the left.

    Attributes
    ----------
    flip : issue id → True when the issue's scale is drawn right to left (its upper end on the left)
    left, right : the names of the sides whose ideals are on the left and the right ("" without sides)
    basis : one sentence saying how the direction was chosen
    """

    flip: dict[str, bool] = field(default_factory=dict)
    left: str = ""
    right: str = ""
    basis: str = ""

    def axis_title(self, middle: str = "") -> str:
        """An axis title that says which way the axis runs, e.g. "← Ukraine · % of the scale · Russia →"."""
        if not self.left:
            return f"{middle} (lower end on the left)" if middle else "lower end on the left"
        parts = [f"← {esc(self.left)}'s side", middle, f"{esc(self.right)}'s side →"]
        return "   ·   ".join(p for p in parts if p)

    def share(self, issue: dict[str, Any], value: float | None) -> float | None:
        """``value`` as a share (0–1) of the issue's scale, 0 at the left end as drawn."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        lo, hi = _scale(issue)
        s = (float(value) - lo) / (hi - lo) if hi != lo else 0.5
        return 1.0 - s if self.flip.get(issue["id"]) else s


def _names(data: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a.get("name") or a["id"] for a in data["scenario"]["actors"]}


def _short_name(name: str) -> str:
    """An actor's name without its parenthesised gloss: "Ukraine (President Zelensky)" → "Ukraine"."""
    return name.split(" (", 1)[0].strip() or name


def orientation(data: dict[str, Any]) -> Orientation:
    """Orient every issue so that side A's ideal is on the left.

    The sides are the scenario's (its ``sides``, else its ``belligerents``, else two signatories: the
    representative actors of :func:`parley.analysis.plans.bargaining.default_sides`). An issue is drawn
    reversed when side A's position on it is above side B's; where only one side has a position, when A's is
    in the upper half or B's in the lower half. Without two sides every issue runs lower end left.
    """
    from parley.analysis.plans.bargaining import default_sides
    from parley.scenario.io import scenario_from_dict

    sc = data["scenario"]
    try:
        sides = default_sides(scenario_from_dict(sc))
    except Exception:  # an old stored scenario that no longer validates: fall back to the plain direction
        sides = ()
    if len(sides) != 2:
        return Orientation(
            {i["id"]: False for i in sc["issues"]},
            basis="the scenario names no two sides, so every issue runs from its lower end (left) to its upper end",
        )
    a, b = sides
    names = _names(data)
    stance = {x["id"]: x.get("stances", {}) for x in sc["actors"]}
    flip = {}
    for issue in sc["issues"]:
        lo, hi = _scale(issue)
        mid = (lo + hi) / 2
        pa = (stance.get(a, {}).get(issue["id"]) or {}).get("position")
        pb = (stance.get(b, {}).get(issue["id"]) or {}).get("position")
        if pa is not None and pb is not None:
            flip[issue["id"]] = float(pa) > float(pb)
        elif pa is not None:
            flip[issue["id"]] = float(pa) > mid
        elif pb is not None:
            flip[issue["id"]] = float(pb) < mid
        else:
            flip[issue["id"]] = False
    left, right = _short_name(names.get(a, a)), _short_name(names.get(b, b))
    return Orientation(
        flip,
        left,
        right,
        basis=f"every issue is drawn with {left}'s position on the left and {right}'s on the right; an issue whose "
        f"scale runs the other way is reversed (marked ⇄)",
    )


# ------------------------------------------------------------------------------------- positions


def _number(v: float) -> str:
    return f"{v:,.6g}"


def _issue_axis(issue: dict[str, Any], orient: Orientation) -> dict[str, Any]:
    """The issue's natural scale, drawn side A's ideal on the left, ticks at the anchors (values only: the anchors'
    words are listed in full under the chart)."""
    lo, hi = _scale(issue)
    pad = (hi - lo) * 0.03
    rng = [lo - pad, hi + pad]
    if orient.flip.get(issue["id"]):
        rng.reverse()
    unit = issue.get("scale", {}).get("unit", "")
    axis: dict[str, Any] = {"range": rng, "title": orient.axis_title(esc(unit)), "zeroline": False}
    anchors = issue.get("anchors") or {}
    if anchors:
        vals = sorted(float(k) for k in anchors)
        axis["tickvals"] = vals
        axis["ticktext"] = [f"<b>{_number(v)}</b>" for v in vals]
        axis["tickangle"] = 0
    return axis


def short(text: str, n: int) -> str:
    """At most ``n`` characters, cut at a word with an ellipsis."""
    text = str(text)
    if len(text) <= n:
        return text
    return text[: n - 1].rsplit(" ", 1)[0] + "…"


def _actor_rows(data: dict[str, Any], iid: str) -> list[tuple[dict[str, Any], dict[str, Any], float]]:
    rows = []
    for actor in data["scenario"]["actors"]:
        stance = actor.get("stances", {}).get(iid)
        if stance is None:
            continue
        cap = actor["capability"]
        cap = cap.get(iid, 0) if isinstance(cap, dict) else cap
        rows.append((actor, stance, float(cap)))
    rows.sort(key=lambda r: r[1]["position"])
    return rows


def _plan_position(plan: dict[str, Any], iid: str) -> float | None:
    return next((p["position"] for p in plan.get("provisions", []) if p.get("issue") == iid), None)


def _finite(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def position_map(data: dict[str, Any], issue: dict[str, Any], orient: Orientation | None = None) -> go.Figure:
    """Actors, plans and forecasts on one issue's natural scale (side A's ideal on the left).

    The figure has no legend of its own: the report shows one legend for every position chart.
    """
    orient = orient or orientation(data)
    sc = data["scenario"]
    iid = issue["id"]
    rows = _actor_rows(data, iid)
    names = [esc(a.get("name") or a["id"]) for a, _, _ in rows]
    caps = [c for _, _, c in rows]
    cmax = max(caps) if caps and max(caps) > 0 else 1.0
    fig = go.Figure()
    err_lo, err_hi = [], []
    for _, st, _ in rows:
        unc = st.get("uncertainty") or {}
        lo, hi = unc.get("low"), unc.get("high")
        err_lo.append(st["position"] - lo if lo is not None else 0)
        err_hi.append(hi - st["position"] if hi is not None else 0)
    fig.add_trace(
        go.Scatter(
            x=[st["position"] for _, st, _ in rows],
            y=names,
            mode="markers",
            name="revealed position",
            marker={
                "size": [10 + 22 * math.sqrt(max(c, 0.0) / cmax) for c in caps],
                "color": [st["salience"] for _, st, _ in rows],
                "colorscale": "Blues",
                "cmin": 0,
                "cmax": 1,
                "line": {"width": 1, "color": "#333"},
                "colorbar": {"title": "salience", "thickness": 10, "len": 0.8},
            },
            error_x=(
                {"type": "data", "symmetric": False, "array": err_hi, "arrayminus": err_lo, "color": "#999"}
                if any(err_hi) or any(err_lo)
                else None
            ),
            customdata=[[c, st["salience"]] for (_, st, c) in rows],
            hovertemplate="%{y}: %{x}<br>capability %{customdata[0]:.3g}, salience %{customdata[1]:.2f}<extra></extra>",
        )
    )
    stated = [(esc(a.get("name") or a["id"]), st["stated"]) for a, st, _ in rows if st.get("stated") is not None]
    if stated:
        fig.add_trace(
            go.Scatter(
                x=[s for _, s in stated],
                y=[n for n, _ in stated],
                mode="markers",
                name="stated position",
                marker={"symbol": "diamond-open", "size": 12, "color": "#333", "line": {"width": 2}},
                hovertemplate="%{y} states %{x}<extra></extra>",
            )
        )
    sq = issue.get("status_quo")
    if sq is not None:
        fig.add_vline(x=sq, line={"dash": "dot", "color": "#555"})
    # plans and forecasts on a second, hidden 0–1 axis over the actors' rows (so no actor name is repeated)
    for plan in sc.get("plans", []):
        pos = _plan_position(plan, iid)
        if pos is not None:
            fig.add_trace(
                go.Scatter(
                    x=[pos, pos],
                    y=[0, 1],
                    yaxis="y2",
                    mode="lines",
                    name=f"plan {esc(plan['id'])}",
                    line={"dash": "dash", "width": 2, "color": series_colour(data, "plan", plan["id"])},
                    hovertemplate=f"plan {esc(plan['id'])}: {pos:g}<extra></extra>",
                )
            )
    fcs = [(m, fc["outcomes"].get(iid)) for m, fc in data.get("forecasts", {}).items()]
    fcs = [(m, x) for m, x in fcs if _finite(x)]
    if fcs:
        fig.add_trace(
            go.Scatter(
                x=[x for _, x in fcs],
                y=[1.0] * len(fcs),
                yaxis="y2",
                mode="markers",
                name="forecasts",
                text=[esc(m) for m, _ in fcs],
                marker={
                    "symbol": "triangle-down",
                    "size": 14,
                    "color": [series_colour(data, "model", m) for m, _ in fcs],
                    "line": {"width": 1, "color": "#fff"},
                },
                hovertemplate="forecast %{text}: %{x:.4g}<extra></extra>",
                cliponaxis=False,
            )
        )
    return layout(
        fig,
        150 + 24 * len(rows),
        showlegend=False,
        title={"text": f"<b>{esc(issue.get('label') or iid)}</b>", "x": 0, "xanchor": "left"},
        xaxis=_issue_axis(issue, orient),
        yaxis={"automargin": True},
        yaxis2={"overlaying": "y", "range": [-0.02, 1.02], "visible": False, "fixedrange": True},
        margin={"l": 10, "r": 10, "t": 48, "b": 60},
    )


def small_multiples(data: dict[str, Any], orient: Orientation | None = None, columns: int = 3) -> go.Figure:
    """Every issue in one small panel: actors (grey, size = capability), plans (|) and forecasts (▼).

    Each panel runs from side A's ideal (left) to side B's (right) as a share of the issue's scale; the ticks
    give the scale's value at either end. No legend: the report shows one legend for every position chart.
    """
    orient = orient or orientation(data)
    sc = data["scenario"]
    issues = sc["issues"]
    n = len(issues)
    rows = max(1, math.ceil(n / columns))
    gap_x, gap_y = 0.06, 0.5 / max(rows, 1)
    gap_y = min(gap_y, 0.09)
    width = (1 - gap_x * (columns - 1)) / columns
    height = (1 - gap_y * (rows - 1)) / rows
    fig = go.Figure()
    axes: dict[str, Any] = {}
    annotations = []
    plans = sc.get("plans", [])
    actors = sc["actors"]
    actor_names = [esc(a.get("name") or a["id"]) for a in actors]
    for k, issue in enumerate(issues):
        iid = issue["id"]
        r, c = divmod(k, columns)
        suffix = "" if k == 0 else str(k + 1)
        x0 = c * (width + gap_x)
        y1 = 1 - r * (height + gap_y)
        lo, hi = _scale(issue)
        left, right = (hi, lo) if orient.flip.get(iid) else (lo, hi)
        axes[f"xaxis{suffix}"] = {
            "domain": [max(0.0, x0), min(1.0, x0 + width)],
            "anchor": f"y{suffix}",
            "range": [-4, 104],
            "tickvals": [0, 100],
            "ticktext": [_number(left), _number(right)],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
            "tickfont": {"size": 10},
        }
        m = max(len(actors), 1)
        axes[f"yaxis{suffix}"] = {
            "domain": [max(0.0, y1 - height), min(1.0, y1)],
            "anchor": f"x{suffix}",
            "range": [m, -2.2],
            "visible": False,
            "fixedrange": True,
        }
        label = esc(short(issue.get("label") or iid, 44)) + (" ⇄" if orient.flip.get(iid) else "")
        annotations.append(
            {
                "text": f"<b>{label}</b>",
                "x": x0,
                "y": y1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11},
            }
        )
        xa, ya = f"x{suffix}", f"y{suffix}"
        stances = [(a.get("stances", {}).get(iid) or {}).get("position") for a in actors]
        caps = [
            float(a["capability"].get(iid, 0) if isinstance(a["capability"], dict) else a["capability"]) for a in actors
        ]
        cmax = max(caps) if caps and max(caps) > 0 else 1.0
        sizes = [5 + 9 * math.sqrt(max(c, 0.0) / cmax) for c in caps]
        fig.add_trace(
            go.Scatter(
                x=[_pct_or_none(orient.share(issue, p)) for p in stances],
                y=list(range(len(actors))),
                mode="markers",
                marker={"size": sizes, "color": "#8a94a3"},
                customdata=stances,
                text=actor_names,
                hovertemplate="%{text}: %{customdata:.4g}<extra></extra>",
                xaxis=xa,
                yaxis=ya,
            )
        )
        marks = [(p["id"], _plan_position(p, iid)) for p in plans]
        marks = [(pid, pos) for pid, pos in marks if pos is not None]
        if marks:
            fig.add_trace(
                go.Scatter(
                    x=[_pct_or_none(orient.share(issue, pos)) for _, pos in marks],
                    y=[(m - 1) / 2] * len(marks),
                    mode="markers",
                    marker={
                        "symbol": "line-ns-open",
                        "size": 26,
                        "color": [series_colour(data, "plan", pid) for pid, _ in marks],
                        "line": {"width": 2.5},
                    },
                    customdata=[pos for _, pos in marks],
                    text=[f"plan {esc(pid)}" for pid, _ in marks],
                    hovertemplate="%{text}: %{customdata:.4g}<extra></extra>",
                    xaxis=xa,
                    yaxis=ya,
                )
            )
        fcs = [(mname, fc["outcomes"].get(iid)) for mname, fc in data.get("forecasts", {}).items()]
        fcs = [(mname, v) for mname, v in fcs if _finite(v)]
        if fcs:
            fig.add_trace(
                go.Scatter(
                    x=[_pct_or_none(orient.share(issue, v)) for _, v in fcs],
                    y=[-1.3] * len(fcs),
                    mode="markers",
                    marker={
                        "symbol": "triangle-down",
                        "size": 10,
                        "color": [series_colour(data, "model", mn) for mn, _ in fcs],
                    },
                    customdata=[v for _, v in fcs],
                    text=[esc(mn) for mn, _ in fcs],
                    hovertemplate="%{text}: %{customdata:.4g}<extra></extra>",
                    xaxis=xa,
                    yaxis=ya,
                    cliponaxis=False,
                )
            )
    fig.update_layout(**axes)
    return layout(
        fig,
        rows * 125 + 40,
        showlegend=False,
        annotations=annotations,
        margin={"l": 10, "r": 10, "t": 22, "b": 20},
        hovermode="closest",
    )


def _pct_or_none(share: float | None) -> float | None:
    return None if share is None else 100.0 * share


# --------------------------------------------------------------------------------------- overview


def forecast_overview(data: dict[str, Any], orient: Orientation | None = None) -> go.Figure:
    """Every model's forecast on every issue, as a share of the issue's scale with side A's ideal on the left,
    with Monte Carlo bands."""
    orient = orient or orientation(data)
    sc = data["scenario"]
    issues = sc["issues"]
    labels = [
        esc(i.get("label") or i["id"]) + (" ⇄" if orient.flip.get(i["id"]) else "") for i in issues
    ]
    fig = go.Figure()
    mc = data.get("montecarlo") or {}
    quant = mc.get("outcomes") or {}
    for (a, b), width in ((("q05", "q95"), 6), (("q25", "q75"), 14)):
        xs: list[float | None] = []
        ys: list[str | None] = []
        texts: list[str | None] = []
        for j, issue in enumerate(issues):
            q = quant.get(issue["id"])
            if not q or a not in q or b not in q:
                continue
            xs += [_pct_or_none(orient.share(issue, q[a])), _pct_or_none(orient.share(issue, q[b])), None]
            text = f"{a[1:]}–{b[1:]}% band: {q[a]:.4g} to {q[b]:.4g}"
            ys += [labels[j], labels[j], None]
            texts += [text, text, None]
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    text=texts,
                    mode="lines",
                    line={"width": width, "color": "rgba(95,107,122,0.25)"},
                    showlegend=False,
                    hovertemplate="%{text}<extra></extra>",
                )
            )
    for model, fc in data.get("forecasts", {}).items():
        xs, texts = [], []
        for issue in issues:
            v = fc["outcomes"].get(issue["id"])
            xs.append(_pct_or_none(orient.share(issue, v)))
            unit = issue.get("scale", {}).get("unit", "")
            texts.append(f"{v:.4g} {esc(unit)}" if _finite(v) else "–")
        k = list(MODEL_COLOURS).index(model) if model in MODEL_COLOURS else len(MODEL_COLOURS)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=labels,
                mode="markers",
                name=esc(model),
                text=texts,
                marker={"size": 11, "color": series_colour(data, "model", model), "symbol": k % 6},
                hovertemplate="%{y}: %{text}<extra>" + esc(model) + "</extra>",
            )
        )
    return layout(
        fig,
        170 + 30 * len(issues),
        xaxis={"range": [-2, 102], "title": orient.axis_title("% of the issue's scale"), "ticksuffix": "%"},
        yaxis={"automargin": True, "autorange": "reversed"},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )


def _scale(issue: dict[str, Any]) -> tuple[float, float]:
    s = issue.get("scale", {"min": 0, "max": 100})
    return float(s.get("min", 0)), float(s.get("max", 100))


def _pct(v: float | None, lo: float, hi: float) -> float | None:
    return None if v is None else 100.0 * (v - lo) / (hi - lo)


def trajectory(data: dict[str, Any], issue: dict[str, Any]) -> go.Figure | None:
    """Round-by-round forecasts of the models that run in rounds, on one issue (None when no model does)."""
    dynamic = {m: fc for m, fc in data.get("forecasts", {}).items() if fc.get("rounds")}
    if not dynamic:
        return None
    fig = go.Figure()
    for model, fc in dynamic.items():
        ys = [r.get(issue["id"]) for r in fc["rounds"]]
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(ys) + 1)),
                y=ys,
                mode="lines+markers",
                name=esc(model),
                line={"color": series_colour(data, "model", model)},
                hovertemplate="round %{x}: %{y:.4g}<extra>" + esc(model) + "</extra>",
            )
        )
    lo, hi = _scale(issue)
    unit = issue.get("scale", {}).get("unit", "")
    return layout(
        fig,
        380,
        xaxis={"title": "round", "dtick": 1},
        yaxis={"range": [lo, hi], "title": esc(unit)},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
