"""Report sections built on the analysis modules: plans, bargaining range, coalitions, durability,
words versus deeds. Each renderer takes the stored report data and returns a section (or None)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from parley.report.figures import ISSUE_COLOURS, NEUTRAL, esc, layout, orientation, series_colour, short
from parley.report.templating import environment

Section = dict[str, Any]


def _render(template: str, **context: Any) -> str:
    return str(environment().get_template(f"sections/{template}").render(**context))


def _actor_names(data: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a.get("name") or a["id"] for a in data["scenario"]["actors"]}


# ------------------------------------------------------------------------------------------ plans


def brief_section(data: dict[str, Any]) -> Section | None:
    """The bottom line first: P(deal) per text, the pivotal party, the smallest change, headlines."""
    b = data.get("brief")
    if not b or not b.get("plans"):
        return None
    return {
        "id": "brief",
        "title": "Bottom line",
        "html": _render("brief.html.j2", b=b),
        "how": "P(deal) is the share of Monte Carlo draws (over every uncertain input, with a random-utility term) "
        "in which every signatory accepts and every consent rule holds, with a 95% interval; it reads 0 or 100% "
        "only when nothing uncertain can move it, and says so. A party accepts a text that beats its walk-away "
        "(the no-agreement outcome, or its own outside option) and crosses none of its red lines. The pivotal "
        "party is the one whose consent alone would turn the most draws into deals "
        "(parley docs, Analysis: docs/analysis.md §9).",
    }


def _mix(colour: str, t: float) -> str:
    """``colour`` (#rrggbb) mixed with white: t = 0 white, t = 1 the colour."""
    t = min(max(t, 0.0), 1.0)
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 + (c - 255) * t):02x}" for c in rgb)


GAIN_PLUS, GAIN_MINUS, CLOSE = "#2166ac", "#b2182b", "#08306b"


def scorecard_cells(data: dict[str, Any]) -> dict[str, Any]:
    """Plan × actor as table cells: the printed number and the colour are the actor's gain over its walk-away
    (blue gains, red loses, deeper = larger), ✓/✗ whether it accepts; the concession index is in the cell's tooltip,
    labelled as what it is."""
    scores = data["plans"]["scores"]
    names = _actor_names(data)
    plans = scores["plans"]
    gains = [p["actors"][a].get("gain") for p in plans for a in scores["actors"]]
    finite = [abs(v) for v in gains if v is not None]
    vmax = max(finite) if finite and max(finite) > 0 else 1.0
    rows = []
    for actor in scores["actors"]:
        cells = []
        for plan in plans:
            a = plan["actors"][actor]
            gain = a.get("gain")
            mark = "✓" if a.get("accepts") else "✗"
            red = a.get("red_lines_crossed") or []
            ci = a.get("concession")
            if gain is None:
                cells.append({"text": mark, "bg": "#ffffff", "fg": "#1d2433", "title": "not scored"})
                continue
            t = abs(gain) / vmax
            cells.append(
                {
                    "text": f"{mark} {gain:+.2f}",
                    "bg": _mix(GAIN_PLUS if gain >= 0 else GAIN_MINUS, 0.85 * t),
                    "fg": "#ffffff" if t > 0.6 else "#1d2433",
                    "title": f"gain {gain:+.3g}"
                    + (f"; crosses its red line on {', '.join(red)}" if red else "")
                    + ("" if ci is None else f"; concession index {ci:.2f}"),
                }
            )
        rows.append({"actor": names[actor], "cells": cells})
    legend = [
        {"bg": _mix(GAIN_MINUS, 0.85), "fg": "#ffffff", "text": f"{-vmax:+.2f}"},
        {"bg": _mix(GAIN_MINUS, 0.4), "fg": "#1d2433", "text": "loses"},
        {"bg": "#ffffff", "fg": "#1d2433", "text": "0"},
        {"bg": _mix(GAIN_PLUS, 0.4), "fg": "#1d2433", "text": "gains"},
        {"bg": _mix(GAIN_PLUS, 0.85), "fg": "#ffffff", "text": f"{vmax:+.2f}"},
    ]
    return {"plans": [p["id"] for p in plans], "rows": rows, "legend": legend}


