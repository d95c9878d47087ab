"""``parley brief``: the bottom line of a scenario, first (a thin layer over :mod:`parley.analysis.plans.brief`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from parley.cli.common import (
    AsOfOption,
    Format,
    NoStoreOption,
    StoreOption,
    emit_json,
    fail,
    keeper,
    kept,
    load_as_of,
)
from parley.cli.layout import WideOption, say, show
from parley.errors import ParleyError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def _reason(why: str) -> str:
    """What makes a probability certain, without the party it is about ("Ukraine: a fixed red line …")."""
    return why.split(": ", 1)[1] if ": " in why else why


def _labels(data: dict[str, Any]) -> dict[str, str]:
    """Each party's short name (its id when it has none), from every text's parties."""
    return {q["name"]: q.get("label") or q["name"] for p in data["plans"] for q in p["parties"]}


def _pivotal(p: dict[str, Any]) -> str:
    """``"Ukraine (the least willing)"``: the pivotal party and why, each said once."""
    name = p.get("pivotal_label") or p["pivotal"]
    if not name:
        return "none (" + p["pivotal_why"] + ")"
    party = next((q for q in p["parties"] if q["name"] == p["pivotal"]), None)
    if party is None:
        return f"{name} ({p['pivotal_why']})"
    if party["swing"] > 0:
        return f"{name} (its consent alone would turn {_pct(party['swing'])} of the draws into deals)"
    if party["p_accept"]["certain"]:
        return f"{name} (the least willing: it refuses for certain)"
    return f"{name} (the least willing: P(accept) {party['p_accept']['text']})"


def _p_deal(p: dict[str, Any]) -> str:
    """P(deal) with, when certain, what makes it so: ``"0% — certain: Ukraine: a fixed red line …"``."""
    d = p["p_deal"]
    return f"{_pct(d['p'])} — certain: {d['why']}" if d["certain"] else d["text"]


def _summary(data: dict[str, Any]) -> None:
    """One line per text: P(deal), who refuses it for certain, or the pivotal party and why."""
    plans = data["plans"]
    if not plans:
        return
    cells = []
    reasons: list[str] = []
    for p in plans:
        d = p["p_deal"]
        chance = f"{_pct(d['p'])} certain" if d["certain"] else d["text"]
        refusing = [
            q.get("label") or q["name"] for q in p["parties"] if q["p_accept"]["certain"] and q["p_accept"]["p"] == 0
        ]
        piv = next((q for q in p["parties"] if q["name"] == p["pivotal"]), None)
        name = p.get("pivotal_label") or p["pivotal"]
        if refusing:
            rest = "refused by " + _and(refusing)
            if piv is not None and piv["swing"] > 0:
                rest += f"; with {name}'s yes, a deal in {_pct(piv['swing'])} of draws"
        elif piv is not None and piv["swing"] > 0:
            rest = f"pivotal: {name} (its yes alone turns {_pct(piv['swing'])} of draws into deals)"
        elif piv is not None:
            rest = f"pivotal: {name} (the least willing, P(accept) {piv['p_accept']['text']})"
        else:
            rest = p["pivotal_why"]
        if d["certain"] and _reason(d["why"]) not in reasons:
            reasons.append(_reason(d["why"]))
        cells.append((p["plan"], chance, rest))
    w1 = max(len(c[0]) for c in cells)
    w2 = max(len(c[1]) for c in cells)
    say(f"P(deal) text by text ({data['model']} model, {data['draws']} draws):")
    for plan, chance, rest in cells:
        say(f"{plan:<{w1}}  {chance:<{w2}}  {rest}", indent="  ", hang=" " * (w1 + w2 + 4))
    if reasons:
        say(f"  certain: nothing uncertain can move it ({'; '.join(reasons)})", hang="    ")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _headline(h: dict[str, Any]) -> str:
    """One issue's forecast in a line: the value, the models' range and whether they agree, the inputs' band."""
    lo, hi = h["spread"]
    band = h.get("band_90")
    inputs = f"; 90% of draws {band[0]:.3g}–{band[1]:.3g}" if band else ""
    agree = h.get("agreement") or ""
    agree = f", models {agree}" if agree in ("agree", "differ somewhat", "disagree") else f", {agree}" if agree else ""
    return (
        f"{h.get('label') or h['issue']}: {h['forecast']:.3g} (models {lo:.3g}–{hi:.3g}, "
        f"{_pct(h['spread_share_of_scale'])} of the scale{agree}{inputs})"
    )


