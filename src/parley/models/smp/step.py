"""One state and one BCN turn of KTAB's SMP (docs/models.md#smp), vectorised over a batch.

:func:`assess` evaluates a state (distances, risk attitudes, each actor's utilities, the
unique positions and their winning probabilities); :func:`turn` moves every actor once:
target choice, bargain interpolation, queues and their resolution. Arrays carry a leading
axis ``G`` of independent variants; actors that take part are compacted beforehand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parley.models.smp import compiled as smp_numba
from parley.models.smp.kernels import (
    MIN_CONTEST,
    BoolArray,
    FloatArray,
    IntArray,
    contest,
    distances,
    estimated_risk,
    pce,
    point_distances,
    risk_from_probability,
    utility,
    vote,
)

MIN_SIG_EDU = 1e-5
"""KTAB's ``minSigEDU``: a challenge must be worth more than this to be made."""

MIN_WEIGHT = 1e-6
"""KTAB's ``minW`` in the bargain interpolation."""

LIST_CHUNK = 1 << 14
"""Entries per temporary array when valuing lists of challenges: arrays this small are recycled
by the allocator, where larger fresh ones are mapped and page-faulted anew on every call."""


@dataclass(frozen=True)
class Rules:
    """The model parameters a turn needs (see :class:`parley.models.smp.SMP`)."""

    voting: str
    victory: str
    pce: str
    adjust: str
    range: str
    commit: str
    interpolation: str
    bargain: str
    stochastic: bool
    round4: bool
    pos_tol: float


@dataclass(frozen=True)
class Actors:
    """Fixed inputs of G variants with n actors on K dimensions (positions on [0, 1])."""

    s: FloatArray  # (G, n, K) saliences, 0 where masked
    mask: BoolArray  # (G, n, K)
    c: FloatArray  # (G, n) capabilities
    S: FloatArray  # (G, n) total salience
    ws: FloatArray  # (G, n) S·c, the weight in challenge votes

    def take(self, idx: IntArray) -> Actors:
        """The variants ``idx``."""
        return Actors(self.s[idx], self.mask[idx], self.c[idx], self.S[idx], self.ws[idx])


@dataclass(frozen=True)
class Assessment:
    """A state as each actor sees it, and the outcome distribution over its unique positions."""

    x: FloatArray  # (G, n, K)
    D: FloatArray  # (G, n, n) distance from a's ideal (= position) to b's position
    R: FloatArray  # (G, n) risk attitudes
    U_self: FloatArray  # (G, n, n) aUtil[a](a, b): a's utility of b's position
    leaders: IntArray  # (G, U) first actor of each unique position, -1 padding
    classes: IntArray  # (G, n) unique position of each actor
    prob: FloatArray  # (G, U) winning probability of each unique position

    def take(self, idx: IntArray) -> Assessment:
        """The variants ``idx``."""
        return Assessment(
            self.x[idx], self.D[idx], self.R[idx], self.U_self[idx], self.leaders[idx], self.classes[idx],
            self.prob[idx],
        )


def assess(x: FloatArray, actors: Actors, rules: Rules) -> Assessment:
    """``SMPState::setAllAUtil`` and ``pDist(-1)`` for a state with positions ``x`` (docs/models.md#smp)."""
    g, n, _ = x.shape
    D = distances(x, actors.s, actors.mask)
    everyone = np.ones((g, n), dtype=bool)
    # 5.4.1: risk-neutral utilities and the PCE over all n positions (duplicates not merged)
    p_neutral = pce(1.0 - D, actors.c, everyone, rule=rules.voting, victory_model=rules.victory, model=rules.pce)
    R = risk_from_probability(p_neutral, everyone, rules.range)
    U_self = utility(D, estimated_risk(R, R, rules.adjust)[:, :, None])
    leaders, classes = unique_positions(x, actors.mask, rules.pos_tol)
    valid = leaders >= 0
    U_opt = np.take_along_axis(U_self, np.where(valid, leaders, 0)[:, None, :], axis=2)
    prob = pce(U_opt, actors.c, valid, rule=rules.voting, victory_model=rules.victory, model=rules.pce)
    return Assessment(x, D, R, U_self, leaders, classes, prob)