def plans_section(data: dict[str, Any]) -> Section | None:
    """The plan scorecard: acceptance, concession index, vetoes, support."""
    if not data.get("plans") or not data["plans"]["scores"]["plans"]:
        return None
    scores = data["plans"]["scores"]
    return {
        "id": "plans",
        "title": "How each party rates each text",
        "html": _render("plans.html.j2", scores=scores, card=scorecard_cells(data)),
        "how": "each cell is one actor (row) facing one plan (column). The number and the colour are the same: "
        "the actor's gain (printed in the cell), the utility of the plan minus the utility of its walk-away"
        " (its outside option where "
        "the scenario gives one, else the scenario's no-agreement outcome, else — when none is declared — the "
        "status quo); blue cells gain, red cells lose. ✓ means it accepts: a gain above zero and no red line "
        "crossed (a crossed red line is a refusal whatever the gain). The concession index — the salience-weighted "
        "share of the way from the actor's ideal to its opponent's that the plan gives away — is on hover "
        "(parley docs, Analysis: docs/analysis.md). A deal needs every signatory and every consent rule.",
    }


def bargaining_figure(b: dict[str, Any], data: dict[str, Any] | None = None) -> go.Figure:
    """The bargaining range on its 0–1 scale, the status quo, and each plan."""
    lo, hi = b["range"]
    fig = go.Figure()
    fig.add_shape(
        type="rect",
        x0=lo,
        x1=hi,
        y0=-0.5,
        y1=len(b["plans"]) - 0.5,
        fillcolor="rgba(44,160,44,0.15)",
        line={"width": 0},
    )
    fig.add_vline(x=b["status_quo"], line={"dash": "dot", "color": "#555"}, annotation_text="status quo")
    fig.add_vline(
        x=b["p"],
        line={"dash": "dash", "color": "#999"},
        annotation_text="p (expected war outcome)",
        annotation_position="bottom right",
    )
    ys = [esc(p["plan"]) for p in b["plans"]]
    fig.add_trace(
        go.Scatter(
            x=[p["x"] for p in b["plans"]],
            y=ys,
            mode="markers",
            marker={
                "size": 13,
                "color": [series_colour(data or {}, "plan", p["plan"]) for p in b["plans"]],
                "symbol": ["circle" if p["inside"] else "x" for p in b["plans"]],
                "line": {"width": 1, "color": "#333"},
            },
            text=["inside the range" if p["inside"] else "outside the range" for p in b["plans"]],
            hovertemplate="%{y}: %{x:.3f}, %{text}<extra></extra>",
            name="plan",
        )
    )
    return layout(
        fig,
        140 + 32 * len(ys),
        xaxis={  # drawn like every issue: side A (whose ideal is 1) on the left
            "range": [1.02, -0.02],
            "title": f"← {esc(b['sides'][0])}'s side   ·   {esc(b['scale'])}   ·   {esc(b['sides'][1])}'s side →",
        },
        yaxis={"automargin": True},
        showlegend=False,
    )


def bargaining_section(data: dict[str, Any]) -> Section | None:
    """Fearon's bargaining range between the two belligerents, with each plan placed on it."""
    b = (data.get("plans") or {}).get("bargaining")
    if not b:
        return None
    return {
        "id": "bargaining",
        "title": "Inside the bargaining range?",
        "figures": {"bargaining": bargaining_figure(b, data)},
        "html": _render("bargaining.html.j2", b=b),
        "how": f"the two sides ({b['sides'][0]} and {b['sides'][1]}) are placed on one salience-weighted scale from "
        f"{b['sides'][1]}'s ideal (0) to {b['sides'][0]}'s (1). Fearon's bargaining range (green band) holds the "
        "settlements both prefer to fighting on, given the expected outcome of war p and each side's costs; "
        "a plan outside it is one a side would rather fight than sign (dots inside, crosses outside; each plan in its "
        "colour). "
        "The inputs below say which numbers come from the scenario and which are parley's assumptions.",
    }


# ------------------------------------------------------------------------------------- coalitions


