"""What the run and compare pages show, arranged from stored results: names, not ids, and charts.

Each function takes the stored scenario (its canonical mapping, as :meth:`parley.store.Store.get_scenario`
returns it) and a result, and returns plain data for a template; charts are Plotly figures as JSON
that is safe inside ``<script type="application/json">``. Nothing here computes an analysis.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

BLUE, GREY, RED, GREEN = "#1f77b4", "#9aa3b2", "#d62728", "#2ca02c"


@dataclass(frozen=True)
class Names:
    """Display names of a scenario's actors, issues and plans, by id (an id without a name shows as itself)."""

    actors: dict[str, str]
    issues: dict[str, str]
    plans: dict[str, str]

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Names:
        """The names in a stored scenario.

        Parameters
        ----------
        stored
            The scenario's canonical mapping.

        Returns
        -------
        Names
            Actor names, issue labels and plan titles by id.
        """
        return cls(
            actors={a["id"]: a.get("name") or a["id"] for a in stored.get("actors", [])},
            issues={i["id"]: i.get("label") or i["id"] for i in stored.get("issues", [])},
            plans={p["id"]: p.get("title") or p["id"] for p in stored.get("plans", [])},
        )

    def actor(self, aid: str | None) -> str:
        """An actor's name."""
        return "" if aid is None else self.actors.get(aid, aid)

    def issue(self, iid: str | None) -> str:
        """An issue's label."""
        return "" if iid is None else self.issues.get(iid, iid)

    def plan(self, pid: str | None) -> str:
        """A plan's title."""
        return "" if pid is None else self.plans.get(pid, pid)


def chart_json(fig: go.Figure) -> str:
    """A figure as JSON that is safe inside ``<script>`` (no ``<``, ``>`` or ``&`` left as such)."""
    text = json.dumps(json.loads(fig.to_json()))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _esc(text: object, width: int = 0) -> str:
    """Text for a Plotly label (Plotly reads a little HTML: names are escaped), cut to ``width`` characters."""
    s = str(text)
    if width and len(s) > width:
        s = s[: width - 1].rstrip() + "…"
    return html.escape(s, quote=False)


def _layout(fig: go.Figure, height: int, **kw: Any) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 20, "t": 40, "b": 50},
        template="plotly_white",
        font={"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 12},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        **kw,
    )
    return fig


def _scale(issue: dict[str, Any]) -> tuple[float, float]:
    scale = issue.get("scale") or {}
    return float(scale.get("min", 0.0)), float(scale.get("max", 100.0))


# ---------------------------------------------------------------------------------- Monte Carlo


