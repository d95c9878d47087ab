"""Fitted data that ships with parley: the ensemble's stack weights and the interval calibration.

The file ``parley/data/ensemble.json`` is written by
``parley backtest deu PATH --fit-ensemble -o weights.json`` (see
:mod:`parley.analysis.validation`) and copied into the package. It holds

- the stack: the members (a registered model and its parameters each), an intercept and
  non-negative weights, all on the scale-normalised outputs (0 = the issue's lower end,
  1 = its upper end);
- the calibration of 80% split-conformal intervals: for the ensemble (from its out-of-fold
  residuals) and for every member with those parameters (base models fit nothing, so their
  residuals on the training data are out of sample already), one quantile per interval kind;
- the provenance: data file and its SHA-256, folds, repeats, seed, date and CV score.

This module reads and applies it; it imports nothing above :mod:`parley.scenario`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from parley.errors import ModelError
from parley.scenario.core import Stances

FloatArray = NDArray[np.float64]

INTERVAL_LABEL = "calibrated on EU legislative bargaining; other kinds of negotiation may differ"
"""The one label every display of a calibrated interval carries (report, brief, CLI)."""

INTERVAL_LEVEL = 0.8
"""Nominal coverage of the shipped intervals."""

SPREAD_FLOOR = 0.05
"""For ``spread``-scaled intervals, the scale of issue k is ``sd_k + SPREAD_FLOOR`` (scale
fractions), so that issues where the actors nearly agree still get an interval (fixed a
priori, not tuned)."""

IntervalKind = Literal["absolute", "spread"]
INTERVAL_KINDS: tuple[IntervalKind, ...] = ("absolute", "spread")

FORMAT = "parley-ensemble/1"
SHIPPED = "ensemble.json"


@dataclass(frozen=True)
class Member:
    """One base model of the stack: its label in the stack, registered name and parameters."""

    label: str
    model: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def param_dict(self) -> dict[str, Any]:
        """The parameters as a dict."""
        return dict(self.params)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"label": self.label, "model": self.model, "params": self.param_dict}


DEFAULT_MEMBERS: tuple[Member, ...] = (
    Member("compromise", "compromise"),
    Member("nash", "nash"),
    Member("exchange", "exchange"),
    Member("smp", "smp"),
    Member("mean-unweighted", "compromise", (("weights", "equal"),)),
    Member("median", "median"),
)
"""The stacked models. BDM is left out on purpose: its outcome is being changed (cycle-aware
BDM) and weights fitted to today's BDM would silently go stale; it is also the weakest on DEU."""