def alignment_cells(data: dict[str, Any]) -> dict[str, Any]:
    """The distance between actors' positions (0 = identical) as table cells, ordered by bloc: the number is
    printed in each cell and the colour runs from dark blue (distance 0, close) to white (the largest distance)."""
    c = data["coalitions"]
    names = _actor_names(data)
    actors = c["alignment"]["actors"]
    order = [a for bloc in c["blocs"]["blocs"] for a in bloc]
    order += [a for a in actors if a not in order]
    idx = [actors.index(a) for a in order]
    dist = c["alignment"]["distance"]
    finite = [float(dist[i][j]) for i in idx for j in idx if dist[i][j] is not None]
    dmax = max(finite) if finite and max(finite) > 0 else 1.0
    rows = []
    for k, i in enumerate(idx):
        cells = []
        for j in idx:
            d = dist[i][j]
            t = 1.0 - float(d) / dmax if d is not None else 0.0
            cells.append(
                {
                    "text": "–" if d is None else f"{d:.2f}",
                    "bg": _mix(CLOSE, 0.9 * t),
                    "fg": "#ffffff" if t > 0.55 else "#1d2433",
                }
            )
        rows.append({"n": k + 1, "actor": names.get(actors[i], actors[i]), "cells": cells})
    legend = [
        {"bg": _mix(CLOSE, 0.9), "fg": "#ffffff", "text": "0.00 (close)"},
        {"bg": _mix(CLOSE, 0.45), "fg": "#1d2433", "text": f"{dmax / 2:.2f}"},
        {"bg": "#ffffff", "fg": "#1d2433", "text": f"{dmax:.2f} (far)"},
    ]
    return {"rows": rows, "legend": legend}


def coalitions_section(data: dict[str, Any]) -> Section | None:
    """Alignment map, blocs, cohesion of declared groups, pivotal actors."""
    c = data.get("coalitions")
    if not c:
        return None
    return {
        "id": "coalitions",
        "title": "Which allies split",
        "html": _render("coalitions.html.j2", c=c, grid=alignment_cells(data)),
        "how": "the table shows how far apart each pair of actors stands across the issues they share, printed in "
        "each cell (0 = the same positions); the darker the blue, the closer the pair, white the farthest apart. "
        "Columns are numbered as the rows. Actors are ordered by the blocs a hierarchical clustering finds, so "
        "blocs show as dark squares on the diagonal."
        " The tables show, for each declared group, how many of its members accept each text: a group "
        "is split when some members accept and others do not.",
    }


# ------------------------------------------------------------------------------------- durability


def durability_section(data: dict[str, Any]) -> Section | None:
    """The indicators of a durable settlement the literature measures, per plan, each with its source."""
    dur = (data.get("plans") or {}).get("durability")
    if not dur:
        return None
    plans = list(dur)
    indicators = next(iter(dur.values()))["indicators"]
    return {
        "id": "durability",
        "title": "How durable would it be?",
        "html": _render("durability.html.j2", plans=plans, indicators=indicators, durability=dur),
        "how": "each row is an indicator that published studies associate with peace that lasts (or fails); ✓ means "
        "the plan has it (hover to see which provision), — that it does not, n/a that it cannot apply to this case "
        "(hover for why). These are indicators with their "
        "sources, not a probability: parley shows a base rate only where a published one exists, labelled as "
        "such.",
    }


def words_section(data: dict[str, Any]) -> Section | None:
    """Stated versus revealed positions, and what each does to the forecasts."""
    wd = (data.get("plans") or {}).get("words_deeds")
    if not wd or not wd.get("positions"):
        return None
    return {
        "id": "words",
        "title": "Words versus deeds",
        "html": _render("words.html.j2", wd=wd),
        "how": "where an actor says one thing and does another, the scenario records both. The first table lists "
        "the gaps; the second shows the forecasts that change when every actor is taken at its word instead "
        "of by its deeds.",
    }


# ------------------------------------------------------------------------------------ uncertainty