def montecarlo_view(stored: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A Monte Carlo run: its outcome bands per issue (chart and table) and each plan's chances, with names.

    Parameters
    ----------
    stored
        The scenario's canonical mapping.
    result
        The run's stored result (``outcomes``: quantiles per issue; ``plans``: per-plan shares).

    Returns
    -------
    dict
        ``chart`` (figure JSON), ``issues`` (rows: name, unit, quantiles, the median's nearest anchor),
        ``plans`` (rows: title, shares, splitting groups) and ``actors`` (name, share accepting each plan).
    """
    from parley.report.templating import nearest_anchor

    names = Names.of(stored)
    quant = result.get("outcomes") or {}
    issues = [i for i in stored.get("issues", []) if i["id"] in quant]
    rows = []
    for issue in issues:
        q = quant[issue["id"]]
        rows.append(
            {
                "name": names.issue(issue["id"]),
                "unit": (issue.get("scale") or {}).get("unit", ""),
                **{k: q.get(k) for k in ("q05", "q25", "q50", "q75", "q95")},
                "reads_as": nearest_anchor(issue, q.get("q50")) if q.get("q50") is not None else "",
            }
        )
    plans = []
    plan_items = (result.get("plans") or {}).items()
    for pid, p in plan_items:
        plans.append(
            {
                "name": names.plan(pid),
                "deal": p.get("deal"),
                "passes": p.get("passes_vetoes"),
                "everyone": p.get("accepted_by_all"),
                "splits": [(g, v) for g, v in (p.get("splits") or {}).items() if v > 0],
            }
        )
    first: dict[str, Any] = next(iter((result.get("plans") or {}).values()), {})
    actor_ids = list(first.get("accept") or {})
    actors = [
        {"name": names.actor(a), "shares": [p.get("accept", {}).get(a) for _, p in plan_items]} for a in actor_ids
    ]
    model = (result.get("model") or {}).get("name", "")
    return {
        "chart": chart_json(bands_figure(issues, quant, names, model, stored)) if issues else None,
        "issues": rows,
        "plans": plans,
        "plan_names": [names.plan(pid) for pid, _ in plan_items],
        "actors": actors,
    }


def bands_figure(
    issues: list[dict[str, Any]],
    quant: dict[str, dict[str, float]],
    names: Names,
    model: str,
    stored: dict[str, Any] | None = None,
) -> go.Figure:
    """Each issue's 5–95 % and 25–75 % bands and median of the draws, as a share of the issue's scale.

    Drawn as the report draws its overview (:func:`parley.report.figures.orientation`): side A's ideal on the
    left, an issue whose scale runs the other way reversed and marked ⇄, the axis title saying which way it
    runs; the median in the model's report colour (:func:`parley.report.figures.series_colour`). Hover gives
    the values in the issue's own unit. Issues are labelled by name, top to bottom in the scenario's order.

    Parameters
    ----------
    issues
        The issues to draw (stored issue mappings), in order.
    quant
        Quantiles per issue id (``q05`` … ``q95``).
    names
        The scenario's display names.
    model
        The model the draws were forecast with.
    stored
        The scenario's canonical mapping, for the orientation (without it: every issue lower end left).

    Returns
    -------
    go.Figure
        Scatter traces only (two bands and the medians).
    """
    from parley.report.figures import Orientation, orientation, series_colour

    scenario = stored if stored is not None else {"issues": issues, "actors": []}
    data: dict[str, Any] = {"scenario": scenario, "forecasts": {model: {}}}
    orient = orientation(data) if stored is not None else Orientation({i["id"]: False for i in issues})
    fig = go.Figure()
    labels = [_esc(names.issue(i["id"]), 48) + (" ⇄" if orient.flip.get(i["id"]) else "") for i in issues]

    def pct(v: float | None, issue: dict[str, Any]) -> float | None:
        lo, hi = _scale(issue)
        if v is None or not math.isfinite(v) or hi == lo:
            return None
        share = orient.share({"scale": {"min": lo, "max": hi}, "id": issue["id"]}, v)
        return None if share is None else 100.0 * share

    for (a, b), width, name in ((("q05", "q95"), 7, "5–95% of draws"), (("q25", "q75"), 16, "25–75% of draws")):
        xs: list[float | None] = []
        ys: list[str | None] = []
        texts: list[str | None] = []
        for issue, label in zip(issues, labels, strict=True):
            q = quant[issue["id"]]
            unit = _esc((issue.get("scale") or {}).get("unit", ""))
            text = f"{q.get(a, math.nan):.4g} to {q.get(b, math.nan):.4g} {unit}"
            xs += [pct(q.get(a), issue), pct(q.get(b), issue), None]
            ys += [label, label, None]
            texts += [text, text, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=name,
                text=texts,
                line={"width": width, "color": "rgba(95,107,122,0.25)" if a == "q05" else "rgba(95,107,122,0.45)"},
                hovertemplate="%{y}: %{text}<extra>" + name + "</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[pct(quant[i["id"]].get("q50"), i) for i in issues],
            y=labels,
            mode="markers",
            name=f"median ({_esc(model)})",
            text=[
                f"{quant[i['id']].get('q50', math.nan):.4g} {_esc((i.get('scale') or {}).get('unit', ''))}"
                for i in issues
            ],
            marker={"size": 10, "color": series_colour(data, "model", model), "line": {"color": "white", "width": 1}},
            hovertemplate="%{y}: median %{text}<extra></extra>",
        )
    )
    return _layout(
        fig,
        120 + 34 * len(issues),
        xaxis={"range": [-2, 102], "title": orient.axis_title("% of the issue's scale"), "ticksuffix": "%"},
        yaxis={"automargin": True, "autorange": "reversed"},
    )


# ---------------------------------------------------------------------------------- sensitivity


def sensitivity_view(stored: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A sensitivity run: which uncertain actor (or input group) drives the outcomes, ranked, with names.

    Sobol': a group's score is its first-order index S1 (the share of an outcome's variance that
    knowing it would remove) averaged over the issues that vary; its total index ST (interactions
    included) beside it. Morris: a group's score is μ* (mean absolute elementary effect) as a share of
    each issue's scale, averaged over the issues; σ beside it (how much the effect depends on the rest).

    Parameters
    ----------
    stored
        The scenario's canonical mapping.
    result
        The run's stored result (``method``, ``indices``: output → group → index → value, ``variance``).

    Returns
    -------
    dict
        ``method``, ``ranking`` (rows: name, score, second, conf, issues it leads), ``top`` (per issue and
        plan: its biggest driver), ``chart`` (figure JSON) and the labels of the two measures.
    """
    names = Names.of(stored)
    method = result.get("method", "sobol")
    issues = {i["id"]: i for i in stored.get("issues", [])}
    by_actor = result.get("group_by", "actor") == "actor"

    def group_name(g: str) -> str:
        if g in PSEUDO_GROUPS:
            return PSEUDO_GROUPS[g]
        if by_actor:
            return names.actor(g)
        if result.get("group_by") == "issue":
            return names.issue(g)
        return g

    main, second, conf = ("S1", "ST", "S1_conf") if method == "sobol" else ("mu_star", "sigma", "mu_star_conf")
    scores: dict[str, list[float]] = {}
    seconds: dict[str, list[float]] = {}
    confs: dict[str, list[float]] = {}
    leads: dict[str, list[str]] = {}
    top = []
    for output, groups in (result.get("indices") or {}).items():
        what, _, oid = output.partition(":")
        if not groups:
            continue
        width = 1.0
        if method == "morris" and what == "outcome" and oid in issues:
            lo, hi = _scale(issues[oid])
            width = (hi - lo) or 1.0
        vals = {g: _finite(v.get(main)) / width for g, v in groups.items()}
        best = max(vals, key=lambda g: vals[g])
        top.append(
            {
                "what": "issue" if what == "outcome" else "plan passes every veto",
                "name": names.issue(oid) if what == "outcome" else names.plan(oid),
                "driver": group_name(best),
                "value": vals[best],
            }
        )
        if what != "outcome":
            continue
        leads.setdefault(best, []).append(names.issue(oid))
        for g, v in groups.items():
            scores.setdefault(g, []).append(max(0.0, vals[g]))
            seconds.setdefault(g, []).append(max(0.0, _finite(v.get(second)) / width))
            confs.setdefault(g, []).append(_finite(v.get(conf)) / width)
    mean = {g: sum(v) / len(v) for g, v in scores.items()}
    order = sorted(mean, key=lambda g: -mean[g])
    silent = [g for g in order if mean[g] <= NEGLIGIBLE and max(seconds[g]) <= NEGLIGIBLE]
    order = [g for g in order if g not in silent]
    ranking = [
        {
            "name": group_name(g),
            "score": mean[g],
            "second": sum(seconds[g]) / len(seconds[g]),
            "conf": sum(confs[g]) / len(confs[g]),
            "leads": leads.get(g, []),
        }
        for g in order
    ]
    labels = (
        ("first-order share of variance (S1)", "total share, with interactions (ST)")
        if method == "sobol"
        else ("μ*: mean absolute effect, share of the scale", "σ: how much the effect varies")
    )
    return {
        "method": method,
        "ranking": ranking,
        "silent": [group_name(g) for g in silent],
        "top": top,
        "labels": labels,
        "chart": chart_json(ranking_figure(ranking, labels, method)) if ranking else None,
    }


PSEUDO_GROUPS = {
    "(no agreement)": "Where talks that fail end up (the no-agreement outcome)",
    "(deferred)": "What a plan leaves for later (its deferred issues)",
}
"""Input groups that are not actors (see :mod:`parley.analysis.uncertainty.inputs`), by their display names."""

NEGLIGIBLE = 1e-3
"""A group whose scores all stay below this (share of variance, or of the scale) is listed as without effect."""


def _finite(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return f if math.isfinite(f) else 0.0


def ranking_figure(ranking: list[dict[str, Any]], labels: tuple[str, str], method: str) -> go.Figure:
    """Horizontal bars, largest on top: each group's score (with its confidence half-width) and its second measure."""
    names = [_esc(r["name"], 44) for r in ranking]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[r["score"] for r in ranking],
            y=names,
            orientation="h",
            name=labels[0],
            marker={"color": BLUE},
            error_x={"type": "data", "array": [r["conf"] for r in ranking], "color": "#555", "thickness": 1},
            hovertemplate="%{y}: %{x:.3f}<extra>" + _esc(labels[0]) + "</extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=[r["second"] for r in ranking],
            y=names,
            orientation="h",
            name=labels[1],
            marker={"color": GREY},
            hovertemplate="%{y}: %{x:.3f}<extra>" + _esc(labels[1]) + "</extra>",
        )
    )
    return _layout(
        fig,
        140 + 44 * len(ranking),
        barmode="group",
        xaxis={"title": "averaged over the issues" + (" (0–1)" if method == "sobol" else ""), "rangemode": "tozero"},
        yaxis={"automargin": True, "autorange": "reversed"},
    )


# ---------------------------------------------------------------------------------- plans under a shock

CHANGE_LABELS = {
    "support": "support (capability-weighted share accepting)",
    "vetoes_pass": "every veto passes",
    "accepts": "accepts the text",
    "gain": "gain over walking away",
    "concession": "concession index",
    "x": "place between the two sides (0–1)",
    "inside": "inside the bargaining range",
    "removed": "no longer scored",
}
"""What each kind of change in a shock comparison means, in words."""

BIGGEST = 8
"""Rows in each of the biggest-gains and biggest-losses tables."""


def comparison_view(stored: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
    """The plans before and after a shock, arranged for people: who changes their verdict, the biggest
    gains and losses, each plan's support, and every change, all by name.

    Parameters
    ----------
    stored
        The scenario's canonical mapping.
    view
        The comparison as the JSON API gives it (``plans``, ``actors``, ``before``, ``after``, ``changes``).

    Returns
    -------
    dict
        ``plans`` (id, name), ``actors`` (id, name), ``verdicts`` (who flips on which text, with their gains),
        ``summary`` (per plan: support and veto verdict before and after, how many accept), ``gains`` and
        ``losses`` (the actors whose gain from the texts moves most: the mean change over the texts whose
        gain changed, and the text where it moves most), and ``detail`` (every change, named).
    """
    names = Names.of(stored)
    before, after = view.get("before") or {}, view.get("after") or {}
    changes = view.get("changes") or []
    gain = {(c["plan"], c["actor"]): c for c in changes if c["what"] == "gain"}
    verdicts = []
    for c in changes:
        if c["what"] == "accepts":
            g = gain.get((c["plan"], c["actor"]), {})
            verdicts.append(
                {
                    "plan": names.plan(c["plan"]),
                    "who": names.actor(c["actor"]),
                    "before": c["before"],
                    "after": c["after"],
                    "gain_before": g.get("before"),
                    "gain_after": g.get("after"),
                }
            )
        elif c["what"] == "vetoes_pass":
            verdicts.append(
                {
                    "plan": names.plan(c["plan"]),
                    "who": "every veto holder together",
                    "before": c["before"],
                    "after": c["after"],
                    "gain_before": None,
                    "gain_after": None,
                }
            )
    summary = []
    for pid in view.get("plans", []):
        b, a = before.get(pid, {}), after.get(pid, {})
        summary.append(
            {
                "name": names.plan(pid),
                "support_before": b.get("support"),
                "support_after": a.get("support"),
                "vetoes_before": b.get("vetoes_pass"),
                "vetoes_after": a.get("vetoes_pass"),
                "accepting_before": sum(1 for v in (b.get("actors") or {}).values() if v.get("accepts")),
                "accepting_after": sum(1 for v in (a.get("actors") or {}).values() if v.get("accepts")),
                "actors": len(b.get("actors") or {}),
            }
        )
    moves: list[dict[str, Any]] = []
    for c in gain.values():
        if isinstance(c["before"], (int, float)) and isinstance(c["after"], (int, float)):
            moves.append(
                {
                    "who": names.actor(c["actor"]),
                    "plan": names.plan(c["plan"]),
                    "before": c["before"],
                    "after": c["after"],
                    "delta": c["after"] - c["before"],
                }
            )
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for m in moves:
        by_actor.setdefault(m["who"], []).append(m)
    per_actor = []
    for who, ms in by_actor.items():
        mean = sum(m["delta"] for m in ms) / len(ms)
        most = max(ms, key=lambda m: abs(m["delta"]))
        per_actor.append({"who": who, "delta": mean, "texts": len(ms), "most": most})
    per_actor.sort(key=lambda m: -m["delta"])
    detail = [
        {
            "plan": names.plan(c["plan"]),
            "who": names.actor(c["actor"]) if c.get("actor") else "(the plan as a whole)",
            "what": CHANGE_LABELS.get(c["what"], c["what"]),
            "before": _shown(c["before"]),
            "after": _shown(c["after"]),
        }
        for c in changes
    ]
    return {
        "plans": [{"id": p, "name": names.plan(p)} for p in view.get("plans", [])],
        "actors": [{"id": a, "name": names.actor(a)} for a in view.get("actors", [])],
        "verdicts": verdicts,
        "summary": summary,
        "gains": [m for m in per_actor if m["delta"] > 0][:BIGGEST],
        "losses": [m for m in reversed(per_actor) if m["delta"] < 0][:BIGGEST],
        "detail": detail,
    }


def _shown(v: Any) -> Any:
    """A yes/no for a verdict, the value itself otherwise."""
    return ("yes" if v else "no") if isinstance(v, bool) else v
