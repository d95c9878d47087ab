"""KTAB's Spatial Model of Politics (SMP), batch first.

- :mod:`.model` — the :class:`~parley.models.smp.model.SMP` model: its parameters (KTAB's
  defaults and documented alternatives) and the turn loop with KTAB's stopping rule;
- :mod:`.step` — one turn: assessment (risk attitudes, coalitions, victory probabilities)
  and the bargains each actor proposes and accepts;
- :mod:`.kernels` — the array kernels, in numpy;
- :mod:`.compiled` — the same kernels compiled with numba (optional extra ``fast``), used
  only where they pay for their start-up.
"""
