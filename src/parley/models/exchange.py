"""Stokman's position-exchange model (docs/models.md#exchange).

Stokman & Van Oosten (1994) and Arregui, Stokman & Thomson (2006); the operational
details follow the open implementation, the ``decide-exchange-model`` package
(J. Draaijer), whose equal-gain model parley reproduces (``tests/test_exchange.py``).

All arithmetic runs on each issue rescaled to 0–100, as in Decide, so gains are
comparable across issues. Per round, with weights w = c·s (0 where masked),
D = Σ w and O = Σ w x / D per issue:

- **Candidates.** Actors i, j and issues p < q such that i and j lie on opposite sides
  of O on both (``x <= O`` counts as left). The actor with the higher s_p/s_q,
  called I, demands p and supplies q (moves on q toward J); J demands q and supplies p.
- **Equal-gain rate.** A move Δ by actor k shifts O by Δ w_k / D. With outcome shifts
  dp (J's move on p) and dq (I's move on q), I gains s_Ip dp − s_Iq dq and J gains
  s_Jq dq − s_Jp dp; equal gains give dq = r dp, r = (s_Ip + s_Jp)/(s_Iq + s_Jq).
  dp is the largest value with no one passing the partner's position
  (dp ≤ |x_Ip − x_Jp| w_Jp / D_p, dq ≤ |x_Jq − x_Iq| w_Iq / D_q) and, next, no outcome
  passing the demander's position; the gain is |dq s_Iq − dp s_Ip|.
- **Execution.** Greedily by gain. After each, the pending exchanges that share an
  (actor, supply issue) with it start from the mover's new position, and those that
  share an (actor, demand issue) see the partner's move in their outcome check; all of
  them are recalculated, and dropped when a move vanishes (a *spent supply*), changes
  direction from an earlier computed move, sums with those to more than 100, or leaves
  the scale. This bookkeeping is Decide's, made explicit in :func:`_recalculate_affected`.
- **Random rate** (``rate="random"``, Dijkstra, Van Assen, Stokman & Draaijer 2018, as
  Decide's randomised equal gain): one draw per candidate and round decides which actor's
  gain moves from the equal gain G toward its maximum or toward zero, by a random share
  of at most ``random_share``; the order of execution stays that of the equal gains.
- **Rounds.** The round's forecast is the compromise model on the voting positions
  after all its exchanges (``position_rounds``). The next round starts from
  (1 − w) x_start + w y with w = salience_weight (1 − s) + fixed_weight (Decide: 0.4,
  0.1). A round with no exchange is a fixed point: the run stops there.

Gains within a relative 1e-12 are tied, and a tie goes to the first exchange in Decide's
creation order (issue pair; the (right, right)-(left, left) pairs of actors before the
(left, right)-(right, left) ones; actor order). With ``ties="values"`` (default) the actors
are first sorted by their values, so the input's actor order changes nothing;
``"input-order"`` uses the input order; ``"random"`` draws among tied exchanges. Decide
itself orders equal gains by its list after earlier in-place sorts and by the 28th digit
of its Decimal arithmetic, so after a tie the two can part ways; with the same tie rule
they agree to 1e-13 (``tests/test_exchange.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from parley._random import SeedLike, child_generators
from parley.errors import ModelError
from parley.models.base import BatchForecast, FloatArray, Model, register
from parley.scenario.core import Stances

IntArray = NDArray[np.int64]
_CHUNK_BUDGET = 2_000_000  # candidate slots (actor pairs x issue pairs) per chunk of variants
_CALC_CHUNK = 200_000  # candidates whose terms are computed at once when a round starts
_PAIR_CHUNK = 4_000_000  # (actor pair, issue pair) combinations screened at once
MAX_CANDIDATES = 2_000_000
"""Most candidate exchanges one variant may hold (about 1 GB of tables at ~450 bytes each;
``benchmarks/bench_exchange.py --limits`` measures it).

