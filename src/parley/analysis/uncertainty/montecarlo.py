"""Monte Carlo over what the analyst does not know: stance ranges, salience ranges, capability ranges.

Every uncertain input of a scenario (see :class:`~parley.analysis.uncertainty.inputs.InputSpace`; its
names are importable from here too) is one column of a draw. A run of ``n`` draws builds one
:class:`~parley.scenario.core.Stances` batch per chunk of draws, runs any registered model on
it batch-first, and scores each plan for every actor in every draw. Draw ``i`` always takes
its random numbers from child stream ``i`` of the seed (``child_generators(seed, n)[i]``; the
model gets that stream's first child), so the chunking and the runner (sequential, process
pool, Dask) never change a number.

Definitions (docs/uncertainty.md says more):

- an actor *accepts* a plan by the rule of :mod:`parley.analysis.plans.decision`: it crosses
  none of its hard red lines (drawn where uncertain) and its gain over its walk-away (its
  ``outside_option``, else the drawn ``no_agreement`` position, else the status quo) exceeds
  the tolerance; with ``ScoringOptions.logit_scale`` λ > 0 it accepts with probability
  ``1/(1 + exp(−gain/λ))`` (a uniform number per draw, plan and actor from the draw's stream);
  a deferred issue takes a value drawn over its range (or the draw's forecast);
- a plan *passes every veto* when every consent rule holds (a ``change`` issue it moves needs
  every veto holder; a ``renewal`` issue any one member); a *deal* needs that and every
  signatory's consent;
- a declared group *splits* on a plan when some of its members accept it and some do not.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from parley._random import recorded_seed, root_seed
from parley.analysis.plans.decision import Holder, Signatory, accept_arrays, consent, holders_of, signatories_of
from parley.analysis.plans.scoring import Basis, ScoringOptions, moves
from parley.analysis.uncertainty.experiment import Experiment
from parley.analysis.uncertainty.inputs import Extras, InputSpace, Noise
from parley.analysis.uncertainty.runners import Chunk, ProgressFn, Runner, get_runner
from parley.errors import ParleyError
from parley.models.base import FloatArray, Model
from parley.scenario.core import Scenario, Stances

__all__ = [
    "QUANTILES",
    "MonteCarloResult",
    "monte_carlo",
]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The outcome quantiles every Monte Carlo result reports."""


