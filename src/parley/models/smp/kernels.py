"""Array kernels of KTAB's Spatial Model of Politics (docs/models.md#smp), batch first.

Every function works on a leading axis ``G`` of independent problems (batch variants, or
one actor's bargain queue) and never loops over actors or pairs in Python. Arrays that
would grow as N³ are built in chunks of at most :data:`CHUNK` entries, so memory stays
O(N²) per problem whatever N is.

Names follow docs/models.md#smp and KTAB's code: ``D[a, b]`` is the salience-weighted distance from a's ideal to b's
position (using a's saliences), ``u(d, R) = (1 − d)(1 + d R)`` the utility, ``R`` the risk
attitudes, ``C[p, q]`` the strength of the coalition for option p against option q, ``V``
the victory probabilities and ``p`` the PCE outcome distribution.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from parley.errors import ModelError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

VotingRule = Literal["Binary", "PropBin", "Proportional", "PropCbc", "Cubic", "ASymProsp"]
VictoryModel = Literal["Linear", "Square", "Quartic", "Octic", "Binary"]
PCEModel = Literal["Conditional", "MarkovIncentive", "MarkovUniform"]
BigRAdjust = Literal["None", "OneThird", "Half", "TwoThirds", "Full"]
BigRRange = Literal["Min", "Mid", "Max"]
ThirdPartyCommit = Literal["NoCommit", "SemiCommit", "FullCommit"]

CHUNK = 1 << 18
"""Entries of one temporary array in the O(N³) kernels (2 MB of float64)."""

MIN_COALITION = 1e-8
"""KTAB's floor on coalition strengths in ``Model::coalitions``."""

MIN_CONTEST = 1e-10
"""KTAB's floor on the principals' strengths in ``SMPState::probEduChlg``."""


def vote(rule: str, w: FloatArray | float, ua: FloatArray, ub: FloatArray) -> FloatArray:
    """``Model::vote``: the vote of weight ``w`` for option a over b (docs/models.md#smp)."""
    du = ua - ub
    if rule == "Proportional":
        return w * du
    if rule == "Binary":
        return w * np.clip(du / 1e-8, -1.0, 1.0)
    if rule == "PropBin":
        return w * (0.8 * du + 0.2 * np.clip(du / 1e-8, -1.0, 1.0))
    if rule == "PropCbc":
        return w * (0.5 * du + 0.5 * (du * du * du))
    if rule == "Cubic":
        return w * (du * du * du)
    if rule == "ASymProsp":
        return np.where(du < 0, w * du, np.where(du > 0, (2.0 * w * du) / 3.0, 0.0))
    raise ValueError(f"unknown voting rule {rule!r}")


def utility(d: FloatArray, r: FloatArray | float) -> FloatArray:
    """``SMPModel::bsUtil``: u(d, R) = (1 − d)(1 + d R), with KTAB's guard (1 − d)(1 + R) for d > 1."""
    from parley.models.smp import compiled as smp_numba

    g, a, b = d.shape if d.ndim == 3 else (0, 0, 0)
    if smp_numba.ENABLED and a * b >= smp_numba.FROM_ACTORS**2 and np.shape(r) in ((g, a, 1), (g, 1, b)):
        return smp_numba.utility(d, np.asarray(r))  # the same numbers, in one pass
    return (1.0 - d) * (1.0 + np.minimum(d, 1.0) * r)


def distances(x: FloatArray, s: FloatArray, mask: BoolArray) -> FloatArray:
    """``SMPModel::bvDiff`` for all pairs: D[g, a, b] = ‖s_a ∘ (x_a − x_b)‖ / ‖s_a‖.

    ``x`` (G, N, K) positions on [0, 1], ``s`` (G, N, K) saliences, ``mask`` (G, N, K).
    A dimension on which b has no stance adds nothing (b is taken to agree with a there),
    so a masked filler coordinate never matters. Accumulates over dimensions in KTAB's order.
    """
    from parley.models.smp import compiled as smp_numba

    g, n, k = x.shape
    if smp_numba.ENABLED and n >= smp_numba.FROM_ACTORS:
        return smp_numba.point_distances(x, s, x, mask, False)
    num = np.zeros((g, n, n))
    den = np.zeros((g, n, 1))
    full = bool(mask.all())
    for d in range(k):
        diff = (x[:, :, None, d] - x[:, None, :, d]) * s[:, :, None, d]
        if not full:
            diff = np.where(mask[:, None, :, d], diff, 0.0)
        num += diff * diff
        den += (s[:, :, None, d] * s[:, :, None, d])
    return np.sqrt(num / den)


