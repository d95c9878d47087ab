"""The FastAPI application: HTML pages for people, a JSON API (OpenAPI at ``/docs``) for tools.

Every page action has a JSON twin under ``/api``. Uploaded scenarios are read into memory
(size-limited) and kept in the run store; a file name never becomes a path. Actor and issue
names are always rendered as text (Jinja2 autoescaping; chart data escaped for Plotly).
Every request passes :mod:`parley.web.security` (allowed hosts, same-origin writes, CSP and other
headers) and :mod:`parley.web.limits` (body size and deadline); uploads are read in worker
processes with a time limit, never on the event loop.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from parley.api import describe_models
from parley.errors import ParleyError, ScenarioError
from parley.report.templating import nearest_anchor
from parley.scenario.core import Scenario
from parley.scenario.io import dump_scenario
from parley.store import RunNotFoundError, Store, StoreError
from parley.tasks import ForecastOptions, get_task, scenario_tasks
from parley.tasks import forecast as forecast_task
from parley.tasks.report import SECTIONS as REPORT_SECTIONS
from parley.web.jobs import JobQueue, job_work
from parley.web.limits import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_PARSE_TIMEOUT,
    FORM_OVERHEAD_BYTES,
    MAX_DRAWS,
    BodyLimits,
    ParseRefusedError,
    ScenarioParsers,
    job_problems,
)
from parley.web.security import REPORT_CSP, SecurityMiddleware, allowed_host_list
from parley.web.views import comparison_view, montecarlo_view, sensitivity_view

MAX_UPLOAD_BYTES = 2_000_000
JOB_KINDS = scenario_tasks()
"""The kinds of run a job can be (every task that runs on a scenario)."""
MAX_RUNS_LISTED = 10_000
MAX_SEED = 2**128 - 1
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATIC = Path(__file__).parent / "static"


class ForecastRequest(BaseModel):
    """A forecast to run."""

    model: str = "compromise"
    params: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="seed for models that draw (default: fresh, recorded)"
    )
    stated: bool = False


class JobRequest(BaseModel):
    """An analysis to start in the background."""

    kind: str = Field(default="forecast", description=", ".join(JOB_KINDS))
    model: str | None = Field(default=None, description="model (forecast, montecarlo, sensitivity; default compromise)")
    params: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="seed (default: fresh and recorded; report: its own)"
    )
    draws: int | None = Field(
        default=None,
        ge=0,
        le=MAX_DRAWS,
        description="Monte Carlo draws (default 1000; report: 0 skips the bands); sensitivity: Sobol' base samples "
        "(default 1024, at most 4096) or Morris trajectories (default 50, at most 1000)",
    )
    method: Literal["sobol", "morris"] | None = Field(default=None, description="sensitivity: sobol or morris")

    def options(self) -> dict[str, Any]:
        """The request as task options (each kind takes the ones it knows; jobs run in their own thread)."""
        return {
            "model": self.model,
            "params": self.params,
            "seed": self.seed,
            "draws": self.draws,
            "method": self.method,
            "workers": 1,
        }


def _problems(error: ScenarioError) -> list[dict[str, Any]]:
    return [{"path": p.path, "message": p.message, "line": p.line} for p in error.problems]


def _fmt_value(v: Any, digits: int = 4) -> str:
    return "–" if v is None else f"{v:.{digits}g}" if isinstance(v, float) else str(v)


def _fmt_pct(v: Any) -> str:
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{100 * v:.0f}%"


def create_app(
    store_url: str | None = None,
    *,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    workers: int = 2,
    allowed_hosts: Iterable[str] = (),
    parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
) -> FastAPI:
    """Build the web app on the run store at ``store_url`` (default: ``$PARLEY_STORE`` or the user data folder).

    ``allowed_hosts`` are answered besides localhost, 127.0.0.1 and [::1] (``*``: any host);
    ``parse_timeout`` bounds reading one uploaded scenario and ``body_timeout`` the arrival of a
    request body, in seconds. See :mod:`parley.web.security` and :mod:`parley.web.limits`.
    """
    hosts = allowed_host_list(allowed_hosts)
    store = Store.open(store_url)
    jobs = JobQueue(workers=workers)
    parsers = ScenarioParsers(timeout=parse_timeout, max_bytes=max_upload_bytes)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        parsers.close()
        jobs.shutdown()
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="parley",
        summary="Model multi-party negotiations and peace plans.",
        description="Every page action of the parley web app, as JSON.",
        version=_version(),
        docs_url=None,  # /docs and /redoc are served below from the installed fastapi-offline assets
        redoc_url=None,
        # a pasted scenario is a form field: it gets the upload limit, not Starlette's 1 MB
        form_limits={"max_part_size": max_upload_bytes + FORM_OVERHEAD_BYTES, "max_files": 4, "max_fields": 20},
    )
    app.add_middleware(
        BodyLimits,
        max_bytes=max_upload_bytes + FORM_OVERHEAD_BYTES,
        timeout=body_timeout,
        stated_limit=max_upload_bytes,
    )
    app.add_middleware(SecurityMiddleware, allowed_hosts=hosts)
    app.include_router(__import__("parley.web.authoring", fromlist=["router"]).router)  # /code, /api/code
    app.include_router(__import__("parley.web.whatif", fromlist=["router"]).router)  # /scenarios/{sid}/whatif

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api") or request.url.path in ("/openapi.json",):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return page(request, "error.html", status_code=exc.status_code, status=exc.status_code, detail=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api"):
            return await request_validation_exception_handler(request, exc)
        detail = "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or 'request'}: {e['msg']}" for e in exc.errors())
        return page(request, "error.html", status_code=422, status=422, detail=detail)

    @app.exception_handler(ParseRefusedError)
    async def parse_refused(request: Request, exc: ParseRefusedError) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        return page(request, "error.html", status_code=exc.status, status=exc.status, detail=exc.message)

    app.state.store = store
    app.state.parsers = parsers
    app.state.jobs = jobs
    TEMPLATES.env.filters["num"] = _fmt_value
    TEMPLATES.env.filters["pct"] = _fmt_pct
    TEMPLATES.env.globals["nearest_anchor"] = nearest_anchor

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, name, {"version": _version(), **context}, status_code=status_code)

    def load(sid: str) -> Scenario:
        try:
            return store.load_scenario(sid)
        except StoreError:
            raise HTTPException(404, f"no scenario {sid}") from None

    def run_record(rid: str) -> Any:
        try:
            return store.get_run(store.resolve(rid))
        except (RunNotFoundError, StoreError) as e:
            raise HTTPException(404, str(e)) from None

    async def read_upload(file: UploadFile | None, text: str | None) -> tuple[str, str, str]:
        if file is not None and file.filename:
            raw = await file.read(max_upload_bytes + 1)
            if len(raw) > max_upload_bytes:
                raise HTTPException(413, f"upload too large: the limit is {max_upload_bytes} bytes")
            try:
                body = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise HTTPException(422, "the file is not UTF-8 text") from None
            # the name only chooses the parser; it never becomes a path
            lower = file.filename.lower()
            fmt = "json" if lower.endswith(".json") else "csv" if lower.endswith((".csv", ".tsv")) else "yaml"
            return body, fmt, Path(file.filename).name[:100]
        if text:
            if len(text.encode()) > max_upload_bytes:
                raise HTTPException(413, f"upload too large: the limit is {max_upload_bytes} bytes")
            return text, "json" if text.lstrip().startswith("{") else "yaml", "pasted scenario"
        raise HTTPException(422, "give a scenario file or text")

    def start_job(sid: str, req: JobRequest) -> Any:
        scenario = load(sid)
        if req.kind not in JOB_KINDS:
            raise HTTPException(422, f"unknown kind {req.kind!r}: {', '.join(JOB_KINDS)}")
        kind = get_task(req.kind)
        method = (req.method or "sobol") if req.kind == "sensitivity" else None
        problems = job_problems(model=req.model, params=req.params, draws=req.draws, method=method)
        if problems:
            raise HTTPException(422, "; ".join(problems))
        try:
            options = _progress_chunks(scenario, kind.make_options(req.options(), strict=False))
            kind.validate(scenario, options)
        except ParleyError as e:
            raise HTTPException(422, str(e)) from None
        return jobs.submit(req.kind, sid, job_work(kind, scenario, options, store))

    # ---------------------------------------------------------------- HTML pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return page(request, "index.html", scenarios=store.list_scenarios(), runs=store.list_runs(limit=20))

    @app.get("/scenarios/new", response_class=HTMLResponse, include_in_schema=False)
    def new_scenario(request: Request) -> HTMLResponse:
        from parley.scenario.starter import starter_yaml

        return page(request, "edit.html", text=starter_yaml(), problems=[], title="New scenario", filename="")

    @app.post("/scenarios", response_class=HTMLResponse, include_in_schema=False)
    async def upload_scenario(
        request: Request,
        file: Annotated[UploadFile | None, File()] = None,
        text: Annotated[str | None, Form()] = None,
    ) -> Response:
        body, fmt, name = await read_upload(file, text)
        try:
            scenario = await parsers.parse(body, name, fmt)  # in a worker process, time-limited
        except ScenarioError as e:
            return await run_in_threadpool(
                page,
                request,
                "edit.html",
                status_code=422,
                text=body,
                problems=_problems(e),
                title="Fix the problems",
                filename=name,
            )
        await run_in_threadpool(store.put_scenario, scenario)
        return RedirectResponse(f"/scenarios/{scenario.scenario_id}", status_code=303)

    @app.get("/scenarios/{sid}", response_class=HTMLResponse, include_in_schema=False)
    def show_scenario(request: Request, sid: str) -> HTMLResponse:
        scenario = load(sid)
        runs = [r for r in store.list_runs(limit=200) if r.scenario_id == sid]
        return page(
            request,
            "scenario.html",
            scenario=scenario,
            runs=runs,
            models=describe_models(),
            shocks=scenario.spec.shocks,
            who=_who(scenario),
        )

    @app.get("/scenarios/{sid}/edit", response_class=HTMLResponse, include_in_schema=False)
    def edit_scenario(request: Request, sid: str) -> HTMLResponse:
        scenario = load(sid)
        return page(
            request, "edit.html", text=dump_scenario(scenario), problems=[], title=f"Edit {scenario.title}", filename=""
        )

    @app.post("/scenarios/{sid}/run", include_in_schema=False)
    def run_from_form(
        sid: str,
        kind: Annotated[str, Form(max_length=40)] = "forecast",
        model: Annotated[str, Form(max_length=100)] = "compromise",
        seed: Annotated[int, Form(ge=0, le=MAX_SEED)] = 20251119,
        draws: Annotated[int, Form(ge=0, le=MAX_DRAWS)] = 500,
        method: Annotated[Literal["sobol", "morris"] | None, Form()] = None,
    ) -> RedirectResponse:
        job = start_job(sid, JobRequest(kind=kind, model=model, seed=seed, draws=draws, method=method))
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{jid}", response_class=HTMLResponse, include_in_schema=False)
    def show_job(request: Request, jid: str) -> HTMLResponse:
        job = jobs.get(jid)
        if job is None:
            raise HTTPException(404, f"no job {jid}")
        return page(request, "job.html", job=job)

    @app.get("/runs/{rid}", response_class=HTMLResponse, include_in_schema=False)
    def show_run(request: Request, rid: str) -> HTMLResponse:
        record = run_record(rid)
        chart, issues = None, []
        sections: list[dict[str, Any]] = []
        charts: dict[str, str] = {}
        mc = sens = None
        if record.status == "done" and record.scenario_id:
            stored = store.get_scenario(record.scenario_id)
            issues = stored.get("issues", [])
            if record.kind == "forecast":
                chart = _forecast_chart(stored, record.result)
            elif record.kind == "montecarlo":  # bands per issue and each plan's chances, by name
                mc = montecarlo_view(stored, record.result)
                if mc["chart"]:
                    charts["bands"] = mc["chart"]
            elif record.kind == "sensitivity":  # the ranking of what drives the answer, by name
                sens = sensitivity_view(stored, record.result)
                if sens["chart"]:
                    charts["ranking"] = sens["chart"]
            elif record.kind in REPORT_SECTIONS:  # the report's analysis sections render their runs
                sections, charts = _analysis_sections(store, record)
        return page(
            request,
            "run.html",
            run=record,
            chart=chart,
            issues=issues,
            sections=sections,
            charts=charts,
            mc=mc,
            sens=sens,
        )

    @app.get("/scenarios/{sid}/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(request: Request, sid: str, shock: str = "") -> HTMLResponse:
        scenario = load(sid)
        view = _comparison(scenario, shock or None)
        named = comparison_view(scenario.spec.model_dump(mode="json", by_alias=True), view)
        return page(
            request,
            "compare.html",
            scenario=scenario,
            shock=shock,
            view=view,
            named=named,
            shocks=scenario.spec.shocks,
        )

    @app.get("/runs/{rid}/report", response_class=HTMLResponse, include_in_schema=False)
    def show_report(rid: str) -> HTMLResponse:
        record = run_record(rid)
        if record.kind != "report" or record.status != "done":
            raise HTTPException(404, f"run {record.id} is not a finished report")
        from parley.report import render_html

        # a self-contained file with inline scripts: sandboxed, no network (parley.web.security)
        return HTMLResponse(render_html(record.result), headers={"Content-Security-Policy": REPORT_CSP})

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page(request: Request) -> HTMLResponse:
        """The JSON API, listed from its OpenAPI document (``/docs`` and ``/redoc`` show it interactively)."""
        routes = []
        for path, item in app.openapi()["paths"].items():
            for method, op in item.items():
                body = op.get("requestBody", {}).get("content", {})
                routes.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": op.get("summary", ""),
                        "description": op.get("description", ""),
                        "body": ", ".join(body),
                    }
                )
        return page(request, "api.html", routes=routes)

    @app.get("/static/parley.js", include_in_schema=False)
    def parley_js() -> Response:
        """The pages' own script (charts, job progress, the editor's line links): no inline scripts."""
        return Response(
            (STATIC / "parley.js").read_bytes(),
            media_type="application/javascript",
            headers={"Cache-Control": "no-cache"},
        )

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(
            _plotly_js(), media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        """Swagger UI on the OpenAPI document, every asset from this server (no CDN; no inline script)."""
        return HTMLResponse(_docs_page("swagger"))

    @app.get("/redoc", response_class=HTMLResponse, include_in_schema=False)
    def redoc() -> HTMLResponse:
        """ReDoc on the OpenAPI document, every asset from this server."""
        return HTMLResponse(_docs_page("redoc"))

    @app.get("/static/docs/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        """Swagger UI's and ReDoc's files, from the installed fastapi-offline package (a fixed list)."""
        if name not in DOCS_ASSETS:
            raise HTTPException(404, f"no file {name}")
        return Response(
            _docs_asset(name), media_type=DOCS_ASSETS[name], headers={"Cache-Control": "public, max-age=86400"}
        )

    # ---------------------------------------------------------------- JSON API

    @app.get("/api/models", tags=["models"])
    def apidescribe_models() -> dict[str, Any]:
        """The registered models, their parameters and references."""
        return describe_models()

    @app.post(
        "/api/validate",
        tags=["scenarios"],
        openapi_extra={"requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def api_validate(request: Request) -> JSONResponse:
        """Check scenario text (YAML or JSON, UTF-8): every problem with its path and line."""
        raw = await request.body()  # BodyLimits stops it at the limit and the deadline
        if len(raw) > max_upload_bytes:
            raise HTTPException(413, f"upload too large: the limit is {max_upload_bytes} bytes")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise HTTPException(422, f"the text is not UTF-8 ({e.reason} at byte {e.start})") from None
        try:
            sc = await parsers.parse(text, "request", "json" if text.lstrip().startswith("{") else "yaml")
        except ScenarioError as e:
            return JSONResponse({"valid": False, "problems": _problems(e)})
        return JSONResponse({"valid": True, "problems": [], "scenario_id": sc.scenario_id})

    @app.get("/api/scenarios", tags=["scenarios"])
    def api_scenarios() -> list[dict[str, Any]]:
        """Stored scenarios."""
        return [{**s, "created": s["created"].isoformat()} for s in store.list_scenarios()]

    @app.post("/api/scenarios", tags=["scenarios"], status_code=201)
    async def api_upload(
        file: Annotated[UploadFile | None, File()] = None, text: Annotated[str | None, Form()] = None
    ) -> JSONResponse:
        """Upload a scenario (file or text): 201 with its id, or 422 with every problem."""
        body, fmt, name = await read_upload(file, text)
        try:
            scenario = await parsers.parse(body, name, fmt)  # in a worker process, time-limited
        except ScenarioError as e:
            return JSONResponse({"problems": _problems(e)}, status_code=422)
        await run_in_threadpool(store.put_scenario, scenario)
        return JSONResponse({"scenario_id": scenario.scenario_id, "title": scenario.title}, status_code=201)

    @app.get("/api/scenarios/{sid}", tags=["scenarios"])
    def api_scenario(sid: str) -> dict[str, Any]:
        """A stored scenario in its canonical form."""
        return load(sid).to_dict()

    @app.post("/api/scenarios/{sid}/forecast", tags=["runs"])
    def api_forecast(sid: str, req: ForecastRequest) -> dict[str, Any]:
        """Run a forecast now, keep it in the store, and return it with its run id."""
        scenario = load(sid)
        problems = job_problems(model=req.model, params=req.params)
        if problems:
            raise HTTPException(422, "; ".join(problems))
        options = ForecastOptions(model=req.model, params=req.params, seed=req.seed, stated=req.stated)
        try:
            done = forecast_task(scenario, options, store=store)
        except ParleyError as e:
            raise HTTPException(422, str(e)) from None
        return {"run_id": done.run_id, **done.data}

    @app.get("/api/scenarios/{sid}/compare", tags=["scenarios"])
    def api_compare(sid: str, shock: str | None = None) -> dict[str, Any]:
        """Every plan scored as things stand and, with ``shock``, after it: the changes side by side."""
        scenario = load(sid)
        return _comparison(scenario, shock)

    @app.post("/api/scenarios/{sid}/jobs", tags=["runs"], status_code=202)
    def api_start_job(sid: str, req: JobRequest) -> dict[str, Any]:
        """Start an analysis (any kind, e.g. forecast, montecarlo, sensitivity, report) in the background;
        poll ``/api/jobs/{id}``."""
        return start_job(sid, req).to_dict()

    @app.get("/api/jobs/{jid}", tags=["runs"])
    def api_job(jid: str) -> dict[str, Any]:
        """Progress of a background analysis (``done`` of ``total`` draws or model runs, when counted);
        ``run_id`` once it is done."""
        job = jobs.get(jid)
        if job is None:
            raise HTTPException(404, f"no job {jid}")
        return job.to_dict()

    @app.get("/api/runs", tags=["runs"])
    def api_runs(
        limit: Annotated[int, Query(ge=1, le=MAX_RUNS_LISTED)] = 50,
        kind: Annotated[str | None, Query(max_length=40)] = None,
    ) -> list[dict[str, Any]]:
        """Stored runs, newest first."""
        try:
            return [r.to_dict() for r in store.list_runs(limit=limit, kind=kind)]
        except StoreError as e:
            raise HTTPException(422, str(e)) from None

    @app.get("/api/runs/{rid}", tags=["runs"])
    def api_run(rid: str) -> dict[str, Any]:
        """One stored run with its results."""
        record = run_record(rid)
        return {**record.to_dict(), "result": record.result}

    @app.delete("/api/runs/{rid}", tags=["runs"], status_code=204)
    def api_delete_run(rid: str) -> Response:
        """Delete a run (its scenario stays); the full run id is needed, never a prefix."""
        try:
            store.delete_run(rid)
        except (RunNotFoundError, StoreError) as e:
            raise HTTPException(404, str(e)) from None
        return Response(status_code=204)

    return app


PROGRESS_STEPS = 100
"""A Monte Carlo or sensitivity job reports its progress about this many times (one model batch each):
a 200 s run moves its bar every 2 s."""


def _progress_chunks(scenario: Scenario, options: Any) -> Any:
    """Options whose model batches are small enough for the job to report progress often.

    A batch is 1/:data:`PROGRESS_STEPS` of the run's model runs (a Sobol' run's count estimated from
    the actors as groups), never more than the memory bound of
    :func:`~parley.analysis.uncertainty.montecarlo.default_chunk_size`. Batching never changes a number.
    """
    if not hasattr(options, "chunk_size") or options.chunk_size is not None:
        return options
    from parley.analysis.uncertainty.montecarlo import default_chunk_size
    from parley.tasks.defaults import MORRIS_TRAJECTORIES, SOBOL_SAMPLES

    n_actors, n_issues = len(scenario.actors), len(scenario.issues)
    method = getattr(options, "method", None)
    if method is None:
        runs = int(options.n)
    elif method == "sobol":
        runs = (options.n or SOBOL_SAMPLES) * (2 * n_actors + 2)
    else:
        runs = (options.n or MORRIS_TRAJECTORIES) * (n_actors + 1)
    size = min(default_chunk_size(n_actors, n_issues, runs), max(1, math.ceil(runs / PROGRESS_STEPS)))
    return dataclasses.replace(options, chunk_size=size)


def _version() -> str:
    from parley._version import __version__

    return __version__


def _analysis_sections(store: Store, record: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """A plans or Monte Carlo run shown with the report's own section renderers and charts."""
    from parley.report.sections import RENDERERS
    from parley.report.templating import figure_json

    data = {
        "scenario": store.load_scenario(record.scenario_id).spec.model_dump(mode="json", by_alias=True),
        record.kind: record.result,
    }
    if isinstance(record.result, dict) and record.result.get("brief"):
        data["brief"] = record.result["brief"]  # the bottom line, first (its renderer comes first)
    sections, charts = [], {}
    for render in RENDERERS:
        section = render(data)
        if section:
            for key, fig in section.pop("figures", {}).items():
                if fig is not None:
                    charts[key] = figure_json(fig)
            sections.append(section)
    return sections, charts


