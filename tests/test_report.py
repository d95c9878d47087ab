"""The HTML report: self-contained, offline, names shown as written, written atomically."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from parley.cli import app
from parley.report import ReportOptions, build_report_data, render_html, write_report

EVIL = "<script>alert('x')</script>"


def report_case(build_scenario: Callable[..., Any]) -> Any:
    """One issue, two actors (one with an HTML name), one plan."""
    return build_scenario(
        title="Report test",
        issues=[
            {
                "id": "cap",
                "label": "Army cap",
                "scale": {"min": 0, "max": 1000, "unit": "thousand"},
                "anchors": {600: "US plan", 800: "E3"},
                "status_quo": 880,
            }
        ],
        actors=[
            {"id": "a", "name": EVIL, "capability": 2, "stances": {"cap": {"position": 880, "salience": 0.9}}},
            {
                "id": "b",
                "name": "B",
                "capability": 3,
                "stances": {
                    "cap": {
                        "position": 400,
                        "salience": 0.5,
                        "stated": 600,
                        "uncertainty": {"low": 300, "high": 500},
                    }
                },
            },
        ],
        plans=[{"id": "p", "provisions": [{"text": "cap at 600k", "issue": "cap", "position": 600}]}],
    )


@pytest.fixture(scope="module")
def data(build_scenario: Callable[..., Any]) -> Any:
    options = ReportOptions(models=("compromise", "median"), montecarlo_draws=0)
    return build_report_data(report_case(build_scenario), options)


def test_report_is_self_contained(data) -> None:  # type: ignore[no-untyped-def]
    html = render_html(data)
    assert not re.search(r"<script[^>]+src=", html), "no external scripts"
    assert not re.search(r"""<link[^>]+href=["']https?:""", html), "no external stylesheets"
    assert "Plotly.newPlot" in html and len(html) > 1_000_000  # plotly.js (the basic bundle, ~1.19 MB) inlined
    # compromise = (2·.9·880 + 3·.5·400) / (2·.9 + 3·.5) = (1584 + 600) / 3.3 = 661.8
    assert "661.8" in html


def test_names_are_text_never_markup(data) -> None:  # type: ignore[no-untyped-def]
    html = render_html(data)
    body = html.split("</head>", 1)[1]
    assert EVIL not in body
    # in chart data the name is HTML-escaped for Plotly (which decodes entities to show them as text),
    # and the JSON escapes '<', '>' and '&' so nothing can close the <script> element early
    assert "\\u0026lt;script\\u0026gt;alert" in body


