"""Bueno de Mesquita's expected-utility ("challenge") model, as specified by Scholz et al. (docs/models.md#bdm).

Each issue is an independent problem (a *lane*); the variants of a batch and the issues of a
scenario are stacked into lanes of shape ``(L, N)`` and every round works on ``(L, N, N)``
matrices, one entry per ordered actor pair. Nothing loops over actors or pairs: the vote
sums behind the win probabilities are prefix sums over the actors sorted by position (a
voter k prefers x_i to x_j exactly when it stands on i's side of their midpoint), so a
round costs O(N² log N) time and O(N²) memory per lane. Lanes are processed in chunks that
keep each matrix near :data:`_CHUNK_ELEMENTS` entries.

Notation follows docs/models.md#bdm: a lane has positions x, saliences s, capabilities c,
weights w = c·s, range R, median μ; ``EU[l, i, j]`` is the expected utility to i of
challenging j.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from parley._random import SeedLike
from parley.models.base import BatchForecast, FloatArray, Model, register
from parley.models.static import weighted_median
from parley.scenario.core import Stances

BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

_CHUNK_ELEMENTS = 1 << 15
"""Target size (entries) of one (lanes, N, N) matrix; bounds the memory a chunk of lanes uses.

Small enough that a round's temporaries (256 KiB each) stay near the processor's cache: on
18,000 lanes of 16 actors, 2^20 ran 25-50 % slower and 2^13 about 20 % slower (Python
overhead per call). From 182 actors a chunk is one lane."""

_SNAP = 1e-12
"""Relative tolerance under which a compromise fraction counts as 1 (capitulation)."""

_SEARCHSORTED_FROM = 128
"""From this many actors, midpoint counts use a binary search per lane instead of a broadcast compare.

