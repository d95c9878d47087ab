"""KTAB's Spatial Model of Politics (SMP), vectorised over actors, pairs and variants (docs/models.md#smp).

The model runs on all issues at once. Positions are mapped to [0, 1] per issue from the
issue's scale (KTAB's 0–100 CSV values become value/100, exactly as KTAB reads them) and
back at the end. The state-of-the-art reference is KTAB's C++ ``smpc``; this module
reproduces its defaults and equations and its order of evaluation where that can
matter, and lays the work out as arrays:

* per state, distances O(N²K), the risk-neutral PCE O(N³) (a sum over N voters for each
  pair of positions), the outcome PCE over the U unique positions O(N·U²);
* per turn, target choice: initiator i values a challenge to j from its own view, which
  needs every third party's vote, O(N) per pair, O(N³) in all; a target is skipped when an
  upper bound on its gain falls below the best gain found, which leaves a few per cent of
  the pairs (the choice is still exactly KTAB's). KTAB's further O(N⁴) ``calcUtils`` pass
  only fills logging tables and is left out;
* queue resolution, one PCE per actor over its bargains, batched by queue length.

Nothing here loops over actors or pairs except the greedy definition of unique positions
(one vectorised pass per actor). The kernels are in :mod:`parley.models.smp.kernels` and
:mod:`parley.models.smp.step`; when numba is installed they run compiled from 48 actors on
(:mod:`parley.models.smp.compiled`). At 1,000 actors on 5 dimensions a turn values about 1e8
third-party votes for the targets and 1e9 voter-pair terms for the two elections.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np

from parley._random import SeedLike, child_generators
from parley.errors import ModelError
from parley.models.base import BatchForecast, FloatArray, Model, register
from parley.models.smp.kernels import (
    BigRAdjust,
    BigRRange,
    BoolArray,
    IntArray,
    PCEModel,
    ThirdPartyCommit,
    VictoryModel,
    VotingRule,
)
from parley.models.smp.step import Actors, Assessment, Rules, assess, turn
from parley.scenario.core import Stances

Outcome = Literal["expected", "mode", "capability_mean"]

_SALIENCE_TOL = 1e-9
"""Slack on KTAB's rule Σ_d s_id ≤ 1 (0.9999000000000001 arises from dividing by 100)."""


