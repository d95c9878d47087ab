"""Runners: the same seed gives identical numbers in this process, a process pool and on Dask;
progress is reported; an interrupted run leaves nothing half-written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from parley._random import SeedLike, child_generators
from parley.analysis.uncertainty.experiment import Experiment
from parley.analysis.uncertainty.inputs import Noise
from parley.analysis.uncertainty.montecarlo import monte_carlo
from parley.analysis.uncertainty.runners import Chunk, ProcessRunner, SequentialRunner, get_runner, write_json_atomic
from parley.errors import ParleyError
from parley.models.base import BatchForecast, Model
from parley.models.static import actor_weights, weighted_mean
from parley.scenario.core import Stances
from parley.scenario.io import scenario_from_dict


@dataclass(frozen=True)
class JitteredCompromise(Model):
    """Test model that draws: the compromise plus N(0, 1) from each variant's own stream.

    It shows that the model's random streams travel with the chunks, not only the inputs'.
    """

    name = "jittered-compromise"

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        b, _, m = stances.shape
        gens = child_generators(rng, b)
        noise = np.stack([g.standard_normal(m) for g in gens])
        out = weighted_mean(stances.positions, actor_weights(stances, "capability*salience")) + noise
        return BatchForecast(outcomes=np.clip(out, stances.lower, stances.upper))


CASE = {
    "schema_version": 1,
    "issues": [
        {"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 0, "vetoes": ["G"]},
        {"id": "y", "scale": {"min": -5, "max": 5}, "status_quo": 0},
    ],
    "actors": [
        {
            "id": "A",
            "capability": 2,
            "groups": ["G"],
            "stances": {
                "x": {"position": 40, "salience": 1, "uncertainty": {"low": 0, "high": 100}},
                "y": {"position": 2, "salience": 0.5},
            },
        },
        {
            "id": "B",
            "capability": 1,
            "groups": ["G"],
            "capability_range": [0.5, 2],
            "stances": {"x": {"position": 70, "salience": 0.6, "salience_range": [0.2, 1]}},
        },
        {
            "id": "C",
            "capability": 3,
            "stances": {"y": {"position": -3, "salience": 0.8, "uncertainty": {"distribution": "normal", "sd": 2}}},
        },
    ],
    "plans": [
        {
            "id": "p",
            "provisions": [
                {"text": "x 55", "issue": "x", "position": 55},
                {"text": "y 0", "issue": "y", "position": 0},
            ],
        }
    ],
}
NOISE = Noise(position=0.05, salience=0.1, capability=0.2)


def run(runner: object, chunk_size: int = 40, progress=None):  # type: ignore[no-untyped-def]
    return monte_carlo(
        Experiment.of(scenario_from_dict(CASE), JitteredCompromise(), noise=NOISE),
        300,
        rng=77,
        runner=runner,
        chunk_size=chunk_size,
        progress=progress,
    )


def same(a, b) -> None:  # type: ignore[no-untyped-def]
    for key in ("inputs", "outcomes", "accept", "passes"):
        assert np.array_equal(getattr(a, key), getattr(b, key)), key
    assert a.to_dict() == b.to_dict()


@pytest.fixture(scope="module")
def reference():  # type: ignore[no-untyped-def]
    return run("sequential")


def test_process_pool_gives_identical_numbers_and_reports_progress(reference) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[int, int]] = []
    same(
        reference,
        run(ProcessRunner(workers=2, inline_below=0), progress=lambda done, total: seen.append((done, total))),
    )
    # 300 draws in chunks of 40: eight reports, in whatever order chunks finish, counting up to 300
    assert len(seen) == 8 and all(t == 300 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1][0] == 300


def test_cheap_runs_stay_in_this_process(reference) -> None:  # type: ignore[no-untyped-def]
    # the default pool first times chunk 0 here; 300 cheap draws take far less than 60 s, so no pool starts
    seen: list[int] = []
    same(reference, run(ProcessRunner(workers=2, inline_below=60.0), progress=lambda d, t: seen.append(d)))
    assert seen == [40, 80, 120, 160, 200, 240, 280, 300]


def test_dask_cluster_gives_identical_numbers(reference) -> None:  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed", reason="the Dask runner needs dask[distributed]")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        same(reference, run(cluster.scheduler_address))


def test_chunking_changes_nothing(reference) -> None:  # type: ignore[no-untyped-def]
    same(reference, run("sequential", chunk_size=300))
    same(reference, run("sequential", chunk_size=1))


def test_progress_is_reported_in_draws() -> None:
    seen: list[tuple[int, int]] = []
    monte_carlo(
        Experiment.of(scenario_from_dict(CASE), "compromise"),
        100,
        rng=1,
        runner="sequential",
        chunk_size=30,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(30, 100), (60, 100), (90, 100), (100, 100)]


class StopRunError(Exception):
    pass


@pytest.mark.parametrize(
    "runner", [SequentialRunner(), ProcessRunner(workers=2, inline_below=0)], ids=["sequential", "process"]
)
def test_an_interrupted_run_returns_nothing(runner: object) -> None:
    def stop(done: int, total: int) -> None:
        raise StopRunError

    with pytest.raises(StopRunError):
        monte_carlo(
            Experiment.of(scenario_from_dict(CASE), "compromise"),
            200,
            rng=1,
            runner=runner,
            chunk_size=20,
            progress=stop,
        )  # type: ignore[arg-type]


def test_atomic_write_never_leaves_half_a_file(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    write_json_atomic(target, {"a": 1.0, "b": float("nan"), "c": np.arange(2)})
    assert json.loads(target.read_text()) == {"a": 1.0, "b": None, "c": [0, 1]}
    with pytest.raises(TypeError):
        write_json_atomic(target, {"a": object()})
    assert json.loads(target.read_text())["a"] == 1.0  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # no temporary left behind


def test_runner_names() -> None:
    assert isinstance(get_runner(None), ProcessRunner)
    assert isinstance(get_runner("sequential"), SequentialRunner)
    assert get_runner("tcp://127.0.0.1:8786").name == "dask"
    with pytest.raises(ParleyError, match="unknown runner"):
        get_runner("threads")
    assert SequentialRunner().map(lambda job, c: (job, c.size), "j", [Chunk(0, 0, 3), Chunk(1, 3, 5)]) == [
        ("j", 3),
        ("j", 2),
    ]
