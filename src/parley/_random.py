"""Seeds and random streams: every draw in parley goes through here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np

SeedLike: TypeAlias = int | np.random.SeedSequence | np.random.Generator | None


def as_generator(rng: SeedLike) -> np.random.Generator:
    """Return a Generator for ``rng`` (a seed, a SeedSequence, a Generator or None)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def child_generators(
    rng: SeedLike | Sequence[SeedLike], n: int
) -> list[np.random.Generator]:
    """Return ``n`` independent generators; stream ``i`` is always child ``i`` of the seed.

    A sequence of length ``n`` is taken as one seed per stream. A Generator gives
    children spawned from it (so the result depends on its state).
    """
    if isinstance(rng, Sequence):
        if len(rng) != n:
            raise ValueError(f"expected {n} random streams, got {len(rng)}")
        return [as_generator(r) for r in rng]
    if isinstance(rng, np.random.Generator):
        return list(rng.spawn(n))
    seq = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
    return [np.random.default_rng(s) for s in seq.spawn(n)]


def seed_of(rng: SeedLike | Sequence[SeedLike]) -> int | None:
    """The integer seed to record for ``rng`` when there is one."""
    if isinstance(rng, (int, np.integer)):
        return int(rng)
    if isinstance(rng, np.random.SeedSequence) and isinstance(rng.entropy, int):
        return rng.entropy
    return None
