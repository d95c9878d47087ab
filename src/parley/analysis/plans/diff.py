"""Two texts side by side: which provisions were added, removed or changed, and who that moves.

Provisions are matched in three passes (docs/analysis.md, "Diff of two texts"):

1. by point number: a bare number, with an optional letter and sub-point (``6``, ``21(d)``,
   ``10a``); labels such as ``(army)``, ``US 6`` or ``(analysis)`` are not numbers. Several
   provisions with one number pair in order;
2. provisions left over that name an issue, by issue (in order);
3. provisions left over that name no issue, by identical text.

A matched pair is *unchanged* when its text, issue and position are equal, else *changed*;
what is left is *removed* (only in A) or *added* (only in B). Inherited provisions count as
part of a text (it is what the text says).

Utility is the scorecard's (:class:`parley.analysis.plans.scoring.Basis`): each text's outcome
is its position on each issue it addresses and the status quo elsewhere, and actor ``i``'s
utility is ``−Σ_j s_ij L(|z_j − x_ij| / span_j)``. The net move of ``i`` from A to B is
``u_i(B) − u_i(A)``; it is the sum over issues of ``−s_ij [L_ij(B) − L_ij(A)]``, and each issue's
term is attributed to the provision(s) that set that issue in each text (the first provision
naming it, as :attr:`parley.scenario.core.Plan.positions` takes): to the diff entry holding
both, or jointly (``"P + Q"``) when they sit in different entries, or to the one text's
provision when the other leaves the issue at the status quo. An entry's ``effects`` add up
the terms attributed to it (a joint term shared equally between its entries), so the
``effects`` of all entries sum to the net move too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from parley.analysis.plans.scoring import Basis, ScoringOptions, finite_or_none, select_plans
from parley.scenario.core import Provision, Scenario

__all__ = ["DiffEntry", "PlanDiff", "diff_plans", "point_number"]

_NUMBER = re.compile(r"^\d+[a-z]?(\([a-z0-9]+\))?$", re.IGNORECASE)


def point_number(point: str) -> str | None:
    """The provision's point number (``"21(d)"``), or None when its point is a label or empty."""
    p = point.strip().replace(" ", "")
    return p if _NUMBER.match(p) else None


def _prov(p: Provision, index: int) -> dict[str, Any]:
    return {
        "index": index,
        "point": p.point,
        "issue": p.issue,
        "position": p.position,
        "text": p.text,
        "inherited_from": p.inherited_from,
    }


def _label(p: Provision, index: int) -> str:
    return p.point.strip() or f"#{index + 1}"


@dataclass(frozen=True)
class DiffEntry:
    """One row of the diff: a matched pair (``changed``/``unchanged``) or a provision of one text only."""

    key: str
    status: Literal["added", "removed", "changed", "unchanged"]
    matched_by: Literal["point", "issue", "text", ""]
    a: Provision | None
    b: Provision | None
    a_index: int | None
    b_index: int | None
    fields: tuple[str, ...] = ()
    effects: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        out: dict[str, Any] = {"key": self.key}
        if self.status in ("changed", "unchanged"):
            out["matched_by"] = self.matched_by
            assert self.a is not None and self.b is not None and self.a_index is not None and self.b_index is not None
            out["a"] = _prov(self.a, self.a_index)
            out["b"] = _prov(self.b, self.b_index)
        else:
            p, i = (self.a, self.a_index) if self.status == "removed" else (self.b, self.b_index)
            assert p is not None and i is not None
            out.update(_prov(p, i))
        if self.status == "changed":
            out["fields"] = list(self.fields)
        if self.status != "unchanged":
            out["effects"] = {k: finite_or_none(v) for k, v in self.effects.items()}
            out["gainers"] = [k for k, v in self.effects.items() if v > 1e-12]
            out["losers"] = [k for k, v in self.effects.items() if v < -1e-12]
        return out