@dataclass(frozen=True)
class _PlanRule:
    """The decision rule of :mod:`parley.analysis.plans.decision`, batched over draws.

    ``points`` holds each plan's outcome (its position where it settles an issue, the status
    quo where it is silent, NaN where it defers the issue or the issue has no status quo);
    ``deferred`` where a plan defers an issue (drawn per draw); ``outside`` each actor's own
    outside option (NaN: it walks away to the no-agreement outcome, else the status quo);
    ``scored`` where an issue enters an actor's score.
    """

    ids: tuple[str, ...]
    points: FloatArray  # (P, M)
    deferred: NDArray[np.bool_]  # (P, M)
    moved: NDArray[np.bool_]  # (P, M)
    outside: FloatArray  # (N, M)
    sq: FloatArray  # (M,)
    scored: NDArray[np.bool_]  # (N, M)
    quadratic: bool
    worst: bool
    tolerance: float
    soft: NDArray[np.bool_]  # (N, M)
    penalty: FloatArray  # (N, M)
    holders: tuple[Holder, ...]
    holder_masks: NDArray[
        np.bool_
    ]  # (P, H, N) members of each veto holder of each plan, where the plan moves its issue
    signatories: tuple[Signatory, ...]
    renewal: NDArray[np.bool_]  # (M,)
    rule: Literal["unanimity", "capability_majority"]
    majority: float
    logit_scale: float
    groups: tuple[str, ...]
    members: NDArray[np.bool_]  # (G, N)

    @property
    def unanimity(self) -> bool:
        """Groups hold their veto through all their members."""
        return self.rule == "unanimity"

    @classmethod
    def from_scenario(cls, scenario: Scenario, options: ScoringOptions) -> _PlanRule:
        basis = Basis(scenario, options)
        n, m = len(scenario.actors), len(scenario.issues)
        plans = scenario.plans
        holders = holders_of(scenario)
        deferred = np.array([[k in p.deferred for k in scenario.issue_ids] for p in plans], dtype=bool).reshape(
            len(plans), m
        )
        points = np.array([basis.plan_outcome(p) for p in plans], dtype=float).reshape(len(plans), m)
        moved = np.array([[k in moves(scenario, p) for k in scenario.issue_ids] for p in plans], dtype=bool).reshape(
            len(plans), m
        )
        masks = np.zeros((len(plans), max(1, len(holders)), n), dtype=bool)
        for h, holder in enumerate(holders):
            masks[:, h, list(holder.rows)] = moved[:, holder.issue][:, None]
        declared = sorted({g for a in scenario.actors for g in a.groups})
        members = np.array([[g in a.groups for a in scenario.actors] for g in declared], dtype=bool).reshape(-1, n)
        keep = members.sum(axis=1) >= 2
        return cls(
            ids=tuple(p.id for p in plans),
            points=points,
            deferred=deferred,
            moved=moved,
            outside=basis.outside,
            sq=basis.sq,
            scored=np.asarray(basis.scored, dtype=bool),
            quadratic=basis.quadratic,
            worst=options.no_reference == "worst",
            tolerance=options.tolerance,
            soft=basis.red_soft,
            penalty=basis.red_penalty,
            holders=holders,
            holder_masks=masks,
            signatories=signatories_of(scenario),
            renewal=np.array([i.consent == "renewal" for i in scenario.issues], dtype=bool),
            rule=options.group_veto,
            majority=options.group_majority,
            logit_scale=options.logit_scale,
            groups=tuple(g for g, k in zip(declared, keep, strict=True) if k),
            members=members[keep],
        )

    def score(
        self,
        stances: Stances,
        extras: Extras | None = None,
        forecast: FloatArray | None = None,
        uniforms: FloatArray | None = None,
    ) -> dict[str, np.ndarray]:
        """Acceptance, hard refusals, consent and deals of each plan in each draw.

        Returns ``accept`` (B, P, N), ``refuse`` (B, P, N) (a hard red line crossed), ``passes``
        (B, P) (every consent rule holds), ``signed`` (B, P, S) and ``deal`` (B, P).
        """
        b, n, m = stances.shape
        p = len(self.ids)
        x, s = stances.positions, np.where(stances.mask, stances.saliences, 0.0)
        na = extras.no_agreement if extras is not None else np.full((b, m), np.nan)
        walk = np.where(np.isnan(na), self.sq[None, :], na)
        res = np.where(np.isnan(self.outside)[None], walk[:, None, :], self.outside[None])
        if self.worst:
            far = np.where(np.abs(x - stances.lower) >= np.abs(x - stances.upper), stances.lower, stances.upper)
            res = np.where(np.isnan(res), far, res)
        # issues left out of an actor's score weigh 0; NaN reservations there become harmless
        res = np.where(np.isnan(res) | ~self.scored[None], x, res)
        span = stances.upper - stances.lower
        w = np.where(self.scored, s, 0.0) / (span**2 if self.quadratic else span)
        z = np.broadcast_to(self.points, (b, p, m)).copy()
        if extras is not None:
            drawn = ~np.isnan(extras.deferred)
            z = np.where(drawn, extras.deferred, z)
            if forecast is not None and extras.to_forecast.any():
                z = np.where(extras.to_forecast[None], np.asarray(forecast, dtype=float)[:, None, :], z)
        red_min = extras.red_min if extras is not None else np.full((b, n, m), np.nan)
        red_max = extras.red_max if extras is not None else np.full((b, n, m), np.nan)
        _gain, hard, accept, _ = accept_arrays(
            x,
            w,
            res,
            z[:, :, None, :],
            red_min,
            red_max,
            self.soft,
            self.penalty,
            quadratic=self.quadratic,
            tolerance=self.tolerance,
            logit_scale=self.logit_scale,
            uniforms=uniforms,
        )
        if p == 0:
            empty = np.ones((b, 0), dtype=bool)
            return {
                "accept": accept,
                "refuse": hard,
                "passes": empty,
                "signed": np.ones((b, 0, 0), dtype=bool),
                "deal": empty,
            }
        result = consent(
            accept,
            self.moved,
            _actor_capability(stances),
            self.signatories,
            self.holders,
            self.renewal,
            self.rule,
            self.majority,
        )
        return {
            "accept": accept,
            "refuse": hard,
            "passes": result.rules_hold,
            "signed": result.signatory,
            "deal": result.deal,
        }