def point_distances(
    x: FloatArray, s: FloatArray, points: FloatArray, owner_mask: BoolArray, *, points_first: bool = False
) -> FloatArray:
    """Distances from each actor's ideal to given points: (G, N, P) from ``points`` (G, P, K).

    ``owner_mask`` (G, P, K) says on which dimensions each point's owner has a stance. With
    ``points_first`` the result is laid out (G, P, N), with the same values.
    """
    from parley.models.smp import compiled as smp_numba

    g, n, k = x.shape
    p = points.shape[1]
    if smp_numba.ENABLED and n >= smp_numba.FROM_ACTORS:
        return smp_numba.point_distances(x, s, points, owner_mask, points_first)
    if points_first:
        num = np.zeros((g, p, n))
        den = np.zeros((g, 1, n))
        own, pts, ideal, sal = owner_mask[:, :, None], points[:, :, None], x[:, None], s[:, None]
    else:
        num = np.zeros((g, n, p))
        den = np.zeros((g, n, 1))
        own, pts, ideal, sal = owner_mask[:, None], points[:, None], x[:, :, None], s[:, :, None]
    full = bool(owner_mask.all())
    for d in range(k):
        diff = (ideal[..., d] - pts[..., d]) * sal[..., d]
        if not full:
            diff = np.where(own[..., d], diff, 0.0)
        num += diff * diff
        den += (sal[..., d] * sal[..., d])
    return np.sqrt(num / den)


def estimated_risk(rh: FloatArray, ri: FloatArray, rule: str) -> FloatArray:
    """``Model::estNRA``: h's estimate of i's risk attitude (docs/models.md#smp)."""
    if rule == "Full":
        return ri + 0.0 * rh
    if rule == "TwoThirds":
        return (rh + (2.0 * ri)) / 3.0
    if rule == "Half":
        return (rh + ri) / 2.0
    if rule == "OneThird":
        return ((2.0 * rh) + ri) / 3.0
    if rule == "None":
        return rh + 0.0 * ri
    raise ValueError(f"unknown BigRAdjust {rule!r}")


def risk_from_probability(p: FloatArray, valid: BoolArray, rule: str) -> FloatArray:
    """``Model::bigRfromProb`` over the last axis; R = 0 where all probabilities are equal.

    KTAB divides by pMax − pMin and so fails when every position is equally likely
    (e.g. all actors at one point); parley then makes everyone risk neutral.
    """
    p_min = np.min(np.where(valid, p, np.inf), axis=-1, keepdims=True)
    p_max = np.max(np.where(valid, p, -np.inf), axis=-1, keepdims=True)
    span = p_max - p_min
    ok = span > 0
    safe = np.where(ok, span, 1.0)
    if rule == "Min":
        r = (p - p_min) / safe
    elif rule == "Mid":
        r = (3 * p - (p_max + 2 * p_min)) / (2 * safe)
    elif rule == "Max":
        r = (2 * p - (p_max + p_min)) / safe
    else:
        raise ValueError(f"unknown BigRRange {rule!r}")
    return np.where(ok & valid, r, 0.0)