@dataclass(frozen=True)
class PlanDiff:
    """The diff of text A to text B and the utility it moves.

    Attributes
    ----------
    entries : every diff row, in A's order then B's additions
    net : per actor, ``u(B) − u(A)``
    by_point : per actor, the net split over diff entries (keys as :attr:`DiffEntry.key`)
    by_issue : per actor, the net split over issues
    """

    plan_a: str
    plan_b: str
    utility_form: str
    entries: tuple[DiffEntry, ...]
    net: Mapping[str, float]
    by_point: Mapping[str, Mapping[str, float]]
    by_issue: Mapping[str, Mapping[str, float]]
    setters: Mapping[str, str]

    def of(self, status: str) -> list[DiffEntry]:
        """The entries with this status."""
        return [e for e in self.entries if e.status == status]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: ``added``, ``removed``, ``changed``, ``unchanged``, ``actors``."""
        return {
            "plans": [self.plan_a, self.plan_b],
            "utility": self.utility_form,
            "added": [e.to_dict() for e in self.of("added")],
            "removed": [e.to_dict() for e in self.of("removed")],
            "changed": [e.to_dict() for e in self.of("changed")],
            "unchanged": [e.to_dict() for e in self.of("unchanged")],
            "actors": {
                a: {
                    "net": finite_or_none(self.net[a]),
                    "by_point": {k: finite_or_none(v) for k, v in self.by_point[a].items()},
                    "by_issue": {k: finite_or_none(v) for k, v in self.by_issue[a].items()},
                }
                for a in self.net
            },
            "issues_set_by": dict(self.setters),
        }


def _match(pa: tuple[Provision, ...], pb: tuple[Provision, ...]) -> list[tuple[int | None, int | None, str]]:
    pairs: list[tuple[int | None, int | None, str]] = []
    left_a = list(range(len(pa)))
    left_b = list(range(len(pb)))

    def take(key_a: Any, key_b: Any, how: str) -> None:
        for i in list(left_a):
            ka = key_a(pa[i])
            if ka is None:
                continue
            j = next((j for j in left_b if key_b(pb[j]) == ka), None)
            if j is not None:
                pairs.append((i, j, how))
                left_a.remove(i)
                left_b.remove(j)

    take(lambda p: point_number(p.point), lambda p: point_number(p.point), "point")
    take(lambda p: p.issue, lambda p: p.issue, "issue")
    take(
        lambda p: p.text.strip() if p.issue is None else None,
        lambda p: p.text.strip() if p.issue is None else None,
        "text",
    )
    pairs += [(i, None, "") for i in left_a] + [(None, j, "") for j in left_b]
    return sorted(pairs, key=lambda t: t[0] if t[0] is not None else len(pa) + (t[1] or 0))


def diff_plans(scenario: Scenario, plan_a: str, plan_b: str, *, options: ScoringOptions | None = None) -> PlanDiff:
    """Diff text ``plan_a`` to text ``plan_b`` and attribute each actor's utility move to the points.

    Raises
    ------
    ScenarioError
        For an unknown plan id.
    """
    a, b = select_plans(scenario, [plan_a, plan_b]) if plan_a != plan_b else (scenario.plan(plan_a),) * 2
    basis = Basis(scenario, options or ScoringOptions())
    ids, issues = basis.actor_ids, basis.issue_ids

    entries_raw = _match(a.provisions, b.provisions)
    keys: list[str] = []
    for i, j, _ in entries_raw:
        la = _label(a.provisions[i], i) if i is not None else None
        lb = _label(b.provisions[j], j) if j is not None else None
        key = la if lb is None or la == lb else lb if la is None else f"{la} → {lb}"
        assert key is not None
        n, base = 2, key
        while key in keys:
            key, n = f"{base} [{n}]", n + 1
        keys.append(key)
    where_a = {i: k for k, (i, _, _) in enumerate(entries_raw) if i is not None}
    where_b = {j: k for k, (_, j, _) in enumerate(entries_raw) if j is not None}

    def setter(provs: tuple[Provision, ...], issue: str) -> int | None:
        return next((k for k, p in enumerate(provs) if p.issue == issue and p.position is not None), None)

    za, zb = basis.plan_outcome(a), basis.plan_outcome(b)
    ua = -basis.loss(basis.complete(za))  # (N, M) per-issue utility
    ub = -basis.loss(basis.complete(zb))
    delta = ub - ua
    by_point: dict[str, dict[str, float]] = {x: {} for x in ids}
    by_issue: dict[str, dict[str, float]] = {x: {} for x in ids}
    setters: dict[str, str] = {}
    entry_effects: list[dict[str, float]] = [{} for _ in entries_raw]
    for j, issue in enumerate(issues):
        sa, sb = setter(a.provisions, issue), setter(b.provisions, issue)
        if sa is None and sb is None:
            continue
        ea = where_a[sa] if sa is not None else None
        eb = where_b[sb] if sb is not None else None
        owners = sorted({e for e in (ea, eb) if e is not None})
        key = " + ".join(keys[e] for e in owners)
        setters[issue] = key
        if not np.any(np.abs(delta[:, j]) > 0):
            continue
        for r, actor in enumerate(ids):
            d = float(delta[r, j])
            if d == 0.0:
                continue
            by_issue[actor][issue] = by_issue[actor].get(issue, 0.0) + d
            by_point[actor][key] = by_point[actor].get(key, 0.0) + d
            share = d / len(owners)
            for e in owners:
                entry_effects[e][actor] = entry_effects[e].get(actor, 0.0) + share

    entries = []
    for k, (i, jb, how) in enumerate(entries_raw):
        pa_ = a.provisions[i] if i is not None else None
        pb_ = b.provisions[jb] if jb is not None else None
        if pa_ is not None and pb_ is not None:
            fields = tuple(f for f in ("text", "issue", "position") if getattr(pa_, f) != getattr(pb_, f))
            status: Literal["added", "removed", "changed", "unchanged"] = "changed" if fields else "unchanged"
        else:
            fields = ()
            status = "removed" if pb_ is None else "added"
        entries.append(
            DiffEntry(
                key=keys[k],
                status=status,
                matched_by=how if status in ("changed", "unchanged") else "",  # type: ignore[arg-type]
                a=pa_,
                b=pb_,
                a_index=i,
                b_index=jb,
                fields=fields,
                effects=entry_effects[k],
            )
        )
    net = {x: float(delta[r].sum()) for r, x in enumerate(ids)}
    return PlanDiff(
        plan_a=a.id,
        plan_b=b.id,
        utility_form="quadratic" if basis.quadratic else "linear",
        entries=tuple(entries),
        net=net,
        by_point=by_point,
        by_issue=by_issue,
        setters=setters,
    )