def _comparison(scenario: Scenario, shock: str | None) -> dict[str, Any]:
    """Plans scored before and (with a shock) after, arranged for a side-by-side view (a view: not kept)."""
    from parley.tasks import PlansOptions
    from parley.tasks import plans as plans_task

    try:
        done = plans_task(scenario, PlansOptions(shock=shock or None))
    except ParleyError as e:
        raise HTTPException(422, str(e)) from None
    if shock:
        before, after = done.data["before"], done.data["after"]
        changes = done.data["changes"]
    else:
        before, after, changes = done.data, None, []
    actors = list(before["scores"]["actors"])
    plans = [p["id"] for p in before["scores"]["plans"]]

    def cells(report: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
        if report is None:
            return {}
        out: dict[str, dict[str, Any]] = {}
        for p in report["scores"]["plans"]:
            out[p["id"]] = {
                "support": p["support"],
                "vetoes_pass": p["vetoes_pass"],
                "actors": {
                    a: {"accepts": v.get("accepts"), "concession": v.get("concession")} for a, v in p["actors"].items()
                },
            }
        return out

    forecasts = {}
    for name in before["scores"]["forecasts"]:
        b = before["scores"]["forecasts"].get(name, {}).get("outcome", {})
        a = after["scores"]["forecasts"].get(name, {}).get("outcome", {}) if after else {}
        forecasts[name] = {k: {"before": v, "after": a.get(k)} for k, v in b.items()}
    return {
        "shock": shock,
        "actors": actors,
        "plans": plans,
        "before": cells(before),
        "after": cells(after),
        "changes": changes,
        "forecasts": forecasts,
    }


DOCS_ASSETS = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "application/javascript",
    "favicon.png": "image/png",
}
"""The API docs' files served under ``/static/docs/`` (from ``fastapi_offline/static``)."""


