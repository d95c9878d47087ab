"""The model contract: frozen configuration objects with one batch-first method.

Every model is a frozen dataclass whose fields are its parameters, with defaults
that reproduce the published model. It implements

``forecast_batch(stances, *, rng=None) -> BatchForecast``

on :class:`~parley.scenario.core.Stances` of shape ``(B, N, M)``; the base class turns
that into ``forecast(scenario, *, rng=None) -> Forecast`` for one scenario. Batch item
``b`` draws only from random stream ``b`` (``child_generators(rng, B)[b]``), so a batch
gives the same numbers as a loop of single runs given those streams.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, get_args, get_origin

import numpy as np
from numpy.typing import NDArray

from parley._random import SeedLike, seed_of
from parley.errors import ModelError
from parley.models.calibration import calibrated_intervals
from parley.scenario.checks import did_you_mean
from parley.scenario.core import Scenario, Stances

FloatArray = NDArray[np.float64]
NO_ONE_CARES = "no actor cares about this issue (every salience is 0): no forecast"
"""Why an issue has no forecast (NaN; ``diagnostics["no_forecast"]`` of a :class:`Forecast`)."""


@dataclass(frozen=True)
class BatchForecast:
    """What a model returns for a batch of ``B`` variants.

    Attributes
    ----------
    outcomes : (B, M) forecast outcome per issue on the issue's natural scale
    rounds : (B, T, M) per-round forecast, or None for one-shot models; runs that
        stopped before round T repeat their last row (see ``n_rounds``)
    n_rounds : (B,) rounds each variant actually ran, or None
    positions : (B, N, M) actors' final positions, or None for models that move no one
    position_rounds : (B, T+1, N, M) actors' positions by round (round 0 = input), or None
    diagnostics : one dict per variant (convergence, fallbacks, ...)
    intervals : (B, M, 2) calibrated interval (lower, upper) per issue on the natural scale, or
        None; models without their own leave it None and :meth:`Model.forecast` adds the
        shipped calibration when there is one (:mod:`parley.models.calibration`)
    """

    outcomes: FloatArray
    rounds: FloatArray | None = None
    n_rounds: NDArray[np.int64] | None = None
    positions: FloatArray | None = None
    position_rounds: FloatArray | None = None
    diagnostics: tuple[dict[str, Any], ...] = ()
    intervals: FloatArray | None = None


@dataclass(frozen=True)
class Forecast:
    """A model's forecast for one scenario, with its provenance."""

    scenario_id: str
    model: str
    params: dict[str, Any]
    outcomes: dict[str, float]
    rounds: list[dict[str, float]] | None = None
    positions: dict[str, dict[str, float]] | None = None
    position_rounds: list[dict[str, dict[str, float]]] | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    version: str = ""
    intervals: dict[str, list[float]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; keys ``rounds``, ``positions`` and ``intervals`` only when the model has them.

        ``intervals`` (beside ``outcomes``) maps each issue to ``[lower, upper]``, a calibrated
        interval whose level, method and label are in ``diagnostics["interval"]``.
        """
        out: dict[str, Any] = {
            "scenario_id": self.scenario_id,
            "model": {"name": self.model, "params": self.params},
            "outcomes": self.outcomes,
        }
        if self.intervals is not None:
            out["intervals"] = self.intervals
        if self.rounds is not None:
            out["rounds"] = self.rounds
        if self.positions is not None:
            out["positions"] = self.positions
        if self.position_rounds is not None:
            out["position_rounds"] = self.position_rounds
        out["diagnostics"] = self.diagnostics
        out["seed"] = self.seed
        out["parley_version"] = self.version
        return out


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


class Model:
    """Base class of parley's models (see the module docstring for the contract).

    Subclasses are frozen dataclasses; they set ``name`` and ``reference`` and
    implement :meth:`forecast_batch`.
    """

    name: ClassVar[str] = ""
    reference: ClassVar[str] = ""
    #: where the model stands in listings (``parley models``, reports, backtests): lower first, then by registration
    rank: ClassVar[int] = 1000
    moves_actors: ClassVar[bool] = False
    runs_in_rounds: ClassVar[bool] = False

    def forecast_batch(self, stances: Stances, *, rng: SeedLike | Sequence[SeedLike] = None) -> BatchForecast:
        """Forecast every variant of a batch."""
        raise NotImplementedError

    @classmethod
    def fitted_data(cls) -> dict[str, Any] | None:
        """What the model was fitted on and the values fitted (shipped data), or None for a model that fits nothing."""
        return None

    def params(self) -> dict[str, Any]:
        """The model's parameters and their values."""
        return {f.name: _clean(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def forecast(self, scenario: Scenario, *, rng: SeedLike = None, stated: bool = False) -> Forecast:
        """Forecast one scenario (``stated=True``: from stated rather than revealed positions).

        Without ``rng`` a fresh seed is drawn and recorded in the forecast, so the run can be repeated.
        """
        from parley._version import __version__

        if rng is None:  # fresh entropy, recorded, so that any run can be repeated
            rng = np.random.SeedSequence()
        stances = scenario.stances(stated=stated)
        batch = self.forecast_batch(stances, rng=rng)
        issues = scenario.issue_ids
        # An issue no actor cares about (every salience 0) has no forecast: NaN, explained in the
        # diagnostics (``no_forecast``) and by the CLI. Any other outcome must be a finite number.
        cares = stances.weights[0].sum(axis=0) > 0
        idle = [i for i, c in zip(issues, cares, strict=True) if not c]
        bad = [i for i, c, v in zip(issues, cares, batch.outcomes[0], strict=True) if c and not np.isfinite(v)]
        if bad:
            names = ", ".join(f"'{i}'" for i in bad)
            raise ModelError(
                f"model {self.name} gave no finite forecast on {names}: the numbers of this scenario "
                "exceed what its arithmetic can hold (check capabilities, saliences and scales)"
            )
        outcomes = np.where(cares, batch.outcomes[0], np.nan)
        actors = scenario.actor_ids
        mask = scenario.mask

        def by_issue(row: np.ndarray) -> dict[str, float]:
            return {k: float(v) for k, v in zip(issues, row, strict=True)}

        def by_actor(arr: np.ndarray) -> dict[str, dict[str, float]]:
            return {a: {k: float(arr[i, j]) for j, k in enumerate(issues) if mask[i, j]} for i, a in enumerate(actors)}

        rounds = None
        if batch.rounds is not None:
            t = int(batch.n_rounds[0]) if batch.n_rounds is not None else batch.rounds.shape[1]
            rounds = [by_issue(r) for r in batch.rounds[0, :t]]
        positions = by_actor(batch.positions[0]) if batch.positions is not None else None
        position_rounds = None
        if batch.position_rounds is not None:
            t = int(batch.n_rounds[0]) + 1 if batch.n_rounds is not None else batch.position_rounds.shape[1]
            position_rounds = [by_actor(p) for p in batch.position_rounds[0, :t]]
        diagnostics = _clean(batch.diagnostics[0]) if batch.diagnostics else {}
        if idle:
            diagnostics = {**diagnostics, "no_forecast": {i: NO_ONE_CARES for i in idle}}
        if stated:
            diagnostics = {**diagnostics, "positions_used": "stated"}
        bounds = batch.intervals
        if bounds is None:
            calibrated = calibrated_intervals(self.name, self.params(), stances, batch.outcomes)
            if calibrated is not None:
                bounds, info = calibrated
                diagnostics = {**diagnostics, "interval": info}
        intervals = None
        if bounds is not None:
            intervals = {k: [float(bounds[0, j, 0]), float(bounds[0, j, 1])] for j, k in enumerate(issues)}
        return Forecast(
            scenario_id=scenario.scenario_id,
            model=self.name,
            params=self.params(),
            outcomes=by_issue(outcomes),
            rounds=rounds,
            positions=positions,
            position_rounds=position_rounds,
            diagnostics=diagnostics,
            seed=seed_of(rng),
            version=__version__,
            intervals=intervals,
        )


_REGISTRY: dict[str, type[Model]] = {}


def register(cls: type[Model]) -> type[Model]:
    """Class decorator: make a model available by its ``name``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls


def available_models() -> dict[str, type[Model]]:
    """Registered models by name, ordered by ``rank`` and then by registration.

    Models register themselves: a class decorated with :func:`register` is available as soon as its module
    is imported, and every package (parley included) names its models under the ``parley.models`` entry-point
    group, which is loaded here the first time the list is asked for.
    """
    _load_entry_points()
    order = {name: i for i, name in enumerate(_REGISTRY)}
    return dict(sorted(_REGISTRY.items(), key=lambda item: (item[1].rank, order[item[0]])))


_ENTRY_POINT_GROUP = "parley.models"
_loaded_entry_points = False


def _load_entry_points() -> None:
    """Import every model named under the ``parley.models`` entry-point group (once per process)."""
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    from importlib.metadata import entry_points

    for point in entry_points(group=_ENTRY_POINT_GROUP):
        try:
            cls = point.load()
        except ModuleNotFoundError as err:
            # an optional dependency of that model is missing: leave the model out, as its extra says
            if err.name is not None and not err.name.startswith("parley"):
                continue
            raise
        if isinstance(cls, type) and issubclass(cls, Model) and cls.name not in _REGISTRY:
            register(cls)
    _loaded_entry_points = True


def parameter_info(cls: type[Model]) -> list[dict[str, Any]]:
    """Name, type, default and choices of each parameter of a model class."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        hint = hints.get(f.name, Any)
        choices = _choices(hint)
        default = f.default if f.default is not dataclasses.MISSING else None
        out.append(
            {
                "name": f.name,
                "type": _type_name(hint),
                "default": _clean(default),
                "choices": list(choices) if choices else None,
                "help": f.metadata.get("help", ""),
            }
        )
    return out


def _choices(hint: Any) -> tuple[Any, ...]:
    if get_origin(hint) is Literal:
        return get_args(hint)
    return ()


def _type_name(hint: Any) -> str:
    if get_origin(hint) is Literal:
        return "choice"
    args = [a for a in get_args(hint) if a is not type(None)]
    if args:
        return " | ".join(_type_name(a) for a in args)
    return getattr(hint, "__name__", str(hint))


def _coerce(name: str, hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin is Literal:
        choices = get_args(hint)
        for c in choices:
            if value == c or str(value) == str(c):
                return c
        raise ModelError(f"parameter {name}: {value!r} is not one of {', '.join(map(str, choices))}")
    args = [a for a in get_args(hint) if a is not type(None)]
    if args and len(get_args(hint)) > len(args):  # Optional[...]
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null", "")):
            return None
        return _coerce(name, args[0] if len(args) == 1 else hint, value)
    if hint is bool:
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise ModelError(f"parameter {name}: {value!r} is not true or false")
    if hint in (int, float):
        try:
            number = hint(value) if not isinstance(value, str) else hint(float(value)) if hint is int else float(value)
        except (TypeError, ValueError):
            raise ModelError(f"parameter {name}: {value!r} is not a number") from None
        if hint is int and float(value) != number:
            raise ModelError(f"parameter {name}: {value!r} is not a whole number")
        if not np.isfinite(number):
            raise ModelError(f"parameter {name}: {value!r} is not a finite number")
        return number
    if hint is str:
        return str(value)
    return value


def get_model(name: str, params: Mapping[str, Any] | None = None) -> Model:
    """Build a registered model by name, with parameters (strings are converted to their types).

    Raises
    ------
    ModelError
        For an unknown model or parameter, or a value of the wrong kind.
    """
    models = available_models()
    if name not in models and name.lower() in models:
        name = name.lower()  # `-m BDM` means bdm
    if name not in models:
        raise ModelError(f"unknown model '{name}'{did_you_mean(name, models)}; available: {', '.join(models)}")
    cls = models[name]
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if key not in names:
            raise ModelError(
                f"model '{name}' has no parameter '{key}'{did_you_mean(key, names)}; "
                f"its parameters: {', '.join(names) or 'none'}"
            )
        kwargs[key] = _coerce(key, hints[key], value)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise ModelError(f"model '{name}': {err}") from None
