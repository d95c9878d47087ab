"""Seeds and random streams: every draw in parley goes through here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np

from parley.errors import ParleyError

SeedLike: TypeAlias = int | np.random.SeedSequence | np.random.Generator | None


class SeedError(ParleyError, ValueError):
    """A seed that is not a whole number >= 0 (a ValueError, and a ParleyError for the front ends)."""


def check_seed(rng: object) -> None:
    """Raise :class:`SeedError` when ``rng`` is a number that is not a whole number >= 0.

    Generators, SeedSequences, None and anything else numpy accepts as a seed pass through.
    """
    if isinstance(rng, (bool, float, np.floating)):
        raise SeedError(f"seed must be a whole number >= 0, got {rng!r}")
    if isinstance(rng, (int, np.integer)) and rng < 0:
        raise SeedError(f"seed must be a whole number >= 0, got {int(rng)}")


def root_seed(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """The seed of a run as a SeedSequence; ``None`` draws fresh entropy (recorded so the run can be repeated).

    The one place a run's seed is checked: every entry point that takes ``seed=`` or a run's ``rng=``
    goes through here (or through :func:`check_seed`, which it calls).

    Raises
    ------
    SeedError
        (a ValueError and a ParleyError) for anything but a whole number >= 0, a SeedSequence or None.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise SeedError(f"seed must be a whole number >= 0, got {seed!r}")
    check_seed(seed)
    return np.random.SeedSequence(None if seed is None else int(seed))


def recorded_seed(root: np.random.SeedSequence) -> int | None:
    """The whole-number seed to record for a run's SeedSequence (None when its entropy is not one number)."""
    entropy = root.entropy
    return int(entropy) if isinstance(entropy, (int, np.integer)) else None


def as_generator(rng: SeedLike) -> np.random.Generator:
    """Return a Generator for ``rng`` (a seed, a SeedSequence, a Generator or None).

    Raises
    ------
    SeedError
        (a ValueError) for a negative or fractional seed.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    check_seed(rng)
    return np.random.default_rng(rng)


def child_generators(rng: SeedLike | Sequence[SeedLike], n: int) -> list[np.random.Generator]:
    """Return ``n`` independent generators; stream ``i`` is always child ``i`` of the seed.

    A sequence of length ``n`` is taken as one seed per stream. A Generator gives
    children spawned from it (so the result depends on its state).

    Raises
    ------
    SeedError
        (a ValueError) for a negative or fractional seed.
    """
    if isinstance(rng, Sequence):
        if len(rng) != n:
            raise ValueError(f"expected {n} random streams, got {len(rng)}")
        return [as_generator(r) for r in rng]
    if isinstance(rng, np.random.Generator):
        return list(rng.spawn(n))
    check_seed(rng)
    seq = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
    return [np.random.default_rng(s) for s in seq.spawn(n)]


def seed_of(rng: SeedLike | Sequence[SeedLike]) -> int | None:
    """The integer seed to record for ``rng`` when there is one."""
    if isinstance(rng, (int, np.integer)):
        return int(rng)
    if isinstance(rng, np.random.SeedSequence) and isinstance(rng.entropy, int):
        return rng.entropy
    return None
