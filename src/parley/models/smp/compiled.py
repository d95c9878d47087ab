"""Optional compiled kernels for the SMP (used when numba is installed, from :data:`FROM_ACTORS` actors on).

The O(N³) parts, :func:`targets` (``smp_step.choose_targets``) and :func:`coalitions`
(``smp_kernels.coalitions``), are compiled with fastmath so that their sums over voters and
third parties run in vector lanes: they agree with numpy's pairwise sums to ~1e-15, which can
only matter for exact ties. ``error_model="numpy"`` (no division-by-zero checks) is what lets
LLVM vectorise loops that divide. :func:`targets` also screens targets by an upper bound on
their gain before valuing them exactly (see ``_targets``); the choice is unchanged.

The O(N²) parts (:func:`point_distances`, :func:`victory`, :func:`unique_positions`) are
compiled without fastmath and return numpy's numbers bit for bit.

Compiled code is cached on disk after the first run. The kernels themselves live in
:mod:`parley.models.smp.jitted`, which is imported (with numba, and the code loaded from the
cache: about half a second) only by the first call that uses them, so a process that runs only
small scenarios never pays for it. ``AVAILABLE`` is False when numba is missing; setting
``ENABLED`` to False makes the SMP use numpy only.
"""

from __future__ import annotations

from importlib.util import find_spec
from types import ModuleType
from typing import Any

FROM_ACTORS = 128
"""Smallest number of actors for which the compiled kernels are used.

Below it numpy is as fast or faster once the one-off cost of loading the compiled code (about
0.5 s per process) is counted: KTAB's 80-actor dummy data takes ~0.3 s on numpy and ~0.05 s
compiled plus ~0.5 s to load (``benchmarks/bench_startup.py``); from a few hundred actors
the compiled kernels win by far (``benchmarks/bench_smp.py``).
"""


AVAILABLE = find_spec("numba") is not None
"""Whether numba is installed (found without importing it)."""

ENABLED = AVAILABLE
"""Whether the SMP uses these kernels (tests switch it off to check the numpy path)."""

PARALLEL_FROM = 20_000_000
"""Work (inner-loop iterations) from which a kernel runs on all cores: below it, waking the
threads costs more than it saves (milliseconds per call on a busy two-core machine)."""


def _kernels() -> ModuleType:
    """The compiled kernels (imported on first use), with this module's :data:`PARALLEL_FROM`."""
    from parley.models.smp import jitted

    jitted.PARALLEL_FROM = PARALLEL_FROM
    return jitted


def targets(*args: Any) -> Any:
    """Each initiator's best target (-1 for none) and its P(i ≻ j), as ``choose_targets``."""
    return _kernels().targets(*args)


def coalitions(*args: Any) -> Any:
    """Coalition strengths C (G, Q, Q) from utilities U (G, V, Q), as ``smp_kernels.coalitions``."""
    return _kernels().coalitions(*args)


def point_distances(*args: Any) -> Any:
    """``smp_kernels.point_distances`` (and ``distances``, with ``points = x``)."""
    return _kernels().point_distances(*args)


def utility(*args: Any) -> Any:
    """``smp_kernels.utility`` for d (G, A, B) and r (G, A, 1) or (G, 1, B)."""
    return _kernels().utility(*args)


def victory(*args: Any) -> Any:
    """``smp_kernels.victory``."""
    return _kernels().victory(*args)


def unique_positions(*args: Any) -> Any:
    """``smp_step.unique_positions``: which actors lead a class, and each actor's class."""
    return _kernels().unique_positions(*args)