def unique_positions(x: FloatArray, mask: BoolArray, tol: float) -> tuple[IntArray, IntArray]:
    """``KBase::ueIndices`` with ``SMPState::equivNdx``: greedy classes of positions closer than ``tol``.

    Actor i starts a new class unless it lies within ``tol`` (Euclidean, on [0, 1], over the
    dimensions where both have a stance) of an earlier class leader; then it joins the first
    such leader. Returns the leaders (G, U) padded with -1 and each actor's class (G, n).
    """
    g, n, k = x.shape
    if smp_numba.ENABLED and n >= smp_numba.FROM_ACTORS:
        lead, classes = smp_numba.unique_positions(x, mask, tol)
    else:
        sq = np.zeros((g, n, n))
        for d in range(k):
            diff = np.where(mask[:, :, None, d] & mask[:, None, :, d], x[:, :, None, d] - x[:, None, :, d], 0.0)
            sq += diff * diff
        near = np.sqrt(sq) < tol
        lead = np.zeros((g, n), dtype=bool)
        lead[:, 0] = True
        for i in range(1, n):  # sequential by definition; O(G·n) work per actor
            lead[:, i] = ~np.any(near[:, i, :i] & lead[:, :i], axis=1)
        # a leader is its own class (even with tol = 0, where nothing is near itself)
        first = np.where(lead, np.arange(n), np.argmax(near & lead[:, None, :], axis=2))
        rank = np.cumsum(lead, axis=1) - 1
        classes = np.take_along_axis(rank, first, axis=1)
    u = int(lead.sum(axis=1).max())
    order = np.argsort(~lead, axis=1, kind="stable")[:, :u]
    leaders = np.where(np.take_along_axis(lead, order, axis=1), order, -1)
    return leaders, classes


def turn(state: Assessment, actors: Actors, rules: Rules, draws: FloatArray | None) -> FloatArray:
    """One BCN turn (docs/models.md#smp): the positions (G, n, K) of the next state.

    ``draws`` (G, n) uniform numbers for the stochastic choice in each actor's queue.
    """
    x = state.x
    g, n, k = x.shape
    target, p_init = choose_targets(state, actors, rules)
    gi, ii = np.nonzero(target >= 0)
    jj = target[gi, ii]
    p_i = p_init[gi, ii]
    b_init, b_rcvr = interpolate(x[gi, ii], actors.s[gi, ii], x[gi, jj], actors.s[gi, jj], p_i, rules)
    variants = [(b_init, b_rcvr)]
    if rules.bargain != "InitOnlyInterp":
        p_j = challenge(state, actors, rules, gi, jj, ii, jj)[0]  # the receiver's view of P(i ≻ j)
        j_init, j_rcvr = interpolate(x[gi, ii], actors.s[gi, ii], x[gi, jj], actors.s[gi, jj], p_j, rules)
        if rules.bargain == "InitRcvrInterp":
            variants.append((j_init, j_rcvr))
        else:  # PWCompInterp, weights c·S of initiator and receiver
            wi = (actors.c[gi, ii] * actors.S[gi, ii])[:, None]
            wj = (actors.c[gi, jj] * actors.S[gi, jj])[:, None]
            variants = [((wi * b_init + wj * j_init) / (wi + wj), (wi * b_rcvr + wj * j_rcvr) / (wi + wj))]
    nv = len(variants)
    # option o = i·nv + v is variant v of the bargain initiated by actor i
    o_count = n * nv
    valid = np.zeros((g, o_count), dtype=bool)
    init = np.zeros((g, o_count), dtype=np.int64)
    rcvr = np.zeros((g, o_count), dtype=np.int64)
    pos_init = np.zeros((g, o_count, k))
    pos_rcvr = np.zeros((g, o_count, k))
    for v, (bi, bj) in enumerate(variants):
        o = ii * nv + v
        valid[gi, o] = True
        init[gi, o] = ii
        rcvr[gi, o] = jj
        pos_init[gi, o] = bi
        pos_rcvr[gi, o] = bj
    new = resolve_queues(state, actors, rules, valid, init, rcvr, pos_init, pos_rcvr, draws)
    return np.where(actors.mask, new, x)


