"""Scenario discovery: the regions of the uncertain inputs where a plan passes or fails.

From the draws of a Monte Carlo run (:class:`~parley.analysis.uncertainty.montecarlo.MonteCarloResult`)
this module finds boxes — a range on a few inputs — inside which nearly every draw has the
same answer, and says them in the scenario's own names: "passes every veto when Alpha
position on Sanctions is above 62 and Beta salience on Assets is at most 0.7".

Two methods, both from maintained libraries:

``cart``
    a classification tree (scikit-learn's ``DecisionTreeClassifier``); every leaf whose share
    of one answer reaches ``threshold`` is a box (Breiman et al. 1984).
``prim``
    the Patient Rule Induction Method (Friedman & Fisher 1999) as implemented in the EMA
    Workbench (``ema_workbench.analysis.prim``), the reference tool of scenario discovery
    (Bryant & Lempert 2010); its first box for each answer, taken from the peeling
    trajectory where density × coverage is largest among boxes on at most ``max_dims`` inputs.

Each box reports its *density* (share of the draws inside it that have its answer), its
*coverage* (share of all draws with that answer that fall inside it) and its *mass* (share
of all draws inside it).
"""

from __future__ import annotations

import importlib
import logging
import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from parley.analysis.uncertainty.montecarlo import MonteCarloResult
from parley.errors import ParleyError
from parley.scenario.checks import did_you_mean

__all__ = ["Box", "Condition", "Discovery", "discover"]

Method = Literal["cart", "prim"]


def _fmt(x: float) -> str:
    return f"{x:.3g}"