@register
@dataclass(frozen=True)
class SMP(Model):
    """KTAB's Spatial Model of Politics: challenges, bargains and votes in a multi-dimensional space.

    Each turn every actor i picks the target j whose challenge it values most,
    ΔEU_i = EU_chlg − EU_SQ, from its own estimate of the contest (principals' votes plus
    third parties' votes in little three-actor conflicts, docs/models.md#smp); if the gain exceeds
    1e-5, i and j are offered a compromise point, weighted by (salience × win probability)²
    per dimension and rounded to 1e-4 (S2P2). Every actor then takes the bargain of
    its queue (status quo, its own proposal, proposals to it) that a capability-weighted
    PCE among all actors makes most likely. Risk attitudes are re-inferred each
    turn from how likely each actor's position is to win. The run stops after at
    least ``min_iter`` turns once the total movement of a turn falls below
    ``min_delta_ratio`` of the first turn's, or after ``max_iter`` turns.

    **Outcome.** KTAB reports trajectories and a winning probability for each unique
    final position, not a single forecast. parley's ``outcome`` is chosen by the
    ``outcome`` parameter: ``expected`` (default), the probability-weighted mean of the
    unique positions (each represented by its first actor, as KTAB's ``uIndices``);
    ``mode``, the most probable unique position; ``capability_mean``, Σ c_i θ_i / Σ c_i over
    all actors. All three, the unique positions with their probabilities and member
    counts, each actor's winning probability, the number of turns and the last
    fractional change are in the diagnostics. ``rounds[t]`` is the forecast of the state
    after turn t + 1.

    **Inputs.** KTAB has one capability per actor; where parley's varies by issue the mean
    over the actor's issues is used. KTAB requires each actor's saliences to sum to at most
    1; with ``salience_over_one="rescale"`` (default) an actor whose saliences sum to more is
    divided by its sum (the rescaled actors are listed in the diagnostics), with ``"error"``
    such input raises :class:`~parley.errors.ModelError`. Capabilities must be ≥ 0. An actor
    with no salience at all (or no stance on any issue) cannot measure distances and is left
    out; it keeps its position. An actor without a stance on an issue has salience 0 there;
    others measure their distance to it without that issue, its coordinate there never
    moves and is reported as NaN.

    **Actor order.** KTAB's result can depend on the order in which the input lists the
    actors: the first actor of a group of equivalent positions represents it in the
    outcome distribution, and ties (between targets, between bargains) go to the first.
    By default (``actor_order="canonical"``) parley sorts the actors by their stances
    before the run and maps the results back, so the forecast does not depend on the
    listing; ``actor_order="input"`` keeps the input order, as KTAB. On KTAB's seven
    examples the two give identical trajectories; the outcome summaries differ by at most
    0.05 points, except dummyData-a080, whose near-continuous final cluster is grouped
    differently (mode 64.84 instead of KTAB's 64.59, expected value 64.79 instead of 64.75).

    **Where parley departs from KTAB.** When all positions are equally likely KTAB divides
    by zero inferring risk attitudes; parley makes everyone risk neutral. The Conditional
    PCE is computed in logarithms, so it cannot underflow beyond KTAB's 250-actor limit.
    A queue lists the status quo first, then bargains by initiator (KTAB's order depends
    on thread scheduling; it matters only for exact ties). ``Stochastic`` draws one
    uniform number per actor and turn from the variant's own random stream, in actor order
    (KTAB's draw order depends on threads and is not reproducible).
    Sums over actors are pairwise (numpy) or in vector lanes (compiled kernels), so values
    agree with KTAB's to about 1e-15, which decides nothing but exact ties. An actor identical
    in every input to one listed before it is never a target: its gain equals its twin's,
    which wins the tie (lowest j), so rounding does not decide between them. The bargain
    models ``InitRcvrInterp`` and ``PWCompInterp`` are implemented as documented, with the
    receiver's estimate of the initiator's win probability (KTAB passes its expected
    utility gain instead) and weights c_i S_i and c_j S_j (KTAB uses c_i S_j for
    the receiver); KTAB's outputs for them are therefore not reproduced. Only the identity
    ideal-accommodation matrix (KTAB's only option for CSV input) is implemented: ideals
    equal positions.
    """

    name = "smp"
    rank = 50
    reference = (
        "KAPSARC Toolkit for Behavioral Analysis (KTAB), Spatial Model of Politics, github.com/KAPSARC/KTAB "
        "(examples/smp, kmodel); equations and reference runs: parley docs, Models § smp (docs/models.md#smp)"
    )
    moves_actors = True
    runs_in_rounds = True

    victory_model: VictoryModel = field(default="Linear", metadata={"help": "P(a beats b) from coalition strengths"})
    pce_model: PCEModel = field(default="Conditional", metadata={"help": "probabilistic Condorcet election model"})
    transitions: Literal["Deterministic", "Stochastic"] = field(
        default="Deterministic", metadata={"help": "take each queue's most likely bargain, or draw one"}
    )
    voting_rule: VotingRule = field(default="Proportional", metadata={"help": "vote as a function of utility gain"})
    big_r_adjust: BigRAdjust = field(
        default="OneThird", metadata={"help": "how far h's estimate of i's risk attitude leans to i's own"}
    )
    big_r_range: BigRRange = field(default="Mid", metadata={"help": "range of inferred risk attitudes"})
    third_party_commit: ThirdPartyCommit = field(
        default="SemiCommit", metadata={"help": "what a third party stakes when joining a contest"}
    )
    bargain_interpolation: Literal["S1P1", "S2P2", "S2PMax"] = field(
        default="S2P2", metadata={"help": "how a bargain weighs the two parties per dimension"}
    )
    bargain_model: Literal["InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"] = field(
        default="InitOnlyInterp", metadata={"help": "whose view of the contest shapes the bargains"}
    )
    min_iter: int = field(default=2, metadata={"help": "turns before the stop rule applies"})
    max_iter: int = field(default=100, metadata={"help": "most turns"})
    min_delta_ratio: float = field(
        default=0.02, metadata={"help": "stop when a turn moves less than this share of the first turn"}
    )
    pos_tol: float = field(default=1e-3, metadata={"help": "positions closer than this (on [0, 1]) are one"})
    round_bargains: bool = field(default=True, metadata={"help": "round S1P1/S2P2 bargains to 1e-4 (KTAB's round4)"})
    outcome: Outcome = field(default="expected", metadata={"help": "which summary of the final state is the outcome"})
    salience_over_one: Literal["rescale", "error"] = field(
        default="rescale", metadata={"help": "what to do with an actor whose saliences sum to more than 1"}
    )
    actor_order: Literal["canonical", "input"] = field(
        default="canonical", metadata={"help": "process actors sorted by their stances, or in input order as KTAB"}
    )

    def __post_init__(self) -> None:
        choices: dict[str, tuple[str, ...]] = {
            "victory_model": ("Linear", "Square", "Quartic", "Octic", "Binary"),
            "pce_model": ("Conditional", "MarkovIncentive", "MarkovUniform"),
            "transitions": ("Deterministic", "Stochastic"),
            "voting_rule": ("Binary", "PropBin", "Proportional", "PropCbc", "Cubic", "ASymProsp"),
            "big_r_adjust": ("None", "OneThird", "Half", "TwoThirds", "Full"),
            "big_r_range": ("Min", "Mid", "Max"),
            "third_party_commit": ("NoCommit", "SemiCommit", "FullCommit"),
            "bargain_interpolation": ("S1P1", "S2P2", "S2PMax"),
            "bargain_model": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
            "outcome": ("expected", "mode", "capability_mean"),
            "salience_over_one": ("rescale", "error"),
            "actor_order": ("canonical", "input"),
        }
        for key, allowed in choices.items():
            if getattr(self, key) not in allowed:
                raise ValueError(f"{key} must be one of {', '.join(allowed)} (got {getattr(self, key)!r})")
        for key in ("min_iter", "max_iter"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{key} must be a whole number of at least 1 (got {value!r})")
        if self.min_iter > self.max_iter:
            raise ValueError(f"min_iter ({self.min_iter}) must not exceed max_iter ({self.max_iter})")
        for key in ("min_delta_ratio", "pos_tol"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < np.inf:
                raise ValueError(f"{key} must be a finite number of at least 0 (got {value!r})")
        if not isinstance(self.round_bargains, bool):
            raise ValueError(f"round_bargains must be true or false (got {self.round_bargains!r})")

    # ------------------------------------------------------------------ public entry point

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        """Run every variant to its stop; variants that took part together give the same numbers alone."""
        if self.actor_order == "input":
            return self._forecast(stances, rng)
        perm = _canonical_order(stances)
        inv = np.argsort(perm, axis=1)

        def take(a: np.ndarray) -> np.ndarray:
            return np.take_along_axis(a, perm[:, :, None], axis=1)

        ordered = Stances(take(stances.positions), take(stances.saliences), take(stances.capabilities),
                          take(np.asarray(stances.mask)), stances.lower, stances.upper, stances.reference)
        out = self._forecast(ordered, rng)
        assert out.positions is not None and out.position_rounds is not None
        diagnostics = []
        for k, diag in enumerate(out.diagnostics):
            d = dict(diag)
            for key in ("left_out", "salience_rescaled"):
                if key in d:
                    d[key] = sorted(int(perm[k, i]) for i in d[key])
            if "win_probability" in d:
                d["win_probability"] = np.asarray(d["win_probability"])[inv[k]].tolist()
            diagnostics.append(d)
        return dataclasses.replace(
            out,
            positions=np.take_along_axis(out.positions, inv[:, :, None], axis=1),
            position_rounds=np.take_along_axis(out.position_rounds, inv[:, None, :, None], axis=2),
            diagnostics=tuple(diagnostics),
        )

    def _forecast(self, stances: Stances, rng: SeedLike | Sequence[SeedLike]) -> BatchForecast:
        """The run with actors taken in the order given."""
        b = stances.shape[0]
        lower, span = stances.lower, stances.upper - stances.lower
        mask = np.asarray(stances.mask, dtype=bool)
        x01 = np.where(mask, (stances.positions - lower) / span, 0.5)
        sal = np.where(mask, stances.saliences, 0.0)
        caps = self._capabilities(stances.capabilities, mask)
        sal, rescaled = self._check_saliences(sal)
        total = sal.sum(axis=2)
        present = total > 0
        rules = self._rules()
        streams = child_generators(rng, b) if self.transitions == "Stochastic" else [None] * b

        runs: list[_Run | None] = [None] * b
        patterns: dict[bytes, list[int]] = {}
        for k in range(b):
            patterns.setdefault(present[k].tobytes(), []).append(k)
        for items in patterns.values():
            idx = np.array(items)
            who = np.flatnonzero(present[idx[0]])
            if who.size == 0:
                continue
            actors = Actors(
                s=sal[idx][:, who], mask=mask[idx][:, who], c=caps[idx][:, who], S=total[idx][:, who],
                ws=total[idx][:, who] * caps[idx][:, who],
            )
            for k, run in zip(items, self._run(x01[idx][:, who], actors, rules, [streams[k] for k in items]),
                              strict=True):
                runs[k] = _Run(who=who, **run)
        return self._assemble(stances, runs, x01, caps, mask, present, rescaled)

    # ------------------------------------------------------------------ preparation

    def _rules(self) -> Rules:
        return Rules(
            voting=self.voting_rule, victory=self.victory_model, pce=self.pce_model, adjust=self.big_r_adjust,
            range=self.big_r_range, commit=self.third_party_commit, interpolation=self.bargain_interpolation,
            bargain=self.bargain_model, stochastic=self.transitions == "Stochastic", round4=self.round_bargains,
            pos_tol=float(self.pos_tol),
        )

    @staticmethod
    def _capabilities(cap: FloatArray, mask: BoolArray) -> FloatArray:
        """One capability per actor: the mean over the issues it has a stance on."""
        if not np.all(np.isfinite(np.where(mask, cap, 0.0))):
            raise ModelError("smp: capabilities must be finite numbers")
        count = mask.sum(axis=2)
        c = np.where(mask, cap, 0.0).sum(axis=2) / np.maximum(count, 1)
        if np.any(c < 0):
            b, i = np.argwhere(c < 0)[0]
            raise ModelError(f"smp: actor {i} (variant {b}) has negative capability {c[b, i]:g}; KTAB needs ≥ 0")
        return c

    def _check_saliences(self, sal: FloatArray) -> tuple[FloatArray, list[list[int]]]:
        """KTAB's rule Σ_d s_id ≤ 1: rescale offending actors, or raise."""
        if np.any(sal < 0) or not np.all(np.isfinite(sal)):
            raise ModelError("smp: saliences must be finite and at least 0")
        total = sal.sum(axis=2)
        over = total > 1.0 + _SALIENCE_TOL
        if over.any() and self.salience_over_one == "error":
            b, i = np.argwhere(over)[0]
            raise ModelError(
                f"smp: actor {i} (variant {b}) has saliences summing to {total[b, i]:.4g} > 1; KTAB requires "
                "each actor's saliences over all issues to sum to at most 1 (use salience_over_one='rescale' "
                "to divide such an actor's saliences by their sum)"
            )
        scaled = np.where(over[:, :, None], sal / np.where(over, total, 1.0)[:, :, None], sal)
        return scaled, [np.flatnonzero(row).tolist() for row in over]

    # ------------------------------------------------------------------ the run

    def _run(
        self, x: FloatArray, actors: Actors, rules: Rules, streams: list[np.random.Generator | None]
    ) -> list[dict[str, Any]]:
        """All turns for G variants with the same participating actors; one record per variant."""
        g, n, _ = x.shape
        history = [x.copy()]
        current = assess(x, actors, rules)
        summaries = [summarize(current, actors)]  # per state: (expected, mode, capability mean), (G, K) each
        finals: list[_Outcome | None] = [None] * g
        steps = np.zeros(g, dtype=np.int64)
        ratio = np.full(g, np.nan)
        moved_first = np.zeros(g)
        live = np.arange(g)
        t = 0
        while live.size:
            t += 1
            draws = None
            if rules.stochastic:
                draws = np.stack([cast(np.random.Generator, streams[k]).random(n) for k in live])
            new = turn(current, actors.take(live), rules, draws)
            moved = np.sqrt(((new - x[live]) ** 2).sum(axis=2)).sum(axis=1)  # Σ_i ‖θ_i(t) − θ_i(t−1)‖
            if t == 1:
                moved_first[live] = moved
            x = x.copy()
            x[live] = new
            history.append(x.copy())
            steps[live] = t
            ratio[live] = moved / (moved_first[live] + 1e-4)
            current = assess(new, actors.take(live), rules)
            rows = summarize(current, actors.take(live))
            step_rows = np.array(summaries[-1])  # variants that stopped keep their last state
            step_rows[:, live] = rows
            summaries.append(tuple(step_rows))
            stop = (t >= self.max_iter) | ((t >= self.min_iter) & (ratio[live] < self.min_delta_ratio))
            for pos in np.flatnonzero(stop):
                finals[live[pos]] = _Outcome.of(current, int(pos))
            keep = ~stop
            live = live[keep]
            current = current.take(np.flatnonzero(keep))
        traj = np.stack(history, axis=1)  # (G, T+1, n, K)
        table = np.stack([np.stack(row) for row in summaries], axis=2)  # (3, G, T+1, K)
        return [
            {"trajectory": traj[k, : steps[k] + 1], "summaries": table[:, k, : steps[k] + 1],
             "final": finals[k], "steps": int(steps[k]), "ratio": float(ratio[k])}
            for k in range(g)
        ]

    # ------------------------------------------------------------------ outputs

    def _assemble(
        self,
        stances: Stances,
        runs: list[_Run | None],
        x01: FloatArray,
        caps: FloatArray,
        mask: BoolArray,
        present: BoolArray,
        rescaled: list[list[int]],
    ) -> BatchForecast:
        b, n, m = stances.shape
        lower, span = stances.lower, stances.upper - stances.lower
        t_max = max((r.steps for r in runs if r is not None), default=0)
        t_max = max(t_max, 1)
        pos01 = np.broadcast_to(x01[:, None], (b, t_max + 1, n, m)).copy()
        forecasts = np.full((b, t_max + 1, m), np.nan)
        diagnostics: list[dict[str, Any]] = []
        n_rounds = np.zeros(b, dtype=np.int64)
        params = self.params()
        for k, run in enumerate(runs):
            diag: dict[str, Any] = {"params": params}
            if rescaled[k]:
                diag["salience_rescaled"] = rescaled[k]
            left_out = np.flatnonzero(~present[k]).tolist()
            if left_out:
                diag["left_out"] = left_out
            if run is None:
                diag["status"] = "no actor with salience"
                diagnostics.append(diag)
                n_rounds[k] = 1
                continue
            T = run.steps
            n_rounds[k] = T
            traj = np.concatenate([run.trajectory, np.repeat(run.trajectory[-1:], t_max - T, axis=0)])
            pos01[k][:, run.who] = traj
            which = {"expected": 0, "mode": 1, "capability_mean": 2}[self.outcome]
            rows = run.summaries[which]  # (T+1, K) on [0, 1]
            forecasts[k, : T + 1] = rows
            forecasts[k, T + 1 :] = rows[-1]
            final = run.final
            assert final is not None
            members = np.bincount(final.classes, minlength=final.leaders.size)
            win = np.zeros(n)
            win[run.who] = final.prob[final.classes]
            last, first = run.summaries[:, -1], run.summaries[:, 0]
            diag.update({
                "steps": T,
                "fractional_change": run.ratio,
                "expected": _natural(last[0], lower, span),
                "mode": _natural(last[1], lower, span),
                "capability_mean": _natural(last[2], lower, span),
                "unique_positions": [_natural(u, lower, span) for u in final.representatives(mask[k][run.who])],
                "unique_probabilities": final.prob.tolist(),
                "unique_members": members.tolist(),
                "win_probability": win.tolist(),
                "initial": {
                    "expected": _natural(first[0], lower, span),
                    "mode": _natural(first[1], lower, span),
                    "capability_mean": _natural(first[2], lower, span),
                },
            })
            diagnostics.append(diag)
        natural = lower + pos01 * span
        natural = np.where(mask[:, None], natural, np.nan)
        out = lower + forecasts * span
        return BatchForecast(
            outcomes=out[np.arange(b), n_rounds],
            rounds=np.ascontiguousarray(out[:, 1:]),
            n_rounds=n_rounds,
            positions=natural[np.arange(b), n_rounds],
            position_rounds=natural,
            diagnostics=tuple(diagnostics),
        )


@dataclass(frozen=True)
class _Run:
    """One variant's run: its participating actors, positions by turn and assessed states."""

    who: IntArray
    trajectory: FloatArray
    summaries: FloatArray  # (3, T+1, K): expected value, mode and capability mean of each state
    final: _Outcome | None
    steps: int
    ratio: float


@dataclass(frozen=True)
class _Outcome:
    """What is kept of one assessed state: positions, unique positions and their probabilities."""

    x: FloatArray  # (n, K)
    leaders: IntArray  # (U,) without padding
    classes: IntArray  # (n,)
    prob: FloatArray  # (U,)

    def representatives(self, mask: BoolArray) -> list[FloatArray]:
        """Each unique position's coordinates on [0, 1] (NaN where no member has a stance)."""
        n, k = self.x.shape
        rep = _first_with_stance(self.classes[None], mask[None], self.leaders.size)[0]
        coords = np.where(rep < n, self.x[np.minimum(rep, n - 1), np.arange(k)[None, :]], np.nan)
        return list(coords)

    @classmethod
    def of(cls, state: Assessment, k: int) -> _Outcome:
        """Variant ``k`` of an assessment."""
        valid = state.leaders[k] >= 0
        return cls(state.x[k].copy(), state.leaders[k][valid].copy(), state.classes[k].copy(),
                   state.prob[k][valid].copy())


def _canonical_order(stances: Stances) -> IntArray:
    """Actors sorted by position (issue by issue, without stance last), then salience, then capability.

    A fixed order makes the run independent of how the input lists the actors: KTAB's
    unique positions are led by the first actor of each group and its ties go to the
    first actor, so the input order otherwise shows in the outcome.
    """
    mask = np.asarray(stances.mask, dtype=bool)
    pos = np.where(mask, stances.positions, np.nan)
    sal = np.where(mask, stances.saliences, 0.0)
    cap = np.where(mask, stances.capabilities, 0.0)
    m = pos.shape[2]
    keys = [cap[:, :, d] for d in reversed(range(m))] + [sal[:, :, d] for d in reversed(range(m))] \
        + [pos[:, :, d] for d in reversed(range(m))]
    return np.lexsort(np.stack(keys), axis=-1)


def _natural(v: FloatArray, lower: FloatArray, span: FloatArray) -> list[float]:
    return (lower + np.asarray(v) * span).tolist()


def summarize(state: Assessment, actors: Actors) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Expected value, mode and capability-weighted mean (each (G, K), on [0, 1]) of assessed states.

    A unique position is represented, issue by issue, by its first member with a stance on that
    issue (its leader, unless the leader has none); positions without such a member are left
    out of that issue.
    """
    x, mask = state.x, actors.mask
    g, n, k = x.shape
    u = state.leaders.shape[1]
    rep = _first_with_stance(state.classes, mask, u)  # (G, U, K)
    has = rep < n
    gi = np.arange(g)[:, None, None]
    rep_x = np.where(has, x[gi, np.minimum(rep, n - 1), np.arange(k)[None, None, :]], 0.0)
    weight = np.where(has, state.prob[:, :, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = (rep_x * weight).sum(axis=1) / weight.sum(axis=1)
        best = np.argmax(np.where(has, state.prob[:, :, None], -1.0), axis=1)  # (G, K)
        mode = np.where(has.any(axis=1), np.take_along_axis(rep_x, best[:, None, :], axis=1)[:, 0], np.nan)
        w = np.where(mask, actors.c[:, :, None], 0.0)
        cap_mean = (w * x).sum(axis=1) / w.sum(axis=1)
    return expected, mode, cap_mean


def _first_with_stance(classes: IntArray, mask: BoolArray, u: int) -> IntArray:
    """(G, U, K): the first actor of each unique position with a stance on each issue, n where none."""
    g, n, k = mask.shape
    rep = np.full((g, u, k), n, dtype=np.int64)
    gg, aa, dd = np.nonzero(mask)
    np.minimum.at(rep, (gg, classes[gg, aa], dd), aa)
    return rep