def choose_targets(state: Assessment, actors: Actors, rules: Rules) -> tuple[IntArray, FloatArray]:
    """``bestChallenge``: each initiator's best target and its own P(i ≻ j), or -1 (docs/models.md#smp).

    Valuing i's challenge to j (``probEduChlg(i, i, i, j)``) needs every third party's vote,
    O(n) per pair. The gain ΔEU_i(j) rises with P(i ≻ j) and equals U_ii − U_ij at P = 1,
    so targets are valued in decreasing order of that bound, in doubling blocks, until no
    unvalued target can beat the best value found (ties go to the lowest j, as in KTAB).
    The choice is exactly KTAB's; typically only a few per cent of the n² pairs are valued.
    An actor identical to one listed before it (:func:`later_twins`) is never valued: its gain
    equals its twin's, which wins the tie, though rounding could otherwise tell them apart.
    """
    D, R = state.D, state.R
    g, n, _ = D.shape
    twin = later_twins(state.x, actors)
    if smp_numba.ENABLED and n >= smp_numba.FROM_ACTORS:
        return smp_numba.targets(state.x, twin, D, R, actors.S, actors.ws, rules.voting, rules.adjust, rules.commit)
    u_ii = np.einsum("gii->gi", state.U_self)
    bound = np.where(twin[:, None, :], -np.inf, u_ii[:, :, None] - state.U_self)
    bound[:, np.arange(n), np.arange(n)] = -np.inf
    order = np.argsort(-bound, axis=2, kind="stable")
    best = np.full((g, n), -1, dtype=np.int64)
    best_du = np.full((g, n), -1.0)
    best_p = np.zeros((g, n))
    pg, pi = np.divmod(np.arange(g * n), n)
    rank, block = 0, 4
    while pg.size and rank < n:
        stop = min(n, rank + block)
        jj = order[pg, pi, rank:stop]  # (pairs, block)
        tg = np.repeat(pg, stop - rank)
        ti = np.repeat(pi, stop - rank)
        tj = jj.ravel()
        P, du = challenge(state, actors, rules, tg, ti, ti, tj)
        du = du.reshape(jj.shape)
        P = P.reshape(jj.shape)
        # the block's best (largest ΔEU, then lowest j), folded in by the same rule
        ok = (du > MIN_SIG_EDU) & (bound[pg[:, None], pi[:, None], jj] > -np.inf)  # never i itself or a twin
        top = np.max(np.where(ok, du, -np.inf), axis=1)
        tied = ok & (du == top[:, None])
        j_top = np.min(np.where(tied, jj, n), axis=1)
        p_top = P[np.arange(jj.shape[0]), np.argmax(tied & (jj == j_top[:, None]), axis=1)]
        cur, cur_j = best_du[pg, pi], best[pg, pi]
        better = (j_top < n) & ((top > cur) | ((top == cur) & (j_top < cur_j)))
        best_du[pg, pi] = np.where(better, top, cur)
        best[pg, pi] = np.where(better, j_top, cur_j)
        best_p[pg, pi] = np.where(better, p_top, best_p[pg, pi])
        rank, block = stop, 2 * block
        if rank >= n:
            break
        nxt = bound[pg, pi, order[pg, pi, rank]]
        going = nxt + 1e-12 >= np.maximum(best_du[pg, pi], MIN_SIG_EDU)
        pg, pi = pg[going], pi[going]
    return best, np.where(best >= 0, best_p, 0.0)


def later_twins(x: FloatArray, actors: Actors) -> BoolArray:
    """(G, n): whether an actor listed before it is identical to it (position, stances, saliences, capability)."""
    g, n, _ = x.shape
    feats = np.concatenate([np.where(actors.mask, x, 0.0), actors.s, actors.mask, actors.c[:, :, None]], axis=2)
    keys = np.concatenate([np.broadcast_to(np.arange(n, dtype=float), (g, n))[None], np.moveaxis(feats, 2, 0)])
    order = np.lexsort(keys, axis=-1)  # equal actors end up next to each other, the first listed first
    ordered = np.take_along_axis(feats, order[:, :, None], axis=1)
    twin = np.zeros((g, n), dtype=bool)
    np.put_along_axis(twin, order[:, 1:], np.all(ordered[:, 1:] == ordered[:, :-1], axis=2), axis=1)
    return twin