def test_write_is_atomic(tmp_path: Path, data) -> None:  # type: ignore[no-untyped-def]
    out = write_report(data, tmp_path / "r.html")
    assert out.exists() and [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_cli_report(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    target = tmp_path / "ec.html"
    result = CliRunner().invoke(
        app,
        ["report", str(root / "examples/ec-emissions/scenario.yaml"), "-o", str(target), "-m", "compromise", "-n", "0"],
    )
    assert result.exit_code == 0, result.stderr
    assert target.exists() and "EC car-emission" in target.read_text()


def test_report_run_is_stored_and_rerendered_without_recomputing(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    first = tmp_path / "first.html"
    result = CliRunner().invoke(app, ["report", str(root / "examples/ec-emissions/scenario.yaml"),
                                      "-o", str(first), "-m", "median", "-n", "0"])
    assert result.exit_code == 0, result.stderr
    run_id = re.search(r"run ([0-9a-f]{8}) kept", result.stdout).group(1)  # type: ignore[union-attr]
    again = tmp_path / "again.html"
    result = CliRunner().invoke(app, ["report", "--run", run_id, "-o", str(again)])
    assert result.exit_code == 0, result.stderr
    # re-rendered from stored data: the same creation stamp, so nothing was recomputed
    stamp = re.search(r"· (\d{4}-\d\d-\d\dT[\d:]+\+00:00)</p>", first.read_text()).group(1)  # type: ignore[union-attr]
    assert stamp in again.read_text()
    bad = CliRunner().invoke(app, ["report", "--run", "ffffffff", "-o", str(tmp_path / "x.html")])
    assert bad.exit_code == 1 and not (tmp_path / "x.html").exists()


def test_cli_report_bad_input_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.html"
    result = CliRunner().invoke(app, ["report", str(tmp_path / "missing.yaml"), "-o", str(target)])
    assert result.exit_code == 1 and "no such file" in result.stderr and not target.exists()


def test_nearest_anchor_reads_a_forecast_in_words() -> None:
    from parley.report.templating import nearest_anchor

    issue = {"anchors": {"600": "US plan", "800": "E3"}}
    assert nearest_anchor(issue, 800.0) == "E3"  # exactly on an anchor
    assert nearest_anchor(issue, 661.8) == "≈ US plan"  # |661.8 − 600| < |661.8 − 800|
    assert nearest_anchor({}, 5.0) == "" and nearest_anchor(issue, None) == ""


def test_case_2025_report_has_every_analysis_section() -> None:
    from parley.api import load_scenario

    root = Path(__file__).resolve().parents[1]
    sc = load_scenario(root / "examples/ukraine-2025/scenario.yaml")
    data = build_report_data(
        sc, ReportOptions(models=("compromise", "median"), montecarlo_draws=200, sensitivity_samples=32)
    )
    assert data["errors"] == {}
    html = render_html(data)
    for section in ("plans", "montecarlo", "bargaining", "coalitions", "sensitivity", "durability", "words"):
        assert f'<section id="{section}">' in html, section
    for chart in ("bargaining", "tornado"):
        assert f'id="chart-{chart}"' in html and f'"{chart}":' in html
    for table in ("scorecard", "alignment"):  # the two former heatmaps, as tables with the numbers printed
        assert f'<table class="grid" id="{table}">' in html
    # every plan of the case appears in the scorecard table
    for plan in sc.plans:
        assert plan.title in html or plan.id in html


def test_written_files_get_ordinary_permissions(tmp_path: Path, data) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    old = os.umask(0o022)
    try:
        out = write_report(data, tmp_path / "r.html")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # 0666 less the umask, not a temp file's 0600


def test_cli_report_refuses_before_computing(tmp_path: Path) -> None:
    """Unknown models and unwritable outputs fail at once: exit 1, no file, no run kept."""
    from parley.store import Store

    root = Path(__file__).resolve().parents[1]
    ec = str(root / "examples/ec-emissions/scenario.yaml")
    store = f"sqlite:///{tmp_path / 's.db'}"
    cases = [
        (["-m", "nope", "-o", str(tmp_path / "a.html")], "unknown model 'nope'"),
        (["-o", str(tmp_path)], "is a directory"),
        (["-o", str(tmp_path / "missing" / "r.html")], "does not exist"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(app, ["report", ec, "--store", store, "-n", "0", *args])
        assert result.exit_code == 1 and message in " ".join(result.stderr.split()), (args, result.stderr)
    assert not (tmp_path / "missing").exists() and not (tmp_path / "a.html").exists()
    assert Store.open(store).list_runs() == []


# ------------------------------------------------------------------ issue 15: size, bundle, colours, orientation

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def case2025() -> Any:
    """The 2025 case with the CLI's default options (every model, 1000 Monte Carlo draws): what `parley report`
    writes."""
    from parley.api import load_scenario

    return build_report_data(load_scenario(ROOT / "examples/ukraine-2025/scenario.yaml"), ReportOptions())


def _figures(data: Any) -> dict[str, Any]:
    from parley.report.render import report_figures
    from parley.report.templating import figure_dict

    charts, _, _ = report_figures(data)
    return {k: figure_dict(f) for k, f in charts.items()}


def test_case_2025_report_fits_in_1_5_mb(case2025) -> None:  # type: ignore[no-untyped-def]
    html = render_html(case2025)
    # issue 15: at most 1.5 MB (it was 5.4 MB with plotly.py's whole bundle inlined)
    assert len(html.encode("utf-8")) <= 1_500_000


def test_vendored_bundle_is_the_plotly_js_that_plotly_py_ships() -> None:
    from plotly.offline import get_plotlyjs_version

    from parley.report.render import _plotly_js, bundle_version

    assert bundle_version() == get_plotlyjs_version()
    js = _plotly_js()
    assert js.startswith("/**\n* plotly.js (basic - minified)") and "Licensed under the MIT license" in js[:300]
    assert "</script" not in js.lower()  # safe to inline


def test_every_trace_type_is_in_the_basic_bundle(case2025, data) -> None:  # type: ignore[no-untyped-def]
    from parley.report.render import BUNDLE_TRACES

    for report in (case2025, data):
        for key, fig in _figures(report).items():
            for trace in fig["data"]:
                assert trace.get("type", "scatter") in BUNDLE_TRACES, (key, trace.get("type"))
            assert "template" not in fig["layout"], key  # the style is set once by the page, not per figure


def _series_colours(data: Any) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Every colour a model or a plan is drawn in, across every figure of the report (read off the figure JSON:
    a trace named after it, a timeline trace grouped by plan, or a point labelled with it)."""
    models, plans = set(data["forecasts"]), {p["id"] for p in data["scenario"]["plans"]}
    seen_m: dict[str, set[str]] = {}
    seen_p: dict[str, set[str]] = {}

    def note(label: str, colour: Any) -> None:
        if not isinstance(colour, str):
            return
        label = label.removeprefix("forecast ")
        if label in models:
            seen_m.setdefault(label, set()).add(colour)
        elif label.removeprefix("plan ") in plans:
            seen_p.setdefault(label.removeprefix("plan "), set()).add(colour)

    for fig in _figures(data).values():
        for t in fig["data"]:
            colour = (t.get("marker") or {}).get("color") or (t.get("line") or {}).get("color")
            if isinstance(colour, list):  # one point per model or plan, labelled by text (or y: bargaining)
                labels = t.get("text") if isinstance(t.get("text"), list) else t.get("y")
                for label, c in zip(labels or [], colour, strict=False):
                    note(str(label), c)
            else:
                note(t.get("name", ""), colour)
                if t.get("legendgroup") in plans:
                    note(t["legendgroup"], (t.get("line") or {}).get("color"))
    return seen_m, seen_p


def test_one_colour_per_model_and_per_plan_in_every_chart(case2025) -> None:  # type: ignore[no-untyped-def]
    from parley.report.figures import EXTRA_MODEL_COLOURS, MODEL_COLOURS, PLAN_COLOURS, series_colour

    assert not (set(MODEL_COLOURS.values()) | set(EXTRA_MODEL_COLOURS)) & set(PLAN_COLOURS)
    seen_m, seen_p = _series_colours(case2025)
    assert set(seen_m) == set(case2025["forecasts"])  # every model is drawn somewhere ...
    assert set(seen_p) == {p["id"] for p in case2025["scenario"]["plans"]}  # ... and every plan
    for model, colours in seen_m.items():
        assert colours == {series_colour(case2025, "model", model)}, model  # the same colour in every figure
    for plan, colours in seen_p.items():
        assert colours == {series_colour(case2025, "plan", plan)}, plan
    model_colours = {c for cs in seen_m.values() for c in cs}
    plan_colours = {c for cs in seen_p.values() for c in cs}
    assert not model_colours & plan_colours  # "plan us-28" and "forecast bdm" no longer share a colour
    assert len(model_colours) == len(seen_m) and len(plan_colours) == len(seen_p)


def opposite_scales(build_scenario: Callable[..., Any]) -> Any:
    """Two issues whose scales run opposite ways: on 'land' side A (a) wants the low end, on 'army' the high end."""
    return build_scenario(
        title="Opposite scales",
        issues=[
            {"id": "land", "label": "Land", "scale": {"min": 0, "max": 10}},
            {"id": "army", "label": "Army cap", "scale": {"min": 0, "max": 1000}, "anchors": {0: "none", 1000: "all"}},
        ],
        actors=[
            {"id": "a", "name": "Alpha (its government)", "capability": 1,
             "stances": {"land": {"position": 2, "salience": 1}, "army": {"position": 900, "salience": 1}}},
            {"id": "b", "name": "Beta", "capability": 1,
             "stances": {"land": {"position": 8, "salience": 1}, "army": {"position": 100, "salience": 1}}},
        ],
        belligerents=["a", "b"],
    )


def test_every_issue_runs_from_side_a_on_the_left(build_scenario: Callable[..., Any]) -> None:
    from parley.report.figures import forecast_overview, orientation, position_map, small_multiples

    data = build_report_data(opposite_scales(build_scenario), ReportOptions(models=("median",), montecarlo_draws=0))
    orient = orientation(data)
    # a's ideal is below b's on land (2 < 8): as it is; above on army (900 > 100): reversed
    assert orient.flip == {"land": False, "army": True} and (orient.left, orient.right) == ("Alpha", "Beta")
    # the small multiples: a at 2 of 0–10 -> 20 %, b at 8 -> 80 %; on army a at 900 -> 100 − 90 = 10 %, b -> 90 %
    grid = small_multiples(data, orient)
    actors = [list(t.x) for t in grid.data if list(t.text) == ["Alpha (its government)", "Beta"]]
    assert actors == [pytest.approx([20, 80]), pytest.approx([10, 90])]
    assert list(grid.layout.xaxis2.ticktext) == ["1,000", "0"]  # the army panel's left end is the top of its scale
    # the overview: the median of two actors on army, placed the same way round, and the axis says so
    v = data["forecasts"]["median"]["outcomes"]["army"]
    over = forecast_overview(data, orient)
    assert over.data[-1].x[1] == pytest.approx(100 * (1 - v / 1000))
    assert over.data[-1].y[1] == "Army cap ⇄"
    assert over.layout.xaxis.title.text.startswith("← Alpha's side") and over.layout.xaxis.title.text.endswith(
        "Beta's side →"
    )
    # the detail chart keeps the natural scale, drawn reversed: 1000 + 3 % padding on the left
    assert tuple(position_map(data, data["scenario"]["issues"][1], orient).layout.xaxis.range) == (1030, -30)
    html = render_html(data)
    assert "drawn with Alpha&#39;s position on the left and Beta&#39;s on the right" in html


def test_without_two_sides_every_issue_runs_lower_end_left(build_scenario: Callable[..., Any]) -> None:
    from parley.report.figures import orientation

    sc = opposite_scales(build_scenario)
    spec = sc.to_dict()
    spec["belligerents"] = []
    data = build_report_data(build_scenario(**{k: v for k, v in spec.items() if k != "schema_version"}),
                             ReportOptions(models=("median",), montecarlo_draws=0))
    orient = orientation(data)
    assert orient.flip == {"land": False, "army": False} and orient.left == ""
    assert "no two sides" in orient.basis and "lower end" in orient.axis_title("x")


def test_anchor_ticks_are_values_and_the_anchors_are_listed_in_full(data) -> None:  # type: ignore[no-untyped-def]
    from parley.report.figures import position_map

    fig = position_map(data, data["scenario"]["issues"][0])
    assert list(fig.layout.xaxis.ticktext) == ["<b>600</b>", "<b>800</b>"]  # no words on the ticks to overlap
    assert fig.layout.showlegend is False  # one legend for every position chart, in the page
    html = render_html(data)
    assert "<li><b>600</b> — US plan</li>" in html and "<li><b>800</b> — E3</li>" in html


def test_report_in_a_browser_offline_picks_one_position_chart(  # type: ignore[no-untyped-def]
    case2025, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    """The 2025 report, opened offline: it asks for nothing outside the file, draws its charts, and the
    position chart shows the issue chosen from the menu (screenshots: report-top.png, report-position-chart.png)."""
    path = write_report(case2025, tmp_path / "report.html")
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.parleyChartsReady === true")
    assert [u for u in requests if not u.startswith("file:")] == [] and errors == []
    assert page.locator("#chart-overview .main-svg").count() >= 1
    assert page.locator("#chart-positions-grid .main-svg").count() >= 1
    page.screenshot(path=str(artifacts / "report-top.png"), full_page=False)
    chart = page.locator("#chart-position")
    before = page.evaluate("() => document.getElementById('chart-position').layout.xaxis.range")
    labels = page.locator("#position-issue option").all_inner_texts()
    assert labels[0].startswith("Control of the land")
    pick = next(k for k, t in enumerate(labels) if t.startswith("Cap on Ukraine"))
    page.select_option("#position-issue", str(pick))
    page.wait_for_function("window.parleyPositionReady === true")
    assert chart.get_attribute("data-issue") == str(pick)
    after = page.evaluate("() => document.getElementById('chart-position').layout.xaxis.range")
    # territory runs 0–6 (Ukraine's ideal 0, on the left); the army cap 0–900 thousand, reversed (Ukraine's ideal
    # is the larger army): left end 900 + 3 % padding
    assert before == pytest.approx([-0.18, 6.18]) and after == pytest.approx([927, -27])
    # the anchors listed under the chart are the chosen issue's, in full
    notes = page.locator(f".issue-notes[data-issue='{pick}']")
    assert notes.is_visible() and not page.locator(".issue-notes[data-issue='0']").is_visible()
    assert "no cap" in notes.inner_text().lower()
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(artifacts / "report-position-chart.png"))
    context.close()


def test_durability_rows_that_cannot_apply_read_not_applicable(build_scenario: Callable[..., Any]) -> None:
    """A one-issue standard-setting case (no belligerents, no forces or territory): the demilitarised-zone row
    reads n/a with why, not "no" (—); an indicator any agreement can have is still ✓ or —."""
    sc = build_scenario(
        title="Standard",
        issues=[{"id": "year", "scale": {"min": 4, "max": 10}}],
        actors=[
            {"id": "a", "capability": 1, "stances": {"year": {"position": 4, "salience": 1}}},
            {"id": "b", "capability": 1, "stances": {"year": {"position": 10, "salience": 1}}},
        ],
        plans=[{"id": "deal", "provisions": [{"text": "year 7; a commission monitors it", "issue": "year",
                                              "position": 7}]}],
    )
    html = render_html(build_report_data(sc, ReportOptions(models=("median",), montecarlo_draws=0)))
    body = html.split('<section id="durability">', 1)[1].split("</section>", 1)[0]
    row = body.split("demilitarised zone", 1)[1].split("</tr>", 1)[0]
    assert ">n/a</span>" in row and "no belligerents" in row
    monitoring = body.split("monitoring or peacekeeping", 1)[1].split("</tr>", 1)[0]
    assert "✓" in monitoring and "n/a" not in monitoring
    assert "n/a = not applicable to this case" in body


def test_no_legend_sits_over_a_chart_title_in_the_ec_report() -> None:
    """The one-issue EC case (issue 15: its legend covered the position chart's title): a chart with a title has
    no legend of its own (the page's shared legend serves every position chart)."""
    from parley.api import load_scenario

    data = build_report_data(
        load_scenario(ROOT / "examples/ec-emissions/scenario.yaml"), ReportOptions(montecarlo_draws=0)
    )
    titled = {k: f for k, f in _figures(data).items() if (f["layout"].get("title") or {}).get("text")}
    assert set(titled) == {"pos-0"}
    assert all(f["layout"].get("showlegend") is False for f in titled.values())
    html = render_html(data)
    assert 'id="positions-legend"' in html and "forecast bdm" in html.split('id="positions-legend"', 1)[1]



def test_brief_headlines_are_a_table_with_the_models_reading(build_scenario: Callable[..., Any]) -> None:
    """The bottom line's headline forecasts: one row per issue, what the spread means said once above the table.

    By hand, for compromise and weighted median: compromise = 661.8 (above); the weighted median is 880
    (a carries 2·0.9 = 1.8 of 3.3, more than half). Forecast = their median, 770.9; range 661.8–880 is
    21.8% of the 0–1000 scale, between 10% and 25%: the models "differ somewhat".
    """
    from parley.analysis.plans.brief import brief

    sc = report_case(build_scenario)
    head = brief(sc, n=50, seed=1, models=["compromise", "median"]).headlines[0].to_dict()
    assert head["forecast"] == pytest.approx((1584 + 600) / 3.3 / 2 + 440, abs=1e-9)
    assert head["spread_share_of_scale"] == pytest.approx((880 - 2184 / 3.3) / 1000, abs=1e-9)
    assert head["agreement"] == "differ somewhat"
    data = build_report_data(sc, ReportOptions(models=("compromise", "median"), montecarlo_draws=50, seed=1))
    html = render_html(data)
    section = html.split('id="brief"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td>Army cap</td>(.*?)</tr>", section, re.S)
    assert len(rows) == 1
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[0])
    # the report's brief runs every model, so only the shape is checked here: value, range, share, reading, band
    assert len(cells) == 5 and cells[3] in {"agree", "differ somewhat", "disagree"} and "–" in cells[1]
    assert section.count("read it as a range") == 1  # said once, not on every row
