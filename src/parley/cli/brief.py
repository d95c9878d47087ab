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


def render(data: dict[str, Any]) -> None:
    """Print a brief's ``to_dict()`` as tables (also used by other front ends' tests)."""
    say(f"[bold]Bottom line[/bold]: {data['conclusion']}", markup=True)
    say(
        f"{data['draws']} draws (seed {data['seed']}); random-utility (logit) scale λ = "
        f"{data['logit_scale']['value']:g} ({data['logit_scale']['source']}); walk-away: {data['walkaway']}; "
        f"signatories: {', '.join(data['signatories']) or 'none'} ({data['signatories_note']})",
    )
    deals = Table(title="Chance of a deal, text by text", title_justify="left")
    for col in ("text", "P(deal)", "pivotal party", "why pivotal", "smallest change that brings it to yes"):
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
        deals.add_row(
            p["plan"], p["p_deal"]["text"], p.get("pivotal_label") or p["pivotal"] or "–", p["pivotal_why"], change
        )
    show(deals)
    for p in data["plans"]:
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
            t.add_row(
                q.get("label") or q["name"], role, q["p_accept"]["text"], f"{100 * q['p_red_line_crossed']:.0f}%", gain
            )
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
    for h in data["headlines"]:
        say("  " + h["line"], hang="    ")


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
