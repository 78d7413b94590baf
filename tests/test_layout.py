"""The tests' own layout: what test modules share lives in tests/support, and no module imports a test module."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, `from tests import test_x` counted as `tests.test_x`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_imports_a_test_module() -> None:
    # A test module imported by another has its helpers found by accident and its tests tied to another's.
    offenders = {
        f"{path.relative_to(TESTS)} imports {module}"
        for path in TESTS.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[:1] == ["tests"] and module.split(".")[-1].startswith("test_")
    }
    assert sorted(offenders) == []
