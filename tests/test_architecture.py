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


def _module_names(path: Path) -> tuple[set[str], dict[str, tuple[str, str]]]:
    """Names a module defines at its top level, and the names it imports (name -> (module, original name))."""
    tree = ast.parse(path.read_text(), filename=str(path))
    defined: set[str] = set()
    imported: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Try):  # e.g. a version read with a fallback
            for stmt in [*node.body, *(s for h in node.handlers for s in h.body)]:
                if isinstance(stmt, ast.Assign):
                    defined.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module, alias.name)
    return defined, imported


def imports_through_reexports(package_dir: Path) -> list[str]:
    """``from a.b import X`` where module ``a.b`` does not define X but imported it: a compatibility re-export in use.

    Package ``__init__`` modules are exempt: presenting a package's public names is their job.
    """
    modules = {
        ".".join(p.relative_to(package_dir.parent).with_suffix("").parts): p
        for p in package_dir.rglob("*.py")
        if p.name != "__init__.py"
    }
    names = {m: _module_names(p) for m, p in modules.items()}
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not (isinstance(node, ast.ImportFrom) and node.module in modules):
                continue
            defined, imported = names[node.module]
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}" in modules
                if alias.name not in defined and alias.name in imported and not submodule:
                    source = imported[alias.name][0]
                    found.append(f"{path.relative_to(package_dir.parent)}:{node.lineno} takes {alias.name} "
                                 f"from {node.module}, which imports it from {source}")
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


def test_reexport_finder_sees_a_name_taken_from_a_module_that_only_imports_it(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "toy2/__init__.py": "from toy2.m1 import X\n",  # a package's public names: allowed
            "toy2/m1.py": "X = 1\n",
            "toy2/m2.py": "from toy2.m1 import X\n",
            "toy2/m3.py": "from toy2.m2 import X\nfrom toy2.m1 import X as Y\n",
        },
    )
    assert imports_through_reexports(tmp_path / "toy2") == [
        "toy2/m3.py:1 takes X from toy2.m2, which imports it from toy2.m1"
    ]


def test_parley_imports_every_name_from_where_it_is_defined() -> None:
    """Issue 10: no compatibility re-exports; a name is imported from the module that defines it."""
    assert imports_through_reexports(SRC / "parley") == []


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