Below it the O(N³) compare, summed as bytes, beats a Python-level loop over many small lanes
(measured: 3× faster at 16 actors, 1.6× at 128, even at 255); it must stay at most 256 so
that the byte counts cannot overflow."""

_BIG = np.finfo(float).max
"""Stands in for absent actors when a row is sorted: it sorts last and times 0 gives 0."""


@register
@dataclass(frozen=True)
class BDM(Model):
    """Bueno de Mesquita's expected-utility challenge model in Scholz, Calbert & Smith's specification.

    Every round, per issue: each actor's risk exponent r_i is inferred from how exposed its
    position is to challenges (security level, a first pass with r = 1); every ordered pair
    of actors values a challenge, EU_i(challenge j) = s_j [P U_s + (1 − P) U_f] + (1 − s_j) U_s
    − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w]; the pair's two values decide whether one side
    gives in (confrontation), meets the other part way (compromise) or gives in entirely
    (capitulation); each actor takes one offer and all move at once. The forecast of a
    round is the c·s-weighted median of the positions. The weighted mean of each round is
    reported in the diagnostics.

    **Cycles.** Moves are simultaneous, so a run need not settle: an issue's positions can
    return to an earlier round's and repeat from there. Each issue of each variant is
    watched on its own; the first round t whose positions all lie within ``cycle_tol`` ×
    the scale width of an earlier round s's closes a cycle of period t − s, rounds s+1..t.
    With ``cycle="mean"`` (default) the outcome is the mean of the medians over those
    rounds, which no longer depends on the cap ``rounds`` once the cycle is found; with
    ``cycle="last"`` it is the last round's median, as before (Scholz's tables are round by
    round). A return after one round (period 1) is convergence. The run itself, and so
    ``rounds`` and ``position_rounds``, are the same either way; without a return before
    the cap the outcome is the last round's median, and the diagnostics say so.

    **Default configuration and why.** The defaults (``probability="scholz-code"``,
    ``selection="scholz-code"``, ``q=1``, ``perspective="receiver"``, ``range="positions"``,
    ``risk=True``, 10 rounds) are the configuration whose numbers were published: they
    reproduce Scholz et al.'s Table 2 for the EC car-emissions case (Bueno de Mesquita
    1994, p. 78), medians 8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6, to within 0.1 except
    round 2 (9.61 here and in an independent re-implementation, vs 9.9 published). The
    probability formula as printed in the paper (``probability="paper"``, all else default)
    makes the same case collapse: median 7.0 from round 1 and every actor at 7.0 by round
    3, which matches no published result; it is kept as an option, not the default. The
    least-move offer rule of the paper's text (``selection="least-move"``) does not
    reproduce Table 2 either (rounds 6–8 give 10.0, 10.0, 7.0 against 7.4, 8.8, 9.6), so the
    default is the rule Scholz's code applies. Q = 1 is Scholz's value (T then plays no
    part). Note that the run does not settle on this case: rounds 9 and 10 give 9.67 and
    7.0, so the 10-round outcome is 7.0 (BDM's own forecast was 8.35, the outcome 8.833).
    It does cycle, but late: round 189 repeats round 171 exactly (period 18), and the mean
    over rounds 172–189 is 8.76, the outcome from ``rounds=189`` on.

    Decisions this implementation makes where the sources are silent: R is fixed for the
    run from the input positions (``range="positions"``) or the issue's scale; actors at the
    same position make no offers to each other; ties between equally good offers go to the
    lower resulting position; a variant's issue stops as soon as no actor moves by more
    than ``tol`` times the issue's scale width, and then repeats its last round; a cycle's
    outcome is the unweighted mean of its rounds' medians (the sources stop at a fixed
    number of rounds and say nothing of cycles).
    """

    name = "bdm"
    rank = 40
    reference = (
        "Bueno de Mesquita 1994, 'Political forecasting: an expected utility method', in Bueno de "
        "Mesquita & Stokman (eds.), European Community Decision Making, Yale UP; Scholz, Calbert & "
        "Smith 2011, 'Unravelling Bueno de Mesquita's group decision model', J. Theoretical Politics 23(4); "
        "parley docs, Models § bdm (docs/models.md#bdm)"
    )
    moves_actors = True
    runs_in_rounds = True

    probability: Literal["scholz-code", "paper"] = field(
        default="scholz-code",
        metadata={"help": (
            "win probability of i against j: 'paper' = Σ_{k:Δ>0} c s Δ / Σ_k c s |Δ| with "
            "Δ_k = |x_k − x_j| − |x_k − x_i|; 'scholz-code' = Σ_k max(0, c s ((|x_k − x_j|/R)^r_k − "
            "(|x_k − x_i|/R)^r_k)) over the same sum of absolute vote differences taken over all "
            "ordered actor pairs (Scholz's code)"
        )},
    )
    q: float = field(
        default=1.0,
        metadata={"help": (
            "Q, probability that the status quo holds without a challenge (Scholz 1.0; other BDM papers 0.5)"
        )},
    )
    t_rule: Literal["median", "even"] = field(
        default="median",
        metadata={"help": (
            "T in the status-quo term: 'median' = 1 if |x_i − μ| < |x_i − x_j| else 0; 'even' = 0.5 "
            "(things are as likely to get better as worse); no effect when q = 1"
        )},
    )
    perspective: Literal["receiver", "own"] = field(
        default="receiver",
        metadata={"help": (
            "whose risk exponent (from the security level) values a pair's two challenges: 'receiver' = "
            "the actor weighing an offer uses its own r for EU_i(challenge j) and EU_j(challenge i) "
            "(Scholz's code); 'own' = each challenger's own r"
        )},
    )
    selection: Literal["scholz-code", "least-move", "highest-eu"] = field(
        default="scholz-code",
        metadata={"help": (
            "which offer an actor takes: 'least-move' = the one that moves it least (the paper's text); "
            "'highest-eu' = the one whose proposer expects most from it; 'scholz-code' = confrontations "
            "before compromises before capitulations, the least move within each, except that among "
            "compromises the lowest EU-weighted mean (|EU_i| x_i + |EU_j| x_j)/(|EU_i| + |EU_j|) wins "
            "(Scholz's code, as read by an independent re-implementation)"
        )},
    )
    range: Literal["positions", "scale"] = field(
        default="positions",
        metadata={"help": (
            "R that normalises distances: spread of the input positions (fixed for the run) or the issue's scale"
        )},
    )
    risk: bool = field(
        default=True,
        metadata={"help": "infer risk exponents from security levels (False: r = 1 for every actor)"},
    )
    rounds: int = field(default=10, metadata={"help": "number of rounds to run (at most): the cap"})
    tol: float = field(
        default=0.0,
        metadata={"help": (
            "stop an issue when no actor moves by more than tol × the issue's scale width "
            "(0: only when nobody moves, which changes no result)"
        )},
    )
    cycle: Literal["mean", "last"] = field(
        default="mean",
        metadata={"help": (
            "outcome of an issue whose positions return to an earlier round's: 'mean' = the mean of the "
            "weighted medians over the rounds of that cycle; 'last' = the last round's median, cycle or "
            "not (the older behaviour; Scholz's tables are round by round). Cycles are reported either way"
        )},
    )
    cycle_tol: float = field(
        default=1e-9,
        metadata={"help": (
            "a round returns to an earlier round's state when every actor's position is within "
            "cycle_tol × the issue's scale width of it (0: exactly)"
        )},
    )

    def __post_init__(self) -> None:
        choices = {
            "probability": ("scholz-code", "paper"),
            "t_rule": ("median", "even"),
            "perspective": ("receiver", "own"),
            "selection": ("scholz-code", "least-move", "highest-eu"),
            "range": ("positions", "scale"),
            "cycle": ("mean", "last"),
        }
        for key, allowed in choices.items():
            if getattr(self, key) not in allowed:
                raise ValueError(f"{key} must be one of {', '.join(allowed)} (got {getattr(self, key)!r})")
        if isinstance(self.q, bool) or not isinstance(self.q, (int, float)) or not 0.0 <= self.q <= 1.0:
            raise ValueError(f"q must be a number between 0 and 1 (got {self.q!r})")
        if isinstance(self.rounds, bool) or not isinstance(self.rounds, (int, np.integer)) or self.rounds < 1:
            raise ValueError(f"rounds must be a whole number of at least 1 (got {self.rounds!r})")
        if isinstance(self.tol, bool) or not isinstance(self.tol, (int, float)) or not 0.0 <= self.tol < np.inf:
            raise ValueError(f"tol must be a finite number of at least 0 (got {self.tol!r})")
        if (
            isinstance(self.cycle_tol, bool)
            or not isinstance(self.cycle_tol, (int, float))
            or not 0.0 <= self.cycle_tol < np.inf
        ):
            raise ValueError(f"cycle_tol must be a finite number of at least 0 (got {self.cycle_tol!r})")
        if not isinstance(self.risk, bool):
            raise ValueError(f"risk must be true or false (got {self.risk!r})")

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        """Run the rounds for every variant and issue (deterministic: ``rng`` is not used).

        Returns
        -------
        BatchForecast
            ``outcomes`` (B, M): the mean of the weighted medians over an issue's cycle
            (``cycle="mean"``), else the last round's; ``rounds`` (B, T, M): the
            median after each round 1..T (as in Scholz's Table 2); ``n_rounds`` (B,): the most
            rounds any issue of the variant ran; ``positions`` (B, N, M) and
            ``position_rounds`` (B, T+1, N, M, round 0 = input), NaN where an actor has no
            stance. ``diagnostics`` per variant, each list with one entry per issue:
            ``rounds_run``, ``stopped_by`` ("rounds", "tolerance", or "no weight" when no
            actor on the issue carries weight, outcome NaN), ``median_start`` and
            ``mean_start`` (round 0), ``means`` (weighted mean after rounds 1..n_rounds),
            ``cycle`` (None, or ``period``, ``returns_to`` = the round s whose state recurs,
            ``rounds`` s+1..t, ``outcomes`` = their medians and ``mean``), ``converged``
            (a period-1 return, or stopped by ``tol``), ``cycle_note`` (one line saying
            which, and what the outcome is) and ``params``.
        """
        b, n, m = stances.shape
        rounds = int(self.rounds)
        lanes = _Lanes.from_stances(stances, self.range)
        total = b * m
        pos = np.empty((total, rounds + 1, n))  # positions after each round, absent actors included
        run = np.zeros(total, dtype=np.int64)
        stopped = np.full(total, "no weight", dtype=object)
        back = np.full(total, -1, dtype=np.int64)  # the earlier round whose state recurs (-1: none)
        found = np.full(total, -1, dtype=np.int64)  # the round in which it recurs
        chunk = max(1, _CHUNK_ELEMENTS // max(n * n, 1))
        for start in range(0, total, chunk):
            sl = slice(start, min(start + chunk, total))
            self._run_lanes(lanes.take(sl), pos[sl], run[sl], stopped[sl], back[sl], found[sl])
        w = np.broadcast_to(lanes.w[:, None, :], pos.shape)
        med, mean = _median_mean(pos.reshape(-1, n), np.ascontiguousarray(w).reshape(-1, n))
        med, mean = med.reshape(total, rounds + 1), mean.reshape(total, rounds + 1)
        no_weight = (stopped == "no weight")[:, None]
        med[np.broadcast_to(no_weight, med.shape)] = np.nan
        mean[np.broadcast_to(no_weight, mean.shape)] = np.nan
        np.copyto(pos, np.nan, where=~lanes.present[:, None, :])
        # a cycle is rounds back+1 .. found (round `found` repeats round `back`)
        has_cycle = found >= 0
        period = np.where(has_cycle, found - back, 1)
        t_axis = np.arange(rounds + 1)
        in_cycle = (t_axis > back[:, None]) & (t_axis <= found[:, None])
        cycle_mean = np.where(in_cycle, med, 0.0).sum(axis=1) / period
        outcome = med[:, rounds]
        if self.cycle == "mean":
            outcome = np.where(has_cycle, cycle_mean, outcome)
        converged = (has_cycle & (period == 1)) | (stopped == "tolerance")

        def by_variant(a: np.ndarray) -> np.ndarray:
            return a.reshape((b, m, *a.shape[1:]))

        med_b, mean_b, pos_b, run_b = by_variant(med), by_variant(mean), by_variant(pos), by_variant(run)
        stopped_b, back_b, found_b = by_variant(stopped), by_variant(back), by_variant(found)
        cycle_mean_b, converged_b = by_variant(cycle_mean), by_variant(converged)
        n_rounds = run_b.max(axis=1).astype(np.int64)
        params = self.params()
        diagnostics = []
        for k in range(b):
            t = int(n_rounds[k])
            cycles: list[dict[str, Any] | None] = []
            for j in range(m):
                first, last = int(back_b[k, j]) + 1, int(found_b[k, j])
                cycles.append(None if last < 0 else {
                    "period": last - first + 1,
                    "returns_to": first - 1,
                    "rounds": list(range(first, last + 1)),
                    "outcomes": [float(v) for v in med_b[k, j, first : last + 1]],
                    "mean": float(cycle_mean_b[k, j]),
                })
            diagnostics.append({
                "rounds_run": [int(v) for v in run_b[k]],
                "stopped_by": [str(v) for v in stopped_b[k]],
                "median_start": [float(v) for v in med_b[k, :, 0]],
                "mean_start": [float(v) for v in mean_b[k, :, 0]],
                "means": [[float(v) for v in mean_b[k, j, 1 : t + 1]] for j in range(m)],
                "cycle": cycles,
                "converged": [bool(v) for v in converged_b[k]],
                "cycle_note": [
                    self._cycle_note(c, str(stopped_b[k, j]), int(run_b[k, j])) for j, c in enumerate(cycles)
                ],
                "params": params,
            })
        return BatchForecast(
            outcomes=by_variant(outcome).copy(),
            rounds=np.ascontiguousarray(med_b[:, :, 1:].transpose(0, 2, 1)),
            n_rounds=n_rounds,
            positions=np.ascontiguousarray(pos_b[:, :, rounds, :].transpose(0, 2, 1)),
            position_rounds=np.ascontiguousarray(pos_b.transpose(0, 2, 3, 1)),
            diagnostics=tuple(diagnostics),
        )

    def _cycle_note(self, cycle: dict[str, Any] | None, stopped: str, ran: int) -> str:
        """How an issue's run ended and what its outcome is, in one line."""
        if stopped == "no weight":
            return "no actor carries weight: no outcome"
        if cycle is not None and cycle["period"] == 1:
            return f"converged in round {cycle['returns_to']} (round {cycle['rounds'][0]} repeats it)"
        if cycle is not None:
            first, last = cycle["rounds"][0], cycle["rounds"][-1]
            how = f"mean over rounds {first}–{last}" if self.cycle == "mean" else "last round (cycle=last)"
            return (f"cycle of period {cycle['period']} from round {first} (round {last} repeats round "
                    f"{first - 1}): outcome = {how}")
        if stopped == "tolerance":
            return f"converged by tolerance in round {ran}, no cycle: outcome = last round"
        return f"no cycle within {int(self.rounds)} rounds, not converged: outcome = last round"

    # ------------------------------------------------------------------ one chunk of lanes

    def _run_lanes(
        self, lanes: _Lanes, pos: FloatArray, run: IntArray, stopped: NDArray[Any], back: IntArray, found: IntArray
    ) -> None:
        """Run every round for a chunk of lanes, writing the positions of each round in place.

        After each round, a lane that has not yet returned to an earlier state is compared with
        all its earlier rounds: the first round t whose positions are all within ``cycle_tol``
        × the scale width of an earlier round's sets ``found = t`` and ``back`` = the latest
        such round. The sum of a lane's positions screens the pairs of rounds first (two states
        that close differ in it by at most N times as much, plus rounding), so only candidates
        are compared actor by actor. The run itself goes on to ``rounds`` (or the tolerance).
        """
        rounds = int(self.rounds)
        x = lanes.x.copy()
        live = lanes.present.any(axis=1) & (lanes.w.sum(axis=1) > 0)
        pos[:, 0] = x
        active = live.copy()
        stopped[live] = "rounds"
        n = x.shape[1]
        near = self.cycle_tol * lanes.width
        # positions stay within the span of round 0's (moves go toward other actors' positions)
        slack = n * (near + 4.0 * n * np.finfo(float).eps * np.abs(x).max(axis=1, initial=0.0))
        sums = np.empty((len(x), rounds + 1))
        sums[:, 0] = x.sum(axis=1)
        for t in range(1, rounds + 1):
            idx = np.flatnonzero(active)
            if idx.size:
                sub = lanes if idx.size == len(x) else lanes.take(idx)
                new = self._round(sub, x[idx])
                moved = np.max(np.where(sub.present, np.abs(new - x[idx]), 0.0), axis=1)
                x[idx] = new
                run[idx] = t
                done = moved <= self.tol * sub.width
                stopped[idx[done]] = "tolerance"
                active[idx[done]] = False
            pos[:, t] = x
            sums[:, t] = x.sum(axis=1)
            look = idx[found[idx] < 0]  # lanes that ran this round and have not recurred yet
            if look.size:
                lane, earlier = np.nonzero(np.abs(sums[look, :t] - sums[look, t, None]) <= slack[look, None])
                lane = look[lane]
                # absent actors never move, so they differ by 0
                same = np.abs(pos[lane, earlier] - pos[lane, t]).max(axis=1) <= near[lane]
                np.maximum.at(back, lane[same], earlier[same])
                found[lane[same]] = t

    def _round(self, lanes: _Lanes, x: FloatArray) -> FloatArray:
        """One round on a set of lanes: the positions after every actor has taken its offer."""
        n = x.shape[1]
        present = lanes.present
        xi, xj = x[:, :, None], x[:, None, :]
        dist = np.abs(xi - xj)
        D = dist / lanes.R[:, None, None]
        both = present[:, :, None] & present[:, None, :]
        pair = both & ~np.eye(n, dtype=bool)[None]
        # the status-quo terms (median μ, m_i, T) enter only when Q < 1
        m: FloatArray | float = 0.0
        T: FloatArray | float = 0.5
        if self.q < 1.0:
            mu = weighted_median(x[:, :, None], lanes.w[:, :, None])[:, 0]
            m = (np.abs(x - mu[:, None]) / lanes.R[:, None])[:, :, None]
            if self.t_rule == "median":
                T = (np.abs(xi - mu[:, None, None]) < np.abs(xi - xj)).astype(float)
        votes = _Votes(x, present, both)

        s_target = lanes.s[:, None, :]
        P1 = votes.probability(D, lanes.w, None, self.probability)
        E1 = _challenge_eu(D, P1, s_target, m, T, None, self.q)
        if self.risk:
            security = np.where(pair, E1, 0.0).sum(axis=1)  # Sec_i = Σ_j EU_j(challenge i)
            r = _risk_exponents(security, present)
            P = votes.probability(D, lanes.w, r, self.probability) if self.probability == "scholz-code" else P1
            if self.perspective == "receiver":
                a, b = _challenge_eu_receiver(D, P, lanes.s, m, T, r, self.q)
            else:
                a = _challenge_eu(D, P, s_target, m, T, r[:, :, None], self.q)
                b = a.transpose(0, 2, 1)
        else:
            a = E1
            b = E1.transpose(0, 2, 1)
        return self._take_offers(x, a, b, pair & (xi != xj), dist)

    def _take_offers(self, x: FloatArray, a: FloatArray, b: FloatArray, ok: BoolArray, dist: FloatArray) -> FloatArray:
        """New positions from a[l, i, j] = EU_i(challenge j) and b[l, i, j] = EU_j(challenge i), seen by i.

        ``dist[l, i, j]`` is |x_i − x_j|. Each actor ranks its offers by the selection rule's
        keys in turn (ties go on to the next key); the last key is always the resulting
        position, so the lowest position left in the running is the one taken.
        """
        xi, xj = x[:, :, None], x[:, None, :]
        confront = ok & (b > a) & (a > 0)
        yields = ok & (b > 0) & (a < 0)
        # |a| / b where b > 0; elsewhere any finite value (it is read only where b > 0), at most 1
        frac = np.abs(a)
        frac /= b + (b == 0.0)
        np.minimum(frac, 1.0, out=frac)
        compromise = yields & (frac < 1.0 - _SNAP)  # a fraction within rounding of 1 is a capitulation
        capitulate = yields & ~compromise
        offered = confront | yields
        is_compromise = compromise.astype(float)
        to = _blend(is_compromise, xi + frac * (xj - xi), xj)
        if self.selection == "scholz-code":
            # confrontations before compromises before capitulations
            no_confront = ~_row_any(confront)[:, :, None]
            no_compromise = ~_row_any(compromise)[:, :, None]
            chosen = confront | (no_confront & (compromise | (no_compromise & capitulate)))
            # within each tier the least move, except that compromises rank by the EU-weighted mean
            absa, absb = np.abs(a), np.abs(b)
            den = absa + absb
            den += den == 0.0  # > 0 for every compromise; elsewhere only kept finite
            weighted = (absa * xi + absb * xj) / den
            chosen &= _is_row_min(_blend(is_compromise, weighted, dist), chosen)
        else:
            move = np.abs(to - xi)
            keys = [move, -b] if self.selection == "least-move" else [-b, move]
            chosen = offered
            for key in keys:
                chosen = chosen & _is_row_min(key, chosen)
        target = _row_min(to + _inf_unless(chosen))
        return np.where(_row_any(offered), target, x)


# ---------------------------------------------------------------------- row helpers
# Row-wise selections over the last axis of (L, N, N) arrays. On many short rows np.where,
# min(axis=2) and any(axis=2) cost several times more than arithmetic, argmin and argmax, so
# these use the latter; each gives exactly the numbers of the plain form (up to the sign of a zero).

_INF_OR_ZERO = np.array([np.inf, 0.0])


def _inf_unless(mask: BoolArray) -> FloatArray:
    """0.0 where ``mask`` holds, +inf elsewhere: added to a finite key, it leaves only the masked entries."""
    return np.asarray(_INF_OR_ZERO[mask.view(np.uint8)])


def _blend(first_if_1: FloatArray, first: FloatArray, second: FloatArray) -> FloatArray:
    """``np.where(first_if_1 == 1, first, second)`` for finite values, ``first_if_1`` holding 0.0 or 1.0."""
    out = first * first_if_1
    out += second * (1.0 - first_if_1)
    return out


def _row_at(values: np.ndarray, idx: IntArray) -> np.ndarray:
    """values[l, i, idx[l, i]]."""
    n = values.shape[-1]
    flat = idx.reshape(-1) + np.arange(0, idx.size * n, n)
    return values.reshape(-1).take(flat).reshape(idx.shape)


def _row_min(values: FloatArray) -> FloatArray:
    """The smallest entry of each row (no NaN)."""
    return np.asarray(_row_at(values, np.argmin(values, axis=-1)))


def _row_any(mask: BoolArray) -> BoolArray:
    """Whether each row has a True entry."""
    return np.asarray(_row_at(mask, np.argmax(mask, axis=-1)))


def _is_row_min(key: FloatArray, chosen: BoolArray) -> BoolArray:
    """Where a finite ``key`` equals the smallest of its row's ``chosen`` entries."""
    k = key + _inf_unless(chosen)
    return np.asarray(k == _row_min(k)[..., None])


# ---------------------------------------------------------------------- lanes and kernels


@dataclass(frozen=True)
class _Lanes:
    """One issue of one variant per row: the (L, N) inputs of the rounds."""

    x: FloatArray
    s: FloatArray
    w: FloatArray
    present: BoolArray
    R: FloatArray
    width: FloatArray

    @classmethod
    def from_stances(cls, st: Stances, range_rule: str) -> _Lanes:
        b, n, m = st.shape

        def lanes(a: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(np.asarray(a).transpose(0, 2, 1).reshape(b * m, n))

        present = lanes(st.mask)
        mid = np.broadcast_to((st.lower + st.upper) / 2.0, (b, m)).reshape(b * m)
        x = np.where(present, lanes(st.positions), mid[:, None])
        s = np.where(present, lanes(st.saliences), 0.0)
        w = np.where(present, lanes(st.capabilities) * s, 0.0)
        width = np.broadcast_to(st.upper - st.lower, (b, m)).reshape(b * m).astype(float)
        if range_rule == "scale":
            R = width.copy()
        else:
            hi = np.where(present, x, -np.inf).max(axis=1, initial=-np.inf)
            lo = np.where(present, x, np.inf).min(axis=1, initial=np.inf)
            R = np.where(np.isfinite(hi) & (hi > lo), hi - lo, 1.0)
        return cls(x, s, w, present, R, width)

    def take(self, idx: slice | np.ndarray) -> _Lanes:
        return _Lanes(self.x[idx], self.s[idx], self.w[idx], self.present[idx], self.R[idx], self.width[idx])


def _median_mean(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """c·s-weighted median and mean of each lane (NaN where no actor carries weight)."""
    total = w.sum(axis=1)
    med = weighted_median(x[:, :, None], w[:, :, None])[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(total > 0, (w * x).sum(axis=1) / np.where(total > 0, total, 1.0), np.nan)
    return med, mean


class _Votes:
    """Vote sums over voters sorted by position, for the win probabilities of every pair.

    Voter k prefers x_i to x_j exactly when it stands strictly on i's side of their
    midpoint, so the voters for i are a prefix (x_i < x_j) or suffix (x_i > x_j) of the
    sorted order: ``split[l, i, j]`` counts the present voters below the midpoint. The
    flat indices that sort a voter matrix and read its prefix sums at the splits, and the
    pair masks, are made once here and serve both probabilities of a round. ``both`` (the
    pairs whose two actors are present) may be passed in when the caller has it.
    """

    def __init__(self, x: FloatArray, present: BoolArray, both: BoolArray | None = None) -> None:
        L, n = x.shape
        key = np.where(present, x, np.inf)
        order = np.argsort(key, axis=1, kind="stable")
        xs = np.take_along_axis(key, order, axis=1)
        mid = 0.5 * (x[:, :, None] + x[:, None, :])
        split: NDArray[np.integer[Any]]
        if n < _SEARCHSORTED_FROM:  # O(N³) compares per lane, summed as bytes over the voters
            split = np.add.reduce(xs[:, :, None, None] < mid[:, None, :, :], axis=1, dtype=np.uint8)
        else:
            split = np.empty((L, n, n), dtype=np.intp)
            for k in range(L):  # one binary search per lane (not per actor)
                split[k] = np.searchsorted(xs[k], mid[k].ravel(), side="left").reshape(n, n)
        lane = np.arange(L, dtype=np.intp)[:, None, None]
        cols = np.arange(n, dtype=np.intp)
        # A.flat[sort_idx] = A[l, order[l, k], a]: the voters' rows in ascending position
        self.sort_idx = ((lane * n + order[:, :, None]) * n + cols).ravel()
        # prefix.flat[at_*_idx] = prefix[l, split[l, i, j], j or i], prefix shaped (L, N + 1, N)
        at = (lane * (n + 1) + split) * n
        self.at_j_idx = (at + cols).ravel()
        self.at_i_idx = (at + cols[:, None]).ravel()
        # which sum counts for i against j (1.0 or 0.0): the voters below the midpoint when i is
        # below j, those above it when i is above j, none when x_i = x_j
        self.below = (x[:, :, None] < x[:, None, :]).astype(float)
        self.above = (x[:, :, None] > x[:, None, :]).astype(float)
        self.present = present
        both = present[:, :, None] & present[:, None, :] if both is None else both
        self.both = both.astype(float)
        self.absent_big = np.where(present, 0.0, _BIG)[:, None, :]
        count = present.sum(axis=1)[:, None, None]
        p = np.arange(n)[None, None, :]
        # weight of the p-th smallest of a row of `count` values in the sum of their absolute differences
        self.coef = np.where(p < count, 2 * p - count + 1, 0).astype(float)

    def probability(self, D: FloatArray, w: FloatArray, r: FloatArray | None, kind: str) -> FloatArray:
        """P[l, i, j], the probability that i prevails over j (0 where undefined)."""
        # A[l, k, a] = c_k s_k (|x_k − x_a| / R)^r_k, the weight of voter k's distance to a (≥ 0),
        # 0 unless both k and a are present
        A = w[:, :, None] * (D if kind == "paper" or r is None else D ** r[:, :, None])
        A *= self.both
        num = self._for(A)  # ≥ +0
        if kind == "paper":
            den = num + num.transpose(0, 2, 1)  # 0 only where num is 0 too
            den += den == 0.0
            return np.divide(num, den, out=num)
        den = self._abs_difference_sum(A)
        valid = den > 0
        num /= np.where(valid, den, 1.0)[:, None, None]
        if not valid.all():
            num *= valid[:, None, None]
        return num

    def _for(self, A: FloatArray) -> FloatArray:
        """num[l, i, j] = Σ_k max(0, A[k, j] − A[k, i])."""
        L, n, _ = A.shape
        prefix = np.empty((L, n + 1, n))
        prefix[:, 0] = 0.0
        np.cumsum(A.reshape(-1).take(self.sort_idx).reshape(L, n, n), axis=1, out=prefix[:, 1:])
        flat = prefix.reshape(-1)
        at_j = flat.take(self.at_j_idx).reshape(L, n, n)
        at_i = flat.take(self.at_i_idx).reshape(L, n, n)
        total = prefix[:, n, :]
        low = at_j - at_i  # voters below the midpoint
        high = total[:, None, :] - at_j  # voters above it
        high -= total[:, :, None] - at_i
        num = low * self.below
        num += high * self.above  # both finite, so this is the selection
        return np.maximum(num, 0.0, out=num)

    def _abs_difference_sum(self, A: FloatArray) -> FloatArray:
        """Σ_k Σ_{a, b present} |A[k, a] − A[k, b]| per lane, by sorting each voter's row.

        Absent columns (A = 0 there) sort last as the largest float and carry coefficient 0.
        """
        rows = A + self.absent_big
        rows.sort(axis=2)
        rows *= self.coef
        return 2.0 * rows.sum(axis=(1, 2))


def _challenge_eu(
    D: FloatArray,
    P: FloatArray,
    s_target: FloatArray,
    m: FloatArray | float,
    T: FloatArray | float,
    rho: FloatArray | None,
    q: float,
) -> FloatArray:
    """EU[l, i, j] of i challenging j; ``rho`` broadcasts to the pairs (None: r = 1)."""
    U_s: FloatArray
    U_f: FloatArray
    U_sq: FloatArray | float
    if rho is None:
        U_s, U_f, U_sq = 2.0 * D, -2.0 * D, 0.0
    else:
        U_s = 2.0 - 4.0 * np.maximum(0.5 - 0.5 * D, 0.0) ** rho
        U_f = 2.0 - 4.0 * (0.5 + 0.5 * D) ** rho
        U_sq = 2.0 - 4.0 * 0.5**rho
    eu = s_target * (P * U_s + (1.0 - P) * U_f) + (1.0 - s_target) * U_s - q * U_sq
    if q < 1.0:
        spread = m + D
        if rho is None:
            U_b, U_w = spread, -spread
        else:
            U_b = 2.0 - 4.0 * np.maximum(0.5 - 0.25 * spread, 0.0) ** rho
            U_w = 2.0 - 4.0 * (0.5 + 0.25 * spread) ** rho
        eu = eu - (1.0 - q) * (T * U_b + (1.0 - T) * U_w)
    return np.asarray(eu)


def _challenge_eu_receiver(
    D: FloatArray,
    P: FloatArray,
    s: FloatArray,
    m: FloatArray | float,
    T: FloatArray | float,
    r: FloatArray,
    q: float,
) -> tuple[FloatArray, FloatArray]:
    """Both values of each pair as actor i weighs them with its own exponent r_i.

    Returns ``a[l, i, j] = EU_i(challenge j)`` and ``b[l, i, j] = EU_j(challenge i)``, the
    same numbers as :func:`_challenge_eu` with ``rho = r_i`` for ``a`` and the transpose
    of its ``rho = r_j`` evaluation for ``b``. D is symmetric, so the powers U_s, U_f and
    U_sq of the two are the same and are taken once.
    """
    rho = r[:, :, None]
    U_s = 2.0 - 4.0 * np.maximum(0.5 - 0.5 * D, 0.0) ** rho
    U_f = 2.0 - 4.0 * (0.5 + 0.5 * D) ** rho
    U_sq = 2.0 - 4.0 * 0.5**rho
    s_j, s_i = s[:, None, :], s[:, :, None]
    Pt = P.transpose(0, 2, 1)
    a = s_j * (P * U_s + (1.0 - P) * U_f) + (1.0 - s_j) * U_s - q * U_sq
    b = s_i * (Pt * U_s + (1.0 - Pt) * U_f) + (1.0 - s_i) * U_s - q * U_sq
    if q < 1.0:
        T_t = T.transpose(0, 2, 1) if isinstance(T, np.ndarray) else T
        m_j = m.transpose(0, 2, 1) if isinstance(m, np.ndarray) else m
        for eu, tt, spread in ((a, T, m + D), (b, T_t, m_j + D)):
            U_b = 2.0 - 4.0 * np.maximum(0.5 - 0.25 * spread, 0.0) ** rho
            U_w = 2.0 - 4.0 * (0.5 + 0.25 * spread) ** rho
            eu -= (1.0 - q) * (tt * U_b + (1.0 - tt) * U_w)
    return a, b


def _risk_exponents(security: FloatArray, present: BoolArray) -> FloatArray:
    """r_i = (1 − R_i/3)/(1 + R_i/3), R_i = (2 Sec_i − max − min)/(max − min) over present actors."""
    hi = np.where(present, security, -np.inf).max(axis=1, keepdims=True, initial=-np.inf)
    lo = np.where(present, security, np.inf).min(axis=1, keepdims=True, initial=np.inf)
    spread = hi - lo
    scale = np.maximum(np.abs(hi), np.abs(lo))
    flat = ~(spread > 1e-12 * np.maximum(scale, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        R = np.where(flat, 0.0, (2.0 * security - hi - lo) / np.where(flat, 1.0, spread))
    R = np.where(present, R, 0.0)
    return (1.0 - R / 3.0) / (1.0 + R / 3.0)