def _actor_capability(stances: Stances) -> FloatArray:
    """(B, N) each actor's mean capability over the issues where it has a stance (as plans.Basis)."""
    counts = stances.mask.sum(axis=2)
    own = np.where(stances.mask, stances.capabilities, 0.0).sum(axis=2) / np.maximum(counts, 1)
    return np.where(counts > 0, own, stances.capabilities.mean(axis=2))


@dataclass(frozen=True)
class Evaluation:
    """Everything a worker needs to evaluate draws: picklable, sent once per worker.

    ``root_entropy`` is the seed's entropy; draw ``i`` uses ``SeedSequence(root_entropy,
    spawn_key=(i,))``, i.e. child ``i`` of the seed, for its inputs, and that stream's first
    child for the model.
    """

    space: InputSpace
    model: Model
    plans: _PlanRule
    root_entropy: int | Sequence[int]

    def streams(self, start: int, stop: int) -> list[np.random.SeedSequence]:
        """Child streams ``start`` .. ``stop − 1`` of the seed."""
        return [np.random.SeedSequence(self.root_entropy, spawn_key=(i,)) for i in range(start, stop)]


def evaluate_chunk(job: Evaluation, chunk: Chunk) -> dict[str, np.ndarray]:
    """Evaluate draws ``chunk.start`` .. ``chunk.stop − 1``: inputs, outcomes, acceptance.

    When ``chunk.unit`` is given (a sensitivity design) those unit-cube points are used;
    otherwise each draw takes its own from its child stream.
    """
    streams = job.streams(chunk.start, chunk.stop)
    k = job.space.size
    if chunk.unit is not None:
        unit = np.asarray(chunk.unit, dtype=float)
    else:
        unit = np.stack([np.random.default_rng(s).random(k) for s in streams]) if streams else np.empty((0, k))
    values = job.space.values(unit)
    stances = job.space.stances(values)
    model_streams = [np.random.SeedSequence(s.entropy, spawn_key=(*s.spawn_key, 0)) for s in streams]
    forecast = job.model.forecast_batch(stances, rng=model_streams)
    outcomes = np.asarray(forecast.outcomes, dtype=float)
    uniforms = None
    if job.plans.logit_scale > 0:
        shape = (len(job.plans.ids), len(job.space.actor_ids))
        uniforms = (
            np.stack(
                [
                    np.random.default_rng(np.random.SeedSequence(s.entropy, spawn_key=(*s.spawn_key, 1))).random(shape)
                    for s in streams
                ]
            )
            if streams
            else np.empty((0, *shape))
        )
    scored = job.plans.score(stances, job.space.extras(values), outcomes, uniforms)
    return {"inputs": values, "outcomes": outcomes, **scored}


