"""Every error the server can answer with has words in Vietnamese and English, and no console falls back on the
browser's own English dialogs."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from server import errors
from server.http.middlewares import HTTP_CODES
from tests.support.browser import catalog

ROOT = Path(__file__).resolve().parents[1]


def _constant(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def error_codes() -> dict[str, str]:
    """Every error code written in server/, with where: `code = "…"` on an error class, `code="…"` on a raise,
    and the codes the middleware answers with itself."""
    found: dict[str, str] = {
        code: "server/http/middlewares.py" for code in (*HTTP_CODES.values(), "http_error", "internal_error")
    }
    for path in sorted((ROOT / "server").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                            and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == "code"):
                        code = _constant(statement.value)
                        if code:
                            found.setdefault(code, f"{where}:{statement.lineno}")
            elif isinstance(node, ast.Call):
                for keyword in node.keywords:
                    code = _constant(keyword.value) if keyword.arg == "code" else None
                    if code:
                        found.setdefault(code, f"{where}:{node.lineno}")
                name = node.func.id if isinstance(node.func, ast.Name) else None
                if name == "error_response" and len(node.args) > 1:
                    code = _constant(node.args[1])
                    if code:
                        found.setdefault(code, f"{where}:{node.lineno}")
    return found


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = error_codes()
    # One of each kind: a class default, a raise's own code, a code of the middleware.
    assert {"conflict", "duplicate_code", "revision_conflict", "internal_error", "method_not_allowed"} <= set(codes)
    assert {errors.Closed.code, errors.RateLimited.code} <= set(codes)


def test_every_error_code_has_a_vietnamese_and_an_english_text() -> None:
    vi, en = catalog("vi"), catalog("en")
    codes = error_codes()
    missing = {code: where for code, where in codes.items() if f"error.{code}" not in vi or f"error.{code}" not in en}
    assert not missing, f"add error.<code> to web/locales/vi.json and en.json for: {missing}"
    for code in codes:
        # Different words in the two catalogs, and Vietnamese that is written with its diacritics.
        assert vi[f"error.{code}"] != en[f"error.{code}"], code
        assert re.search(r"[^\x00-\x7f]", vi[f"error.{code}"]), code
    # The codes the browser makes up itself when there is no answer at all.
    assert {"error.network", "error.unknown"} <= vi.keys() & en.keys()


def test_every_code_the_error_reference_lists_has_a_text() -> None:
    """docs/errors.md is what integrators read; each of its codes is one a person may also meet in a console."""
    vi, en = catalog("vi"), catalog("en")
    listed = re.findall(r"^\| `([a-z_]+)` \|", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert len(listed) > 20, "the table of docs/errors.md was not read"
    missing = [code for code in listed if f"error.{code}" not in vi or f"error.{code}" not in en]
    assert not missing, f"add error.<code> to web/locales/vi.json and en.json for: {missing}"


def test_no_console_uses_the_browsers_own_dialogs() -> None:
    # The templates too: an inline onclick="return confirm(…)" would be as English as a script's.
    scripts = sorted([*(ROOT / "web" / "static" / "js").glob("*.js"), *(ROOT / "web" / "templates").rglob("*.html")])
    used = [f"{p.name}:{n}" for p in scripts for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"\b(window\.)?(confirm|alert|prompt)\(", line) and not line.lstrip().startswith(("//", "*"))]
    assert not used, f"use confirmDialog() from dialog.js: {used}"
