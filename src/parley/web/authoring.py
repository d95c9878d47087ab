"""Web pages for writing scenarios: code a pasted plan text into a draft plan and review it.

``router`` is included in the app by :func:`parley.web.app.create_app` (one ``include_router``
line). The draft is never written into the stored scenario: *Accept* returns the plan YAML for
the user to add under ``plans:`` (and *Download* the same as a file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from parley._version import __version__
from parley.errors import ParleyError
from parley.scenario.core import Scenario
from parley.scenario.io import validate_dict
from parley.store import StoreError

router = APIRouter()
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
MAX_TEXT_CHARS = 200_000


class CodeRequest(BaseModel):
    """A plan text to code against a stored scenario."""

    scenario_id: str = Field(description="id of a stored scenario (see GET /api/scenarios)")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="the plan text, numbered points")
    plan_id: str = Field(default="coded-plan", min_length=1, max_length=120, description="id of the drafted plan")
    title: str = Field(default="", max_length=300)


def _scenario(request: Request, sid: str) -> Scenario:
    try:
        scenario: Scenario = request.app.state.store.load_scenario(sid)
        return scenario
    except StoreError:
        raise HTTPException(404, f"no scenario {sid}") from None


def _draft(scenario: Scenario, text: str, plan_id: str, title: str = "") -> tuple[Any, list[str]]:
    """Code ``text``; return the draft and the problems of the scenario with the draft added (none expected)."""
    from parley.analysis.coding import code_text

    if len(text) > MAX_TEXT_CHARS:
        raise HTTPException(413, f"the text is longer than {MAX_TEXT_CHARS} characters")
    if not text.strip():
        raise HTTPException(422, "the text is empty")
    if plan_id in {p.id for p in scenario.spec.plans}:
        raise HTTPException(422, f"the scenario has a plan '{plan_id}' already; choose another plan id")
    drafted = code_text(text, scenario.spec, plan_id=plan_id, title=title)
    data = scenario.spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["plans"] = [*data.get("plans", []), drafted.to_plan()]
    problems: list[str] = []
    try:
        validate_dict(data, "scenario with the draft")
    except ParleyError as e:
        problems = [str(p) for p in getattr(e, "problems", [e])]
    return drafted, problems


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, {"version": __version__, **context}, status_code=status_code)


def _rows(scenario: Scenario, drafted: Any) -> list[dict[str, Any]]:
    """One row per point: its text, and the provisions drafted from it (side by side)."""
    issues = {i.id: i for i in scenario.spec.issues}
    rows: list[dict[str, Any]] = []
    for p in drafted.points:
        provs = []
        for c in drafted.coded:
            if c.point != p.point or c.text != p.text:
                continue
            issue = issues.get(c.issue) if c.issue else None
            anchor = ""
            if issue is not None and issue.anchors and c.position is not None:
                key = min(issue.anchors, key=lambda k: abs(float(k) - c.position))
                anchor = issue.anchors[key]
            provs.append(
                {
                    "issue": c.issue,
                    "label": (issue.label or issue.id) if issue else "",
                    "position": c.position,
                    "position_text": "" if c.position is None else f"{c.position:g}",
                    "unit": issue.scale.unit if issue else "",
                    "anchor": anchor,
                    "confidence": c.confidence,
                    "review": c.review,
                    "evidence": c.evidence,
                    "reason": c.no_issue_reason,
                }
            )
        rows.append({"point": p.point, "text": p.text, "context": p.context, "provisions": provs})
    return rows


@router.get("/code", response_class=HTMLResponse, include_in_schema=False)
def code_page(request: Request, scenario: str = "") -> HTMLResponse:
    """Paste a plan text, pick a stored scenario."""
    scenarios = request.app.state.store.list_scenarios()
    return _page(request, "code.html", scenarios=scenarios, selected=scenario, text="", plan_id="coded-plan")


@router.post("/code", response_class=HTMLResponse, include_in_schema=False)
def code_review(
    request: Request,
    scenario: Annotated[str, Form()],
    text: Annotated[str, Form()],
    plan_id: Annotated[str, Form()] = "coded-plan",
) -> HTMLResponse:
    """The draft beside the text, point by point."""
    sc = _scenario(request, scenario)
    drafted, problems = _draft(sc, text, plan_id)
    return _page(
        request,
        "code.html",
        scenarios=request.app.state.store.list_scenarios(),
        selected=scenario,
        text=text,
        plan_id=plan_id,
        scenario=sc,
        rows=_rows(sc, drafted),
        yaml=drafted.to_yaml(),
        problems=problems,
        n_review=sum(c.review for c in drafted.coded),
    )


@router.post("/code/accept", response_class=HTMLResponse, include_in_schema=False)
def code_accept(
    request: Request,
    scenario: Annotated[str, Form()],
    text: Annotated[str, Form()],
    plan_id: Annotated[str, Form()] = "coded-plan",
) -> HTMLResponse:
    """The accepted draft: the plan YAML to add under the scenario's ``plans:`` (the stored scenario is unchanged)."""
    sc = _scenario(request, scenario)
    drafted, problems = _draft(sc, text, plan_id)
    return _page(request, "code_accept.html", scenario=sc, yaml=drafted.to_yaml(), problems=problems, plan_id=plan_id)