The candidates of a round are the pairs of actors on opposite sides of the outcome on two
issues, at most ``floor(N/2) ceil(N/2) M (M - 1) / 2`` (two blocs opposed on every issue).
Scenarios whose bound exceeds this are refused before any work: 150 actors on 40 issues
(4.4 million), 500 on 50 (77 million) are; 100 actors on 40 issues (1.95 million) run.
"""
_TIE = 1e-12  # gains this close (relative) are tied: rounding noise must not pick the exchange


@register
@dataclass(frozen=True)
class Exchange(Model):
    """Stokman's position-exchange model: pairwise vote trading over pairs of issues.

    Gains in the diagnostics are salience-weighted outcome shifts on each issue rescaled
    to 0–100 (Decide's units); moves are on the issues' natural scales; actor and issue
    ids are indices into the stances.
    """

    name = "exchange"
    rank = 60
    reference = (
        "Stokman & Van Oosten 1994, 'The exchange of voting positions', in Bueno de Mesquita & "
        "Stokman (eds.), European Community Decision Making, Yale UP; Arregui, Stokman & Thomson "
        "2006, in The European Union Decides; Dijkstra, Van Assen, Stokman & Draaijer 2018 "
        "(random rates); decide-exchange-model (Draaijer), the open implementation; "
        "parley docs, Models § exchange (docs/models.md#exchange)"
    )
    moves_actors = True
    runs_in_rounds = True

    rounds: int = field(default=10, metadata={"help": "number of exchange rounds (Decide: 10)"})
    rate: Literal["equal-gain", "random"] = field(
        default="equal-gain",
        metadata={"help": "exchange rate: equal gains, or randomly varied gains (Dijkstra et al. 2018)"},
    )
    random_share: float = field(
        default=0.8,
        metadata={"help": "rate='random': largest share p of the gap to an actor's maximum gain "
                          "(or to zero) by which its gain may move away from the equal gain"},
    )
    salience_weight: float = field(
        default=0.4, metadata={"help": "later rounds: w = salience_weight (1 - s) + fixed_weight"}
    )
    fixed_weight: float = field(
        default=0.1, metadata={"help": "later rounds: w = salience_weight (1 - s) + fixed_weight"}
    )
    ties: Literal["values", "input-order", "random"] = field(
        default="values",
        metadata={"help": "order among exchanges of equal gain: Decide's creation order over actors "
                          "sorted by their values, over actors in input order, or random"},
    )
    tolerance: float = field(
        default=1e-10, metadata={"help": "smallest gain and move that count, on the 0-100 rescaling"}
    )

    def __post_init__(self) -> None:
        if isinstance(self.rounds, bool) or not isinstance(self.rounds, (int, np.integer)) or self.rounds < 1:
            raise ValueError(f"rounds must be a whole number >= 1, got {self.rounds!r}")
        if self.rate not in ("equal-gain", "random"):
            raise ValueError(f"rate must be 'equal-gain' or 'random', got {self.rate!r}")
        if self.ties not in ("values", "input-order", "random"):
            raise ValueError(f"ties must be 'values', 'input-order' or 'random', got {self.ties!r}")
        if not 0.0 <= self.random_share <= 1.0:
            raise ValueError(f"random_share must be between 0 and 1, got {self.random_share!r}")
        if not (self.salience_weight >= 0 and self.fixed_weight >= 0
                and self.salience_weight + self.fixed_weight <= 1):
            raise ValueError(
                "salience_weight and fixed_weight must be >= 0 with a sum <= 1 "
                f"(so that 0 <= w <= 1), got {self.salience_weight!r} and {self.fixed_weight!r}"
            )
        if not (np.isfinite(self.tolerance) and self.tolerance > 0):
            raise ValueError(f"tolerance must be a positive number, got {self.tolerance!r}")

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        """Run the exchange rounds on every variant (variants in chunks, lock-step within one)."""
        b, n, m = stances.shape
        check_size(n, m)
        lo, span = stances.lower, stances.upper - stances.lower
        mask = stances.mask
        z = np.where(mask, (stances.positions - lo) / span * 100.0, 0.0)
        sal = np.where(mask, stances.saliences, 0.0)
        w = np.where(mask, stances.capabilities * stances.saliences, 0.0)
        needs_rng = self.rate == "random" or self.ties == "random"
        gens: list[np.random.Generator | None] = list(child_generators(rng, b)) if needs_rng else [None] * b

        perm = self._actor_order(z, sal, stances.capabilities, mask)
        take = perm[:, :, None]
        zc, sc, wc, mc = (np.take_along_axis(a, take, axis=1) for a in (z, sal, w, mask))

        t_max = self.rounds
        out_rounds = np.empty((b, t_max, m))
        voting = np.empty((b, t_max, n, m))
        n_rounds = np.full(b, t_max, dtype=np.int64)
        diags: list[list[dict[str, Any]]] = [[] for _ in range(b)]
        pairs = n * (n - 1) // 2 * max(m * (m - 1) // 2, 1)
        step = max(1, _CHUNK_BUDGET // max(pairs, 1))
        for start in range(0, b, step):
            rows = slice(start, min(b, start + step))
            self._run_chunk(zc[rows], sc[rows], wc[rows], mc[rows], gens[rows], perm[rows],
                            out_rounds[rows], voting[rows], n_rounds[rows], diags[rows])

        inverse = np.argsort(perm, axis=1)[:, None, :, None]
        voting = np.take_along_axis(voting, inverse, axis=2)
        voting = np.where(mask[:, None], lo + voting / 100.0 * span, stances.positions[:, None])
        out_rounds = lo + out_rounds / 100.0 * span
        position_rounds = np.concatenate([stances.positions[:, None], voting], axis=1)
        diagnostics = tuple(
            {
                "units": "gain: salience x outcome shift on each issue rescaled to 0-100; "
                         "from/to: natural scale; actors and issues: indices",
                "stopped": "no exchange left" if n_rounds[k] < t_max or not diags[k][-1]["executed"]
                           else "rounds",
                "rounds": [self._natural(r, lo, span) for r in diags[k]],
            }
            for k in range(b)
        )
        return BatchForecast(
            outcomes=out_rounds[:, -1].copy(),
            rounds=out_rounds,
            n_rounds=n_rounds,
            positions=voting[:, -1].copy(),
            position_rounds=position_rounds,
            diagnostics=diagnostics,
        )

    # ------------------------------------------------------------------ helpers

    def _actor_order(self, z: FloatArray, sal: FloatArray, cap: FloatArray, mask: np.ndarray) -> IntArray:
        """Per variant, the order the actors are processed in (canonical by values unless 'input-order')."""
        b, n, _ = z.shape
        if self.ties == "input-order":
            return np.broadcast_to(np.arange(n), (b, n)).copy()
        keys = np.concatenate(
            [mask.astype(float), np.where(mask, z, -1.0), np.where(mask, sal, -1.0),
             np.where(mask, cap, -1.0)], axis=2)  # (B, N, 4M); feature 0 is the primary key
        return np.stack([np.lexsort(keys[k].T[::-1]) for k in range(b)]).astype(np.int64)

    @staticmethod
    def _natural(record: dict[str, Any], lo: FloatArray, span: FloatArray) -> dict[str, Any]:
        """Turn a round's record into natural units (moves) with plain index arrays."""
        ex = record["exchanges"]
        issues = ex["issues"]
        scale = span[issues] / 100.0
        return {
            "round": record["round"],
            "candidates": record["candidates"],
            "executed": record["executed"],
            "exchanges": {
                "actors": ex["actors"],
                "issues": issues,
                "from": lo[issues] + ex["from"] * scale,
                "to": lo[issues] + ex["to"] * scale,
                "gain": ex["gain"],
                "gains": ex["gains"],
            },
        }

    def _run_chunk(self, z: FloatArray, sal: FloatArray, w: FloatArray, mask: np.ndarray,
                   gens: Sequence[np.random.Generator | None], perm: IntArray, out_rounds: FloatArray,
                   voting: FloatArray, n_rounds: IntArray, diags: list[list[dict[str, Any]]]) -> None:
        """All rounds for a chunk of variants (canonical actor order, 0-100 scale); fills the outputs."""
        bc = z.shape[0]
        z = z.copy()
        weight = self.salience_weight * (1.0 - sal) + self.fixed_weight
        total = w.sum(axis=1)
        live = np.ones(bc, dtype=bool)
        for t in range(self.rounds):
            rows = np.nonzero(live)[0]
            if t > 0:
                done = ~live
                out_rounds[done, t] = out_rounds[done, t - 1]
                voting[done, t] = voting[done, t - 1]
            if rows.size == 0:
                continue
            y, executed, records = _Round(self, z[rows], w[rows], sal[rows], mask[rows],
                                          [gens[int(r)] for r in rows]).run()
            with np.errstate(invalid="ignore", divide="ignore"):
                out_rounds[rows, t] = (w[rows] * y).sum(axis=1) / total[rows]
            voting[rows, t] = y
            for k, r in enumerate(rows):
                rec = records[k]
                rec["round"] = t + 1
                rec["exchanges"]["actors"] = perm[r][rec["exchanges"]["actors"]]
                diags[r].append(rec)
            idle = rows[executed == 0]
            live[idle] = False
            n_rounds[idle] = t + 1
            z[rows] = z[rows] + weight[rows] * (y - z[rows])


def candidate_bound(n: int, m: int) -> int:
    """Most candidate exchanges ``n`` actors on ``m`` issues can give in one round (two opposed blocs)."""
    return (n // 2) * ((n + 1) // 2) * (m * (m - 1) // 2)


def check_size(n: int, m: int) -> None:
    """Refuse, before any work, a scenario whose candidate tables could exceed :data:`MAX_CANDIDATES`.

    Raises
    ------
    ModelError
        Naming the bound and the limit.
    """
    bound = candidate_bound(n, m)
    if bound > MAX_CANDIDATES:
        raise ModelError(
            f"exchange: {n} actors on {m} issues can give up to {bound:,} candidate exchanges per round "
            f"(two opposed blocs); the model holds at most {MAX_CANDIDATES:,} (about 1 GB), so this scenario "
            "is refused before it starts; use fewer actors or issues (e.g. forecast groups of issues apart)"
        )


def _opposite_pairs(left: np.ndarray, mask: np.ndarray, iu: IntArray, ju: IntArray, pu: IntArray,
                    qu: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(row, actor pair, issue pair) of every pair of actors on opposite sides on both issues.

    In row-major order, as ``np.nonzero`` on the full (rows, actor pairs, issue pairs) table
    gives them; screened in chunks of actor pairs so that table is never built whole.
    """
    bc = left.shape[0]
    if bc * len(iu) * max(len(pu), 1) <= _PAIR_CHUNK:
        opposite = (left[:, iu] != left[:, ju]) & mask[:, iu] & mask[:, ju]  # (bc, pairs, M)
        return np.nonzero(opposite[:, :, pu] & opposite[:, :, qu])  # type: ignore[return-value]
    step = max(1, _PAIR_CHUNK // max(len(pu), 1))
    parts: list[tuple[IntArray, IntArray, IntArray]] = []
    for r in range(bc):
        for a in range(0, len(iu), step):
            i, j = iu[a:a + step], ju[a:a + step]
            opposite = (left[r, i] != left[r, j]) & mask[r, i] & mask[r, j]  # (chunk, M)
            pair, ipair = np.nonzero(opposite[:, pu] & opposite[:, qu])
            parts.append((np.full(pair.size, r, dtype=np.int64), pair + a, ipair))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))  # type: ignore[return-value]


# columns of the per-candidate state table: last moves, sum and signs of the earlier moves
# (Decide's list of moves per side), the equal gain and each side's gain; side 0 is I, 1 is J
_MOVE, _SUM, _POS, _NEG, _GAIN, _GAINS = 0, 2, 4, 6, 8, 9


class _Round:
    """One round of exchanges for a chunk of variants, run in lock-step.

    Candidates of all variants live in tables of ``bc * kmax`` slots (row-major by
    variant, each row in Decide's creation order, padded with dead slots), so one
    ``argmax`` per step picks every variant's next exchange, ties going to the first.
    A candidate is (a_i, a_j, p, q): I = a_i demands p and supplies q, J = a_j the reverse.
    Its inputs are read from the small per-variant arrays (flat, index (row, actor, issue)).
    """

    def __init__(self, model: Exchange, z: FloatArray, w: FloatArray, sal: FloatArray,
                 mask: np.ndarray, gens: Sequence[np.random.Generator | None]) -> None:
        self.tol = model.tolerance
        self.random_rate = model.rate == "random"
        self.share = model.random_share
        bc, n, m = z.shape
        self.bc, self.n, self.m = bc, n, m
        total = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            outcome = (w * z).sum(axis=1) / total  # NaN where no weight: no candidates there
        self.sal, self.w, self.z = sal.ravel(), w.ravel(), z.ravel()
        self.total, self.outcome = total.ravel(), outcome.ravel()
        self.y = z.copy()  # voting positions, updated as exchanges are carried out
        self.yf = self.y.ravel()
        # moves recorded per (demander, issue): Σ w (u − z) and each supplier's position u
        self.corr = np.zeros(bc * n * m)
        self.uval = np.full(bc * n * m * n, np.nan)
        self._build(sal, z <= outcome[:, None, :], mask, gens, model.ties == "random")

    # ------------------------------------------------------------ candidates

    def _build(self, sal: FloatArray, left: np.ndarray, mask: np.ndarray,
               gens: Sequence[np.random.Generator | None], shuffle: bool) -> None:
        bc, n, m = self.bc, self.n, self.m
        iu, ju = np.triu_indices(n, 1)
        pu, qu = np.triu_indices(m, 1)
        row, pair, ipair = _opposite_pairs(left, mask, iu, ju, pu, qu)
        i, j, p, q = iu[pair], ju[pair], pu[ipair], qu[ipair]
        # Decide's creation order: issue pair; groups (right, right)-(left, left) before
        # (left, right)-(right, left) on (p, q); the member right of O on q first; actor order.
        first_right = ~left[row, i, q]
        first = np.where(first_right, i, j)
        second = np.where(first_right, j, i)
        kind = left[row, first, p].astype(np.int64)
        key = ((ipair * 2 + kind) * n + first) * n + second
        counts = np.bincount(row, minlength=bc)
        self.candidates = counts
        offsets = np.cumsum(counts) - counts  # candidates come grouped by row (C order)
        if shuffle:  # random order among exact ties: a random creation order per variant
            for r in range(bc):
                key[offsets[r]:offsets[r] + counts[r]] = _gen(gens[r]).permutation(int(counts[r]))
        order = np.argsort(row * (2 * len(pu) * n * n + 1) + key)  # keys are unique in a row
        row, first, second, p, q = row[order], first[order], second[order], p[order], q[order]
        self.kmax = kmax = int(counts.max()) if counts.size else 0
        slot = row * kmax + (np.arange(row.size) - offsets[row])
        size = bc * kmax

        # roles: I demands p and supplies q (the higher s_p/s_q); Decide gives I to `first` on a tie
        i_first = ~(sal[row, first, p] * sal[row, second, q] < sal[row, second, p] * sal[row, first, q])
        self.cand = np.zeros((size, 4), dtype=np.int64)
        self.cand[slot] = np.stack([np.where(i_first, first, second), np.where(i_first, second, first), p, q], 1)
        if self.random_rate:  # one draw (which actor, win or lose, how far) per candidate
            self.draws = np.zeros((size, 3))
            for r in range(bc):
                self.draws[r * kmax:r * kmax + counts[r]] = _gen(gens[r]).random((int(counts[r]), 3))
        self.state = np.zeros((size, 11))
        self.state[:, _POS:_NEG + 2] = 1.0  # no earlier moves: either direction is fine
        self.key = np.full(size, -np.inf)  # the gain of live candidates, -inf otherwise

        if not slot.size:
            return
        # index: a supply (actor, issue) -> the sides supplying it (tag 0: I, 1: J), and a
        # demand (actor, issue), shifted by bc n m -> the candidates demanding it (tag 2)
        _, _, _, _, supply, demand = self._flat(slot)
        self.big = big = bc * n * m
        codes = np.concatenate([supply[0], supply[1], demand[0] + big, demand[1] + big])
        self.members = np.concatenate([slot * 4, slot * 4 + 1, slot * 4 + 2, slot * 4 + 2])[np.argsort(codes)]
        self.starts = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=2 * big))])
        for a in range(0, slot.size, _CALC_CHUNK):  # candidates are independent here: chunk the temporaries
            self._calculate(slot[a:a + _CALC_CHUNK])

    def _flat(self, ids: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]:
        """Row, actors (2, k), p, q and the flat (row, actor, issue) of each side's supply and demand."""
        c = self.cand[ids]
        row = ids // self.kmax
        actors = c[:, :2].T
        p, q = c[:, 2], c[:, 3]
        base = (row * self.n + actors) * self.m
        return row, actors, p, q, base + np.stack([q, p]), base + np.stack([p, q])

    # ------------------------------------------------------------ one exchange's terms

    def _calculate(self, ids: IntArray) -> None:
        """Equal-gain (or random-rate) moves, caps and validity of candidates ``ids``."""
        row, actors, p, q, supply, demand = self._flat(ids)
        partner = demand[::-1]  # (J, q) for I's side, (I, p) for J's
        s_ip, s_jq = self.sal[demand]
        s_iq, s_jp = self.sal[supply]
        with np.errstate(divide="ignore", invalid="ignore"):  # zero saliences: gain 0, dropped below
            r, r_inv = (s_ip + s_jp) / (s_iq + s_jq), (s_iq + s_jq) / (s_ip + s_jp)
        w2 = self.w[supply]
        w_iq, w_jp = w2
        issue = row * self.m + np.stack([q, p])
        total = self.total[issue]
        d_q, d_p = total
        target = self.z[partner]  # the partner's (demand) position: fixed for the round
        x_jq, x_ip = target
        at = self.yf[supply]  # current supply positions
        sign = np.where(at > target, -1.0, 1.0)
        dist = np.abs(target - at)
        dist_i, dist_j = dist
        state = self.state[ids]
        prior = (state[:, _SUM:_SUM + 2].T, state[:, _POS:_POS + 2].T > 0, state[:, _NEG:_NEG + 2].T > 0)
        moves = np.empty_like(at)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            # stage 1: J moves all the way on p, unless I would then pass J on q
            dp = dist_j * w_jp / d_p
            dq = r * dp
            m_i = dq * d_q / w_iq
            swap = m_i > dist_i
            dq = np.where(swap, dist_i * w_iq / d_q, dq)
            dp = np.where(swap, r_inv * dq, dp)
            moves[0] = np.where(swap, dist_i, m_i)
            moves[1] = np.where(swap, dp * d_p / w_jp, dist_j)
            gain = np.abs(dq * s_iq - dp * s_ip)
            valid = (gain >= self.tol) & self._moves_ok(at, moves * sign, prior)

            # stage 2: no outcome passes the demander's position (I's check on q, then J's on p);
            # moves are carried as Decide computes them: a full move is the exact distance
            seen, seen_cap = self._outcome_seen(partner * self.n + actors, partner, issue, supply, w2 / total, at)
            cap = np.abs(target - seen_cap)  # the largest outcome shift on q (I) and p (J)
            m_i, m_j = moves
            cross = valid & ((x_jq - seen[0]) * (x_jq - seen[0] - sign[0] * dq) < 0)
            m_i = np.where(cross, cap[0] * d_q / w_iq, m_i)
            dq = np.where(cross, m_i * w_iq / d_q, dq)
            dp = np.where(cross, r_inv * dq, dp)
            m_j = np.where(cross, dp * d_p / w_jp, m_j)
            cross = valid & ((x_ip - seen[1]) * (x_ip - seen[1] - sign[1] * dp) < 0)
            m_j = np.where(cross, cap[1] * d_p / w_jp, m_j)
            dp = np.where(cross, m_j * w_jp / d_p, dp)
            dq = np.where(cross, r * dp, dq)
            m_i = np.where(cross, dq * d_q / w_iq, m_i)
            gain = np.where(valid, np.abs(dq * s_iq - dp * s_ip), gain)
            if self.random_rate:
                ahead = sign * (target - seen) > 0
                big = np.minimum(dist * w2 / total, np.where(ahead, cap, np.inf))
                dp, dq = self._random_shifts(ids, big[1], big[0], gain, s_ip, s_iq, s_jp, s_jq)
                m_i = np.minimum(dq * d_q / w_iq, dist_i)  # a full move stays exact
                m_j = np.minimum(dp * d_p / w_jp, dist_j)
            moves[0], moves[1] = m_i, m_j
            moves *= sign
            valid &= self._moves_ok(at, moves, prior)
        state[:, _MOVE:_MOVE + 2] = moves.T
        state[:, _GAIN] = gain
        state[:, _GAINS] = dp * s_ip - dq * s_iq
        state[:, _GAINS + 1] = dq * s_jq - dp * s_jp
        self.state[ids] = state
        self.key[ids] = np.where(valid, gain, -np.inf)

    def _outcome_seen(self, keys: IntArray, demander: IntArray, issue: IntArray, mover: IntArray,
                      weight: FloatArray, at: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The outcome a pending exchange sees on each mover's supply issue, with the mover at ``at``.

        It is the round's outcome plus the moves recorded for this (demander, issue); the
        first value puts the mover at ``at`` over any recorded move of its own (Decide's
        crossing check), the second lets a recorded move of the mover win (Decide's cap).
        """
        u = self.uval[keys]
        own = ~np.isnan(u)
        base = self.outcome[issue] + self.corr[demander] / self.total[issue]
        start = self.z[mover]
        check = base + weight * (at - np.where(own, u, start))
        cap = base + np.where(own, 0.0, weight * (at - start))
        return check, cap

    def _moves_ok(self, at: FloatArray, moves: FloatArray, prior: tuple[np.ndarray, ...]) -> np.ndarray:
        """Decide's test of both moves: non-trivial, on the scale, as before in direction, sum <= 100."""
        prior_sum, prior_pos, prior_neg = prior
        size = np.abs(moves)
        to = at + moves
        ok = ((size > self.tol) & (size <= 100.0) & (to >= 0.0) & (to <= 100.0)
              & (prior_sum + moves <= 100.0)
              & np.where(moves > 0, prior_pos, (moves < 0) & prior_neg))
        return ok[0] & ok[1]

    def _random_shifts(self, ids: IntArray, big_p: FloatArray, big_q: FloatArray, gain: FloatArray,
                       s_ip: FloatArray, s_iq: FloatArray, s_jp: FloatArray,
                       s_jq: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Random rate (Dijkstra et al. 2018): one actor's gain moves away from the equal gain G.

        With draws u, v, z: the actor (I if u < 0.5, else J) wins (v < 0.5: G + p z (G_max − G))
        or loses (G (1 − p z)); G_max is its largest gain with the partner not losing, within
        the largest outcome shifts P (on p) and Q (on q). The exchange is then the largest
        one that gives the actor that gain, which is also the partner's best.
        """
        u, v, zz = self.draws[ids].T
        share = self.share * zz
        # I's best lies on J's break-even line dq = (s_jp/s_jq) dp; J's best on I's, dq = (s_ip/s_iq) dp
        best_i = np.minimum(big_p, big_q * s_jq / s_jp) * (s_ip - s_iq * s_jp / s_jq)
        best_j = np.minimum(big_q, big_p * s_ip / s_iq) * (s_jq - s_jp * s_iq / s_ip)
        pick_i = u < 0.5
        best = np.where(pick_i, best_i, best_j)
        goal = np.where(v < 0.5, gain + share * (best - gain), gain * (1.0 - share))
        dp_i = np.minimum(big_p, (big_q * s_iq + goal) / s_ip)
        dq_j = np.minimum(big_q, (big_p * s_jp + goal) / s_jq)
        dp = np.where(pick_i, dp_i, (s_jq * dq_j - goal) / s_jp)
        dq = np.where(pick_i, (s_ip * dp_i - goal) / s_iq, dq_j)
        return dp, dq

    # ------------------------------------------------------------ the greedy loop

    def run(self) -> tuple[FloatArray, IntArray, list[dict[str, Any]]]:
        """Carry out exchanges until none is left; the voting positions, counts and records."""
        log: list[tuple[np.ndarray, ...]] = []
        keys = self.key.reshape(self.bc, self.kmax)
        active = np.nonzero(self.candidates > 0)[0]
        while active.size:
            top = keys.max(axis=1)
            # gains within a relative _TIE of the best are equal: the first in creation order wins
            best = np.argmax(keys >= (top - _TIE * np.abs(top))[:, None], axis=1)
            active = np.nonzero(top > -np.inf)[0]
            if active.size:
                log.append(self._execute(active * self.kmax + best[active]))
        return self.y, *self._records(log)

    def _records(self, log: list[tuple[np.ndarray, ...]]) -> tuple[IntArray, list[dict[str, Any]]]:
        bc = self.bc
        cols = [np.concatenate(c) for c in zip(*log, strict=True)] if log else [np.zeros(0)] * 7
        rows = cols[0].astype(np.int64)
        executed = np.bincount(rows, minlength=bc)
        records = []
        for r in range(bc):
            sel = rows == r
            records.append({
                "candidates": int(self.candidates[r]),
                "executed": int(executed[r]),
                "exchanges": {
                    "actors": cols[1][sel].astype(np.int64).reshape(-1, 2),
                    "issues": cols[2][sel].astype(np.int64).reshape(-1, 2),
                    "from": cols[3][sel].reshape(-1, 2),
                    "to": cols[4][sel].reshape(-1, 2),
                    "gain": cols[5][sel],
                    "gains": cols[6][sel].reshape(-1, 2),
                },
            })
        return executed, records

    def _execute(self, ids: IntArray) -> tuple[np.ndarray, ...]:
        """Carry out one exchange per variant (``ids``: at most one per row), then update the rest."""
        row, actors, p, q, supply, demand = self._flat(ids)
        state = self.state[ids]
        start = self.yf[supply]
        to = start + state[:, _MOVE:_MOVE + 2].T
        record = (row, actors.T, np.stack([q, p], 1), start.T, to.T, state[:, _GAIN], state[:, _GAINS:_GAINS + 2])
        self.yf[supply] = to
        # I's move is seen by exchanges where J demands q, J's where I demands p
        partner = demand[::-1]
        old = self.uval[partner * self.n + actors]
        begin = self.z[supply]
        fresh = np.isnan(old)
        # Decide keeps the first recorded move unless a later one moves less far from the start
        new = np.where(fresh, to, np.where(begin <= old, np.minimum(old, to), np.maximum(old, to)))
        self.corr[partner] += self.w[supply] * (new - np.where(fresh, begin, old))
        self.uval[partner * self.n + actors] = new
        self.key[ids] = -np.inf
        _recalculate_affected(self, np.concatenate([supply, demand + self.big], axis=0).T.ravel())
        return record


def _recalculate_affected(st: _Round, codes: IntArray) -> None:
    """Update the pending exchanges touched by the exchanges just carried out (their ``codes``).

    A pending exchange X is touched when one of its sides has the (actor, supply issue)
    of a mover of E (it now starts from the mover's new position) or the (actor, demand
    issue) of a demander of E (its outcome check now sees the partner's move). Decide
    keeps a list of moves per side: a side whose supply moved keeps its last computed
    move in that list and adds the new one; any other side's last move is replaced.
    A move is valid only if all moves in its list point the same way and sum to <= 100.
    """
    lo = st.starts[codes]
    lens = st.starts[codes + 1] - lo
    count = int(lens.sum())
    if not count:
        return
    found = st.members[np.arange(count) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(lo, lens)]
    cand, tag = found // 4, found % 4
    keep = st.key[cand] > -np.inf
    cand, tag = cand[keep], tag[keep]
    if not cand.size:
        return
    cand, where = np.unique(cand, return_inverse=True)
    supply = np.zeros((cand.size, 2), dtype=bool)
    supply[where[tag == 0], 0] = True
    supply[where[tag == 1], 1] = True
    if supply.any():
        moved = np.nonzero(supply.any(axis=1))[0]
        k, sup = cand[moved], supply[moved]
        state = st.state[k]
        last = state[:, _MOVE:_MOVE + 2]
        state[:, _SUM:_SUM + 2] += np.where(sup, last, 0.0)
        state[:, _POS:_POS + 2] *= ~sup | (last > 0)
        state[:, _NEG:_NEG + 2] *= ~sup | (last < 0)
        st.state[k] = state
    st._calculate(cand)


def _gen(g: np.random.Generator | None) -> np.random.Generator:
    if g is None:  # pragma: no cover - forecast_batch always passes generators when needed
        raise RuntimeError("a random stream is needed")
    return g
