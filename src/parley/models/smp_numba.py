"""Optional compiled kernels for the two O(N³) parts of the SMP (used when numba is installed).

:func:`targets` is :func:`parley.models.smp_step.choose_targets` and :func:`coalitions` is
:func:`parley.models.smp_kernels.coalitions`, written as loops for numba, run in parallel
over initiators (or option pairs). They do the same arithmetic in the same order, except
that sums over voters and third parties run sequentially (as in KTAB) where numpy sums
pairwise: results agree to ~1e-15, which can only matter for exact ties. They are used
only from :data:`FROM_ACTORS` actors on, where they pay for their compilation (cached on
disk after the first run); ``AVAILABLE`` is False when numba is missing, and setting
``ENABLED`` to False makes the SMP use numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from parley.models.smp_kernels import FloatArray, IntArray

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


PARALLEL_FROM = 20_000_000
"""Work (inner-loop iterations) from which a kernel runs on all cores: below it, waking the
threads costs more than it saves (milliseconds per call on a busy two-core machine)."""


def _jit(**kw: Any) -> Any:
    def wrap(f: Any) -> Any:
        if not AVAILABLE:
            return f
        return numba.njit(cache=True, **kw)(f)

    return wrap


def _serial(f: Any) -> Any:
    """The same kernel compiled without threads (``prange`` runs as ``range``)."""
    if not AVAILABLE:
        return f
    return numba.njit(cache=True, fastmath=True)(f.py_func)


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
    DT: FloatArray, g: int, j: int, lo: int, hi: int, r: FloatArray, a: FloatArray, u_nn: FloatArray,
    w: FloatArray, X: float, Y: float, rule: int,
) -> tuple[float, float]:  # pragma: no cover - compiled
    sp = 0.0
    sn = 0.0
    for n in range(lo, hi):
        d = DT[g, j, n]
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
    DT: FloatArray, g: int, j: int, lo: int, hi: int, r: FloatArray, a: FloatArray, u_nn: FloatArray,
    w: FloatArray, X: float, Y: float,
) -> tuple[float, float]:  # pragma: no cover - compiled
    sp = 0.0
    sn = 0.0
    for n in range(lo, hi):
        d = DT[g, j, n]
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
    D: FloatArray, DT: FloatArray, R: FloatArray, S: FloatArray, wS: FloatArray, rule: int, adjust: int,
    semi: bool, target: IntArray, prob: FloatArray,
) -> None:  # pragma: no cover - compiled
    G, N, _ = D.shape
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
            u_ni[n] = _util(D[g, n, i], r[n])
            u_nn[n] = _util(D[g, n, n], r[n])
            a[n] = u_nn[n] - u_ni[n]
            w[n] = wS[g, n]
        w[i] = 0.0  # the initiator is no third party
        u_ii = _util(D[g, i, i], r[i])
        # du_j rises with P(i ≻ j) and equals U_ii − U_ij at P = 1: visit targets by that bound,
        # best first, and stop once no unvisited target can beat the best exact value found
        bound = np.empty(N)
        for j in range(N):
            bound[j] = u_ii - _util(D[g, i, j], r[i])
        bound[i] = -1e300  # never a target (fastmath assumes no infinities)
        order = np.argsort(-bound, kind="mergesort")
        best = -1
        best_eu = -1.0
        best_p = 0.0
        for jo in range(N):
            j = order[jo]
            if bound[j] + 1e-12 < max(best_eu, 1e-5):
                break
            u_ij = _util(D[g, i, j], r[i])
            con_i = _vote(rule, wS[g, i], u_ii - u_ij)
            con_j = _vote(rule, wS[g, j], u_ni[j] - u_nn[j])
            pi, pj = max(con_i, 0.0), max(con_j, 0.0)
            X = (1e-10 + pi) + pj
            Y = (1e-10 + (pi - con_i)) + (pj - con_j)
            C_ij = X
            C_ji = Y
            if semi and rule == 0:
                s1, n1 = _third_prop(DT, g, j, 0, j, r, a, u_nn, w, X, Y)
                s2, n2 = _third_prop(DT, g, j, j + 1, N, r, a, u_nn, w, X, Y)
                C_ij = X + (s1 + s2)
                C_ji = Y + (n1 + n2)
            elif semi:
                s1, n1 = _third(DT, g, j, 0, j, r, a, u_nn, w, X, Y, rule)
                s2, n2 = _third(DT, g, j, j + 1, N, r, a, u_nn, w, X, Y, rule)
                C_ij = X + (s1 + s2)
                C_ji = Y + (n1 + n2)
            P = C_ij / (C_ij + C_ji)
            Q = C_ji / (C_ij + C_ji)
            eu_vict = u_ii + u_ii
            du = ((1 - S[g, j]) * eu_vict + S[g, j] * (P * eu_vict + Q * (u_ij + u_ij))) - (u_ii + u_ij)
            if du > 1e-5 and (du > best_eu or (du == best_eu and j < best)):
                best = j
                best_eu = du
                best_p = P
        target[g, i] = best
        prob[g, i] = best_p


_targets_serial = _serial(_targets)


def targets(
    D: FloatArray, R: FloatArray, S: FloatArray, wS: FloatArray, rule: str, adjust: str, commit: str
) -> tuple[IntArray, FloatArray]:
    """Each initiator's best target (-1 for none) and its P(i ≻ j), as ``choose_targets``."""
    g, n, _ = D.shape
    target = np.full((g, n), -1, dtype=np.int64)
    prob = np.zeros((g, n))
    DT = np.ascontiguousarray(np.swapaxes(D, 1, 2))
    kernel = _targets if g * n * n * n // 10 >= PARALLEL_FROM else _targets_serial  # ~10 % of pairs valued
    kernel(np.ascontiguousarray(D), DT, np.ascontiguousarray(R), np.ascontiguousarray(S),
             np.ascontiguousarray(wS), RULES[rule], ADJUST[adjust], commit == "SemiCommit", target, prob)
    return target, prob


@_jit(parallel=True, fastmath=True)
def _coalitions(UT: FloatArray, w: FloatArray, rule: int, C: FloatArray) -> None:  # pragma: no cover
    G, Q, V = UT.shape
    for p in numba.prange(G * Q):
        g = p // Q
        t1 = p % Q
        for t2 in range(t1):
            sp = 0.0
            sn = 0.0
            if rule == 0:
                for k in range(V):
                    v = w[g, k] * (UT[g, t1, k] - UT[g, t2, k])
                    pv = max(v, 0.0)
                    sp += pv
                    sn += pv - v
            else:
                for k in range(V):
                    v = _vote(rule, w[g, k], UT[g, t1, k] - UT[g, t2, k])
                    pv = max(v, 0.0)
                    sp += pv
                    sn += pv - v
            C[g, t1, t2] = 1e-8 + sp
            C[g, t2, t1] = 1e-8 + sn


_coalitions_serial = _serial(_coalitions)


def coalitions(U: FloatArray, w: FloatArray, rule: str) -> FloatArray:
    """Coalition strengths C (G, Q, Q) from utilities U (G, V, Q), as ``smp_kernels.coalitions``."""
    g, _, q = U.shape
    C = np.full((g, q, q), 1e-8)
    kernel = _coalitions if g * q * q * U.shape[1] // 2 >= PARALLEL_FROM else _coalitions_serial
    kernel(np.ascontiguousarray(np.swapaxes(U, 1, 2)), np.ascontiguousarray(w), RULES[rule], C)
    return C