def montecarlo_section(data: dict[str, Any]) -> Section | None:
    """How sure: probability that each plan passes, each actor accepts, each group splits."""
    mc = data.get("montecarlo")
    if not mc or not mc.get("plans"):
        return None
    names = _actor_names(data)
    return {
        "id": "montecarlo",
        "title": "How sure is that?",
        "html": _render("montecarlo.html.j2", mc=mc, names=names),
        "how": f"the scenario's uncertain inputs (ranges and distributions on positions, saliences and capabilities) "
        f"were drawn {mc['n']} times (seed {mc['seed']}); each draw was forecast with the {mc['model']['name']} "
        "model and every plan scored again. The shares are the fraction of draws in which a plan passes every "
        "veto, an actor accepts it, or a declared group splits over it. The forecast bands in the first chart "
        "come from the same draws.",
    }


def tornado_figure(data: dict[str, Any]) -> go.Figure | None:
    """Value of clarity per uncertain actor, averaged over the issues it moves, with confidence intervals."""
    sens = data["sensitivity"]
    clarity = sens.get("value_of_clarity") or {}
    totals: dict[str, list[float]] = {}
    confs: dict[str, list[float]] = {}
    for output, per_group in clarity.items():
        if not output.startswith("outcome:"):
            continue
        for group, v in per_group.items():
            totals.setdefault(group, []).append(max(0.0, float(v["value"])))
            confs.setdefault(group, []).append(float(v.get("value_conf") or 0.0))
    if not totals:
        return None
    names = _actor_names(data)
    mean = {g: sum(v) / len(v) for g, v in totals.items()}
    order = sorted(mean, key=mean.get)  # type: ignore[arg-type]
    fig = go.Figure(
        go.Bar(
            x=[mean[g] for g in order],
            y=[esc(short(names.get(g, g), 40)) for g in order],
            orientation="h",
            error_x={"type": "data", "array": [sum(confs[g]) / len(confs[g]) for g in order], "color": "#777"},
            marker={"color": NEUTRAL},
            hovertemplate="%{y}: %{x:.2f} of the outcome variance on average<extra></extra>",
        )
    )
    return layout(
        fig,
        140 + 34 * len(order),
        xaxis={"title": "share of outcome variance explained (first-order Sobol)", "range": [0, 1]},
        yaxis={"automargin": True},
        showlegend=False,
    )


def sensitivity_section(data: dict[str, Any]) -> Section | None:
    """Which assumption drives the answer: Sobol indices by actor, as a tornado, and the top driver per issue."""
    sens = data.get("sensitivity")
    if not sens:
        return None
    fig = tornado_figure(data)
    names = _actor_names(data)
    top = []
    for output, per_group in (sens.get("value_of_clarity") or {}).items():
        if not output.startswith("outcome:") or not per_group:
            continue
        group, v = max(per_group.items(), key=lambda kv: kv[1]["value"])
        variance = (sens.get("variance") or {}).get(output)
        top.append(
            {
                "issue": output.split(":", 1)[1],
                "driver": names.get(group, group),
                "value": v["value"],
                "conf": v.get("value_conf"),
                "sd": variance**0.5 if variance else None,
            }
        )
    return {
        "id": "sensitivity",
        "title": "Which assumption drives the answer?",
        "figures": {"tornado": fig} if fig is not None else {},
        "html": _render("sensitivity.html.j2", sens=sens, top=top, has_chart=fig is not None),
        "how": "each bar is an actor whose stance the scenario leaves uncertain. Its length is the share of the "
        "forecast's variance that would vanish if that actor's true stance were known (the first-order Sobol "
        "index of its group of inputs, averaged over the issues; whiskers: bootstrap confidence). A long bar "
        "is where clarity is worth most: the ambiguity that matters.",
    }


# --------------------------------------------------------------------------------------- timeline


