"""Plotly figures for the report, built from the report data (plain dicts), never from live objects."""

from __future__ import annotations

import html
import math
from typing import Any

import plotly.graph_objects as go

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]


def esc(text: object) -> str:
    """Text for Plotly labels: Plotly reads a subset of HTML, so names are escaped to show as written."""
    return html.escape(str(text), quote=False)


def layout(fig: go.Figure, height: int, **kw: Any) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 50},
        template="plotly_white",
        font={"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 12},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        **kw,
    )
    return fig


def _issue_axis(issue: dict[str, Any]) -> dict[str, Any]:
    scale = issue.get("scale", {"min": 0, "max": 100})
    lo, hi = float(scale.get("min", 0)), float(scale.get("max", 100))
    pad = (hi - lo) * 0.03
    axis: dict[str, Any] = {"range": [lo - pad, hi + pad], "title": esc(scale.get("unit", "")), "zeroline": False}
    anchors = issue.get("anchors") or {}
    if anchors:
        vals = sorted((float(k), v) for k, v in anchors.items())
        axis["tickvals"] = [v for v, _ in vals]
        width = max(8, int(90 / max(len(vals), 1)))
        axis["ticktext"] = [f"<b>{v:g}</b><br>{_wrap(short(t, 2 * width), width)}" for v, t in vals]
        axis["tickangle"] = 0
    return axis


def short(text: str, n: int) -> str:
    """At most ``n`` characters, cut at a word with an ellipsis."""
    text = str(text)
    if len(text) <= n:
        return text
    return text[: n - 1].rsplit(" ", 1)[0] + "…"


def _wrap(text: str, width: int = 18) -> str:
    """Escape ``text`` for Plotly and break it into at most three lines."""
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "<br>".join(esc(x) for x in lines[:3])


def position_map(data: dict[str, Any], issue: dict[str, Any]) -> go.Figure:
    """Actors, plans and forecasts on one issue's natural scale."""
    sc = data["scenario"]
    iid = issue["id"]
    rows = []
    for actor in sc["actors"]:
        stance = actor.get("stances", {}).get(iid)
        if stance is None:
            continue
        cap = actor["capability"]
        cap = cap.get(iid, 0) if isinstance(cap, dict) else cap
        rows.append((actor, stance, float(cap)))
    rows.sort(key=lambda r: r[1]["position"])
    names = [esc(a.get("name") or a["id"]) for a, _, _ in rows]
    caps = [c for _, _, c in rows]
    cmax = max(caps) if caps else 1.0
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
                "size": [10 + 22 * math.sqrt(c / cmax) for c in caps],
                "color": [st["salience"] for _, st, _ in rows],
                "colorscale": "Blues",
                "cmin": 0,
                "cmax": 1,
                "line": {"width": 1, "color": "#333"},
                "colorbar": {"title": "salience", "thickness": 10, "len": 0.8},
            },
            error_x={"type": "data", "symmetric": False, "array": err_hi, "arrayminus": err_lo, "color": "#999"},
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
                marker={"symbol": "diamond-open", "size": 12, "color": "#d62728"},
                hovertemplate="%{y} states %{x}<extra></extra>",
            )
        )
    sq = issue.get("status_quo")
    if sq is not None:
        fig.add_vline(
            x=sq,
            line={"dash": "dot", "color": "#555"},
            annotation_text="status quo",
            annotation_position="bottom right",
        )
    for k, plan in enumerate(sc.get("plans", [])):
        pos = next((p["position"] for p in plan.get("provisions", []) if p.get("issue") == iid), None)
        if pos is not None:
            fig.add_trace(
                go.Scatter(
                    x=[pos, pos],
                    y=[names[0], names[-1]] if names else [0, 1],
                    mode="lines",
                    name=f"plan {esc(plan['id'])}",
                    line={"dash": "dash", "width": 2, "color": PALETTE[(k + 3) % len(PALETTE)]},
                    hovertemplate=f"plan {esc(plan['id'])}: {pos:g}<extra></extra>",
                )
            )
    for k, (model, fc) in enumerate(data.get("forecasts", {}).items()):
        x = fc["outcomes"].get(iid)
        if x is None or (isinstance(x, float) and math.isnan(x)):
            continue
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=[names[-1]] if names else [0],
                mode="markers",
                name=f"forecast {model}",
                marker={"symbol": "triangle-down", "size": 14, "color": PALETTE[k % len(PALETTE)]},
                hovertemplate=f"{model}: %{{x:.4g}}<extra></extra>",
                cliponaxis=False,
            )
        )
    return layout(
        fig,
        170 + 24 * len(rows),
        title={"text": esc(issue.get("label") or iid), "x": 0},
        xaxis=_issue_axis(issue),
        yaxis={"automargin": True},
    )