@dataclass(frozen=True)
class Calibration:
    """Split-conformal quantiles of one model: ``q[kind]`` in scale fractions (``absolute``) or
    in units of ``sd + SPREAD_FLOOR`` (``spread``), from ``n`` out-of-sample residuals."""

    q: Mapping[str, float]
    n: int
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EnsembleFit:
    """A fitted stack with its calibration and provenance (the JSON file, read)."""

    members: tuple[Member, ...]
    intercept: float
    weights: tuple[float, ...]
    calibration: Mapping[str, Calibration]
    level: float
    provenance: Mapping[str, Any]
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (what :func:`read_fit` reads)."""
        return {
            "format": FORMAT,
            "model": "ensemble",
            "units": "fractions of each issue's scale (0 = lower end, 1 = upper end)",
            "members": [m.to_dict() for m in self.members],
            "intercept": self.intercept,
            "weights": {m.label: w for m, w in zip(self.members, self.weights, strict=True)},
            "intervals": {
                "level": self.level,
                "label": INTERVAL_LABEL,
                "method": "split-conformal on out-of-sample absolute residuals; 'spread' divides "
                f"them by (sd of positions + {SPREAD_FLOOR})",
                "spread_floor": SPREAD_FLOOR,
                "models": {
                    name: {"q": dict(c.q), "n": c.n, **({"params": dict(c.params)} if c.params else {})}
                    for name, c in self.calibration.items()
                },
            },
            "provenance": dict(self.provenance),
        }

    def summary(self) -> str:
        """One line: the weights, and where and how they were fitted."""
        terms = " + ".join(f"{w:.3f}·{m.label}" for m, w in zip(self.members, self.weights, strict=True) if w > 5e-4)
        p = self.provenance
        cv = p.get("cv", {})
        score = p.get("cv_score", {})
        return (
            f"{terms or '0'} {'+' if self.intercept >= 0 else '−'} {abs(self.intercept):.3f} (scale fractions); "
            f"fitted on {p.get('data', '?')} (sha256 {str(p.get('sha256', '?'))[:12]}) on {p.get('created', '?')}, "
            f"{cv.get('folds', '?')}-fold grouped CV x {cv.get('repeats', '?')}: MAE {_num(score.get('ensemble_mae'))} "
            f"vs compromise {_num(score.get('compromise_mae'))} — {p.get('verdict', '')}"
        )


def _num(x: Any) -> str:
    return f"{x:.2f}" if isinstance(x, (int, float)) and math.isfinite(x) else "?"


def _problem(source: str, msg: str) -> ModelError:
    return ModelError(f"{source}: {msg}")


def fit_from_dict(data: Mapping[str, Any], source: str = "") -> EnsembleFit:
    """Read a fitted stack from its JSON form, checking it.

    Raises
    ------
    ModelError
        One message naming the first problem and its place in the file.
    """
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise _problem(source, f"not a parley ensemble file (expected format '{FORMAT}')")
    raw_members = data.get("members")
    if not isinstance(raw_members, list) or not raw_members:
        raise _problem(source, "members: expected a non-empty list")
    members = []
    for k, m in enumerate(raw_members):
        if not isinstance(m, Mapping) or not isinstance(m.get("label"), str) or not isinstance(m.get("model"), str):
            raise _problem(source, f"members[{k}]: expected {{label, model, params}}")
        params = m.get("params") or {}
        if not isinstance(params, Mapping):
            raise _problem(source, f"members[{k}].params: expected a mapping")
        members.append(Member(m["label"], m["model"], tuple(sorted(params.items()))))
    weights_raw = data.get("weights")
    if not isinstance(weights_raw, Mapping):
        raise _problem(source, "weights: expected a mapping from member label to weight")
    weights = []
    for m in members:
        w = weights_raw.get(m.label)
        if not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
            raise _problem(source, f"weights.{m.label}: expected a finite number >= 0, got {w!r}")
        weights.append(float(w))
    intercept = data.get("intercept")
    if not isinstance(intercept, (int, float)) or not math.isfinite(intercept):
        raise _problem(source, f"intercept: expected a finite number, got {intercept!r}")
    iv = data.get("intervals") or {}
    level = iv.get("level", INTERVAL_LEVEL)
    calibration: dict[str, Calibration] = {}
    for name, c in (iv.get("models") or {}).items():
        q = c.get("q") if isinstance(c, Mapping) else None
        if not isinstance(q, Mapping) or not all(
            v is None or (isinstance(v, (int, float)) and v >= 0) for v in q.values()
        ):
            raise _problem(source, f"intervals.models.{name}.q: expected quantiles >= 0 by interval kind")
        calibration[name] = Calibration(
            {k: math.inf if v is None else float(v) for k, v in q.items()},  # null: too few residuals, unbounded
            int(c.get("n", 0)),
            dict(c.get("params") or {}),
        )
    return EnsembleFit(
        members=tuple(members),
        intercept=float(intercept),
        weights=tuple(weights),
        calibration=calibration,
        level=float(level),
        provenance=dict(data.get("provenance") or {}),
        source=source,
    )


@lru_cache(maxsize=8)
def read_fit(path: str = "") -> EnsembleFit:
    """The fitted stack in ``path``, or the one shipped with parley (``path=""``).

    Raises
    ------
    ModelError
        When the file is missing, not JSON, or not a valid ensemble file.
    """
    try:
        if path:
            text = Path(path).read_text(encoding="utf-8")
            source = path
        else:
            text = resources.files("parley.data").joinpath(SHIPPED).read_text(encoding="utf-8")
            source = f"parley/data/{SHIPPED}"
    except OSError as err:
        raise ModelError(f"cannot read ensemble weights {path or SHIPPED}: {err.strerror or err}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ModelError(f"{path or SHIPPED}: not JSON (line {err.lineno}: {err.msg})") from None
    return fit_from_dict(data, source)


def shipped_fit() -> EnsembleFit | None:
    """The shipped fit, or None when parley was installed without it."""
    try:
        return read_fit("")
    except ModelError:
        return None


def spread(stances: Stances) -> FloatArray:
    """(B, M) standard deviation of the positions of the actors with a stance, as a fraction of
    the scale (NaN where nobody has a stance)."""
    span = stances.upper - stances.lower
    z = (stances.positions - stances.lower) / span
    n = stances.mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(stances.mask, z, 0.0).sum(axis=1) / n
        var = np.where(stances.mask, (z - mean[:, None, :]) ** 2, 0.0).sum(axis=1) / n
    return np.sqrt(var)


def pareto_range(stances: Stances) -> tuple[FloatArray, FloatArray]:
    """(B, M) lowest and highest position of the actors with a stance, as scale fractions."""
    span = stances.upper - stances.lower
    z = (stances.positions - stances.lower) / span
    has = stances.mask.any(axis=1)
    lo = np.where(has, np.where(stances.mask, z, np.inf).min(axis=1), np.nan)
    hi = np.where(has, np.where(stances.mask, z, -np.inf).max(axis=1), np.nan)
    return lo, hi


def half_width(q: float, kind: str, sd: FloatArray | float) -> FloatArray:
    """Half-width of the interval, in scale fractions, for quantile ``q`` of kind ``kind``."""
    if kind == "absolute":
        return np.broadcast_to(np.asarray(q, dtype=float), np.shape(sd)).astype(float)
    if kind == "spread":
        return q * (np.asarray(sd, dtype=float) + SPREAD_FLOOR)
    raise ModelError(f"interval kind must be one of {', '.join(INTERVAL_KINDS)}, not {kind!r}")


def interval_bounds(center: FloatArray, half: FloatArray) -> FloatArray:
    """``[center − half, center + half]`` clipped to [0, 1], stacked on a last axis of 2."""
    with np.errstate(invalid="ignore"):
        return np.stack([np.clip(center - half, 0.0, 1.0), np.clip(center + half, 0.0, 1.0)], axis=-1)


def calibrated_intervals(
    name: str, params: Mapping[str, Any], stances: Stances, outcomes: FloatArray, kind: str = "absolute"
) -> tuple[FloatArray, dict[str, Any]] | None:
    """(B, M, 2) calibrated intervals around a model's outcomes on the natural scale, with what to
    record about them (:func:`interval_info`); None when the shipped data hold no calibration
    for this model with these parameters."""
    fit = shipped_fit()
    if fit is None:
        return None
    found = [
        (label, c) for label, c in fit.calibration.items() if label != "ensemble" and _matches(label, c, name, params)
    ]
    if not found or kind not in found[0][1].q:
        return None
    label, cal = found[0]
    span = stances.upper - stances.lower
    center = (np.asarray(outcomes, dtype=float) - stances.lower) / span
    bounds = interval_bounds(center, half_width(cal.q[kind], kind, spread(stances)))
    return stances.lower[None, :, None] + span[None, :, None] * bounds, interval_info(label, kind, fit)


def _matches(label: str, cal: Calibration, name: str, params: Mapping[str, Any]) -> bool:
    model = str(cal.params.get("model", label))
    wanted = {k: v for k, v in cal.params.items() if k != "model"}
    return model == name and dict(params) == wanted


def interval_info(label: str, kind: str = "absolute", fit: EnsembleFit | None = None) -> dict[str, Any]:
    """What a forecast records about its interval: level, method, label and where it was calibrated."""
    fit = fit or shipped_fit()
    p = fit.provenance if fit is not None else {}
    cal = fit.calibration.get(label) if fit is not None else None
    return {
        "level": fit.level if fit is not None else INTERVAL_LEVEL,
        "kind": kind,
        "method": "split-conformal, out-of-sample absolute residuals"
        + (f" scaled by (sd of positions + {SPREAD_FLOOR})" if kind == "spread" else ""),
        "label": INTERVAL_LABEL,
        "calibrated_on": f"{p.get('data', '?')} (sha256 {str(p.get('sha256', '?'))[:12]}), "
        f"{cal.n if cal is not None else '?'} issues",
    }
