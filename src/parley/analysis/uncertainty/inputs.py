"""The uncertain inputs of a scenario and how a draw of them becomes a Stances batch.

Every uncertain number of a scenario (a stance's ``uncertainty``, a ``salience_range``, an
actor's ``capability_range``, or global :class:`Noise` where none is given) is one
:class:`UncertainInput`; :class:`InputSpace` collects them, maps unit-cube points to input
values through each input's quantile function, and writes the values into the scenario's
arrays. :mod:`parley.analysis.uncertainty.montecarlo` and :mod:`parley.analysis.uncertainty.sensitivity` draw from it
(docs/uncertainty.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from parley.errors import ParleyError
from parley.models.base import FloatArray
from parley.scenario.core import Actor, Issue, Scenario, Stances

_V = TypeVar("_V")

__all__ = ["Distribution", "Extras", "InputSpace", "Kind", "Noise", "UncertainInput"]

Kind = Literal["position", "salience", "capability", "no_agreement", "red_line", "deferred"]
Distribution = Literal["uniform", "triangular", "normal", "lognormal"]
_DIST_CODES: dict[str, int] = {"uniform": 0, "triangular": 1, "normal": 2, "lognormal": 3}
_EPS = 1e-12
"""Unit-cube values are kept inside [EPS, 1 − EPS] before a normal quantile, so none is infinite."""


@dataclass(frozen=True)
class Noise:
    """Global noise on the point values of every stance that has no uncertainty of its own.

    Parameters
    ----------
    position
        Standard deviation of a normal draw around each position, as a fraction of the issue's
        span (0.05 = 5 points on a 0–100 scale); draws are clipped to the issue's scale.
    salience
        Standard deviation of a normal draw around each salience; clipped to [0, 1].
    capability
        Standard deviation of the log of a multiplicative factor on each actor's capability
        (0.2 ≈ ±20 %): capability × exp(capability · z), z standard normal.
    """

    position: float = 0.0
    salience: float = 0.0
    capability: float = 0.0

    def __post_init__(self) -> None:
        for name in ("position", "salience", "capability"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ParleyError(f"noise on {name} must be a number ≥ 0, got {value!r}")

    def to_dict(self) -> dict[str, float]:
        """The three standard deviations."""
        return {"position": self.position, "salience": self.salience, "capability": self.capability}


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain number of a scenario and how it is drawn.

    ``a``, ``b``, ``c`` are the distribution's parameters: uniform (low, high, –),
    triangular (low, mode, high), normal (mean, sd, –) clipped to [``lower``, ``upper``],
    lognormal (median, log-sd, –). ``source`` is ``"scenario"`` for a range written in the
    file and ``"noise"`` for global noise.
    """

    name: str
    label: str
    kind: Kind
    actor: str
    issue: str | None
    distribution: Distribution
    a: float
    b: float
    c: float = float("nan")
    lower: float = -math.inf
    upper: float = math.inf
    source: Literal["scenario", "noise", "forecasts"] = "scenario"
    plan: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        params: dict[str, float] = {}
        if self.distribution == "uniform":
            params = {"low": self.a, "high": self.b}
        elif self.distribution == "triangular":
            params = {"low": self.a, "mode": self.b, "high": self.c}
        elif self.distribution == "normal":
            params = {"mean": self.a, "sd": self.b, "clip_low": self.lower, "clip_high": self.upper}
        else:
            params = {"median": self.a, "log_sd": self.b}
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "actor": self.actor,
            "issue": self.issue,
            "distribution": self.distribution,
            "params": params,
            "source": self.source,
            **({"plan": self.plan} if self.plan is not None else {}),
        }


def _num(x: float | None) -> float:
    """A parameter the schema guarantees is present, as a float."""
    if x is None:  # pragma: no cover - the schema rejects such a file
        raise ParleyError("an uncertainty lacks a parameter its distribution needs")
    return float(x)


