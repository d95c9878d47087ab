"""The live what-if page in a real browser (Playwright driving Debian's chromium; fixtures in conftest).

Screenshots ``whatif-before.png`` and ``whatif-after.png`` go to ``artifacts/`` (or $PARLEY_ARTIFACTS).
The expected direction is a hand argument: the compromise forecast is the weighted mean
Σ c s x / Σ c s of the positions, so moving Ukraine (capability 55, salience 1.0 on the control of
the land) from 2 to 0 moves the forecast on that issue down by 55 · 1.0 · 2 / Σ c s. And Ukraine's
gain from the E3 text (quadratic loss, salience 1.0, scale 0–6; the text keeps the line, 2; the
walk-away is the no-agreement point, 2.75) rises by [(2.75 − 0)² − (2 − 0)² − ((2.75 − 2)² − 0²)] / 6²
= 3/36: the text now saves Ukraine more, measured from further away.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples/ukraine-2025/scenario.yaml"
SLIDER = "[data-testid=whatif-sliders] input[data-field=position][data-issue=territory_control]"
FORECAST = "[data-testid=whatif-forecast] tr[data-issue=territory_control] td[data-value]"
GAIN = "[data-testid=whatif-parties] tr[data-party=ukraine] td[data-gain]"


def expected_drop() -> float:
    """55 · 1.0 · (2 − 0) / Σ c s over the actors with a stance on territory_control (from the file)."""
    total = 0.0
    for a in yaml.safe_load(CASE.read_text())["actors"]:
        st = a["stances"].get("territory_control")
        if st is not None:
            cap = a["capability"]
            total += (cap.get("territory_control", 1.0) if isinstance(cap, dict) else cap) * st["salience"]
    return 55 * 1.0 * 2 / total


def settled(page: Any, after: int) -> int:
    """Wait until an answer newer than ``after`` is drawn and nothing is pending; its sequence number."""
    page.wait_for_function(
        "n => { const s = document.querySelector('[data-testid=whatif-status]');"
        " const busy = document.getElementById('brief').classList.contains('stale');"
        " return s && Number(s.dataset.seq || 0) > n && !busy; }",
        arg=after,
        timeout=30_000,
    )
    return int(page.get_attribute("[data-testid=whatif-status]", "data-seq"))


def forecast(page: Any) -> float:
    return float(page.get_attribute(FORECAST, "data-value"))


def test_whatif_slider_updates_the_brief(browser: Any, server: str, artifacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    errors: list[str] = []  # failed requests (but the favicon, which the app does not have)
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.set_input_files("[data-testid=upload-file]", str(CASE))
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=scenario-title]")
    page.click("[data-testid=whatif-link]")  # the scenario page links to the what-if
    page.wait_for_selector("[data-testid=whatif-title]")
    seq = settled(page, 0)
    page.select_option("[data-testid=whatif-plan]", "e3-counter")
    seq = settled(page, seq)
    assert page.input_value("[data-testid=whatif-actor]") == "ukraine"
    assert page.input_value(SLIDER) == "2"
    before = forecast(page)
    gain_before = float(page.get_attribute(GAIN, "data-gain"))
    parties = page.inner_text("[data-testid=whatif-parties]")
    assert "Ukraine (President Zelensky and government)" in parties and "Russia" in parties
    assert "ukraine" not in parties.split()  # names, not ids
    assert "E3" in page.inner_text("#brief-title")
    page.screenshot(path=str(artifacts / "whatif-before.png"), full_page=True)

    page.focus(SLIDER)
    page.keyboard.press("Home")  # the slider to its minimum, 0: an `input` event as a user's drag sends
    seq = settled(page, seq)
    after = forecast(page)
    assert page.input_value(SLIDER) == "0"
    assert after < before  # the hand argument in the module docstring
    assert abs((before - after) - expected_drop()) < 0.01  # shown to three significant digits
    assert float(page.get_attribute(GAIN, "data-gain")) - gain_before == pytest.approx(3 / 36)
    changes = page.inner_text("[data-testid=whatif-changes]")
    assert "Ukraine (President Zelensky and government): position on Control of the land 2 → 0" in changes
    assert "1 change" in page.inner_text("[data-testid=whatif-status]")
    page.screenshot(path=str(artifacts / "whatif-after.png"), full_page=True)

    # quick moves: only the latest state is drawn (End then Home again: back at 0)
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Home")
    settled(page, seq)
    page.wait_for_timeout(300)  # nothing newer is on its way
    assert forecast(page) == after

    # a heavy model on request, and which one is shown
    page.select_option("[data-testid=whatif-heavy-model]", "bdm")
    page.click("[data-testid=whatif-run-heavy]")
    page.wait_for_selector("[data-testid=whatif-model][data-model=bdm]", timeout=60_000)
    assert "bdm" in page.inner_text("[data-testid=whatif-model]")
    assert not errors, errors
