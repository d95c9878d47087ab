"""``parley timeline``, ``parley diff`` and ``parley migrate``: a negotiation over time on the command line.

``app`` is a typer app whose commands join the top level of ``parley`` (``app.add_typer(app)``
without a name). :data:`AsOfOption` and :func:`load_as_of` give any command a ``--as-of DATE``.
"""

from __future__ import annotations

import math
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

app = typer.Typer(no_args_is_help=True)


def _f(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.{digits}g}"


def _signed(x: float) -> str:
    return f"{x:+.3g}"


def _short(text: str, n: int = 50) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _names(sc: Any) -> dict[str, str]:
    """Each actor's short name ("Poland (Prime Minister Tusk)" → "Poland"), by id."""
    return {a.id: a.short_name for a in sc.actors}


def _change(cid: str, titles: dict[str, str], names: dict[str, str], labels: dict[str, str]) -> str:
    """A dated change in words: "Ukraine revises its stance on NATO membership", an event's title, a text tabled."""
    kind, _, rest = cid.partition(":")
    if kind == "revision" and "." in rest:
        who, _, what = rest.partition(".")
        issue = what.split("@", 1)[0]
        return f"{names.get(who, who)} revises its stance on {labels.get(issue, issue)}"
    if kind == "tabled" and rest:
        return f"{rest} tabled"
    return titles.get(cid, cid)


def _pcts(items: list[tuple[str, float]]) -> str:
    return ", ".join(f"{pid} {100 * p:.0f}%" for pid, p in items)


