"""Promises about the project itself: layering, README and CI in step."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_imports_no_front_end_framework() -> None:
    """DESIGN.md layers: importing parley (core, models, api) pulls in no UI or I/O framework."""
    code = (
        "import sys, parley, parley.models, parley.api, parley.scenario, parley.tasks;"
        " parley.models.available_models();"
        "bad = [m for m in ('typer', 'rich', 'fastapi', 'jinja2', 'plotly', 'sqlalchemy') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"core imports front-end modules: {out}"


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_readme_opens_with_two_commands_and_ci_runs_the_test_one() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    install_run, test = commands
    assert "parley " in install_run and "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci, ".ci/run must run the README's test command verbatim"


def test_command_line_starts_without_heavy_libraries() -> None:
    """Issue 10: `parley --help` starts quickly because the command modules and the task layer load
    numpy, pydantic, SciPy, numba, SQLAlchemy, Alembic and Plotly only inside the commands that use them."""
    code = (
        "import sys, parley.cli, parley.tasks;"
        "heavy = ('numpy', 'pydantic', 'scipy', 'numba', 'sqlalchemy', 'alembic', 'plotly', 'fastapi', 'yaml');"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing the command line loads: {out}"
