"""``parley plans`` and ``parley coalitions``: the plan analyses on the command line.

The commands call :func:`parley.tasks.plans` and :func:`parley.tasks.coalitions` (which keep
the run in the store) and render the result with rich, or write its ``to_dict()`` as JSON.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

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

if TYPE_CHECKING:
    from rich.table import Table

app = typer.Typer()


def _table(**kwargs: Any) -> Table:
    from rich.table import Table

    return Table(**kwargs)


def _f(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.{digits}g}"


def _signed(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:+.3g}"


def _mark(b: bool | None) -> str:
    return "–" if b is None else ("yes" if b else "no")


def _acc(b: bool) -> str:
    return "✓" if b else "✗"


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _scorecard_tables(reports: list[tuple[str, Any]]) -> None:
    """Accept/gain and concession matrices; one column per plan per report (before/after)."""
    first = reports[0][1].scorecard
    acc = _table(title="Acceptance: ✓ accepts (plan beats its reservation), with its gain", title_justify="left")
    con = _table(
        title="Concession index: share of the way to its opponent's ideal that the outcome gives away",
        title_justify="left",
    )
    acc.add_column("actor")
    con.add_column("actor")
    con.add_column("opponent")
    for label, rep in reports:
        suffix = f" ({label})" if label else ""
        con.add_column("status quo" + suffix, justify="right")
        for p in rep.scorecard.plans:
            acc.add_column(p.plan + suffix, justify="right")
            con.add_column(p.plan + suffix, justify="right")
    for a in first.actor_ids:
        arow, crow = [a], [a, first.opponents[a] or "–"]
        for _, rep in reports:
            card = rep.scorecard
            if a not in card.actor_ids:
                arow += ["removed"] * len(card.plans)
                crow += ["removed"] * (len(card.plans) + 1)
                continue
            sq = card.status_quo.actors[card.actor_ids.index(a)]
            crow.append(_f(sq.concession, 2))
            for p in card.plans:
                s = p.actor(a)
                arow.append(f"{_acc(s.accepts)} {_signed(s.gain)}")
                crow.append(_f(s.concession, 2))
        acc.add_row(*arow)
        con.add_row(*crow)
    acc.add_section()
    rows: dict[str, list[str]] = {"support (capability share)": [], "vetoes pass": [], "Nash product": []}
    for _, rep in reports:
        for p in rep.scorecard.plans:
            rows["support (capability share)"].append(_f(p.support, 2))
            rows["vetoes pass"].append(_mark(p.vetoes_pass))
            rows["Nash product"].append(_f(p.nash_product))
    for k, v in rows.items():
        acc.add_row(k, *v)
    show(acc)
    show(con, keys=2)


def _details(rep: Any, provisions: bool) -> None:
    card = rep.scorecard
    for p in card.plans:
        blocked = [f"{v.holder} on {v.issue}" for v in p.vetoes if not v.consents]
        dominated_by = [a for a, b in card.dominance if b == p.plan]
        title = f" — {p.title}" if p.title != p.plan else ""
        inherited = f" (inherited from the revised text: {', '.join(p.inherited)})" if p.inherited else ""
        say(
            f"{p.plan}{title}: accepted by {', '.join(p.accepting) or 'no one'}; "
            f"vetoes blocking: {', '.join(blocked) or 'none'}; "
            f"Pareto-dominated by: {', '.join(dominated_by) or 'nothing'}; "
            f"issues it leaves out (they stay at the status quo): {', '.join(p.unaddressed) or 'none'}{inherited}",
        )
        if provisions:
            t = _table(title=f"{p.plan}: who gains and who loses on each provision", title_justify="left")
            for col in ("point", "provision", "issue → position", "gain", "lose"):
                t.add_column(col)
            for e in p.provisions:
                where = f"{e.issue} → {e.position:g}" if e.issue is not None and e.position is not None else "–"
                t.add_row(e.point or str(e.index), _short(e.text), where, ", ".join(e.gainers), ", ".join(e.losers))
            show(t, keys=2)
    alt = _table(title="Alternatives compared (forecasts scored like plans)", title_justify="left")
    alt.add_column("alternative")
    alt.add_column("accepting (capability share)", justify="right")
    bell = [rep.bargaining.side_a, rep.bargaining.side_b] if rep.bargaining is not None else []
    for b in bell:
        alt.add_column(f"{b} concession", justify="right")
    capsum = sum(card.capability.values())

    def share(actors: Any) -> str:
        return _f(sum(card.capability[a.actor] for a in actors if a.accepts) / capsum, 2)

    def conc(actors: Any, b: str) -> str:
        return _f(actors[card.actor_ids.index(b)].concession, 2)

    alt.add_row("status quo", share(card.status_quo.actors), *[conc(card.status_quo.actors, b) for b in bell])
    for name, f in card.forecasts.items():
        alt.add_row(f"forecast: {name}", share(f.actors), *[conc(f.actors, b) for b in bell])
    for p in card.plans:
        alt.add_row(f"plan: {p.plan}", _f(p.support, 2), *[conc(p.actors, b) for b in bell])
    show(alt)


def _bargaining_table(reports: list[tuple[str, Any]]) -> None:
    for label, rep in reports:
        br = rep.bargaining
        suffix = f" ({label})" if label else ""
        if br is None:
            say(f"Bargaining range{suffix}: {rep.bargaining_note}")
            continue
        where = f"issue {br.issue}" if br.issue else "salience-weighted composite of " + ", ".join(br.weights)
        say(
            f"Bargaining range{suffix}, {br.side_a} (A, 1 = its ideal) vs {br.side_b} (B, 0 = its ideal), {where}:\n"
            f"  p = {_f(br.p)} [{br.inputs['p']['source']}]\n"
            f"  c_A = {_f(br.cost_a)} [{br.inputs['cost_a']['source']}]; "
            f"c_B = {_f(br.cost_b)} [{br.inputs['cost_b']['source']}]\n"
            f"  outside options: δ_A = {_f(br.shift_a)} [{br.inputs['shift_a']['source']}], "
            f"δ_B = {_f(br.shift_b)} [{br.inputs['shift_b']['source']}]\n"
            f"  range [{_f(br.lower)}, {_f(br.upper)}] (without outside options [{_f(br.lower_base)}, "
            f"{_f(br.upper_base)}]); status quo at {_f(br.status_quo)}",
        )
        t = _table(
            caption="x: the plan on the 0–1 scale; m_A, m_B: margins to each side's limit; in: inside the range; "
            "P: P(acceptable); Δp: shift implied by its military terms; in': inside the range once Δp is applied "
            "(no outside-option shift); CP: Powell's commitment problem (inside today's range without "
            "outside-option shifts, outside after)",
            caption_justify="left",
        )
        for col in ("plan", "x", "m_A", "m_B", "in", "P", "Δp", "in'", "CP"):
            t.add_column(col, justify="left" if col == "plan" else "right")
        for p in br.plans:
            t.add_row(
                p.plan,
                _f(p.x),
                _signed(p.margin_a),
                _signed(p.margin_b),
                _mark(p.inside),
                _f(p.p_acceptable),
                _signed(p.delta_p),
                _mark(p.inside_after),
                _mark(p.commitment_problem),
            )
        show(t)
        terms = [(p.plan, t) for p in br.plans for t in p.terms]
        if terms:
            tt = _table(title="Military terms behind Δp (rule: docs/analysis.md §2.5)", title_justify="left")
            for col in ("plan", "provision", "tag (how found)", "side", "kept", "elasticity", "note"):
                tt.add_column(col)
            for plan, term in terms:
                tt.add_row(
                    plan if term.plan == plan else f"{plan} (from {term.plan})",
                    _short(term.text, 60),
                    f"{term.tag} ({term.how})",
                    term.side or "–",
                    _f(term.retained),
                    _f(term.elasticity),
                    term.note,
                )
            show(tt, keys=2)


def _durability_table(rep: Any) -> None:
    from parley.analysis.plans.durability import BASE_RATE

    if not rep.durability:
        return
    t = _table(
        title="Durability indicators (what the literature measures; + / − : its association)", title_justify="left"
    )
    t.add_column("indicator")
    t.add_column("±")
    for d in rep.durability:
        t.add_column(d.plan, justify="center")
    sources: dict[str, str] = {}
    reasons: set[str] = set()  # why indicators cannot apply to the case
    for k, ind in enumerate(rep.durability[0].indicators):
        cells = []
        for d in rep.durability:
            i = d.indicators[k]
            if not i.applicable:
                cells.append("n/a")
                reasons.add(i.not_applicable)
            elif i.id == "specificity":
                cells.append(_f(i.value["share"], 2) if i.value["share"] is not None else "–")
            elif i.id == "power_sharing":
                cells.append(str(i.value["count"]))
            else:
                cells.append(_mark(i.present))
        t.add_row(ind.label, ind.direction, *cells)
        sources.setdefault(ind.source, ind.label)
    show(t)
    for why in sorted(reasons):
        say(f"  n/a = not applicable to this case: {why.removeprefix('not applicable: ')}", hang="    ")
    for src in sources:
        say(f"  source: {src}", hang="    ")
    say(f"  {BASE_RATE['statement']} — {BASE_RATE['label']} ({BASE_RATE['source']})", hang="    ")


def _words_deeds_table(rep: Any) -> None:
    wd = rep.words_deeds
    if not wd.positions:
        return
    t = _table(title="Words vs deeds: stated and revealed positions", title_justify="left")
    for col in ("actor", "issue", "revealed", "stated", "stated − revealed"):
        t.add_column(col, justify="left" if col in ("actor", "issue") else "right")
    for g in wd.positions:
        t.add_row(g.actor, g.issue, _f(g.revealed, 4), _f(g.stated, 4), _signed(g.difference))
    show(t)
    if wd.forecasts:
        ft = _table(title="Forecast gap per issue (forecast on stated − on revealed)", title_justify="left")
        ft.add_column("issue")
        for f in wd.forecasts:
            ft.add_column(f.model, justify="right")
        gaps = [f.gap for f in wd.forecasts]
        for k in wd.forecasts[0].revealed:
            ft.add_row(k, *[_signed(g[k]) for g in gaps])
        show(ft)
    for a in wd.acceptance:
        say(
            f"  {a.actor} {'accepts' if a.accepts_stated else 'rejects'} {a.plan} by its words "
            f"but {'accepts' if a.accepts_revealed else 'rejects'} it by its deeds",
        )


def _changes_table(changes: Any) -> None:
    t = _table(title="What the shock changed", title_justify="left")
    for col in ("plan", "actor", "what", "before", "after"):
        t.add_column(col)
    for c in changes:

        def cell(v: Any) -> str:
            return _mark(v) if isinstance(v, bool) or v is None else _f(v)

        t.add_row(c.plan, c.actor or "–", c.what, cell(c.before), cell(c.after))
    show(t)


def _summary(title: str, reports: list[tuple[str, Any]], shock: str | None, models: tuple[str, ...]) -> None:
    """The answer first: the best-supported text, which pass every veto, which models ran."""
    from parley.tasks.defaults import plan_models_on_request

    say(title)
    for label, rep in reports:
        card = rep.scorecard
        n = len(card.actor_ids)
        when = f" ({label})" if label else ""
        if not card.plans:
            continue
        best = max(card.plans, key=lambda p: p.support if math.isfinite(p.support) else -1.0)
        passing = [p.plan for p in card.plans if p.vetoes_pass]
        say(
            f"  Most support{when}: {best.plan}, {len(best.accepting)} of {n} actors accept "
            f"(capability share {_f(best.support, 2)}); every veto passes for: {', '.join(passing) or 'no text'}",
            hang="    ",
        )
    if shock is not None:
        say(f"  Shock '{shock}' applied in 'after'.")
    say(
        f"  {reports[0][1].scorecard.utility_form} utility; reservation = outside option, else status quo; "
        "issues a plan leaves out stay at the status quo.",
        hang="    ",
    )
    others = [m for m in plan_models_on_request() if m not in models]
    more = f"; not run (slow): {', '.join(others)} — add with --model NAME or --all-models" if others else ""
    say(f"  Models scored: {', '.join(models)}{more}.", hang="    ")


@app.command("plans")
def plans_cmd(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML or JSON) with plans")],
    plan: Annotated[list[str] | None, typer.Option("--plan", help="plan id (repeatable; default all)")] = None,
    shock: Annotated[str | None, typer.Option("--shock", help="compare before and after this shock")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="model whose forecast is scored (repeatable; default the fast ones: compromise, median, nash, "
            "bdm, smp)",
        ),
    ] = None,
    all_models: Annotated[
        bool, typer.Option("--all-models", help="score every model's forecast, the slow ones (exchange) too")
    ] = False,
    issue: Annotated[str | None, typer.Option("--issue", help="bargaining range on this issue only")] = None,
    p: Annotated[
        float | None, typer.Option("--p", min=0.0, max=1.0, help="A's chance of winning a war (default derived)")
    ] = None,
    p_concentration: Annotated[
        float | None,
        typer.Option("--p-concentration", min=0.0, help="make p ~ Beta(p·k, (1−p)·k) with this k (k > 0)"),
    ] = None,
    cost_a: Annotated[float | None, typer.Option("--cost-a", min=0.0, help="A's cost of war on the 0–1 scale")] = None,
    cost_b: Annotated[float | None, typer.Option("--cost-b", min=0.0, help="B's cost of war on the 0–1 scale")] = None,
    ally_a: Annotated[
        list[str] | None,
        typer.Option("--ally-a", help="actor or group on A's side (repeatable; default: by position)"),
    ] = None,
    ally_b: Annotated[
        list[str] | None, typer.Option("--ally-b", help="actor or group on B's side (repeatable)")
    ] = None,
    refusal_shock_a: Annotated[
        str | None, typer.Option("--refusal-shock-a", help="shock that hits A if it refuses (e.g. aid cut)")
    ] = None,
    refusal_shock_b: Annotated[
        str | None, typer.Option("--refusal-shock-b", help="shock that hits B if it refuses")
    ] = None,
    provisions: Annotated[
        bool, typer.Option("--provisions", help="show who gains and loses on each provision")
    ] = False,
    stated: Annotated[bool, typer.Option("--stated", help="score with stated instead of revealed positions")] = False,
    seed: Annotated[int | None, typer.Option(min=0, help="seed for models that draw")] = None,
    as_of: AsOfOption = None,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Score each plan for every actor: acceptance, vetoes, concession index, bargaining range, durability."""
    from parley.tasks.defaults import plan_models
    from parley.tasks.plans import PlansOptions
    from parley.tasks.plans import plans as run

    if all_models and model:
        fail("give either --model NAME ... or --all-models")

    opts = PlansOptions(
        plans=tuple(plan) if plan is not None else None,
        shock=shock,
        models=plan_models(every=True) if all_models else tuple(model) if model is not None else None,
        issue=issue,
        p=p,
        p_concentration=p_concentration,
        cost_a=cost_a,
        cost_b=cost_b,
        allies_a=tuple(ally_a or ()),
        allies_b=tuple(ally_b or ()),
        refusal_shock_a=refusal_shock_a,
        refusal_shock_b=refusal_shock_b,
        stated=stated,
        seed=seed,
    )
    try:
        sc = load_as_of(file, as_of)
        done = run(sc, opts, store=keeper(store_url, no_store))
    except ParleyError as e:
        fail(e)
    kept(done.run_id)
    if fmt is Format.json:
        emit_json(done.data)
        return
    models = opts.models or plan_models()
    if shock is not None:
        cmp = done.result
        reports = [("before", cmp.before), ("after", cmp.after)]
    else:
        reports = [("", done.result)]
    _summary(sc.title, reports, shock, models)
    _scorecard_tables(reports)
    if shock is not None:
        _changes_table(cmp.changes)
        _bargaining_table(reports)
        return
    _details(reports[0][1], provisions)
    _bargaining_table(reports)
    _durability_table(reports[0][1])
    _words_deeds_table(reports[0][1])


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _reasons(pivot: Any) -> str:
    """Why an actor's switch flips a plan, its own vetoes said once: "its vetoes on army_cap, ceasefire"."""
    vetoes = []
    other = []
    for r in pivot.reasons:
        m = re.fullmatch(r"veto of '(.+)' on '(.+)'", r)
        if m and m.group(1) == pivot.actor:
            vetoes.append(m.group(2))
        else:
            other.append(r)
    if vetoes:
        other.insert(0, f"its veto{'es' if len(vetoes) > 1 else ''} on {', '.join(vetoes)}")
    return "; ".join(other)


