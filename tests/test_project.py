"""Promises about the project itself: layering, README and CI in step."""

from __future__ import annotations

import ast
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


LAYER_RULES: dict[str, tuple[str, ...]] = {
    # a layer may import only the layers below it (DESIGN.md): scenario < models < analysis < tasks, api,
    # then the store and report, and the front ends (cli, web) on top
    "scenario": ("models", "analysis", "tasks", "api", "store", "report", "cli", "web"),
    "models": ("analysis", "tasks", "api", "store", "report", "cli", "web"),
    "analysis": ("tasks", "api", "store", "report", "cli", "web"),
    # the task layer is handed a store; it never imports one, nor the report or a front end
    "tasks": ("store", "report", "cli", "web"),
    "store": ("cli", "web"),
    "report": ("cli", "web"),
}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name inside parley (``parley.cli.runs`` is cli), or None."""
    parts = module.split(".")
    if parts[0] != "parley" or len(parts) < 2:
        return None
    top = parts[1]
    if top == "cli" or top.startswith("cli_"):
        return "cli"
    return top if top in {"scenario", "models", "analysis", "tasks", "api", "store", "report", "web"} else None


def imported_modules(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, module) for every import in a file, anywhere in it, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            # `from parley import api` imports the module parley.api
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def layer_violations(src: Path) -> list[str]:
    out = []
    for path in sorted(src.rglob("*.py")):
        module = ".".join(path.relative_to(src.parent).with_suffix("").parts).removesuffix(".__init__")
        layer = layer_of(module)
        for line, target in imported_modules(path, module):
            if layer in LAYER_RULES and layer_of(target) in LAYER_RULES[layer]:
                out.append(f"{path.relative_to(src.parent)}:{line}: {layer} imports {target}")
    return sorted(set(out))


def test_layer_checker_finds_what_it_should(tmp_path: Path) -> None:
    # a fake package with one violation of each form the checker must see, and allowed imports beside them
    pkg = tmp_path / "parley"
    for sub in ("scenario", "models", "analysis"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "scenario" / "a.py").write_text("from parley.models import base\n")  # absolute, at the top
    (pkg / "models" / "b.py").write_text("def f():\n    from ..analysis import x\n")  # relative, in a function
    (pkg / "analysis" / "c.py").write_text("from parley import api\nimport parley.cli.runs\n")
    (pkg / "analysis" / "ok.py").write_text("from parley.models import base\nfrom . import c\nimport numpy\n")
    assert layer_violations(pkg) == [
        "parley/analysis/c.py:1: analysis imports parley.api",
        "parley/analysis/c.py:2: analysis imports parley.cli.runs",
        "parley/models/b.py:2: models imports parley.analysis",
        "parley/models/b.py:2: models imports parley.analysis.x",
        "parley/scenario/a.py:1: scenario imports parley.models",
        "parley/scenario/a.py:1: scenario imports parley.models.base",
    ]


def test_layers_import_only_the_layers_below() -> None:
    """scenario < models < analysis < tasks; store and report below cli and web (DESIGN.md)."""
    assert layer_violations(ROOT / "src" / "parley") == []


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
