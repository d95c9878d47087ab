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
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from parley.errors import ParleyError
from parley.models.base import FloatArray
from parley.scenario.core import Actor, Issue, Scenario, Stances

__all__ = ["Distribution", "InputSpace", "Kind", "Noise", "UncertainInput"]

Kind = Literal["position", "salience", "capability"]
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
    source: Literal["scenario", "noise"] = "scenario"

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
    who = re.sub(r"\s*\([^()]*\)$", "", actor.name) or actor.name  # "Poland (Prime Minister Tusk)" → "Poland"
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

    @classmethod
    def from_scenario(cls, scenario: Scenario, noise: Noise | None = None, *, stated: bool = False) -> InputSpace:
        """Collect every uncertain input: the file's ranges first, then global noise where no range is given.

        Parameters
        ----------
        scenario
            The scenario.
        noise
            Global noise on stances without a distribution of their own (none by default).
        stated
            Start from stated instead of revealed positions.
        """
        noise = noise or Noise()
        base = scenario.stances(stated=stated)
        col = {i.id: j for j, i in enumerate(scenario.issues)}
        items: list[tuple[UncertainInput, int, int, float]] = []
        for r, (actor, spec) in enumerate(zip(scenario.actors, scenario.spec.actors, strict=True)):
            for issue_id, st in spec.stances.items():
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
        inputs = tuple(i for i, *_ in items)
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