def timeline_figures(tl: dict[str, Any], data: dict[str, Any]) -> tuple[go.Figure, go.Figure]:
    """P(accept) per signatory and P(deal) per text over time, with the dated events marked on the time axis
    (hover: what happened and its source); and each issue's headline forecast as a share of its scale."""
    dates = tl["dates"]
    accept = go.Figure()
    for plan, by_day in tl["plans"].items():
        days = [d for d in dates if d in by_day]
        colour = series_colour(data, "plan", plan)
        sigs = sorted({a for v in by_day.values() for a in v["accept"]})
        for j, actor in enumerate(sigs):
            accept.add_trace(
                go.Scatter(
                    x=days,
                    y=[by_day[d]["accept"].get(actor) for d in days],
                    mode="lines",
                    line={"color": colour, "dash": ("solid", "dot", "dashdot")[j % 3], "shape": "hv"},
                    name=esc(f"{plan}: {actor} accepts"),
                    legendgroup=esc(plan),
                )
            )
        accept.add_trace(
            go.Scatter(
                x=days,
                y=[by_day[d]["deal"] for d in days],
                mode="lines",
                line={"color": colour, "width": 4, "shape": "hv"},
                name=esc(f"{plan}: P(deal)"),
                legendgroup=esc(plan),
            )
        )
    events = [e for e in tl["events"] if e["kind"] != "revision"]
    accept.add_trace(
        go.Scatter(
            x=[e["date"] for e in events],
            y=[-0.08] * len(events),
            mode="markers",
            marker={"symbol": "triangle-up", "size": 9, "color": ["#333" if e["active"] else "#bbb" for e in events]},
            name="events (hover for the source)",
            hovertext=[
                esc(f"{e['date']} · {e['kind']}: {e['title']}") + "<br>" + esc(short(e.get("source") or "–", 140))
                for e in events
            ],
            hoverinfo="text",
        )
    )
    layout(accept, 460, yaxis={"title": "probability", "range": [-0.14, 1.04], "tickformat": ".0%"})
    issues = {i["id"]: i for i in data["scenario"]["issues"]}
    orient = orientation(data)
    forecast = go.Figure()
    for k, (issue, values) in enumerate(tl["forecast"].items()):
        spec = issues.get(issue, {"id": issue, "scale": {"min": 0.0, "max": 1.0}})
        forecast.add_trace(
            go.Scatter(
                x=dates,
                y=[orient.share(spec, v) for v in values],
                customdata=values,
                mode="lines",
                line={
                    "color": ISSUE_COLOURS[k % len(ISSUE_COLOURS)],
                    "shape": "hv",
                    "dash": ("solid", "dot")[k // 10 % 2],
                },
                name=esc(issue) + (" ⇄" if orient.flip.get(issue) else ""),
                hovertemplate=f"{esc(issue)}: %{{customdata:.3g}}<extra></extra>",
            )
        )
    layout(
        forecast,
        460,
        yaxis={
            "title": "headline forecast, share of the scale"
            + (f" (0 = {esc(orient.left)}'s side)" if orient.left else ""),
            "tickformat": ".0%",
        },
    )
    return accept, forecast


def timeline_section(data: dict[str, Any]) -> Section | None:
    """The negotiation over time: the verdicts and the forecast at each date, events on the time axis."""
    tl = data.get("timeline")
    if not tl or not tl.get("dates"):
        return None
    accept, forecast = timeline_figures(tl, data)
    last_notes: list[str] = next((notes for _, notes in reversed(list(tl.get("notes", {}).items())) if notes), [])
    moves = [
        (cid, m) for cid, m in sorted(tl["moves"].items(), key=lambda kv: -float(kv[1].get("size") or 0.0))
        if float(m.get("size") or 0.0) > 0
    ][:8]
    return {
        "id": "timeline",
        "title": "How did it move over time?",
        "figures": {"timeline-accept": accept, "timeline-forecast": forecast},
        "html": _render("timeline.html.j2", tl=tl, moves=moves, last_notes=last_notes),
        "how": "each date is the scenario as it stood that day (texts tabled by then, stances as revised, events "
        "applied, red lines stated by then), analysed as `parley brief` does; thin lines are each signatory's "
        "P(accept) of a text, the thick line its P(deal). Triangles on the time axis are the dated events: hover "
        "for what happened and its source (dark: it changed the scenario).",
    }


RENDERERS = (
    brief_section,
    timeline_section,
    plans_section,
    montecarlo_section,
    bargaining_section,
    coalitions_section,
    sensitivity_section,
    durability_section,
    words_section,
)
