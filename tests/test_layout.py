"""The tests' own layout: what test modules share lives in tests/support, and no module imports a test module."""
from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# `from a.b import c, d` (its names in parentheses over several lines too) or `import a.b, c`; read as text, since
# parsing every test module would cost this test a second.
IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+(\([^)]*\)|[^\n]+)|import\s+([\w., ]+))", re.MULTILINE)


def imported_modules(text: str) -> set[str]:
    """Every module `text` imports, `from tests import test_x` counted as `tests.test_x`."""
    found: set[str] = set()
    for module, names, plain in IMPORT.findall(text):
        if plain:
            found.update(name.split()[0] for name in plain.split(",") if name.strip())
            continue
        found.add(module)
        for name in names.strip("()").split(","):
            if name.split("#")[0].strip():
                found.add(f"{module}.{name.split()[0]}")
    return found


def test_no_module_imports_a_test_module() -> None:
    # A test module imported by another has its helpers found by accident and its tests tied to another's.
    offenders = {
        f"{path.relative_to(TESTS)} imports {module}"
        for path in TESTS.rglob("*.py")
        for module in imported_modules(path.read_text(encoding="utf-8"))
        if module.split(".")[0] == "tests" and module.split(".")[-1].startswith("test_")
    }
    assert sorted(offenders) == []


def test_the_check_sees_every_form_of_import() -> None:
    text = (
        "from tests import (\n    test_a,\n    test_b as b,\n)\nimport tests.test_c\n    from tests.test_d import x\n"
    )
    assert {"tests.test_a", "tests.test_b", "tests.test_c", "tests.test_d"} <= imported_modules(text)
