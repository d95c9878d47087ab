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
        assert result.exit_code == 1 and message in result.stderr, (args, result.stderr)
    assert not (tmp_path / "missing").exists() and not (tmp_path / "a.html").exists()
    assert Store.open(store).list_runs() == []
