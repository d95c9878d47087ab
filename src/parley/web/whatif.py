"""Live what-if: sliders for positions, saliences and capabilities, and the brief of one text as they move.

``router`` is included in the app by :func:`parley.web.app.create_app` (one ``include_router``
line). The page ``/scenarios/{sid}/whatif`` calls ``POST /api/scenarios/{sid}/whatif`` as a
slider moves (its script, ``/static/whatif.js``, debounces and drops stale answers); the
computation is :func:`parley.analysis.plans.whatif.whatif`. Loaded scenarios are cached per id
(ids are content hashes, so a cached scenario never goes stale), and so are the last answers
(the seed is always fixed, so an answer depends on the request alone); the changes are applied
to the cached scenario's spec and arrays, never to the stored scenario.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from parley._version import __version__
from parley.analysis.plans.whatif import DEFAULT_DRAWS, DEFAULT_SEED, Change, check_changes, sliders, whatif
from parley.errors import ParleyError, Problem, ScenarioError
from parley.models.base import available_models
from parley.scenario.checks import did_you_mean
from parley.scenario.core import Scenario
from parley.store import StoreError

router = APIRouter()
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATIC = Path(__file__).parent / "static"

MAX_CHANGES = 64
"""Changes one what-if request may make (a page sends one per slider it has moved)."""
MAX_WHATIF_DRAWS = 20_000
"""Monte Carlo draws one what-if request may ask for (``parley brief`` takes 2000)."""
MAX_SEED = 2**128 - 1
CACHED_SCENARIOS = 16
CACHED_ANSWERS = 256
"""What-if answers kept per app, by scenario and request: a slider dragged back answers at once."""
HEAVY_MODELS = ("bdm", "smp", "exchange")
"""The models the page runs only on request (seconds rather than milliseconds on a large case)."""


class WhatIfChange(BaseModel):
    """One slider: set ``field`` of ``actor`` (on ``issue``, for a position or a salience) to ``value``."""

    actor: str = Field(min_length=1, max_length=200, description="actor id (see GET /api/scenarios/{sid})")
    issue: str | None = Field(
        default=None, min_length=1, max_length=200, description="issue id; needed for position and salience"
    )
    field: Literal["position", "salience", "capability"]
    value: float = Field(
        allow_inf_nan=False,
        description="position: on the issue's scale; salience: in [0, 1]; capability: greater than 0",
    )


class WhatIfRequest(BaseModel):
    """A what-if: one text, the inputs to change, the model of the forecast and the draws."""

    plan: str | None = Field(default=None, max_length=200, description="plan id (default: the scenario's first)")
    changes: list[WhatIfChange] = Field(default_factory=list, max_length=MAX_CHANGES)
    model: str = Field(
        default="compromise", max_length=100, description="model of the forecast per issue (bdm, smp, exchange: slower)"
    )
    draws: int = Field(default=DEFAULT_DRAWS, ge=1, le=MAX_WHATIF_DRAWS, description="Monte Carlo draws")
    seed: int = Field(
        default=DEFAULT_SEED, ge=0, le=MAX_SEED, description="seed (fixed by default: slider positions share draws)"
    )
    search: bool = Field(default=True, description="search the smallest change that wins the pivotal party")


def _state(request: Request) -> Any:
    state = request.app.state
    if not hasattr(state, "whatif_lock"):
        state.whatif_cache = OrderedDict()
        state.whatif_answers = OrderedDict()
        state.whatif_lock = threading.Lock()
    return state


def _cached(request: Request, sid: str) -> Scenario:
    """The stored scenario ``sid``, loaded once per app (404 when there is none)."""
    state = _state(request)
    cache: OrderedDict[str, Scenario] = state.whatif_cache
    with state.whatif_lock:
        if sid in cache:
            cache.move_to_end(sid)
            return cache[sid]
    try:
        scenario: Scenario = state.store.load_scenario(sid)
    except StoreError:
        raise HTTPException(404, f"no scenario {sid}") from None
    with state.whatif_lock:
        cache[sid] = scenario
        while len(cache) > CACHED_SCENARIOS:
            cache.popitem(last=False)
    return scenario


def _loc(path: str) -> list[str | int]:
    """``changes[2].value`` → ``["body", "changes", 2, "value"]`` (the places pydantic gives)."""
    loc: list[str | int] = ["body"]
    for part in path.replace("]", "").replace("[", ".").split("."):
        if part:
            loc.append(int(part) if part.isdigit() else part)
    return loc


def _refuse(problems: list[Problem], body: Any) -> RequestValidationError:
    """The problems as a 422 shaped like the app's other validation errors (one entry per problem)."""
    return RequestValidationError(
        [{"type": "value_error", "loc": _loc(p.path), "msg": p.message, "input": None} for p in problems], body=body
    )