def forecast_overview(data: dict[str, Any]) -> go.Figure:
    """Every model's forecast on every issue, as a share of the issue's scale, with Monte Carlo bands."""
    sc = data["scenario"]
    issues = sc["issues"]
    labels = [esc(i.get("label") or i["id"]) for i in issues]
    fig = go.Figure()
    mc = data.get("montecarlo") or {}
    quant = mc.get("outcomes") or {}
    for j, issue in enumerate(issues):
        q = quant.get(issue["id"])
        if not q:
            continue
        lo, hi = _scale(issue)
        for (a, b), width in ((("q05", "q95"), 6), (("q25", "q75"), 14)):
            if a in q and b in q:
                fig.add_trace(
                    go.Scatter(
                        x=[_pct(q[a], lo, hi), _pct(q[b], lo, hi)],
                        y=[labels[j]] * 2,
                        mode="lines",
                        line={"width": width, "color": "rgba(31,119,180,0.25)"},
                        showlegend=False,
                        hovertemplate=f"{a[1:]}–{b[1:]}% band: {q[a]:.4g} to {q[b]:.4g}<extra></extra>",
                    )
                )
    for k, (model, fc) in enumerate(data.get("forecasts", {}).items()):
        xs, texts = [], []
        for issue in issues:
            lo, hi = _scale(issue)
            v = fc["outcomes"].get(issue["id"])
            xs.append(_pct(v, lo, hi) if v is not None else None)
            unit = issue.get("scale", {}).get("unit", "")
            texts.append(f"{v:.4g} {esc(unit)}" if v is not None else "–")
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=labels,
                mode="markers",
                name=esc(model),
                text=texts,
                marker={"size": 11, "color": PALETTE[k % len(PALETTE)], "symbol": k % 6},
                hovertemplate="%{y}: %{text}<extra>" + esc(model) + "</extra>",
            )
        )
    return layout(
        fig,
        160 + 30 * len(issues),
        xaxis={"range": [-2, 102], "title": "% of the issue's scale"},
        yaxis={"automargin": True, "autorange": "reversed"},
    )


def _scale(issue: dict[str, Any]) -> tuple[float, float]:
    s = issue.get("scale", {"min": 0, "max": 100})
    return float(s.get("min", 0)), float(s.get("max", 100))


def _pct(v: float | None, lo: float, hi: float) -> float | None:
    return None if v is None else 100.0 * (v - lo) / (hi - lo)


def trajectories(data: dict[str, Any]) -> go.Figure | None:
    """Round-by-round forecasts of the models that run in rounds, one issue at a time (menu)."""
    sc = data["scenario"]
    issues = sc["issues"]
    dynamic = {m: fc for m, fc in data.get("forecasts", {}).items() if fc.get("rounds")}
    if not dynamic:
        return None
    fig = go.Figure()
    for j, issue in enumerate(issues):
        for k, (model, fc) in enumerate(dynamic.items()):
            ys = [r.get(issue["id"]) for r in fc["rounds"]]
            fig.add_trace(
                go.Scatter(
                    x=list(range(1, len(ys) + 1)),
                    y=ys,
                    mode="lines+markers",
                    name=esc(model),
                    visible=j == 0,
                    line={"color": PALETTE[k % len(PALETTE)]},
                    hovertemplate="round %{x}: %{y:.4g}<extra>" + esc(model) + "</extra>",
                )
            )
    per = len(dynamic)
    buttons = []
    for j, issue in enumerate(issues):
        vis = [False] * (per * len(issues))
        vis[j * per : (j + 1) * per] = [True] * per
        lo, hi = _scale(issue)
        buttons.append(
            {
                "label": esc(issue.get("label") or issue["id"]),
                "method": "update",
                "args": [{"visible": vis}, {"yaxis.range": [lo, hi]}],
            }
        )
    lo, hi = _scale(issues[0])
    return layout(
        fig,
        380,
        xaxis={"title": "round", "dtick": 1},
        yaxis={"range": [lo, hi]},
        updatemenus=[{"buttons": buttons, "direction": "down", "x": 0, "y": 1.18, "xanchor": "left"}],
    )
