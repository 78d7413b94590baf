"""docs/configuration.md lists exactly the DIEMCAU_* variables the code under server/ reads."""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "configuration.md"
NAME = re.compile(r"DIEMCAU_[A-Z0-9_]+")
# A variable is documented by a heading of its own, "### `DIEMCAU_NAME`".
HEADING = re.compile(r"^#{2,4} `(DIEMCAU_[A-Z0-9_]+)`\s*$", re.MULTILINE)


def names_read_in(source: str, filename: str = "<source>") -> list[tuple[str, int]]:
    """Every string literal that is a variable name and nothing else: env.get("DIEMCAU_X"),
    _read(env, "DIEMCAU_X", ...), TOKEN_ENV = "DIEMCAU_X". Names inside prose (help texts, docstrings) are not reads."""
    return [
        (node.value, node.lineno)
        for node in ast.walk(ast.parse(source, filename))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME.fullmatch(node.value)
    ]


@cache
def read_by_code() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "server").rglob("*.py")):
        for name, line in names_read_in(path.read_text(encoding="utf-8"), str(path)):
            found.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{line}")
    return found


def documented() -> list[str]:
    return HEADING.findall(REFERENCE.read_text(encoding="utf-8"))


def test_every_variable_the_server_reads_is_in_the_reference() -> None:
    missing = {name: where for name, where in read_by_code().items() if name not in documented()}
    assert not missing, f"read by the code but not in docs/configuration.md: {missing}"


def test_the_reference_lists_no_variable_the_server_does_not_read() -> None:
    stale = sorted(set(documented()) - set(read_by_code()))
    assert not stale, f"in docs/configuration.md but read nowhere under server/: {stale}"


def test_each_variable_has_one_section_with_what_it_accepts_and_its_default() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    names = documented()
    assert len(names) == len(set(names)), "a variable has two sections"
    sections = re.split(r"^#{2,4} `DIEMCAU_[A-Z0-9_]+`\s*$", text, flags=re.MULTILINE)[1:]
    for name, section in zip(names, sections, strict=True):
        body = section.split("\n## ", 1)[0]
        assert "**Accepts:**" in body and "**Default:**" in body and "**Example:**" in body, name


def test_the_scan_sees_reads_and_ignores_prose() -> None:
    # The scan is what the two tests above stand on: a read in settings.py counts, a mention in a help text does not.
    found = read_by_code()
    assert "DIEMCAU_SESSION_HOURS" in found and "DIEMCAU_SIMULATE_TOKEN" in found
    assert names_read_in('x = env.get("DIEMCAU_A")\nhelp = "see DIEMCAU_B for more"\n"""DIEMCAU_C=json."""\n') == [
        ("DIEMCAU_A", 1)
    ]