@cache
def _docs_asset(name: str) -> bytes:
    import fastapi_offline

    return (Path(fastapi_offline.__file__).parent / "static" / name).read_bytes()


def _docs_page(which: str) -> str:
    """The ``/docs`` (Swagger UI) or ``/redoc`` page: our own assets, started by /static/parley.js."""
    title = f"parley {_version()} — API ({'Swagger UI' if which == 'swagger' else 'ReDoc'})"
    if which == "swagger":
        head = '<link rel="stylesheet" href="/static/docs/swagger-ui.css">'
        body = (
            '<div id="swagger-ui" data-openapi-url="/openapi.json"></div>\n'
            '<script src="/static/docs/swagger-ui-bundle.js"></script>\n'
            '<script src="/static/parley.js"></script>'
        )
    else:
        head = "<style>body { margin: 0; padding: 0; }</style>"
        body = '<redoc spec-url="/openapi.json"></redoc>\n<script src="/static/docs/redoc.standalone.js"></script>'
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{title}</title>\n<link rel="icon" href="/static/docs/favicon.png">\n{head}\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _plotly_js() -> str:
    """Plotly for the run pages: the report's vendored partial bundle "basic" (scatter, bar, pie; about a quarter of
    plotly.py's full bundle), since every chart the app draws uses only those trace types (checked by the tests)."""
    from parley.report.render import plotly_bundle

    return plotly_bundle()


def _who(scenario: Scenario) -> Callable[[Iterable[str]], str]:
    """Veto holders and proposers by name: an actor by its short name, a group as "NAME (group)"."""
    names = {a.id: (a.name or a.id).split(" (", 1)[0] for a in scenario.actors}

    def who(ids: Iterable[str]) -> str:
        return ", ".join(names.get(i) or f"{i.replace('_', ' ')} (group)" for i in ids)

    return who


def _forecast_chart(scenario: dict[str, Any], result: dict[str, Any]) -> str:
    """The report's position overview for one stored forecast, as escaped JSON for Plotly.

    The whole stored scenario goes in, so the chart is oriented as the report's is (side A's ideal on the
    left, reversed issues marked ⇄, the axis saying which way it runs) and the model has its report colour; the
    page sets the report's style (``/static/parley.js``).
    """
    from parley.report.figures import forecast_overview
    from parley.report.templating import figure_json

    issues = [{"scale": {"min": 0, "max": 100}, **i} for i in scenario.get("issues", [])]
    data = {"scenario": {**scenario, "issues": issues}, "forecasts": {result["model"]["name"]: result}}
    return figure_json(forecast_overview(data))  # as the report writes it: no style template, 4 digits
