"""Global sensitivity: which unknown drives the answer, with SALib (Sobol' and Morris).

The uncertain inputs are those of :class:`~parley.analysis.uncertainty.montecarlo.InputSpace` (the
scenario's ranges plus optional global noise). SALib designs points on the unit cube, one
coordinate per input; each coordinate goes through that input's quantile function (so each
input keeps its stated distribution, and Sobol' indices, which do not change under a
one-to-one transform of an input, are those of the inputs themselves). Inputs are grouped
by actor, by issue or not at all (SALib ``groups``).

Outputs analysed: the outcome on every issue (``outcome:ISSUE``) and, for every plan, the
indicator that it passes every veto (``passes:PLAN``, 1 or 0).

*Value of clarity* of an actor (inputs grouped by actor, Sobol'): the first-order index of
the group of its uncertain inputs, S_g = Var(E[Y | X_g]) / Var(Y) — the share of the
output's variance that learning the actor's true stance would remove, on average. Its
total-order index ST_g = E[Var(Y | X_~g)] / Var(Y) is reported beside it as its *reach*:
the share of variance the actor's ambiguity takes part in at all, interactions included
(ST_g ≈ 0: the ambiguity can be ignored). docs/uncertainty.md gives the details.

Randomness: SALib gets explicit seeds derived from the run's seed (never ``None`` or ``0``,
which would fall back to NumPy's global state); model runs use child stream ``i`` for
design row ``i``, as in Monte Carlo.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from parley._random import recorded_seed
from parley.analysis.uncertainty.experiment import Experiment
from parley.analysis.uncertainty.inputs import Noise
from parley.analysis.uncertainty.montecarlo import prepare, run_design
from parley.analysis.uncertainty.runners import ProgressFn, Runner
from parley.errors import ParleyError

__all__ = ["SensitivityResult", "morris", "sobol"]

GroupBy = Literal["actor", "issue", "input"]
_DESIGN_KEY = 0x5A11B
"""Spawn key of the stream the SALib seeds come from (distinct from every draw's key ``(i,)``)."""


def _salib() -> Any:
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise ParleyError("sensitivity analysis needs SALib: pip install SALib") from None
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    return sobol_sample, sobol_analyze, morris_sample, morris_analyze


def _design_seeds(entropy: Any) -> tuple[np.random.Generator, int]:
    """A generator for SALib's sampler and a positive int for its analyser (a 0 would mean global state)."""
    seq = np.random.SeedSequence(entropy, spawn_key=(_DESIGN_KEY,))
    state = seq.generate_state(2)
    return np.random.default_rng(int(state[0])), int(state[1]) + 1


def _to_float(x: Any) -> float:
    v = float(np.ma.filled(x, np.nan)) if np.ma.isMaskedArray(x) else float(x)
    return v if math.isfinite(v) else math.nan


@dataclass(frozen=True)
class SensitivityResult:
    """Sensitivity indices of each output to each group of uncertain inputs, with provenance.

    Attributes
    ----------
    indices : output → group → index name → value. Sobol': ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (half-widths of the bootstrap confidence interval at ``conf_level``).
        Morris: ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` in outcome units per move of
        the input across its whole distribution (quantile 0 to 1, linearly extrapolated).
    variance : output → variance over the design (0: the output does not vary; no indices)
    members : group → names of the inputs in it
    """

    method: Literal["sobol", "morris"]
    scenario_id: str
    model: str
    params: dict[str, Any]
    seed: int | None
    n: int
    evaluations: int
    version: str
    group_by: GroupBy
    noise: Noise
    conf_level: float
    members: dict[str, tuple[str, ...]]
    indices: dict[str, dict[str, dict[str, float]]]
    variance: dict[str, float]
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def groups(self) -> tuple[str, ...]:
        """Group names in SALib's order."""
        return tuple(self.members)

    def value_of_clarity(self) -> dict[str, dict[str, dict[str, float]]]:
        """Per output and actor: ``value`` (S1 of its group), ``reach`` (ST) and their CI half-widths.

        Only for Sobol' with inputs grouped by actor.
        """
        if self.method != "sobol" or self.group_by != "actor":
            raise ParleyError("the value of clarity needs method 'sobol' with inputs grouped by actor")
        return {
            output: {
                actor: {"value": v["S1"], "value_conf": v["S1_conf"], "reach": v["ST"], "reach_conf": v["ST_conf"]}
                for actor, v in groups.items()
            }
            for output, groups in self.indices.items()
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with provenance."""
        out: dict[str, Any] = {
            "kind": "sensitivity",
            "method": self.method,
            "scenario_id": self.scenario_id,
            "model": {"name": self.model, "params": self.params},
            "seed": self.seed,
            "n": self.n,
            "evaluations": self.evaluations,
            "parley_version": self.version,
            "group_by": self.group_by,
            "noise": self.noise.to_dict(),
            "conf_level": self.conf_level,
            "groups": {g: list(m) for g, m in self.members.items()},
            "variance": self.variance,
            "indices": self.indices,
            "notes": self.notes,
        }
        if self.method == "sobol" and self.group_by == "actor":
            out["value_of_clarity"] = self.value_of_clarity()
        return out


def _outputs(arrays: Mapping[str, np.ndarray], issues: tuple[str, ...], plans: tuple[str, ...]) -> dict[str, Any]:
    ys = {f"outcome:{k}": arrays["outcomes"][:, j] for j, k in enumerate(issues)}
    ys.update({f"passes:{p}": arrays["passes"][:, k].astype(float) for k, p in enumerate(plans)})
    return ys


def _run(
    method: Literal["sobol", "morris"],
    experiment: Experiment,
    n: int,
    *,
    rng: int | np.random.SeedSequence | None,
    group_by: GroupBy,
    runner: Runner | str | None,
    chunk_size: int | None,
    progress: ProgressFn | None,
    num_levels: int,
    num_resamples: int,
    conf_level: float,
) -> SensitivityResult:
    from parley._version import __version__

    sobol_sample, sobol_analyze, morris_sample, morris_analyze = _salib()
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 2:
        raise ParleyError(f"n must be a whole number ≥ 2, got {n!r}")
    if not 0 < conf_level < 1:
        raise ParleyError(f"conf_level must lie between 0 and 1, got {conf_level}")
    job, root, _ = prepare(experiment, rng)
    space = job.space
    if space.size == 0:
        raise ParleyError(
            "nothing is uncertain in this scenario: give stances an `uncertainty` or `salience_range`, "
            "actors a `capability_range`, or add global noise"
        )
    labels = space.groups(group_by)
    members: dict[str, tuple[str, ...]] = {}
    for name, g in zip(space.names, labels, strict=True):
        members[g] = (*members.get(g, ()), name)
    problem = {
        "num_vars": space.size,
        "names": list(space.names),
        "bounds": [[0.0, 1.0]] * space.size,
        "groups": list(labels),
    }
    sample_rng, analyse_seed = _design_seeds(root.entropy)
    base_n = int(n)
    if method == "sobol":
        base_n = 1 << max(1, math.ceil(math.log2(base_n)))  # Sobol' sequences balance at powers of two
        unit = sobol_sample.sample(problem, base_n, calc_second_order=False, scramble=True, seed=sample_rng)
        analysis_unit = unit
    else:
        if num_levels < 2 or num_levels % 2:
            raise ParleyError(f"num_levels must be an even number ≥ 2, got {num_levels}")
        analysis_unit = morris_sample.sample(problem, base_n, num_levels=num_levels, seed=sample_rng)
        # the Morris grid {0, 1/(L−1), …, 1} read as the quantiles (k + ½)/L: inside (0, 1), evenly spaced
        unit = (analysis_unit * (num_levels - 1) + 0.5) / num_levels
    arrays = run_design(job, len(unit), unit=unit, runner=runner, chunk_size=chunk_size, progress=progress)
    indices: dict[str, dict[str, dict[str, float]]] = {}
    variance: dict[str, float] = {}
    notes: dict[str, str] = {}
    for output, y in _outputs(arrays, space.issue_ids, job.plans.ids).items():
        y = np.asarray(y, dtype=float)
        if not np.all(np.isfinite(y)):
            notes[output] = "the model gave no outcome in some draws; no indices"
            variance[output] = math.nan
            continue
        variance[output] = float(np.var(y))
        if variance[output] <= 1e-24 * max(1.0, float(np.mean(y**2))):
            notes[output] = "the output does not vary over the design; no indices"
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == "sobol":
                si = sobol_analyze.analyze(
                    problem,
                    y,
                    calc_second_order=False,
                    num_resamples=num_resamples,
                    conf_level=conf_level,
                    seed=analyse_seed,
                )
                keys, scale = ("S1", "S1_conf", "ST", "ST_conf"), 1.0
            else:
                si = morris_analyze.analyze(
                    problem,
                    analysis_unit,
                    y,
                    num_resamples=num_resamples,
                    conf_level=conf_level,
                    num_levels=num_levels,
                    seed=analyse_seed,
                )
                # SALib's effects are per unit of the Morris grid; per unit of quantile they are L/(L−1) larger
                keys, scale = ("mu", "mu_star", "sigma", "mu_star_conf"), num_levels / (num_levels - 1)
        indices[output] = {g: {key: _to_float(si[key][k]) * scale for key in keys} for k, g in enumerate(members)}
    return SensitivityResult(
        method=method,
        scenario_id=experiment.scenario.scenario_id,
        model=job.model.name,
        params=job.model.params(),
        seed=recorded_seed(root),
        n=base_n,
        evaluations=len(unit),
        version=__version__,
        group_by=group_by,
        noise=experiment.noise or Noise(),
        conf_level=conf_level,
        members=members,
        indices=indices,
        variance=variance,
        notes=notes,
    )


def sobol(
    experiment: Experiment,
    n: int = 1024,
    *,
    rng: int | np.random.SeedSequence | None = None,
    runner: Runner | str | None = None,
    group_by: GroupBy = "actor",
    chunk_size: int | None = None,
    progress: ProgressFn | None = None,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> SensitivityResult:
    """Sobol' first- and total-order indices (Saltelli's design, scrambled Sobol' sequence).

    Parameters
    ----------
    experiment, rng, runner, chunk_size, progress
        As for :func:`parley.analysis.uncertainty.montecarlo.monte_carlo`.
    n
        Base sample size, rounded up to a power of two; the model runs ``n × (G + 2)`` times
        for ``G`` groups.
    group_by
        ``"actor"`` (default: gives the value of clarity), ``"issue"`` (capabilities form
        the group ``capability``) or ``"input"`` (each input alone).
    num_resamples, conf_level
        Bootstrap resamples and level of the confidence intervals.
    """
    return _run(
        "sobol",
        experiment,
        n,
        rng=rng,
        group_by=group_by,
        runner=runner,
        chunk_size=chunk_size,
        progress=progress,
        num_levels=4,
        num_resamples=num_resamples,
        conf_level=conf_level,
    )


def morris(
    experiment: Experiment,
    n: int = 50,
    *,
    rng: int | np.random.SeedSequence | None = None,
    runner: Runner | str | None = None,
    group_by: GroupBy = "actor",
    chunk_size: int | None = None,
    progress: ProgressFn | None = None,
    num_levels: int = 4,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> SensitivityResult:
    """Morris elementary effects: a cheap screening (``n`` trajectories, ``n × (G + 1)`` model runs).

    Each input moves on the quantiles (k + ½)/L, k = 0 … L − 1, of its distribution; the
    effects are reported per move across the whole distribution (see :class:`SensitivityResult`).
    Other parameters as for :func:`sobol`.
    """
    return _run(
        "morris",
        experiment,
        n,
        rng=rng,
        group_by=group_by,
        runner=runner,
        chunk_size=chunk_size,
        progress=progress,
        num_levels=num_levels,
        num_resamples=num_resamples,
        conf_level=conf_level,
    )