@dataclass(frozen=True)
class Condition:
    """One side or both sides of a range on one input; ``None`` leaves that side open.

    ``lower_strict``: the lower bound is exclusive (CART's "above t"); PRIM bounds are
    inclusive (the extreme draws inside the box).
    """

    input: str
    label: str
    lower: float | None
    upper: float | None
    lower_strict: bool = False

    def describe(self) -> str:
        """E.g. ``Alpha position on X is above 62`` or ``… is between 0.2 and 0.7``."""
        if self.lower is not None and self.upper is not None:
            return f"{self.label} is between {_fmt(self.lower)} and {_fmt(self.upper)}"
        if self.lower is not None:
            return f"{self.label} is {'above' if self.lower_strict else 'at least'} {_fmt(self.lower)}"
        if self.upper is not None:
            return f"{self.label} is at most {_fmt(self.upper)}"
        return f"{self.label} is anything"

    def holds(self, x: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether values ``x`` satisfy the condition."""
        ok = np.ones(np.shape(x), dtype=bool)
        if self.lower is not None:
            ok &= (x > self.lower) if self.lower_strict else (x >= self.lower)
        if self.upper is not None:
            ok &= x <= self.upper
        return ok

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "input": self.input,
            "label": self.label,
            "lower": self.lower,
            "upper": self.upper,
            "lower_strict": self.lower_strict,
            "text": self.describe(),
        }


@dataclass(frozen=True)
class Box:
    """A region of the inputs where the answer is mostly ``answer``."""

    answer: bool
    conditions: tuple[Condition, ...]
    density: float
    coverage: float
    mass: float
    n: int

    def describe(self, yes: str, no: str) -> str:
        """One readable sentence."""
        what = yes if self.answer else no
        where = " and ".join(c.describe() for c in self.conditions) or "anywhere"
        return (
            f"{what} when {where} ({100 * self.density:.0f}% of the {self.n} draws there; "
            f"{100 * self.coverage:.0f}% of all draws where it {'holds' if self.answer else 'fails'})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "answer": self.answer,
            "conditions": [c.to_dict() for c in self.conditions],
            "density": self.density,
            "coverage": self.coverage,
            "mass": self.mass,
            "n": self.n,
        }


@dataclass(frozen=True)
class Discovery:
    """Boxes where a plan passes (``answer`` True) or fails, found by ``method``."""

    target: str
    yes: str
    no: str
    method: Method
    n: int
    base_rate: float
    boxes: tuple[Box, ...]
    note: str = ""

    def describe(self) -> list[str]:
        """One sentence per box, the most covering first within each answer."""
        return [b.describe(self.yes, self.no) for b in self.boxes] or [self.note]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "kind": "discovery",
            "target": self.target,
            "method": self.method,
            "n": self.n,
            "base_rate": self.base_rate,
            "boxes": [{**b.to_dict(), "text": b.describe(self.yes, self.no)} for b in self.boxes],
            "note": self.note,
        }


def _stats(answer: bool, inside: NDArray[np.bool_], y: NDArray[np.bool_]) -> tuple[float, float, float, int]:
    hit = y if answer else ~y
    n_in = int(inside.sum())
    density = float(hit[inside].mean()) if n_in else math.nan
    coverage = float((hit & inside).sum() / hit.sum()) if hit.any() else math.nan
    return density, coverage, n_in / len(y), n_in


def _cart(
    x: NDArray[np.float64],
    y: NDArray[np.bool_],
    names: tuple[str, ...],
    labels: tuple[str, ...],
    threshold: float,
    max_depth: int,
    min_leaf: int,
    seed: int,
) -> list[Box]:
    try:
        from sklearn.tree import DecisionTreeClassifier
    except ImportError:
        raise ParleyError("CART needs scikit-learn: pip install scikit-learn") from None
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_leaf, random_state=seed).fit(x, y)
    t = tree.tree_
    boxes: list[Box] = []
    stack: list[tuple[int, dict[int, list[float | None]]]] = [(0, {})]
    leaves = tree.apply(x)
    while stack:
        node, bounds = stack.pop()
        left, right = int(t.children_left[node]), int(t.children_right[node])
        if left == right:  # a leaf
            inside = leaves == node
            share = float(y[inside].mean())
            answer = share >= 0.5
            density, coverage, mass, n_in = _stats(answer, inside, y)
            if density >= threshold:
                conds = [
                    Condition(names[k], labels[k], lo, hi, lower_strict=lo is not None)
                    for k, (lo, hi) in sorted(bounds.items())
                ]
                boxes.append(Box(answer, tuple(conds), density, coverage, mass, n_in))
            continue
        k, cut = int(t.feature[node]), float(t.threshold[node])
        lo, hi = bounds.get(k, [None, None])
        stack.append((right, {**bounds, k: [cut, hi]}))
        stack.append((left, {**bounds, k: [lo, cut]}))
    return boxes


def _prim(
    x: NDArray[np.float64],
    y: NDArray[np.bool_],
    names: tuple[str, ...],
    labels: tuple[str, ...],
    threshold: float,
    mass_min: float,
    max_dims: int,
) -> list[Box]:
    """PRIM's first box for each answer: on its peeling trajectory, among the boxes restricting at
    most ``max_dims`` inputs, the one with the largest density × coverage whose density reaches
    ``threshold`` (later boxes of the EMA Workbench are fit on the draws left over, so only the
    first is used)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns about optional parts it lacks
        try:
            pd = importlib.import_module("pandas")
            ema_prim = importlib.import_module("ema_workbench.analysis.prim")
        except ImportError:
            raise ParleyError("PRIM needs the EMA Workbench: pip install ema-workbench") from None
    logging.getLogger("EMA").setLevel(logging.ERROR)
    frame = pd.DataFrame(x, columns=list(names))
    boxes: list[Box] = []
    for answer in (True, False):
        target = y if answer else ~y
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            finder = ema_prim.Prim(frame, target.astype(int), threshold=threshold, mass_min=mass_min)
            found = finder.find_box()
            if found is None:
                continue
            traj = found.peeling_trajectory
            short = traj[traj["res_dim"] <= max_dims]
            good = short[short["density"] >= threshold]
            if len(good):
                best = (good["density"] * good["coverage"]).to_numpy().argmax()
                found.select(int(good["id"].iloc[best]))
            elif len(short):
                found.select(int(short["id"].iloc[short["density"].to_numpy().argmax()]))
        lim, init = found.box_lim, finder.box_init
        conds = []
        for k, name in enumerate(names):
            lo, hi = float(lim[name].iloc[0]), float(lim[name].iloc[1])
            lo_cut, hi_cut = lo > float(init[name].iloc[0]), hi < float(init[name].iloc[1])
            if lo_cut or hi_cut:
                conds.append(Condition(name, labels[k], lo if lo_cut else None, hi if hi_cut else None))
        inside = np.ones(len(y), dtype=bool)
        for c in conds:
            inside &= c.holds(x[:, names.index(c.input)])
        density, coverage, mass, n_in = _stats(answer, inside, y)
        if conds and density >= threshold:
            boxes.append(Box(answer, tuple(conds), density, coverage, mass, n_in))
    return boxes


def discover(
    result: MonteCarloResult,
    plan: str,
    *,
    actor: str | None = None,
    method: Method = "cart",
    threshold: float = 0.8,
    max_depth: int = 3,
    min_leaf: float = 0.02,
    max_dims: int = 4,
) -> Discovery:
    """Find where in the uncertain inputs ``plan`` passes every veto (or ``actor`` accepts it).

    Parameters
    ----------
    result
        A Monte Carlo run (its draws hold the inputs and the answers).
    plan
        The plan's id.
    actor
        Explain this actor's acceptance instead of the veto test.
    method
        ``"cart"`` (scikit-learn) or ``"prim"`` (EMA Workbench).
    threshold
        Least density of a box: the share of its draws with its answer.
    max_depth, min_leaf
        CART: depth of the tree; CART and PRIM: least share of the draws in a box.
    max_dims
        PRIM: most inputs a box may restrict (readability; CART's depth bounds its boxes).

    Raises
    ------
    ParleyError
        For an unknown plan or actor, a run without uncertain inputs, or a missing library.
    """
    if plan not in result.plan_ids:
        known = ", ".join(result.plan_ids) or "none"
        raise ParleyError(f"no plan '{plan}'{did_you_mean(plan, result.plan_ids)}; known: {known}")
    if not 0.5 < threshold <= 1:
        raise ParleyError(f"threshold must lie in (0.5, 1], got {threshold}")
    if method not in ("cart", "prim"):
        raise ParleyError(f"method must be cart or prim, not {method!r}")
    p = result.plan_ids.index(plan)
    if actor is None:
        y = np.asarray(result.passes[:, p], dtype=bool)
        target, yes, no = f"plan {plan} passes every veto", "passes every veto", "is blocked"
    else:
        if actor not in result.actor_ids:
            raise ParleyError(f"no actor '{actor}'{did_you_mean(actor, result.actor_ids)}")
        y = np.asarray(result.accept[:, p, result.actor_ids.index(actor)], dtype=bool)
        target, yes, no = f"{actor} accepts plan {plan}", f"{actor} accepts", f"{actor} rejects"
    x = np.asarray(result.inputs, dtype=float)
    space = result.space
    base_rate = float(y.mean())
    if space.size == 0:
        raise ParleyError("the run has no uncertain inputs to explain the answer with")
    if y.all() or not y.any():
        note = f"{target} in every draw" if y.all() else f"{target} in no draw"
        return Discovery(target, yes, no, method, len(y), base_rate, (), note)
    if method == "cart":
        seed = int(np.random.SeedSequence(result.seed or 0, spawn_key=(0xD15C,)).generate_state(1)[0])
        leaf = max(1, math.ceil(min_leaf * len(y)))
        boxes = _cart(x, y, space.names, space.labels, threshold, max_depth, leaf, seed)
    else:
        boxes = _prim(x, y, space.names, space.labels, threshold, mass_min=min_leaf, max_dims=max_dims)
    boxes.sort(key=lambda b: (not b.answer, -b.coverage))
    note = "" if boxes else f"no region reaches a density of {threshold:g}"
    return Discovery(target, yes, no, method, len(y), base_rate, tuple(boxes), note)