def _make(
    actor: Actor, kind: Kind, issue: Issue | None, dist: Distribution, *args: float | None, **kw: Any
) -> UncertainInput:
    """An uncertain input of ``actor`` with readable names; ``args`` are the distribution's a, b (, c)."""
    what = {"position": " position on ", "salience": " salience on ", "capability": " capability"}[kind]
    who = actor.short_name  # "Poland (Prime Minister Tusk)" → "Poland"
    return UncertainInput(
        name=f"{kind}:{actor.id}" + (f":{issue.id}" if issue else ""),
        label=who + what + (issue.label if issue else ""),
        kind=kind,
        actor=actor.id,
        issue=issue.id if issue else None,
        distribution=dist,
        a=_num(args[0]),
        b=_num(args[1]),
        c=_num(args[2]) if len(args) > 2 else math.nan,
        **kw,
    )


def _uncertain(
    name: str,
    label: str,
    kind: Kind,
    actor: str,
    issue: Issue,
    unc: Any,
    x0: float,
    plan: str | None = None,
) -> UncertainInput:
    """An input from an ``uncertainty`` mapping (uniform, triangular, or normal clipped to the scale)."""
    common: dict[str, Any] = {
        "name": name,
        "label": label,
        "kind": kind,
        "actor": actor,
        "issue": issue.id,
        "plan": plan,
    }
    if unc.distribution == "uniform":
        return UncertainInput(distribution="uniform", a=_num(unc.low), b=_num(unc.high), **common)
    if unc.distribution == "triangular":
        mode = x0 if unc.mode is None else unc.mode
        return UncertainInput(distribution="triangular", a=_num(unc.low), b=float(mode), c=_num(unc.high), **common)
    lo = issue.lower if unc.low is None else max(issue.lower, unc.low)
    hi = issue.upper if unc.high is None else min(issue.upper, unc.high)
    mean = x0 if unc.mode is None else unc.mode
    return UncertainInput(distribution="normal", a=float(mean), b=_num(unc.sd), lower=lo, upper=hi, **common)


@dataclass(frozen=True)
class Extras:
    """What a draw sets beyond the models' arrays: the no-agreement outcome, red lines, deferred issues.

    Shapes: ``no_agreement`` (B, M), NaN where none is declared; ``red_min``, ``red_max``
    (B, N, M), NaN where none; ``deferred`` (B, P, M), the drawn value of each deferred issue
    with a range (NaN elsewhere); ``to_forecast`` (P, M): deferred issues with neither a range
    nor a forecast spread, which take the draw's model forecast.
    """

    no_agreement: FloatArray
    red_min: FloatArray
    red_max: FloatArray
    deferred: FloatArray
    to_forecast: NDArray[np.bool_]


def _quantile_transform(
    u: FloatArray,
    code: NDArray[np.int64],
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
) -> FloatArray:
    """Map unit-cube values (B, K) to input values column by column (inverse CDFs, vectorised)."""
    x = np.empty_like(u)
    cols = code == 0
    if cols.any():
        x[:, cols] = a[cols] + u[:, cols] * (b[cols] - a[cols])
    cols = code == 1
    if cols.any():
        lo, mode, hi = a[cols], b[cols], c[cols]
        width = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            f_mode = np.where(width > 0, (mode - lo) / np.where(width > 0, width, 1.0), 0.0)
        uc = u[:, cols]
        left = lo + np.sqrt(uc * width * (mode - lo))
        right = hi - np.sqrt((1.0 - uc) * width * (hi - mode))
        x[:, cols] = np.where(uc < f_mode, left, right)
    cols = code == 2
    if cols.any():
        z = ndtri(np.clip(u[:, cols], _EPS, 1.0 - _EPS))
        x[:, cols] = np.clip(a[cols] + b[cols] * z, lower[cols], upper[cols])
    cols = code == 3
    if cols.any():
        z = ndtri(np.clip(u[:, cols], _EPS, 1.0 - _EPS))
        x[:, cols] = a[cols] * np.exp(b[cols] * z)
    return x