def challenge(
    state: Assessment, actors: Actors, rules: Rules, gi: IntArray, hi: IntArray, ii: IntArray, jj: IntArray
) -> tuple[FloatArray, FloatArray]:
    """``probEduChlg(h, i, i, j)`` for lists of (variant, h, i, j): P_h(i ≻ j) and ΔEU_h(i; i→j).

    Everything is in h's view: U^h(a, b) = u(D[a, b], est(R_h, R_a)). Third parties are all
    actors but i and j; lists are cut so that no more than :data:`LIST_CHUNK` entries are held.
    """
    D, R, wS, S = state.D, state.R, actors.ws, actors.S
    n = D.shape[1]
    diag = np.einsum("gii->gi", D)
    P_out = np.empty(gi.size)
    du_out = np.empty(gi.size)
    step = max(1, LIST_CHUNK // max(1, n))
    for s0 in range(0, gi.size, step):
        g, h, i, j = gi[s0 : s0 + step], hi[s0 : s0 + step], ii[s0 : s0 + step], jj[s0 : s0 + step]
        ar = np.arange(g.size)
        r_n = estimated_risk(R[g, h][:, None], R[g], rules.adjust)  # h's estimate of every R_n
        u_ni = utility(D[g, :, i], r_n)  # U^h(n, i)
        u_nj = utility(D[g, :, j], r_n)  # U^h(n, j)
        u_nn = utility(diag[g], r_n)
        r_i = r_n[ar, i]
        u_ii = utility(D[g, i, i], r_i)
        u_ij = utility(D[g, i, j], r_i)
        # principals' own contributions to i : j
        con_i = vote(rules.voting, wS[g, i], u_ii, u_ij)
        con_j = vote(rules.voting, wS[g, j], u_ni[ar, j], u_nn[ar, j])
        pos_i, pos_j = np.maximum(con_i, 0.0), np.maximum(con_j, 0.0)
        X = (MIN_CONTEST + pos_i) + pos_j
        Y = (MIN_CONTEST + (pos_i - con_i)) + (pos_j - con_j)
        wn = wS[g].copy()
        wn[ar, i] = 0.0
        wn[ar, j] = 0.0
        C_ij, C_ji = contest(X[:, None], Y[:, None], (u_nn - u_ni)[:, None, :], (u_nn - u_nj)[:, None, :],
                             wn[:, None, :], rules.voting, rules.commit)
        P_ij = (C_ij / (C_ij + C_ji))[:, 0]
        P_ji = (C_ji / (C_ij + C_ji))[:, 0]
        # ΔEU for k = i (docs/models.md#smp), in KTAB's order of evaluation
        eu_vict = u_ii + u_ii
        eu_cntst = P_ij * eu_vict + P_ji * (u_ij + u_ij)
        Sj = S[g, j]
        P_out[s0 : s0 + step] = P_ij
        du_out[s0 : s0 + step] = ((1 - Sj) * eu_vict + Sj * eu_cntst) - (u_ii + u_ij)
    return P_out, du_out


def interpolate(
    ti: FloatArray, si: FloatArray, tj: FloatArray, sj: FloatArray, p_i: FloatArray, rules: Rules
) -> tuple[FloatArray, FloatArray]:
    """``SMPActor::interpolateBrgn``: the bargain positions of initiator and receiver (docs/models.md#smp)."""
    prb_i = p_i[:, None]
    prb_j = 1 - prb_i
    if rules.interpolation == "S2PMax":
        di = np.where(prb_j > prb_i, prb_j - prb_i, 0.0)
        dj = np.where(prb_i > prb_j, prb_i - prb_j, 0.0)
        si2, sj2 = si * si, sj * sj
        dik = (di * sj2) / ((di * sj2) + MIN_WEIGHT + ((1 - di) * si2))
        djk = (dj * si2) / ((dj * si2) + MIN_WEIGHT + ((1 - dj) * sj2))
        return ti + dik * (tj - ti), tj + djk * (ti - tj)
    if rules.interpolation == "S2P2":
        wi = (si * si) * (prb_i * prb_i)
        wj = (sj * sj) * (prb_j * prb_j)
    else:  # S1P1
        wi = si * prb_i
        wj = sj * prb_j
    bi = ((wi + MIN_WEIGHT) * ti + wj * tj) / (wi + MIN_WEIGHT + wj)
    bj = (wi * ti + (MIN_WEIGHT + wj) * tj) / (wi + MIN_WEIGHT + wj)
    if rules.round4:
        bi = np.floor(0.5 + bi * 10000.0) / 10000.0
        bj = np.floor(0.5 + bj * 10000.0) / 10000.0
    return bi, bj


def resolve_queues(
    state: Assessment,
    actors: Actors,
    rules: Rules,
    valid: BoolArray,
    init: IntArray,
    rcvr: IntArray,
    pos_init: FloatArray,
    pos_rcvr: FloatArray,
    draws: FloatArray | None,
) -> FloatArray:
    """Resolve every actor's queue of bargains by a PCE among all actors (docs/models.md#smp).

    Queue k holds the status quo and every bargain in which k takes part, in the order of
    their initiators (option o = initiator·variants + v). Voter a values the state after bargain m as
    (1/n)[u_a(b_init) + u_a(b_rcvr) + Σ_{other n} U_self[a, n]], with its own risk attitude.
    Queues are grouped by length and each group is resolved in one vectorised PCE.
    """
    x, U_self, R = state.x, state.U_self, state.R
    g, n, _ = x.shape
    o_count = valid.shape[1]
    total = U_self.sum(axis=2)  # (G, n)
    # options first, voters last: each queue's utilities are then whole rows (as coalitions wants them)
    rows = np.arange(g)[:, None]
    own_T = np.ascontiguousarray(np.swapaxes(U_self, 1, 2))  # own_T[g, b, a] = U_self[g, a, b]
    u_init = utility(point_distances(x, actors.s, pos_init, np.take_along_axis(
        actors.mask, init[:, :, None], axis=1), points_first=True), R[:, None, :])
    u_rcvr = utility(point_distances(x, actors.s, pos_rcvr, np.take_along_axis(
        actors.mask, rcvr[:, :, None], axis=1), points_first=True), R[:, None, :])
    others = total[:, None, :] - own_T[rows, init] - own_T[rows, rcvr]
    U_state = np.empty((g, 1 + o_count, n))  # (variant, state, voter)
    U_state[:, 0, :] = total / n
    U_state[:, 1:, :] = ((u_init + u_rcvr) + others) / n
    # memberships (variant, queue owner, option), sorted so that each queue is one run
    vg, vo = np.nonzero(valid)
    mg = np.concatenate([vg, vg])
    mk = np.concatenate([init[vg, vo], rcvr[vg, vo]])
    mo = np.concatenate([vo, vo])
    order = np.lexsort((mo, mk, mg))
    mg, mk, mo = mg[order], mk[order], mo[order]
    size = 1 + np.bincount(mg * n + mk, minlength=g * n).reshape(g, n)  # status quo + bargains
    start = np.concatenate([[0], np.cumsum(size.ravel() - 1)[:-1]]).reshape(g, n)
    new = x.copy()
    for q in np.unique(size):
        if q == 1:
            continue  # only the status quo
        qg, qk = np.nonzero(size == q)
        at = start[qg, qk][:, None] + np.arange(q - 1)[None, :]
        cols = np.concatenate([np.zeros((qg.size, 1), dtype=np.int64), mo[at] + 1], axis=1)  # (Q, q)
        U_q = np.swapaxes(U_state[qg[:, None], cols], 1, 2)  # (Q, n, q), a view of whole rows
        p = pce(U_q, actors.c[qg], np.ones(cols.shape, dtype=bool), rule=rules.voting,
                victory_model=rules.victory, model=rules.pce)
        if rules.stochastic and draws is not None:
            cum = np.cumsum(p, axis=1)
            pick = np.minimum(np.sum(cum <= draws[qg, qk][:, None], axis=1), q - 1)
        else:
            pick = np.argmax(p, axis=1)  # first of equals, as KTAB's ndxMaxAbs
        chosen = cols[np.arange(qg.size), pick]
        moved = chosen > 0
        qg, qk, o = qg[moved], qk[moved], chosen[moved] - 1
        as_init = init[qg, o] == qk
        new[qg, qk] = np.where(as_init[:, None], pos_init[qg, o], pos_rcvr[qg, o])
    return new