@app.command("coalitions")
def coalitions_cmd(
    file: Annotated[Path, typer.Argument(help="scenario file (YAML or JSON)")],
    plan: Annotated[list[str] | None, typer.Option("--plan", help="plan id (repeatable; default all)")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.0, max=1.0, help="capability share a plan needs to pass (above it)"),
    ] = 0.5,
    bloc_threshold: Annotated[
        float,
        typer.Option("--bloc-threshold", min=0.0, max=1.0, help="alignment distance at which blocs are cut"),
    ] = 0.25,
    group: Annotated[list[str] | None, typer.Option("--group", help="declared group (repeatable; default all)")] = None,
    as_of: AsOfOption = None,
    store_url: StoreOption = None,
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Alignment between actors, blocs, cohesion of declared groups, and pivotal actors of each plan."""
    from parley.tasks.plans import CoalitionsOptions, coalitions

    opts = CoalitionsOptions(
        plans=tuple(plan) if plan is not None else None,
        threshold=threshold,
        bloc_threshold=bloc_threshold,
        groups=tuple(group) if group is not None else None,
    )
    try:
        sc = load_as_of(file, as_of)
        done = coalitions(sc, opts, store=keeper(store_url, no_store))
    except ParleyError as e:
        fail(e)
    kept(done.run_id)
    res = done.result
    if fmt is Format.json:
        emit_json(done.data)
        return
    names = {a.id: a.short_name for a in sc.actors}

    def named(ids: Any) -> str:
        return ", ".join(names.get(a, a) for a in ids)

    say(sc.title)
    passing = [pv.plan for pv in res.pivots if pv.passes]
    say(
        f"  Texts that pass (support > {threshold:g}, every veto consenting): {', '.join(passing) or 'none'}",
        hang="    ",
    )
    stuck = []
    for pv in res.pivots:
        flips = [x for x in pv.pivots if x.direction == ("defection" if pv.passes else "conversion")]
        if flips:
            who = _or([names.get(x.actor, x.actor) for x in flips])
            say(
                f"    {pv.plan} would {'fail if ' + who + ' turned against it' if pv.passes else 'pass if ' + who}"
                + ("" if pv.passes else " accepted it"),
                hang="    ",
            )
        elif not pv.passes:
            stuck.append(pv.plan)
    if stuck:
        say(
            f"    {', '.join(stuck)}: no single actor's switch would pass {'them' if len(stuck) > 1 else 'it'}",
            hang="    ",
        )
    blocs = "; ".join(named(b) for b in res.blocs.blocs)
    say(f"  {len(res.blocs.blocs)} blocs (cut at distance {bloc_threshold:g}): {blocs}", hang="    ")
    bt = _table(
        title=f"Blocs (average-linkage clustering of alignment distance, cut at {bloc_threshold:g})",
        title_justify="left",
    )
    bt.add_column("bloc", justify="right")
    bt.add_column("members")
    for k, b in enumerate(res.blocs.blocs, 1):
        bt.add_row(str(k), named(b))
    show(bt)
    al = res.alignment
    at = _table(
        title="Alignment distance (0 = same positions, 1 = opposite ends); columns numbered as the rows",
        title_justify="left",
    )
    at.add_column("")
    for k, a in enumerate(al.actor_ids, 1):
        at.add_column(names.get(a, a) if wide else str(k), justify="right")
    for i, a in enumerate(al.actor_ids):
        cells = [_f(v, 2) if wide or not math.isfinite(v) else f"{v:.2f}" for v in al.distance[i]]
        at.add_row(names.get(a, a) if wide else f"{i + 1} {names.get(a, a)}", *cells)
    show(at)
    for g in res.groups:
        gt = _table(
            title=f"Group {g.group}: {named(g.members)} (position spread {_f(g.spread, 2)})",
            title_justify="left",
        )
        for col in ("alternative", "accepting", "share", "capability share", "gain sd", "gain min", "gain max"):
            gt.add_column(col, justify="left" if col in ("alternative", "accepting") else "right")
        for c in (g.status_quo, *g.plans):
            gt.add_row(
                c.alternative,
                named(c.accepting) or "–",
                _f(c.share, 2),
                _f(c.capability_share, 2),
                _f(c.gain_sd),
                _signed(c.gain_min),
                _signed(c.gain_max),
            )
        show(gt)
    pt = _table(
        title=f"Pivotal actors (a plan passes with support > {threshold:g} and every veto consenting)",
        title_justify="left",
    )
    for col in ("plan", "support", "vetoes pass", "passes", "pivotal actors"):
        pt.add_column(col)
    for pv in res.pivots:
        who = "; ".join(f"{names.get(x.actor, x.actor)} by {x.direction} ({_reasons(x)})" for x in pv.pivots) or "none"
        pt.add_row(pv.plan, _f(pv.support, 2), _mark(pv.vetoes_pass), _mark(pv.passes), who)
    show(pt)