@dataclass(frozen=True)
class InputSpace:
    """The uncertain inputs of a scenario and how a unit-cube point becomes a Stances batch.

    Build one with :meth:`from_scenario`. Column ``k`` of a draw is input ``inputs[k]``;
    :meth:`values` maps unit-cube points to input values through each input's quantile
    function, :meth:`stances` writes the values into the scenario's arrays. Because each
    column is a monotone function of one uniform, a unit-cube design (Monte Carlo or Sobol)
    gives independent inputs with the stated distributions.
    """

    inputs: tuple[UncertainInput, ...]
    base: Stances = field(repr=False)
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    _code: NDArray[np.int64] = field(repr=False)
    _a: FloatArray = field(repr=False)
    _b: FloatArray = field(repr=False)
    _c: FloatArray = field(repr=False)
    _lower: FloatArray = field(repr=False)
    _upper: FloatArray = field(repr=False)
    _row: NDArray[np.int64] = field(repr=False)
    _col: NDArray[np.int64] = field(repr=False)
    _ref: FloatArray = field(repr=False)
    _kind: NDArray[np.object_] = field(repr=False)
    _plan: NDArray[np.int64] = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    _na: FloatArray = field(repr=False, default_factory=lambda: np.zeros(0))
    _red_min: FloatArray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    _red_max: FloatArray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    _to_forecast: NDArray[np.bool_] = field(repr=False, default_factory=lambda: np.zeros((0, 0), dtype=bool))
    plan_ids: tuple[str, ...] = ()

    @classmethod
    def from_scenario(
        cls,
        scenario: Scenario,
        noise: Noise | None = None,
        *,
        stated: bool = False,
        spread: dict[str, tuple[float, float]] | None = None,
    ) -> InputSpace:
        """Collect every uncertain input: the file's ranges first, then global noise where no range is given.

        After the stances and capabilities come the inputs of the decision rule
        (:mod:`parley.analysis.plans.decision`): uncertain no-agreement positions, uncertain
        red-line bounds, and each plan's deferred issues (over their declared range, else
        uniform over ``spread`` — the models' forecasts' [min, max] — when given for the issue;
        else the draw's own forecast, not an input).

        Parameters
        ----------
        scenario
            The scenario.
        noise
            Global noise on stances without a distribution of their own (none by default).
        stated
            Start from stated instead of revealed positions.
        spread
            Per issue, the models' forecast range a deferred issue without its own range is drawn over.
        """
        noise = noise or Noise()
        base = scenario.stances(stated=stated)
        col = {i.id: j for j, i in enumerate(scenario.issues)}
        items: list[tuple[UncertainInput, int, int, float]] = []
        # Inputs go in the scenario's issue order, never a mapping's key order: the stored form of a
        # scenario sorts its keys, and the same content hash and seed must give the same draws.
        for r, (actor, spec) in enumerate(zip(scenario.actors, scenario.spec.actors, strict=True)):
            for issue_id, st in _in_issue_order(spec.stances, col):
                j = col[issue_id]
                issue = scenario.issues[j]
                x0 = float(base.positions[0, r, j])
                unc = st.uncertainty
                if unc is not None and unc.distribution == "uniform":
                    items.append((_make(actor, "position", issue, "uniform", unc.low, unc.high), r, j, 1.0))
                elif unc is not None and unc.distribution == "triangular":
                    mode = x0 if unc.mode is None else unc.mode
                    items.append((_make(actor, "position", issue, "triangular", unc.low, mode, unc.high), r, j, 1.0))
                elif unc is not None:  # normal, clipped to the scale (and to low/high where given)
                    lo = issue.lower if unc.low is None else max(issue.lower, unc.low)
                    hi = issue.upper if unc.high is None else min(issue.upper, unc.high)
                    mean = x0 if unc.mode is None else unc.mode
                    items.append(
                        (_make(actor, "position", issue, "normal", mean, unc.sd, lower=lo, upper=hi), r, j, 1.0)
                    )
                elif noise.position > 0:
                    sd = noise.position * issue.span
                    kw = {"lower": issue.lower, "upper": issue.upper, "source": "noise"}
                    items.append((_make(actor, "position", issue, "normal", x0, sd, **kw), r, j, 1.0))
                if st.salience_range is not None:
                    items.append((_make(actor, "salience", issue, "uniform", *st.salience_range), r, j, 1.0))
                elif noise.salience > 0:
                    kw = {"lower": 0.0, "upper": 1.0, "source": "noise"}
                    items.append(
                        (_make(actor, "salience", issue, "normal", st.salience, noise.salience, **kw), r, j, 1.0)
                    )
            cap = spec.capability
            ref = float(max(cap.values())) if isinstance(cap, dict) else float(cap)
            if spec.capability_range is not None:
                items.append((_make(actor, "capability", None, "uniform", *spec.capability_range), r, -1, ref))
            elif noise.capability > 0:
                item = _make(actor, "capability", None, "lognormal", ref, noise.capability, source="noise")
                items.append((item, r, -1, ref))
        from parley.analysis.plans.decision import no_agreement_point, red_lines

        na_point = no_agreement_point(scenario)
        red_min, red_max, _, _ = red_lines(scenario)
        plan_rows: list[int] = []
        na = scenario.spec.no_agreement
        for key, entry in _in_issue_order(na.positions, col) if na is not None else []:
            j = col[key]
            if entry.uncertainty is not None:
                item = _uncertain(
                    f"no_agreement:{key}",
                    f"No agreement: {scenario.issues[j].label}",
                    "no_agreement",
                    "(no agreement)",
                    scenario.issues[j],
                    entry.uncertainty,
                    entry.position,
                )
                items.append((item, -1, j, 1.0))
        for r, (actor, spec) in enumerate(zip(scenario.actors, scenario.spec.actors, strict=True)):
            for issue_id, st in _in_issue_order(spec.stances, col):
                red = st.red_line
                if red is None or red.uncertainty is None:
                    continue
                j = col[issue_id]
                side = "max" if red.max is not None else "min"
                who = actor.short_name
                item = _uncertain(
                    f"red_line:{actor.id}:{issue_id}",
                    f"{who} red line ({side}) on {scenario.issues[j].label}",
                    "red_line",
                    actor.id,
                    scenario.issues[j],
                    red.uncertainty,
                    red.bound,
                )
                items.append((item, r, j, 1.0 if side == "max" else -1.0))
        to_forecast = np.zeros((len(scenario.plans), len(scenario.issues)), dtype=bool)
        for p, plan in enumerate(scenario.plans):
            for key, d in _in_issue_order(plan.deferred, col):
                j = col[key]
                issue = scenario.issues[j]
                if d.low is not None and d.high is not None:
                    if d.distribution == "triangular":
                        mode = (d.low + d.high) / 2 if d.mode is None else d.mode
                        args: tuple[Distribution, float, float, float] = ("triangular", d.low, mode, d.high)
                    else:
                        args = ("uniform", d.low, d.high, math.nan)
                    source: Literal["scenario", "noise", "forecasts"] = "scenario"
                elif spread is not None and key in spread:
                    args, source = ("uniform", spread[key][0], spread[key][1], math.nan), "forecasts"
                else:
                    to_forecast[p, j] = True
                    continue
                item = UncertainInput(
                    name=f"deferred:{plan.id}:{key}",
                    label=f"{plan.id}: deferred {issue.label}",
                    kind="deferred",
                    actor="(deferred)",
                    issue=key,
                    distribution=args[0],
                    a=args[1],
                    b=args[2],
                    c=args[3],
                    source=source,
                    plan=plan.id,
                )
                items.append((item, -1, j, 1.0))
                plan_rows.append(p)
        inputs = tuple(i for i, *_ in items)
        plan_index = np.full(len(inputs), -1, dtype=np.int64)
        plan_index[len(inputs) - len(plan_rows) :] = plan_rows
        return cls(
            inputs=inputs,
            base=base,
            actor_ids=scenario.actor_ids,
            issue_ids=scenario.issue_ids,
            _code=np.array([_DIST_CODES[i.distribution] for i in inputs], dtype=np.int64),
            _a=np.array([i.a for i in inputs], dtype=float),
            _b=np.array([i.b for i in inputs], dtype=float),
            _c=np.array([i.c for i in inputs], dtype=float),
            _lower=np.array([i.lower for i in inputs], dtype=float),
            _upper=np.array([i.upper for i in inputs], dtype=float),
            _row=np.array([r for _, r, _, _ in items], dtype=np.int64),
            _col=np.array([j for _, _, j, _ in items], dtype=np.int64),
            _ref=np.array([ref for *_, ref in items], dtype=float),
            _kind=np.array([i.kind for i in inputs], dtype=object),
            _plan=plan_index,
            _na=na_point,
            _red_min=red_min,
            _red_max=red_max,
            _to_forecast=to_forecast,
            plan_ids=tuple(p.id for p in scenario.plans),
        )

    @property
    def size(self) -> int:
        """Number of uncertain inputs ``K``."""
        return len(self.inputs)

    @property
    def names(self) -> tuple[str, ...]:
        """Machine names of the inputs, e.g. ``position:us:sanctions``."""
        return tuple(i.name for i in self.inputs)

    @property
    def labels(self) -> tuple[str, ...]:
        """Readable names of the inputs, e.g. ``White House position on Sanctions``."""
        return tuple(i.label for i in self.inputs)

    def groups(self, by: Literal["actor", "issue", "input"]) -> tuple[str, ...]:
        """The group of each input: its actor, its issue (capabilities form group ``capability``), or itself."""
        if by == "actor":
            return tuple(i.actor for i in self.inputs)
        if by == "issue":
            return tuple(i.issue if i.issue is not None else "capability" for i in self.inputs)
        if by == "input":
            return self.names
        raise ParleyError(f"group inputs by actor, issue or input, not {by!r}")

    def values(self, unit: FloatArray) -> FloatArray:
        """Input values (B, K) for unit-cube points (B, K)."""
        u = np.asarray(unit, dtype=float)
        if u.ndim != 2 or u.shape[1] != self.size:
            raise ValueError(f"expected unit-cube points of shape (B, {self.size}), got {u.shape}")
        return _quantile_transform(u, self._code, self._a, self._b, self._c, self._lower, self._upper)

    def extras(self, values: FloatArray) -> Extras:
        """The no-agreement outcome, red lines and deferred issues of each draw (:class:`Extras`)."""
        x = np.asarray(values, dtype=float)
        b = x.shape[0]
        _, n, m = self.base.shape
        kinds = self._kind
        na = np.broadcast_to(self._na, (b, m)).copy()
        k = np.flatnonzero(kinds == "no_agreement")
        na[:, self._col[k]] = x[:, k]
        lo = np.broadcast_to(self._red_min, (b, n, m)).copy()
        hi = np.broadcast_to(self._red_max, (b, n, m)).copy()
        k = np.flatnonzero(kinds == "red_line")
        up, down = k[self._ref[k] > 0], k[self._ref[k] < 0]
        hi[:, self._row[up], self._col[up]] = x[:, up]
        lo[:, self._row[down], self._col[down]] = x[:, down]
        deferred = np.full((b, len(self.plan_ids), m), np.nan)
        k = np.flatnonzero(kinds == "deferred")
        deferred[:, self._plan[k], self._col[k]] = x[:, k]
        return Extras(na, lo, hi, deferred, self._to_forecast)

    def stances(self, values: FloatArray) -> Stances:
        """The Stances batch (B, N, M) with each input set to its value."""
        x = np.asarray(values, dtype=float)
        b = x.shape[0]
        _, n, m = self.base.shape
        pos = np.broadcast_to(self.base.positions, (b, n, m)).copy()
        sal = np.broadcast_to(self.base.saliences, (b, n, m)).copy()
        cap = np.broadcast_to(self.base.capabilities, (b, n, m)).copy()
        kinds = self._kind
        k = np.flatnonzero(kinds == "position")
        pos[:, self._row[k], self._col[k]] = x[:, k]
        k = np.flatnonzero(kinds == "salience")
        sal[:, self._row[k], self._col[k]] = x[:, k]
        k = np.flatnonzero(kinds == "capability")
        cap[:, self._row[k], :] *= (x[:, k] / self._ref[k])[:, :, None]
        return Stances(
            positions=pos,
            saliences=sal,
            capabilities=cap,
            mask=np.broadcast_to(self.base.mask, (b, n, m)).copy(),
            lower=self.base.lower,
            upper=self.base.upper,
            reference=np.broadcast_to(self.base.reference, (b, m)).copy(),
        )


def _in_issue_order(mapping: Mapping[str, _V], col: Mapping[str, int]) -> list[tuple[str, _V]]:
    """``mapping``'s items sorted by the issue's place in the scenario (its key order does not matter)."""
    return sorted(mapping.items(), key=lambda kv: col[kv[0]])
