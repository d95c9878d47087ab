"""Optional compiled kernels for the SMP (used when numba is installed, from :data:`FROM_ACTORS` actors on).

The O(N³) parts, :func:`targets` (``smp_step.choose_targets``) and :func:`coalitions`
(``smp_kernels.coalitions``), are compiled with fastmath so that their sums over voters and
third parties run in vector lanes: they agree with numpy's pairwise sums to ~1e-15, which can
only matter for exact ties. ``error_model="numpy"`` (no division-by-zero checks) is what lets
LLVM vectorise loops that divide. :func:`targets` also screens targets by an upper bound on
their gain before valuing them exactly (see ``_targets``); the choice is unchanged.

The O(N²) parts (:func:`point_distances`, :func:`victory`, :func:`unique_positions`) are
compiled without fastmath and return numpy's numbers bit for bit.

Compiled code is cached on disk after the first run. ``AVAILABLE`` is False when numba is
missing; setting ``ENABLED`` to False makes the SMP use numpy only.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

FROM_ACTORS = 48
"""Smallest number of actors for which the compiled kernels are used."""

RULES = {"Proportional": 0, "Binary": 1, "PropBin": 2, "PropCbc": 3, "Cubic": 4, "ASymProsp": 5}
ADJUST = {"None": 0, "OneThird": 1, "Half": 2, "TwoThirds": 3, "Full": 4}

try:  # pragma: no cover - depends on the environment
    import numba

    AVAILABLE = True
except ImportError:  # pragma: no cover
    numba = None  # type: ignore[assignment]
    AVAILABLE = False

ENABLED = AVAILABLE
"""Whether the SMP uses these kernels (tests switch it off to check the numpy path)."""


BLOCK = 64
"""Third parties per screening block in :func:`_targets`."""

BUCKETS = 64
"""Levels of the bound by which :func:`_targets` orders the targets it values."""

PARALLEL_FROM = 20_000_000
"""Work (inner-loop iterations) from which a kernel runs on all cores: below it, waking the
threads costs more than it saves (milliseconds per call on a busy two-core machine)."""


def _jit(**kw: Any) -> Any:
    def wrap(f: Any) -> Any:
        if not AVAILABLE:
            return f
        return numba.njit(cache=True, error_model="numpy", **kw)(f)

    return wrap


def _serial(f: Any) -> Any:
    """The same kernel compiled without threads (``prange`` runs as ``range``).

    It is compiled from a renamed copy of the function: numba's disk cache tells kernels apart by
    name and line, not by the ``parallel`` flag, so with the same function the two versions would
    share one cache entry, and whichever was compiled first would be loaded for both.
    """
    if not AVAILABLE:
        return f
    py = f.py_func
    name = py.__name__ + "_serial"
    clone = types.FunctionType(py.__code__.replace(co_name=name, co_qualname=name), py.__globals__, name,
                               py.__defaults__, py.__closure__)
    clone.__qualname__ = name
    clone.__module__ = py.__module__
    return numba.njit(cache=True, fastmath=True, error_model="numpy")(clone)


@_jit(inline="always")
def _vote(rule: int, w: float, du: float) -> float:  # pragma: no cover - compiled
    if rule == 0:
        return w * du
    b = du / 1e-8
    b = 1.0 if b > 1.0 else (-1.0 if b < -1.0 else b)
    if rule == 1:
        return w * b
    if rule == 2:
        return w * (0.8 * du + 0.2 * b)
    if rule == 3:
        return w * (0.5 * du + 0.5 * (du * du * du))
    if rule == 4:
        return w * (du * du * du)
    if du < 0:
        return w * du
    if du > 0:
        return (2.0 * w * du) / 3.0
    return 0.0


@_jit(inline="always")
def _estimate(rule: int, rh: float, ri: float) -> float:  # pragma: no cover - compiled
    if rule == 4:
        return ri
    if rule == 3:
        return (rh + (2.0 * ri)) / 3.0
    if rule == 2:
        return (rh + ri) / 2.0
    if rule == 1:
        return ((2.0 * rh) + ri) / 3.0
    return rh


@_jit(inline="always")
def _util(d: float, r: float) -> float:  # pragma: no cover - compiled
    return (1.0 - d) * (1.0 + min(d, 1.0) * r)


@_jit(inline="always")
def _third(
    dj: FloatArray, r: FloatArray, a: FloatArray, u_nn: FloatArray, w: FloatArray, X: float, Y: float, rule: int,
) -> tuple[float, float]:  # pragma: no cover - compiled
    """Third parties' votes for i and for j in a contest i : j (``smp_kernels.contest``), summed.

    ``dj`` distances of the third parties to j, ``r``, ``a`` = U_nn − U_ni, ``u_nn`` and ``w``
    their (estimated) risk attitudes, losses if i wins, own utilities and weights: 1-d slices,
    which compile to vector code where indexing by a variable range would not.
    """
    sp = 0.0
    sn = 0.0
    for n in range(dj.size):
        d = dj[n]
        b = u_nn[n] - (1.0 - d) * (1.0 + min(d, 1.0) * r[n])
        v0 = _vote(rule, w[n], b - a[n])
        pos0 = max(v0, 0.0)
        cni = X + pos0
        pin = cni / (((pos0 - v0) + Y) + cni)
        vn = _vote(rule, w[n], pin * (b + a[n]) - b)
        pv = max(vn, 0.0)
        sp += pv
        sn += pv - vn
    return sp, sn


@_jit(inline="always", fastmath=True)
def _third_prop(
    dj: FloatArray, r: FloatArray, a: FloatArray, u_nn: FloatArray, w: FloatArray, X: float, Y: float,
) -> tuple[float, float]:  # pragma: no cover - compiled
    """``_third`` for the Proportional rule."""
    sp = 0.0
    sn = 0.0
    for n in range(dj.size):
        d = dj[n]
        b = u_nn[n] - (1.0 - d) * (1.0 + min(d, 1.0) * r[n])
        v0 = w[n] * (b - a[n])
        pos0 = max(v0, 0.0)
        cni = X + pos0
        pin = cni / (((pos0 - v0) + Y) + cni)
        vn = w[n] * (pin * (b + a[n]) - b)
        pv = max(vn, 0.0)
        sp += pv
        sn += pv - vn
    return sp, sn


@_jit(parallel=True, fastmath=True)
def _targets(
    twin: BoolArray, D: FloatArray, DT: FloatArray, diag: FloatArray, DTs: FloatArray, near: IntArray, R: FloatArray,
    S: FloatArray, wS: FloatArray, rule: int, adjust: int, semi: bool, target: IntArray, prob: FloatArray,
) -> None:  # pragma: no cover - compiled
    G, N, _ = D.shape
    nb = (N + BLOCK - 1) // BLOCK
    slack = 1e-6 if rule == 1 or rule == 2 else 1e-11  # Binary and PropBin amplify rounding by 1e8
    for p in numba.prange(G * N):
        g = p // N
        i = p % N
        r = np.empty(N)
        u_ni = np.empty(N)
        u_nn = np.empty(N)
        a = np.empty(N)
        w = np.empty(N)
        for n in range(N):
            r[n] = _estimate(adjust, R[g, i], R[g, n])
            u_ni[n] = _util(DT[g, i, n], r[n])  # D[g, n, i], read along a row
            u_nn[n] = _util(diag[g, n], r[n])
            a[n] = u_nn[n] - u_ni[n]
            w[n] = wS[g, n]
        w[i] = 0.0  # the initiator is no third party
        u_ii = _util(D[g, i, i], r[i])
        # du_j rises with P(i ≻ j) and equals U_ii − U_ij at P = 1: a target whose bound is below
        # the best exact value found cannot win. Targets are visited roughly best bound first
        # (a counting sort into BUCKETS levels, cheaper than a full sort), which makes the best
        # value rise early; the choice does not depend on the order (largest ΔEU, then lowest j).
        bound = np.empty(N)
        top = 0.0
        for j in range(N):
            bound[j] = u_ii - _util(D[g, i, j], r[i])
            if j == i or twin[g, j]:
                bound[j] = -1e300  # never a target (fastmath assumes no infinities)
            elif bound[j] > top:
                top = bound[j]
        level = np.full(N, BUCKETS, dtype=np.int64)  # BUCKETS: never valued (bound below 1e-5)
        count = np.zeros(BUCKETS + 2, dtype=np.int64)
        for j in range(N):
            if bound[j] + 1e-12 >= 1e-5:
                level[j] = min(BUCKETS - 1, int((top - bound[j]) / top * BUCKETS))
            count[level[j] + 1] += 1
        for k in range(BUCKETS + 1):
            count[k + 1] += count[k]
        n_cand = count[BUCKETS]
        order = np.empty(N, dtype=np.int64)
        for j in range(N):
            order[count[level[j]]] = j
            count[level[j]] += 1
        # Screening: a third party's vote for i is at most vote(w_n, a_n) (its gain from joining
        # i is π a_n − (1 − π) b_n ≤ a_n), and its vote for j at least 0. Taking blocks of
        # nearby third parties (``near``, columns of ``DTs``) by decreasing sum of that cap bounds
        # P(i ≻ j) and so ΔEU from above; a target is dropped as soon as that bound falls below the
        # best value found. Survivors are valued exactly as before, in actor order.
        gp = near[g]
        where = np.empty(N, dtype=np.int64)
        rp = np.empty(N)
        ap = np.empty(N)
        up = np.empty(N)
        wp = np.empty(N)
        cap = np.zeros(nb)
        scale = 0.0
        for m in range(N):
            n = gp[m]
            where[n] = m
            rp[m] = r[n]
            ap[m] = a[n]
            up[m] = u_nn[n]
            wp[m] = w[n]
            cap[m // BLOCK] += max(_vote(rule, w[n], a[n]), 0.0)
            scale += w[n] * (abs(a[n]) + 1.0)
        blocks = np.argsort(-cap, kind="mergesort")
        rem = np.zeros(nb + 1)  # rem[k]: Σ cap over the blocks visited k-th, (k+1)-th, ...
        for k in range(nb - 1, -1, -1):
            rem[k] = rem[k + 1] + cap[blocks[k]]
        best = -1
        best_eu = -1.0
        best_p = 0.0
        for jo in range(n_cand):
            j = order[jo]
            thr = max(best_eu, 1e-5)
            if bound[j] + 1e-12 < thr:
                continue
            u_ij = _util(D[g, i, j], r[i])
            con_i = _vote(rule, wS[g, i], u_ii - u_ij)
            con_j = _vote(rule, wS[g, j], u_ni[j] - u_nn[j])
            pi, pj = max(con_i, 0.0), max(con_j, 0.0)
            X = (1e-10 + pi) + pj
            Y = (1e-10 + (pi - con_i)) + (pj - con_j)
            eu_vict = u_ii + u_ii
            Sj = S[g, j]
            if semi and nb > 1:
                keep = wp[where[j]]
                wp[where[j]] = 0.0  # nor is the target
                sp = 0.0
                sn = 0.0
                dropped = False
                for k in range(nb):
                    lo = blocks[k] * BLOCK
                    hi = min(N, lo + BLOCK)
                    dj = DTs[g, j, lo:hi]
                    if rule == 0:
                        s1, n1 = _third_prop(dj, rp[lo:hi], ap[lo:hi], up[lo:hi], wp[lo:hi], X, Y)
                    else:
                        s1, n1 = _third(dj, rp[lo:hi], ap[lo:hi], up[lo:hi], wp[lo:hi], X, Y, rule)
                    sp += s1
                    sn += n1
                    c_hi = X + sp + rem[k + 1]
                    tot = c_hi + (Y + sn)
                    P_hi = c_hi / tot + slack * (scale + X + Y) / tot
                    du_hi = ((1 - Sj) * eu_vict + Sj * (P_hi * eu_vict + (1 - P_hi) * (u_ij + u_ij))) - (u_ii + u_ij)
                    if du_hi + 1e-12 < thr:
                        dropped = True
                        break
                wp[where[j]] = keep
                if dropped:
                    continue
            C_ij = X
            C_ji = Y
            if semi and rule == 0:
                s1, n1 = _third_prop(DT[g, j, :j], r[:j], a[:j], u_nn[:j], w[:j], X, Y)
                s2, n2 = _third_prop(DT[g, j, j + 1 :], r[j + 1 :], a[j + 1 :], u_nn[j + 1 :], w[j + 1 :], X, Y)
                C_ij = X + (s1 + s2)
                C_ji = Y + (n1 + n2)
            elif semi:
                s1, n1 = _third(DT[g, j, :j], r[:j], a[:j], u_nn[:j], w[:j], X, Y, rule)
                s2, n2 = _third(DT[g, j, j + 1 :], r[j + 1 :], a[j + 1 :], u_nn[j + 1 :], w[j + 1 :], X, Y, rule)
                C_ij = X + (s1 + s2)
                C_ji = Y + (n1 + n2)
            P = C_ij / (C_ij + C_ji)
            Q = C_ji / (C_ij + C_ji)
            du = ((1 - Sj) * eu_vict + Sj * (P * eu_vict + Q * (u_ij + u_ij))) - (u_ii + u_ij)
            if du > 1e-5 and (du > best_eu or (du == best_eu and j < best)):
                best = j
                best_eu = du
                best_p = P
        target[g, i] = best
        prob[g, i] = best_p


_targets_serial = _serial(_targets)


def targets(
    x: FloatArray, twin: BoolArray, D: FloatArray, R: FloatArray, S: FloatArray, wS: FloatArray, rule: str,
    adjust: str, commit: str,
) -> tuple[IntArray, FloatArray]:
    """Each initiator's best target (-1 for none) and its P(i ≻ j), as ``choose_targets``.

    ``x`` (G, n, K) positions on [0, 1] only order the third parties for the screening; actors
    marked in ``twin`` (G, n) are never targets.
    """
    g, n, _ = D.shape
    target = np.full((g, n), -1, dtype=np.int64)
    prob = np.zeros((g, n))
    DT = np.ascontiguousarray(np.swapaxes(D, 1, 2))
    near = z_order(x)
    DTs = np.ascontiguousarray(DT[:, :, near[0]]) if g == 1 else np.take_along_axis(DT, near[:, None, :], axis=2)
    kernel = _targets if g * n * n * n // 10 >= PARALLEL_FROM else _targets_serial  # ~10 % of pairs valued
    diag = np.ascontiguousarray(np.diagonal(D, axis1=1, axis2=2))
    kernel(np.ascontiguousarray(twin), np.ascontiguousarray(D), DT, diag, DTs, near, np.ascontiguousarray(R),
           np.ascontiguousarray(S), np.ascontiguousarray(wS), RULES[rule], ADJUST[adjust], commit == "SemiCommit",
           target, prob)
    return target, prob


def z_order(x: FloatArray) -> IntArray:
    """(G, n): the actors of each variant along a Z-order (Morton) curve through [0, 1]^K.

    Consecutive actors in this order are mostly near each other, so blocks of them gain or lose
    alike from a position; the order affects only how fast targets are screened out.
    """
    g, n, k = x.shape
    bits = max(1, min(10, 60 // max(k, 1)))
    q = np.clip((x * (1 << bits)).astype(np.int64), 0, (1 << bits) - 1)
    key = np.zeros((g, n), dtype=np.int64)
    for bit in range(bits - 1, -1, -1):
        for d in range(k):
            key = (key << 1) | ((q[:, :, d] >> bit) & 1)
    return np.argsort(key, axis=1, kind="stable")


@_jit(inline="always", fastmath=True)
def _four(
    x0: FloatArray, x1: FloatArray, y0: FloatArray, y1: FloatArray, w: FloatArray, rule: int
) -> tuple[float, float, float, float, float, float, float, float]:  # pragma: no cover - compiled
    """Σ_k [v]⁺ and Σ_k [−v]⁺, v = vote(w_k, x_k, y_k), for the pairs (x0, y0), (x0, y1), (x1, y0), (x1, y1).

    Every pair goes through this one loop, and [−v]⁺ is summed as such (it equals KTAB's
    [v]⁺ − v exactly), so that equal options get bitwise equal coalitions from either side: a
    tie between them is then decided by the order of options, as in KTAB, not by rounding.
    """
    s00 = n00 = s01 = n01 = s10 = n10 = s11 = n11 = 0.0
    if rule == 0:
        for k in range(w.size):
            wk = w[k]
            v = wk * (x0[k] - y0[k])
            p = max(v, 0.0)
            s00 += p
            n00 += max(-v, 0.0)
            v = wk * (x0[k] - y1[k])
            p = max(v, 0.0)
            s01 += p
            n01 += max(-v, 0.0)
            v = wk * (x1[k] - y0[k])
            p = max(v, 0.0)
            s10 += p
            n10 += max(-v, 0.0)
            v = wk * (x1[k] - y1[k])
            p = max(v, 0.0)
            s11 += p
            n11 += max(-v, 0.0)
    else:
        for k in range(w.size):
            wk = w[k]
            v = _vote(rule, wk, x0[k] - y0[k])
            p = max(v, 0.0)
            s00 += p
            n00 += max(-v, 0.0)
            v = _vote(rule, wk, x0[k] - y1[k])
            p = max(v, 0.0)
            s01 += p
            n01 += max(-v, 0.0)
            v = _vote(rule, wk, x1[k] - y0[k])
            p = max(v, 0.0)
            s10 += p
            n10 += max(-v, 0.0)
            v = _vote(rule, wk, x1[k] - y1[k])
            p = max(v, 0.0)
            s11 += p
            n11 += max(-v, 0.0)
    return s00, n00, s01, n01, s10, n10, s11, n11


@_jit(inline="always")
def _row_pair(UT: FloatArray, w: FloatArray, rule: int, C: FloatArray, g: int, h: int) -> None:  # pragma: no cover
    """Options a0 = 2h and a1 = 2h + 1 against every lower option and each other (a1 : a0)."""
    a0 = 2 * h
    a1 = a0 + 1
    x0 = UT[g, a0]
    x1 = UT[g, a1]
    wg = w[g]
    for b0 in range(0, a0 + 1, 2):  # b0 = a0 gives a1 : a0 from the same loop
        b1 = b0 + 1
        s00, n00, s01, n01, s10, n10, s11, n11 = _four(x0, x1, UT[g, b0], UT[g, b1], wg, rule)
        C[g, a1, b0] = 1e-8 + s10
        C[g, b0, a1] = 1e-8 + n10
        if b0 < a0:
            C[g, a0, b0] = 1e-8 + s00
            C[g, b0, a0] = 1e-8 + n00
            C[g, a0, b1] = 1e-8 + s01
            C[g, b1, a0] = 1e-8 + n01
            C[g, a1, b1] = 1e-8 + s11
            C[g, b1, a1] = 1e-8 + n11


@_jit(parallel=True, fastmath=True)
def _coalitions(UT: FloatArray, w: FloatArray, rule: int, C: FloatArray) -> None:  # pragma: no cover
    # UT (G, Q, V) with Q even (padded by the caller). Options go in pairs (2h, 2h + 1), each
    # against all lower ones; pair h is done with pair H − 1 − h so that every parallel iteration
    # has the same work. One call site: every pair is summed by the same machine code.
    G, Q, _ = UT.shape
    H = Q // 2
    half = (H + 1) // 2
    for p in numba.prange(G * half):
        g = p // half
        h0 = p % half
        for rep in range(2):
            h = h0 if rep == 0 else H - 1 - h0
            if rep == 1 and h == h0:
                break
            _row_pair(UT, w, rule, C, g, h)


_coalitions_serial = _serial(_coalitions)


def coalitions(U: FloatArray, w: FloatArray, rule: str) -> FloatArray:
    """Coalition strengths C (G, Q, Q) from utilities U (G, V, Q), as ``smp_kernels.coalitions``."""
    g, v, q = U.shape
    even = q + q % 2  # an odd number of options gets a dummy last one, whose results are dropped
    UT = np.zeros((g, even, v))
    UT[:, :q] = np.swapaxes(U, 1, 2)
    C = np.full((g, even, even), 1e-8)
    kernel = _coalitions if g * q * q * v // 2 >= PARALLEL_FROM else _coalitions_serial
    kernel(UT, np.ascontiguousarray(w), RULES[rule], C)
    return C[:, :q, :q] if even > q else C


# ---------------------------------------------------------------- O(N²) kernels, exact
# Compiled without fastmath, these do numpy's arithmetic operation by operation, so their
# results are bitwise those of the numpy functions they replace (tests check this).


@_jit(parallel=True)
def _point_distances(
    xT: FloatArray, sT: FloatArray, pts: FloatArray, own: BoolArray, points_first: bool, out: FloatArray
) -> None:  # pragma: no cover - compiled
    # xT, sT (G, K, N): dimensions first, so that the innermost loops run along actors (or points)
    G, K, N = xT.shape
    P = pts.shape[1]
    den = np.zeros((G, N))
    for g in range(G):
        for d in range(K):
            for a in range(N):
                den[g, a] += sT[g, d, a] * sT[g, d, a]
    if points_first:  # out[g, p, a], one point per parallel iteration
        for q in numba.prange(G * P):
            g = q // P
            p = q % P
            num = np.zeros(N)
            for d in range(K):
                if own[g, p, d]:  # else diff = 0 adds exactly 0
                    for a in range(N):
                        diff = (xT[g, d, a] - pts[g, p, d]) * sT[g, d, a]
                        num[a] += diff * diff
            for a in range(N):
                out[g, p, a] = np.sqrt(num[a] / den[g, a])
    else:  # out[g, a, p], one actor per parallel iteration
        for q in numba.prange(G * N):
            g = q // N
            a = q % N
            num = np.zeros(P)
            for d in range(K):
                for p in range(P):
                    diff = (xT[g, d, a] - pts[g, p, d]) * sT[g, d, a] if own[g, p, d] else 0.0
                    num[p] += diff * diff
            for p in range(P):
                out[g, a, p] = np.sqrt(num[p] / den[g, a])


def point_distances(
    x: FloatArray, s: FloatArray, points: FloatArray, owner_mask: BoolArray, points_first: bool
) -> FloatArray:
    """``smp_kernels.point_distances`` (and ``distances``, with ``points = x``)."""
    g, n, _ = x.shape
    p = points.shape[1]
    out = np.empty((g, p, n) if points_first else (g, n, p))
    _point_distances(np.ascontiguousarray(np.swapaxes(x, 1, 2)), np.ascontiguousarray(np.swapaxes(s, 1, 2)),
                     np.ascontiguousarray(points), np.ascontiguousarray(owner_mask), points_first, out)
    return out


@_jit(parallel=True)
def _utility(d: FloatArray, r: FloatArray, along_rows: bool, out: FloatArray) -> None:  # pragma: no cover
    G, A, B = d.shape
    for q in numba.prange(G * A):
        g = q // A
        a = q % A
        for b in range(B):
            x = d[g, a, b]
            rr = r[g, a] if along_rows else r[g, b]
            out[g, a, b] = (1.0 - x) * (1.0 + min(x, 1.0) * rr)


def utility(d: FloatArray, r: FloatArray) -> FloatArray:
    """``smp_kernels.utility`` for d (G, A, B) and r (G, A, 1) or (G, 1, B)."""
    out = np.empty(d.shape)
    along_rows = r.shape[2] == 1
    _utility(np.ascontiguousarray(d), np.ascontiguousarray(r[:, :, 0] if along_rows else r[:, 0, :]), along_rows, out)
    return out


@_jit(parallel=True)
def _victory(C: FloatArray, squarings: int, V: FloatArray) -> None:  # pragma: no cover - compiled
    G, Q, _ = C.shape
    for q in numba.prange(G * Q):
        g = q // Q
        p = q % Q
        for r in range(p):  # each pair once, from the lower-left entry (KTAB's order)
            s1 = C[g, p, r]
            s2 = C[g, r, p]
            if squarings < 0:  # Binary
                p12 = ((s1 / (s1 + s2)) * (1.10 + 1.0) - 1.0) / (1.10 - 1.0)
                if s1 >= 1.10 * s2:
                    x1, x2 = 1.0, 1e-6
                elif s2 >= 1.10 * s1:
                    x1, x2 = 1e-6, 1.0
                else:
                    x1, x2 = p12, 1.0 - p12
            else:
                x1, x2 = s1, s2
                for _ in range(squarings):
                    x1, x2 = x1 * x1, x2 * x2
            V[g, p, r] = x1 / (x1 + x2)
            V[g, r, p] = x2 / (x1 + x2)
        V[g, p, p] = 0.5


def victory(C: FloatArray, model: str) -> FloatArray:
    """``smp_kernels.victory``."""
    V = np.empty(C.shape)
    _victory(np.ascontiguousarray(C), {"Binary": -1, "Linear": 0, "Square": 1, "Quartic": 2, "Octic": 3}[model], V)
    return V


@_jit()
def _unique_positions(x: FloatArray, mask: BoolArray, tol: float, lead: BoolArray, classes: IntArray) -> None:
    G, N, K = x.shape  # pragma: no cover - compiled
    leaders = np.empty(N, dtype=np.int64)
    for g in range(G):
        count = 0
        for i in range(N):
            classes[g, i] = -1
            for c in range(count):  # the first leader (in actor order) within tol
                j = leaders[c]
                sq = 0.0
                for d in range(K):
                    diff = x[g, i, d] - x[g, j, d] if mask[g, i, d] and mask[g, j, d] else 0.0
                    sq += diff * diff
                if np.sqrt(sq) < tol:
                    classes[g, i] = c
                    break
            if classes[g, i] < 0:
                leaders[count] = i
                lead[g, i] = True
                classes[g, i] = count
                count += 1


def unique_positions(x: FloatArray, mask: BoolArray, tol: float) -> tuple[BoolArray, IntArray]:
    """``smp_step.unique_positions``: which actors lead a class, and each actor's class."""
    g, n, _ = x.shape
    lead = np.zeros((g, n), dtype=bool)
    classes = np.empty((g, n), dtype=np.int64)
    _unique_positions(np.ascontiguousarray(x), np.ascontiguousarray(mask), float(tol), lead, classes)
    return lead, classes
