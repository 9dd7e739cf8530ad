"""Data flows one way: the core imports nothing above it, the worker never imports the web app,
collect never imports the dashboard, and only the command line sits above them all."""

import ast
from pathlib import Path

import pytest

from parcours import PROJECT_ROOT

# package → the packages it must not import, at any depth (lazy imports inside functions too).
FORBIDDEN = {
    "parcours": ("app", "worker", "cli"),
    "worker": ("app", "cli"),
    "app": ("worker", "cli"),
    "app/collect": ("app.dashboard", "app.accounts", "app.api", "app.reports", "app.web"),
}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("package", FORBIDDEN)
def test_no_module_imports_upward(package):
    modules = sorted((PROJECT_ROOT / package).rglob("*.py"))
    assert modules
    crossing = {f"{m.relative_to(PROJECT_ROOT)} imports {name}" for m in modules for name in imported(m)
                if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package])}
    assert crossing == set()