def render(data: dict[str, Any]) -> None:
    """Print a brief's ``to_dict()``: the bottom line and a line per text first, then the details."""
    if data.get("title"):
        say(f"[bold]Brief[/bold]: {data['title']}", markup=True)
    # the lead: the lines below say who refuses each text (a stored brief from before "lead" has only the conclusion)
    conclusion = data.get("lead") or data["conclusion"]
    say(f"[bold]Bottom line[/bold]: {conclusion}", markup=True)
    say("")
    _summary(data)
    say("")
    labels = _labels(data)
    signatories = [labels.get(s, s) for s in data["signatories"]]
    say(
        f"{data['draws']} draws (seed {data['seed']}); random-utility (logit) scale λ = "
        f"{data['logit_scale']['value']:g} ({data['logit_scale']['source']}); walk-away: {data['walkaway']}; "
        f"signatories: {', '.join(signatories) or 'none'} ({data['signatories_note']})",
    )
    say("")
    deals = Table(title="Chance of a deal, text by text", title_justify="left")
    for col in ("text", "P(deal)", "pivotal party", "smallest change that brings it to yes"):
        deals.add_column(col)
    for p in data["plans"]:
        c = p["smallest_change"]
        change = (
            f"{c['issue']} (point {c['point'] or '–'}): {c['from'] if c['from'] is not None else '–'} → {c['to']:g} "
            f"({100 * c['share_of_scale']:.0f}% of scale): P(accept) {c['p_accept']['text']}, "
            f"P(deal) {c['p_deal']['text']}"
            if c
            else p["smallest_change_note"]
        )
        deals.add_row(p["plan"], _p_deal(p), _pivotal(p), change)
    show(deals)
    for p in data["plans"]:
        if not p["parties"]:
            say(f"{p['plan']}: no party must say yes ({p['pivotal_why']})")
            continue
        t = Table(
            title=f"{p['plan']}: who must say yes",
            title_justify="left",
            caption="red line: share of draws in which the text crosses one of its red lines; gain in point values",
            caption_justify="left",
        )
        for col in ("party", "role", "P(accept)", "red line", "gain"):
            t.add_column(col)
        for q in p["parties"]:
            roles = q["roles"]
            role = ", ".join(roles[:3]) + (f" (+{len(roles) - 3} more vetoes)" if len(roles) > 3 else "")
            gain = "–" if q["gain"] is None else f"{q['gain']:+.3g}"
            label = q.get("label") or q["name"]
            a = q["p_accept"]
            why = a["why"].removeprefix(f"{label}: ")  # its own name is the row's
            accept = f"{_pct(a['p'])} — certain: {why}" if a["certain"] else a["text"]
            t.add_row(label, role, accept, f"{100 * q['p_red_line_crossed']:.0f}%", gain)
        show(t)
        if p["deciding_provisions"]:
            pivotal = p.get("pivotal_label") or p["pivotal"]
            lines = [
                f"point {d['point'] or '–'} ({d['issue']}): without it P(accept of {pivotal}) "
                f"{100 * d['p_accept_without']:.0f}% ({100 * d['effect']:+.0f} points)"
                + (" — flips it" if d["flips"] else "")
                + (" — crosses its red line" if d["crosses_red_line"] else "")
                for d in p["deciding_provisions"]
            ]
            say("  provisions that decide it: " + "; ".join(lines), hang="    ")
        if p["unaddressed"]:
            say(f"  not mentioned (stays at the status quo under a deal): {', '.join(p['unaddressed'])}", hang="    ")
        if p["deferred"]:
            items = [f"{k} over [{v['low']:g}, {v['high']:g}] ({v['basis']})" for k, v in p["deferred"].items()]
            say(f"  deferred: {'; '.join(items)}", hang="    ")
    say("[bold]Headline forecast per issue[/bold] (median of the models; spread = their range):", markup=True)
    meanings: dict[str, str] = {}
    for h in data["headlines"]:
        say("  " + _headline(h), hang="    ")
        if h.get("agreement") and h.get("meaning"):
            meanings.setdefault(h["agreement"], h["meaning"])
    for meaning in meanings.values():
        say(f"  {meaning}", hang="    ")


@app.command("brief")
def brief_command(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML, JSON) or importable CSV")],
    plan: Annotated[list[str] | None, typer.Option("--plan", help="brief only this text (repeatable)")] = None,
    n: Annotated[int, typer.Option("--draws", "-n", min=1, help="Monte Carlo draws")] = 2000,
    seed: Annotated[int | None, typer.Option(min=0, help="seed (default: fresh, recorded)")] = None,
    model: Annotated[str, typer.Option("--model", "-m", help="model of the Monte Carlo forecast")] = "compromise",
    logit_scale: Annotated[
        float | None,
        typer.Option(
            "--logit-scale", min=0.0, help="random-utility scale λ (0: none; default 0.02, parley's assumption)"
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
    as_of: AsOfOption = None,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """The bottom line: P(deal) per text, who must say yes, the pivotal party and the change that would win it."""
    from parley.tasks.brief import BriefOptions
    from parley.tasks.brief import brief as run

    opts = BriefOptions(plans=tuple(plan) if plan else None, n=n, seed=seed, model=model, logit_scale=logit_scale)
    try:
        scenario = load_as_of(file, as_of)
        done = run(scenario, opts, store=keeper(store_url, no_store))
    except ParleyError as e:
        fail(e)
    kept(done.run_id)
    if fmt == Format.json:
        emit_json(done.data)
    else:
        render(done.data)
