"""The design's shape, checked: layers (import-linter contracts in pyproject.toml), no import cycles,
no reaching into another module's private names.

Each check is shown to fail on a small package written in the test, so it cannot pass vacuously.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (strongly connected, size > 1)."""
    modules = sorted(graph.modules)
    index = {m: i for i, m in enumerate(modules)}
    edges = [(index[m], index[t]) for m in modules for t in graph.find_modules_directly_imported_by(m) if t in index]
    rows, cols = zip(*edges, strict=True) if edges else ((), ())
    adjacency = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(modules), len(modules)))
    _, label = connected_components(adjacency, directed=True, connection="strong")
    groups: dict[int, list[str]] = {}
    for m in modules:
        groups.setdefault(int(label[index[m]]), []).append(m)
    return [g for g in groups.values() if len(g) > 1]


def private_imports(package_dir: Path) -> list[str]:
    """``from parley.x import _name`` where ``parley.x`` is another module: a reach into its private names."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        module = ".".join(path.relative_to(package_dir.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package_dir.name):
                for alias in node.names:
                    private = alias.name.startswith("_") and not alias.name.startswith("__")
                    if private and node.module != module:
                        found.append(f"{module}:{node.lineno} imports {node.module}.{alias.name}")
    return found


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def toy_package(tmp_path: Path) -> Iterable[str]:
    """A package ``toypkg`` with a cycle (a -> b -> c -> a, one of them inside a function) and a private import."""
    _write(
        tmp_path,
        {
            "toypkg/__init__.py": "",
            "toypkg/a.py": "from toypkg.b import B\n",
            "toypkg/b.py": "B = 1\ndef f():\n    from toypkg import c\n",
            "toypkg/c.py": "from toypkg.a import *\nfrom toypkg.d import _hidden\n",
            "toypkg/d.py": "_hidden = 1\n",
        },
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield str(tmp_path)
    finally:
        sys.path.remove(str(tmp_path))


def test_cycle_finder_sees_a_cycle_through_a_function_level_import(toy_package: str) -> None:
    cycles = import_cycles(grimp.build_graph("toypkg", cache_dir=None))
    assert cycles == [["toypkg.a", "toypkg.b", "toypkg.c"]]


def test_private_import_finder_sees_a_reach_into_another_module(toy_package: str) -> None:
    assert private_imports(Path(toy_package) / "toypkg") == ["toypkg.c:2 imports toypkg.d._hidden"]


def test_parley_has_no_import_cycles() -> None:
    assert import_cycles(grimp.build_graph("parley", cache_dir=None)) == []


def test_parley_reaches_into_no_other_module_private_names() -> None:
    allowed = {"_random", "_json", "_files", "_version"}  # package-wide helpers, private to parley, not to a module
    found = [f for f in private_imports(SRC / "parley") if f.rsplit(".", 1)[-1] not in allowed]
    assert found == []


def test_import_linter_contracts_hold() -> None:
    """The layers and forbidden-import contracts of pyproject.toml ([tool.importlinter])."""
    from importlinter.application import use_cases
    from importlinter.configuration import configure

    configure()
    passed = use_cases.lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None)
    assert passed is True, "import-linter contracts are broken: run `lint-imports` for the details"


def test_import_linter_catches_a_layer_breach(toy_package: str, tmp_path: Path) -> None:
    """The same machinery fails on a package that breaks its layers (a imports b, with a declared below b)."""
    from importlinter.application import use_cases
    from importlinter.configuration import configure

    config = tmp_path / "breach.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "toypkg"\n\n[[tool.importlinter.contracts]]\n'
        'name = "b over a"\ntype = "layers"\nlayers = ["toypkg.b", "toypkg.a"]\n'
    )
    configure()
    assert use_cases.lint_imports(config_filename=str(config), cache_dir=None) is False