@app.command("timeline")
def timeline_cmd(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML or JSON) with dated texts, events or history")],
    start: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="first date (default: first dated change)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="last date (default: last dated change)")
    ] = None,
    step: Annotated[
        str, typer.Option("--step", metavar="[week|event]", help="every week, or every date something changes")
    ] = "event",
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
    model: Annotated[str, typer.Option("--model", "-m", help="model of the headline forecast")] = "compromise",
    top: Annotated[int, typer.Option("--top", min=0, help="how many of the largest moves to list")] = 10,
    draws: Annotated[int, typer.Option("--draws", "-n", min=1, help="Monte Carlo draws per date")] = 2000,
    seed: Annotated[int, typer.Option(min=0, help="seed of every date's draws (the same at each date)")] = 0,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Re-run the analysis at each date: acceptance per signatory, the deal verdict, the forecast, what moved them."""
    from parley.analysis.timeline import signatories
    from parley.tasks.timeline import TimelineOptions
    from parley.tasks.timeline import timeline as run

    opts = TimelineOptions(start=start, end=end, step=step, model=model, draws=draws, seed=seed)
    try:
        sc = load_as_of(file, None)
        done = run(sc, opts, store=keeper(store_url, no_store))
    except ParleyError as e:
        fail(e)
    kept(done.run_id)
    tl = done.result
    if fmt is Format.json:
        emit_json(done.data)
        return
    days = [d.isoformat() for d in tl.dates]
    names = _names(sc)
    labels = {i.id: i.label for i in sc.issues}
    titles = {e.id: e.title for e in tl.events}
    sigs = [names.get(a, a) for a in signatories(sc)]
    say(
        f"{sc.title} — {len(days)} dates from {days[0]} to {days[-1]}; verdicts as `parley brief` gives them "
        f"({draws} draws per date)",
    )
    latest = [(pid, tl.plans[pid][days[-1]]["deal"]) for pid in tl.plans if tl.plans[pid].get(days[-1]) is not None]
    if latest:
        best = max(latest, key=lambda t: t[1])
        if best[1] < 0.005:
            say(f"  On {days[-1]}: no text on the table has a chance of a deal (P(deal): {_pcts(latest)})", hang="    ")
        else:
            rest = [t for t in latest if t[0] != best[0]]
            say(
                f"  On {days[-1]}: the likeliest deal is {best[0]}, P(deal) {100 * best[1]:.0f}%"
                + (f" (then {_pcts(rest)})" if rest else ""),
                hang="    ",
            )
    moves = [(cid, m) for cid, m in tl.ranked_moves() if m["size"] > 0]
    if moves:
        cid, m = moves[0]
        shifts = [
            (abs(x), f"{names.get(a, a)}'s P(accept) of {pid} {100 * x:+.0f} points")
            for pid, pm in m["plans"].items()
            for a, x in pm.get("accept", {}).items()
        ]
        effect = f" ({max(shifts)[1]})" if shifts and max(shifts)[0] > 0 else ""
        say(f"  What moved most: {m['date']}, {_change(cid, titles, names, labels)}{effect}", hang="    ")
    say(f"  ✓/✗: P(accept) ≥ 50% or not for each signatory ({', '.join(sigs)}), then P(deal)", hang="    ")
    vt = Table(title="Texts on the table: signatories accepting (✓/✗) and the deal verdict", title_justify="left")
    vt.add_column("date")
    for pid in tl.plans:
        vt.add_column(pid, justify="center")
    for d in days:
        row = [d]
        for pid in tl.plans:
            v = tl.plans[pid].get(d)
            if v is None:
                row.append("")
                continue
            marks = "".join("✓" if p >= 0.5 else "✗" for p in v["accept"].values())
            row.append(f"{marks} {100 * v['deal']:.0f}%")
        vt.add_row(*row)
    show(vt)
    ft = Table(
        title=f"Headline forecast ({tl.model}) per issue, {days[0]} → {days[-1]} (every date: --format json)",
        title_justify="left",
    )
    for col in ("issue", "first", "last", "change", "largest step"):
        ft.add_column(col, justify="left" if col in ("issue", "largest step") else "right")
    for issue, values in tl.forecast.items():
        steps = [(values[k] - values[k - 1], days[k]) for k in range(1, len(values))]
        big = max(steps, key=lambda t: abs(t[0]), default=(0.0, ""))
        ft.add_row(
            labels.get(issue, issue),
            _f(values[0]),
            _f(values[-1]),
            _signed(values[-1] - values[0]),
            f"{_signed(big[0])} on {big[1]}" if abs(big[0]) > 1e-12 else "–",
        )
    show(ft)
    mt = Table(title="What moved most: changes ranked by Σ|Δforecast|/span + Σ|Δverdict|", title_justify="left")
    for col in ("date", "change", "size", "forecast", "verdicts"):
        mt.add_column(col)
    for cid, m in moves[:top]:
        fm = ", ".join(
            f"{labels.get(i, i)} {_signed(x)}" for i, x in sorted(m["forecast"].items(), key=lambda kv: -abs(kv[1]))[:3]
        )
        vm = "; ".join(
            f"{pid}: tabled"
            if pm.get("tabled")
            else f"{pid}: deal {_signed(pm['deal'])}"
            if pm["deal"]
            else f"{pid}: " + ", ".join(f"{names.get(a, a)} {_signed(x)}" for a, x in pm["accept"].items())
            for pid, pm in m["plans"].items()
        )
        shared = f" ({m['order'][0]} of {m['order'][1]} that day)" if m["order"] and m["order"][1] > 1 else ""
        mt.add_row(m["date"], f"{_change(cid, titles, names, labels)}{shared}", _f(m["size"]), fm or "–", vm or "–")
    show(mt, keys=2)
    last_notes = tl.notes.get(days[-1], [])
    for note in last_notes:
        say(f"note ({days[-1]}): {note}")


@app.command("diff")
def diff_cmd(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML or JSON) with plans")],
    plan_a: Annotated[str, typer.Argument(help="the earlier text")],
    plan_b: Annotated[str, typer.Argument(help="the later text")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
    as_of: AsOfOption = None,
    wide: WideOption = False,
) -> None:
    """Provision-level diff of two texts, and who gains and who loses by how much (the scorecard's utility)."""
    from parley.analysis.plans.diff import diff_plans

    try:
        sc = load_as_of(file, as_of)
        d = diff_plans(sc, plan_a, plan_b)
    except ParleyError as e:
        fail(e)
    if fmt is Format.json:
        emit_json(d.to_dict())
        return
    say(
        f"{sc.title} — {plan_a} → {plan_b}: {len(d.of('added'))} added, {len(d.of('removed'))} removed, "
        f"{len(d.of('changed'))} changed, {len(d.of('unchanged'))} unchanged; {d.utility_form} utility "
        "(a text leaves the issues it does not address at the status quo)",
    )
    names = _names(sc)
    labels = {i.id: i.label for i in sc.issues}
    if d.net:
        best = max(d.net.items(), key=lambda kv: kv[1])
        worst = min(d.net.items(), key=lambda kv: kv[1])
        say(
            f"  Gains most: {names.get(best[0], best[0])} ({_signed(best[1])}); "
            f"loses most: {names.get(worst[0], worst[0])} ({_signed(worst[1])})",
            hang="    ",
        )
        from parley.analysis.timeline import signatories

        sigs = [(a, d.net[a]) for a in signatories(sc) if a in d.net]
        if sigs:
            say("  Signatories: " + ", ".join(f"{names.get(a, a)} {_signed(x)}" for a, x in sigs), hang="    ")
    at = Table(title=f"Net utility move {plan_a} → {plan_b} per actor, and the points behind it", title_justify="left")
    for col in ("actor", "net", "largest contributions"):
        at.add_column(col, justify="right" if col == "net" else "left")
    for a, net in sorted(d.net.items(), key=lambda kv: -kv[1]):
        parts = sorted(d.by_point[a].items(), key=lambda kv: -abs(kv[1]))[:4]
        at.add_row(names.get(a, a), _signed(net), ", ".join(f"{k} {_signed(x)}" for k, x in parts))
    show(at)
    t = Table(title="Provisions", title_justify="left")
    for col in ("", "point", "issue: A → B", "text", "gain", "lose"):
        t.add_column(col)
    mark = {"added": "+", "removed": "−", "changed": "~"}
    for row in d.entries:
        if row.status == "unchanged":
            continue
        pa, pb = row.a, row.b
        either = pb or pa
        issue = either.issue if either is not None else None
        pos_a = "–" if pa is None or pa.position is None else f"{pa.position:g}"
        pos_b = "–" if pb is None or pb.position is None else f"{pb.position:g}"
        where = f"{labels.get(issue, issue)}: {pos_a} → {pos_b}" if issue else "–"
        text = either.text if either is not None else ""
        gainers = [(a, x) for a, x in sorted(row.effects.items(), key=lambda kv: -kv[1]) if x > 1e-12]
        losers = [(a, x) for a, x in sorted(row.effects.items(), key=lambda kv: kv[1]) if x < -1e-12]
        gain = ", ".join(f"{names.get(a, a)} {_signed(x)}" for a, x in gainers[:3]) + (
            f" +{len(gainers) - 3} more" if len(gainers) > 3 else ""
        )
        lose = ", ".join(f"{names.get(a, a)} {_signed(x)}" for a, x in losers[:3]) + (
            f" +{len(losers) - 3} more" if len(losers) > 3 else ""
        )
        t.add_row(mark[row.status], row.key, where, _short(text), gain, lose)
    show(t, keys=2)


@app.command("migrate")
def migrate_cmd(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML or JSON), schema_version 1")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write (default: FILE itself)")] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Migrate a scenario file from schema_version 1 to 2 (plan `date` becomes `tabled`); comments and layout kept."""
    from parley._files import write_text_atomic
    from parley.cli.common import check_output_path
    from parley.scenario.io import read_text, scenario_from_text
    from parley.scenario.migrate import migrate_text

    target = output or file
    try:
        text = read_text(file)
        new, changes = migrate_text(text, str(file))
        scenario_from_text(new, f"{file} (migrated)", "json" if file.suffix.lower() == ".json" else "yaml")
    except ParleyError as e:
        fail(e)
    check_output_path(target)
    if target.exists() and not force:
        fail(f"{target} exists: give --force to overwrite it, or -o OUT")
    try:
        write_text_atomic(target, new)
    except OSError as e:
        fail(f"cannot write {target}: {e.strerror}")
    say(f"wrote {target}: schema_version 2; {'; '.join(changes) or 'nothing else changed'}")