def coalitions(U: FloatArray, w: FloatArray, rule: str) -> FloatArray:
    """``Model::coalitions``: C[g, p, q] = 1e-8 + Σ_a [vote(w_a, U[a, p], U[a, q])]⁺.

    ``U`` (G, V, Q) utilities of V voters for Q options, ``w`` (G, V) voting weights.
    As in KTAB each unordered pair is voted once as (higher index, lower index): the
    positive votes strengthen the higher-indexed option, the negative ones the other
    (this matters only for the asymmetric ``ASymProsp`` rule). Work is O(G·V·Q²), done in
    row blocks of the lower triangle.
    """
    g, v, q = U.shape
    if q < 2:
        return np.full((g, q, q), MIN_COALITION)
    from parley.models.smp import compiled as smp_numba

    if smp_numba.ENABLED and q * q * v >= smp_numba.FROM_ACTORS**3:
        return smp_numba.coalitions(U, w, rule)
    C = np.full((g, q, q), MIN_COALITION)
    UT = np.ascontiguousarray(np.swapaxes(U, 1, 2))  # (G, Q, V): voters last, summed contiguously
    rows = max(1, CHUNK // (q * v))
    gblock = min(g, max(1, rows // q)) if rows >= q else 1
    rows = min(rows, q - 1)
    buf1 = np.empty((gblock, rows, q, v))
    buf2 = np.empty((gblock, rows, q, v))
    for g0 in range(0, g, gblock):
        g1 = min(g, g0 + gblock)
        wv = w[g0:g1, None, None, :]
        for r0 in range(1, q, rows):
            r1 = min(q, r0 + rows)
            vk = buf1[: g1 - g0, : r1 - r0, :r1]
            pos = buf2[: g1 - g0, : r1 - r0, :r1]
            hi = UT[g0:g1, r0:r1, None, :]  # (g, rows, 1, V)
            lo = UT[g0:g1, None, :r1, :]  # (g, 1, r1, V)
            if rule == "Proportional":
                np.subtract(hi, lo, out=vk)
                vk *= wv
            else:
                vk[...] = vote(rule, wv, hi, lo)
            np.maximum(vk, 0.0, out=pos)
            cp = MIN_COALITION + pos.sum(axis=-1)
            pos -= vk
            cn = MIN_COALITION + pos.sum(axis=-1)
            tri = np.arange(r0, r1)[:, None] > np.arange(r1)[None, :]  # only higher > lower index
            blk = C[g0:g1, r0:r1, :r1]
            blk[:] = np.where(tri, cp, blk)
            blk_t = C[g0:g1, :r1, r0:r1]
            blk_t[:] = np.where(tri.T, np.swapaxes(cn, 1, 2), blk_t)
    return C


def victory(C: FloatArray, model: str) -> FloatArray:
    """``Model::vProb`` on a coalition matrix: V[p, q] = P(p beats q), V[p, p] = 1/2."""
    from parley.models.smp import compiled as smp_numba

    if smp_numba.ENABLED and C.shape[-1] >= smp_numba.FROM_ACTORS:
        return smp_numba.victory(C, model)
    lo = np.tril(np.ones(C.shape[-2:], dtype=bool), k=-1)
    s1 = C
    s2 = np.swapaxes(C, -1, -2)
    if model == "Binary":
        r12 = s1 / (s1 + s2)
        p12 = (r12 * (1.10 + 1.0) - 1.0) / (1.10 - 1.0)
        x1 = np.where(s1 >= 1.10 * s2, 1.0, np.where(s2 >= 1.10 * s1, 1e-6, p12))
        x2 = np.where(s1 >= 1.10 * s2, 1e-6, np.where(s2 >= 1.10 * s1, 1.0, 1.0 - p12))
    else:
        power = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}[model]
        x1, x2 = s1, s2
        for _ in range({1: 0, 2: 1, 4: 2, 8: 3}[power]):
            x1, x2 = x1 * x1, x2 * x2
    p1 = x1 / (x1 + x2)
    p2 = x2 / (x1 + x2)
    # KTAB evaluates each pair once, from the lower-left entry, and mirrors p2 to the upper right
    V = np.where(lo, p1, np.swapaxes(p2, -1, -2))
    diag = np.eye(C.shape[-1], dtype=bool)
    return np.where(diag, 0.5, V)


def pce(
    U: FloatArray, w: FloatArray, valid: BoolArray, *, rule: str, victory_model: str, model: str
) -> FloatArray:
    """``Model::scalarPCE``: probability (G, Q) that each valid option is the outcome.

    ``U`` (G, V, Q) voter utilities of the options, ``w`` (G, V) weights, ``valid`` (G, Q)
    marks real options (padding is left out and gets probability 0).
    """
    g, _, q = U.shape
    if q == 1:
        return valid.astype(float)
    C = coalitions(U, w, rule)
    V = victory(C, victory_model)
    pair = valid[:, :, None] & valid[:, None, :]
    if model == "Conditional":
        # product over the alternatives, in logs so that hundreds of factors cannot underflow
        logp = np.where(pair, np.log(V), 0.0).sum(axis=-1)
        logp = np.where(valid, logp, -np.inf)
        logp -= logp.max(axis=-1, keepdims=True)
        p = np.where(valid, np.exp(logp), 0.0)
        return p / p.sum(axis=-1, keepdims=True)
    n = valid.sum(axis=-1).astype(float)[:, None]
    p = np.where(valid, 1.0 / n, 0.0)
    Vm = np.where(pair, V, 0.0)
    if model == "MarkovUniform":
        tol, step = 1e-6, None
    elif model == "MarkovIncentive":
        tol = 1e-8
        inc = np.where(pair, C * V, 0.0) + np.where(np.eye(q, dtype=bool) & pair, 1e-10, 0.0)
        step = inc / np.where(pair, inc, 0.0).sum(axis=1, keepdims=True)  # step[i, j] = P(i challenges | j)
        step = np.where(pair, step, 0.0)
    else:
        raise ValueError(f"unknown PCE model {model!r}")
    going = np.ones(g, dtype=bool)
    for _ in range(1000):
        if step is None:
            qv = (Vm * (p[:, :, None] + p[:, None, :])).sum(axis=-1) / n
        else:
            ct = p[:, :, None] * np.swapaxes(step, 1, 2)  # ct[i, j] = p_i · P(j challenges | i)
            qv = (Vm * (ct + np.swapaxes(ct, 1, 2))).sum(axis=-1)
        change = np.max(np.abs(qv - p), axis=-1)
        p = np.where(going[:, None], (p + qv) / 2.0, p)
        going &= change > tol
        if not going.any():
            return p
    raise ModelError(f"the {model} PCE did not converge in 1000 iterations")


def contest(
    X: FloatArray,
    Y: FloatArray,
    a: FloatArray,
    b: FloatArray,
    wn: FloatArray,
    rule: str,
    commit: str,
) -> tuple[FloatArray, FloatArray]:
    """Third parties' votes in h's view of a contest i : j (``probEduChlg``, docs/models.md#smp).

    ``X``/``Y`` (..., J) the principals' strengths for i and for j; ``a`` = U_nn − U_ni and
    ``b`` = U_nn − U_nj (..., J, N) each third party's loss if i's, respectively j's,
    position wins; ``wn`` (..., 1 or J, N) third-party weights S_n c_n, already 0 for
    parties that must not vote (i and j themselves). Returns the full coalitions
    (C_ij, C_ji). Under ``NoCommit`` and ``FullCommit`` the two expected values a third
    party compares are identical term by term, so its vote is exactly 0 (as in KTAB).
    """
    if commit != "SemiCommit":
        return X, Y
    v0 = vote(rule, wn, b, a)  # vote(U_ni, U_nj): U_ni − U_nj = b − a
    pos0 = np.maximum(v0, 0.0)
    cni = X[..., None] + pos0
    pin = cni / (cni + (Y[..., None] + (pos0 - v0)))
    # SemiCommit: EU(join i) − EU(join j) = π (U_nn − U_ni) − (1 − π)(U_nn − U_nj) = π (a + b) − b
    vn = w_vote(rule, wn, pin * (a + b) - b)
    pos = np.maximum(vn, 0.0)
    return X + pos.sum(axis=-1), Y + (pos - vn).sum(axis=-1)


def w_vote(rule: str, w: FloatArray, du: FloatArray) -> FloatArray:
    """``Model::vote`` given the utility difference itself."""
    return vote(rule, w, du, np.zeros(()))