@router.post("/code/plan.yaml", include_in_schema=False)
def code_download(
    request: Request,
    scenario: Annotated[str, Form()],
    text: Annotated[str, Form()],
    plan_id: Annotated[str, Form()] = "coded-plan",
) -> Response:
    """The draft plan as a YAML file."""
    sc = _scenario(request, scenario)
    drafted, _ = _draft(sc, text, plan_id)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in plan_id)[:80] or "plan"
    return Response(
        drafted.to_yaml(),
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{safe}.yaml"'},
    )


@router.post("/api/code", tags=["scenarios"])
def api_code(request: Request, req: CodeRequest) -> dict[str, Any]:
    """Draft a plan from a text for a stored scenario: provisions with evidence, confidence and review flags.

    Nothing is stored; ``yaml`` is the plan to add under the scenario's ``plans:``.
    """
    sc = _scenario(request, req.scenario_id)
    drafted, problems = _draft(sc, req.text, req.plan_id, req.title)
    return {
        "plan": drafted.to_plan(),
        "yaml": drafted.to_yaml(),
        "points": [{"point": p.point, "text": p.text} for p in drafted.points],
        "problems": problems,
    }


@router.get("/scenarios/new/grid", response_class=HTMLResponse, include_in_schema=False)
def grid_page(request: Request, actors: int = 3, issues: int = 2) -> HTMLResponse:
    """A form editor: actors × issues, with a position and a salience in each cell."""
    if not (2 <= actors <= 26 and 1 <= issues <= 26):
        raise HTTPException(422, "actors must be 2 to 26 and issues 1 to 26")
    return _page(request, "grid.html", n_actors=actors, n_issues=issues)


@router.post("/scenarios/new/grid", response_class=HTMLResponse, include_in_schema=False)
async def grid_submit(request: Request) -> HTMLResponse:
    """Turn the grid into scenario YAML and open it in the editor (check and save as usual)."""
    from parley.scenario.starter import grid_yaml

    form = await request.form()

    def text(key: str, default: str = "") -> str:
        value = form.get(key)
        return value.strip() if isinstance(value, str) else default

    def number(key: str) -> float | None:
        try:
            return float(text(key))
        except ValueError:
            return None

    try:
        n_actors, n_issues = int(text("n_actors", "0")), int(text("n_issues", "0"))
    except ValueError:
        raise HTTPException(422, "the grid size is missing") from None
    if not (2 <= n_actors <= 26 and 1 <= n_issues <= 26):
        raise HTTPException(422, "actors must be 2 to 26 and issues 1 to 26")
    issues = [
        {
            "id": text(f"issue_{j}_id") or f"issue_{j + 1}",
            "label": text(f"issue_{j}_label"),
            "min": number(f"issue_{j}_min") if number(f"issue_{j}_min") is not None else 0,
            "max": number(f"issue_{j}_max") if number(f"issue_{j}_max") is not None else 100,
            "unit": text(f"issue_{j}_unit"),
        }
        for j in range(n_issues)
    ]
    actors = [
        {
            "id": text(f"actor_{i}_id") or f"actor_{i + 1}",
            "name": text(f"actor_{i}_name"),
            "capability": number(f"actor_{i}_capability") or 1,
        }
        for i in range(n_actors)
    ]
    stances: dict[tuple[int, int], tuple[float, float]] = {}
    for i in range(n_actors):
        for j in range(n_issues):
            pos, sal = number(f"pos_{i}_{j}"), number(f"sal_{i}_{j}")
            if pos is not None:
                stances[(i, j)] = (pos, sal if sal is not None else 0.5)
    body = grid_yaml(text("title") or "A new negotiation", issues, actors, stances)
    return _page(request, "edit.html", text=body, problems=[], title="New scenario (from the grid)", filename="")