def default_chunk_size(n_actors: int, n_issues: int, n_draws: int) -> int:
    """Draws per chunk: about 2²² entries of an (B, N, N, M) array, and at least 8 chunks of big runs.

    It depends on the scenario's size and ``n`` only, never on the runner, so every runner
    computes the same chunks.
    """
    by_memory = max(16, (1 << 22) // max(1, n_actors * n_actors * n_issues))
    by_spread = max(64, math.ceil(n_draws / 8))
    return int(min(by_memory, by_spread, 4096))


def chunks_for(n: int, size: int, unit: FloatArray | None = None) -> list[Chunk]:
    """Split draws 0 .. n − 1 into consecutive chunks of ``size`` (the last may be shorter)."""
    out = []
    for idx, start in enumerate(range(0, n, size)):
        stop = min(n, start + size)
        out.append(Chunk(idx, start, stop, None if unit is None else np.asarray(unit[start:stop])))
    return out


def run_design(
    job: Evaluation,
    n: int,
    *,
    unit: FloatArray | None = None,
    runner: Runner | str | None = None,
    chunk_size: int | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, np.ndarray]:
    """Evaluate ``n`` draws (or the rows of ``unit``) in chunks on a runner; arrays concatenated in order."""
    _, n_actors, n_issues = job.space.base.shape
    size = chunk_size or default_chunk_size(n_actors, n_issues, n)
    if size < 1:
        raise ParleyError(f"chunk size must be at least 1, got {size}")
    parts = get_runner(runner).map(evaluate_chunk, job, chunks_for(n, size, unit), progress)
    return {key: np.concatenate([p[key] for p in parts]) for key in _KEYS}


_KEYS = ("inputs", "outcomes", "accept", "refuse", "passes", "signed", "deal")


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class MonteCarloResult:
    """The draws of a Monte Carlo run and their summaries, with provenance.

    Attributes
    ----------
    inputs : (n, K) value of each uncertain input in each draw (columns: ``space.inputs``)
    outcomes : (n, M) the model's outcome on each issue in each draw
    accept : (n, P, N) whether each actor accepts each plan in each draw
    passes : (n, P) whether every consent rule of each plan holds in each draw (vetoes, renewals)
    refuse : (n, P, N) whether the plan crosses a hard red line of the actor in the draw
    signed : (n, P, S) whether each signatory consents
    deal : (n, P) every signatory consents and every consent rule holds
    """

    scenario_id: str
    model: str
    params: dict[str, Any]
    seed: int | None
    n: int
    version: str
    noise: Noise
    options: ScoringOptions
    space: InputSpace = field(repr=False)
    plan_ids: tuple[str, ...]
    veto_holders: dict[str, tuple[str, ...]]
    groups: dict[str, tuple[str, ...]]
    inputs: FloatArray = field(repr=False)
    outcomes: FloatArray = field(repr=False)
    accept: NDArray[np.bool_] = field(repr=False)
    passes: NDArray[np.bool_] = field(repr=False)
    refuse: NDArray[np.bool_] = field(repr=False, default_factory=lambda: np.zeros((0, 0, 0), dtype=bool))
    signed: NDArray[np.bool_] = field(repr=False, default_factory=lambda: np.zeros((0, 0, 0), dtype=bool))
    deal: NDArray[np.bool_] = field(repr=False, default_factory=lambda: np.zeros((0, 0), dtype=bool))
    signatories: tuple[str, ...] = ()

    @property
    def issue_ids(self) -> tuple[str, ...]:
        """Issue ids in column order."""
        return self.space.issue_ids

    @property
    def actor_ids(self) -> tuple[str, ...]:
        """Actor ids in row order."""
        return self.space.actor_ids

    @property
    def accepted_by_all(self) -> NDArray[np.bool_]:
        """(n, P): every actor accepts the plan in the draw."""
        return np.all(self.accept, axis=2)

    @property
    def splits(self) -> NDArray[np.bool_]:
        """(n, P, G): some members of declared group g accept the plan and some do not."""
        ids = self.actor_ids
        members = np.array([[a in m for a in ids] for m in self.groups.values()], dtype=np.int64).reshape(-1, len(ids))
        count = self.accept.astype(np.int64) @ members.T  # (n, P, G)
        return (count > 0) & (count < members.sum(axis=1))

    def quantiles(self) -> dict[str, dict[str, float]]:
        """Per issue: mean, sd and the 5/25/50/75/95 % quantiles of the outcome (NaN draws left out)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an issue whose every draw is NaN stays NaN
            q = np.nanquantile(self.outcomes, QUANTILES, axis=0)
            mean = np.nanmean(self.outcomes, axis=0)
            sd = np.nanstd(self.outcomes, axis=0, ddof=1) if self.n > 1 else np.full(len(self.issue_ids), np.nan)
        out: dict[str, dict[str, float]] = {}
        for j, issue in enumerate(self.issue_ids):
            row = {"mean": float(mean[j]), "sd": float(sd[j])}
            row.update({f"q{round(100 * p):02d}": float(q[k, j]) for k, p in enumerate(QUANTILES)})
            out[issue] = row
        return out

    def plan_summary(self) -> dict[str, dict[str, Any]]:
        """Per plan: probability of acceptance by each actor, of passing every veto, of each group splitting."""
        acc = self.accept.mean(axis=0)
        passes = self.passes.mean(axis=0)
        everyone = self.accepted_by_all.mean(axis=0)
        splits = self.splits.mean(axis=0)
        deal = self.deal.mean(axis=0) if self.deal.size else np.full(len(self.plan_ids), np.nan)
        signed = self.signed.mean(axis=0) if self.signed.size else np.zeros((len(self.plan_ids), 0))
        refuse = self.refuse.mean(axis=0) if self.refuse.size else np.zeros_like(acc)
        return {
            plan: {
                "accept": {a: float(acc[p, i]) for i, a in enumerate(self.actor_ids)},
                "refuses_red_line": {a: float(refuse[p, i]) for i, a in enumerate(self.actor_ids) if refuse[p, i] > 0},
                "veto_holders": list(self.veto_holders[plan]),
                "passes_vetoes": float(passes[p]),
                "signatories": {g: float(signed[p, k]) for k, g in enumerate(self.signatories)},
                "deal": float(deal[p]),
                "accepted_by_all": float(everyone[p]),
                "splits": {g: float(splits[p, k]) for k, g in enumerate(self.groups)},
            }
            for p, plan in enumerate(self.plan_ids)
        }

    def to_dict(self, *, draws: bool = False) -> dict[str, Any]:
        """JSON-ready summary with provenance; ``draws=True`` adds every draw's inputs, outcomes and votes."""
        data: dict[str, Any] = {
            "kind": "montecarlo",
            "scenario_id": self.scenario_id,
            "model": {"name": self.model, "params": self.params},
            "seed": self.seed,
            "n": self.n,
            "parley_version": self.version,
            "noise": self.noise.to_dict(),
            "scoring": self.options.to_dict(),
            "inputs": [i.to_dict() for i in self.space.inputs],
            "outcomes": self.quantiles(),
            "plans": self.plan_summary(),
            "groups": {g: list(m) for g, m in self.groups.items()},
        }
        if draws:
            data["draws"] = {
                "inputs": self.inputs.tolist(),
                "outcomes": self.outcomes.tolist(),
                "accept": self.accept.tolist(),
                "passes": self.passes.tolist(),
                "deal": self.deal.tolist(),
            }
        return data


def prepare(
    experiment: Experiment, rng: int | np.random.SeedSequence | None = None
) -> tuple[Evaluation, np.random.SeedSequence, ScoringOptions]:
    """The worker's job for a run: input space, model, plan rule and seed."""
    root = root_seed(rng)
    options = dataclasses.replace(experiment.options or ScoringOptions(), stated=experiment.stated)
    spread = dict(experiment.spread) if experiment.spread else None
    space = InputSpace.from_scenario(experiment.scenario, experiment.noise, stated=experiment.stated, spread=spread)
    plans = _PlanRule.from_scenario(experiment.scenario, options)
    job = Evaluation(space, experiment.model, plans, root.entropy)  # type: ignore[arg-type]
    return job, root, options


def monte_carlo(
    experiment: Experiment,
    n: int = 1000,
    *,
    rng: int | np.random.SeedSequence | None = None,
    runner: Runner | str | None = None,
    chunk_size: int | None = None,
    progress: ProgressFn | None = None,
) -> MonteCarloResult:
    """Draw every uncertain input of ``experiment`` ``n`` times and run its model on the draws.

    Parameters
    ----------
    experiment
        The scenario, model, noise, point values and plan rule (:class:`Experiment`).
    n
        Number of draws.
    rng
        Seed of the run (a whole number >= 0 or a SeedSequence); draw ``i`` uses child stream
        ``i``. ``None``: fresh entropy, recorded as the result's ``seed``.
    runner
        ``"sequential"``, ``"process"`` (default), a Dask scheduler address ``"tcp://host:port"``,
        or a :class:`~parley.analysis.uncertainty.runners.Runner`.
    chunk_size
        Draws per model batch (default: :func:`default_chunk_size`); bounds memory.
    progress
        Called as ``progress(done, total)`` in draws after each chunk.

    Raises
    ------
    ParleyError
        For a bad request: ``n`` below 1, a negative seed.
    """
    from parley._version import __version__

    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ParleyError(f"the number of draws must be a whole number ≥ 1, got {n!r}")
    job, root, options = prepare(experiment, rng)
    scenario = experiment.scenario
    arrays = run_design(job, int(n), runner=runner, chunk_size=chunk_size, progress=progress)
    rule = job.plans
    ids = scenario.actor_ids
    return MonteCarloResult(
        scenario_id=scenario.scenario_id,
        model=job.model.name,
        params=job.model.params(),
        seed=recorded_seed(root),
        n=int(n),
        version=__version__,
        noise=experiment.noise or Noise(),
        options=options,
        space=job.space,
        plan_ids=rule.ids,
        veto_holders={
            plan: tuple(a for i, a in enumerate(ids) if rule.holder_masks[k, :, i].any())
            for k, plan in enumerate(rule.ids)
        },
        groups={g: tuple(a for i, a in enumerate(ids) if rule.members[k, i]) for k, g in enumerate(rule.groups)},
        inputs=_frozen(arrays["inputs"]),
        outcomes=_frozen(arrays["outcomes"]),
        accept=_frozen(arrays["accept"]),
        passes=_frozen(arrays["passes"]),
        refuse=_frozen(arrays["refuse"]),
        signed=_frozen(arrays["signed"]),
        deal=_frozen(arrays["deal"]),
        signatories=tuple(sg.name for sg in rule.signatories),
    )