@router.post("/api/scenarios/{sid}/whatif", tags=["scenarios"])
def api_whatif(request: Request, sid: str, req: WhatIfRequest) -> dict[str, Any]:
    """One text's brief after changing positions, saliences or capabilities (nothing is stored).

    Returns P(deal) with its interval, each signatory's and veto holder's P(accept) with its
    name and the red lines the text crosses, the pivotal party, the smallest change that wins
    it, and the forecast per issue of ``model`` with the Monte Carlo band. A position change
    moves its uncertainty range along; a capability change scales per-issue capabilities and
    the capability range (see :mod:`parley.analysis.plans.whatif`). With no change and the same
    draws and seed, the numbers are those of ``parley brief``.
    """
    scenario = _cached(request, sid)
    changes = [Change(c.actor, c.field, c.value, c.issue) for c in req.changes]
    problems = check_changes(scenario, changes)
    plans = [p.id for p in scenario.plans]
    if not plans:
        problems.append(Problem("plan", "the scenario has no plans"))
    elif req.plan is not None and req.plan not in plans:
        problems.append(
            Problem("plan", f"no plan '{req.plan}'{did_you_mean(req.plan, plans)}; known: {', '.join(plans)}")
        )
    models = available_models()
    if req.model not in models:
        problems.append(
            Problem("model", f"no model '{req.model}'{did_you_mean(req.model, models)}; known: {', '.join(models)}")
        )
    if problems:
        raise _refuse(problems, req.model_dump())
    state = _state(request)
    key = (sid, req.model_dump_json())
    with state.whatif_lock:
        if key in state.whatif_answers:
            state.whatif_answers.move_to_end(key)
            answer: dict[str, Any] = state.whatif_answers[key]
            return answer
    try:
        answer = whatif(scenario, req.plan, changes, n=req.draws, seed=req.seed, model=req.model, search=req.search)
    except ScenarioError as e:
        raise _refuse(list(e.problems), req.model_dump()) from None
    except ParleyError as e:
        raise HTTPException(422, str(e)) from None
    with state.whatif_lock:
        state.whatif_answers[key] = answer
        while len(state.whatif_answers) > CACHED_ANSWERS:
            state.whatif_answers.popitem(last=False)
    return answer


@router.get("/scenarios/{sid}/whatif", response_class=HTMLResponse, include_in_schema=False)
def whatif_page(request: Request, sid: str) -> HTMLResponse:
    """Sliders for any actor's position, salience and capability, a plan picker, and the brief as they move."""
    scenario = _cached(request, sid)
    models = [m for m in available_models() if m != "compromise"]
    return TEMPLATES.TemplateResponse(
        request,
        "whatif.html",
        {
            "version": __version__,
            "scenario": scenario,
            "controls": {**sliders(scenario), "draws": DEFAULT_DRAWS, "seed": DEFAULT_SEED},
            "heavy": [m for m in HEAVY_MODELS if m in models] + [m for m in models if m not in HEAVY_MODELS],
        },
    )


@router.get("/static/whatif.js", include_in_schema=False)
def whatif_js() -> Response:
    """The what-if page's script (the app's CSP allows no inline scripts)."""
    return Response(
        (STATIC / "whatif.js").read_bytes(), media_type="application/javascript", headers={"Cache-Control": "no-cache"}
    )
