"""docs/errors.md, generated from the code: every error code the server can answer, its HTTP status and meaning.

    python -m server.http.error_catalogue           # rewrite docs/errors.md
    python -m server.http.error_catalogue --check   # exit 1 when docs/errors.md is not what the code says

The codes are read from the source with ast, not by importing it: the classes of server/errors.py and their
subclasses anywhere under server/ (each with its status, code and docstring), every `code="..."` given to one of
them, and the codes the errors middleware answers for aiohttp's own refusals. A code given here must be a string
literal, so that this catalogue can see it.
"""
from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1]
ROOT = SERVER.parent
DOCUMENT = ROOT / "docs" / "errors.md"
BASE = "DomainError"
MIDDLEWARE = SERVER / "http" / "middlewares.py"

# What each code passed as code="..." means, for the person reading an answer. A class's own code is explained by
# the class's docstring unless a line here says more. A new code needs one or the other: generating fails without.
MEANINGS: dict[str, str] = {
    "already_checked_in": "The participant is already present (or, for a substitute, the roster member is there in "
        "person).",
    "already_represented": "Another substitute for this roster member is already present.",
    "already_requested": "The participant is already in the speaking queue.",
    "already_struck": "This stay is already struck from the record.",
    "bad_code": "The scanned or typed participant code is malformed or forged.",
    "bad_credentials": "Wrong username or password.",
    "bad_form": "The form body is malformed.",
    "bad_multipart": "The multipart body is malformed (a part header or the boundary).",
    "bad_origin": "A cookie-authenticated write from an origin neither the server's own nor in "
        "DIEMCAU_ALLOWED_ORIGINS.",
    "conference_closed": "The workshop is closed; its record no longer changes.",
    "conference_open": "The draft cannot be replaced once the workshop is open.",
    "csrf_failed": "A cookie-authenticated write without the session's X-CSRF-Token.",
    "duplicate_code": "A bridge point with this code already exists in the workshop.",
    "duplicate_comment": "A duplicate is ruled through the comment it was merged into, not on its own.",
    "foreign_code": "The participant code belongs to another workshop.",
    "http_error": "Another refusal by the HTTP layer itself, with its own status.",
    "idempotency_mismatch": "This Idempotency-Key was already used with a different request.",
    "import_invalid": "The roster file has errors (listed in details); nothing was imported.",
    "in_use": "Remarks or speaking requests refer to this agenda item, so it cannot be deleted.",
    "internal_error": "An unexpected failure on the server; it is logged. Report it.",
    "invalid_json": "The body is not valid JSON.",
    "invalid_state": "The workshop's state does not allow this change (e.g. opening a closed one).",
    "invalid_transition": "The agenda item or speaking request is not in a state that allows this move.",
    "invitation_revoked": "The invitation was revoked; make a new one instead of reissuing it.",
    "locked": "The account is locked after too many failed sign-ins; details.retry_after says for how many seconds.",
    "method_not_allowed": "The URL exists but not with this HTTP method.",
    "metrics_off": "/metrics is not served on this address (set DIEMCAU_METRICS_TOKEN, or use DIEMCAU_METRICS_LISTEN).",
    "metrics_token": "/metrics needs Authorization: Bearer with the token set in DIEMCAU_METRICS_TOKEN.",
    "not_a_duplicate": "The comment is not merged into another, so there is nothing to unmerge.",
    "no_draft": "The comment has no drafted answer for the chair to approve.",
    "not_checked_in": "The participant is not checked in.",
    "not_on_roster": "Only a roster member can be substituted for or marked absent.",
    "not_present": "Only a participant who is checked in can ask for the floor or have input filed for them.",
    "not_ruled": "The comment has no ruling yet, so its author has nothing to answer.",
    "quota_exhausted": "This bridge point has used its speaking time.",
    "revision_conflict": "Someone changed this since you loaded it; details carry the current revision.",
    "session_revoked": "The invitation behind this socket was revoked or has expired.",
    "shutting_down": (
        "The server is stopping (/healthz says so too); nothing of the write was written. "
        "Send it again in a moment: another process, or this one restarted, takes it."
    ),
    "undo_expired": "A check-in can be undone only within five minutes; check the person out instead.",
    "unresolved_conflicts": "Adopted changes to the draft contradict each other (details.conflicts: the section and "
    "the comments); the chair rules again so that one of each stays adopted, then closes.",
    "username_taken": "This username is taken.",
    "weak_password": "The password breaks a rule (details.password says which).",
    "wrong_point": "This person belongs to another bridge point.",
}


@dataclass
class ErrorClass:
    """One DomainError class as written: its bases, and the status, code and docstring it sets itself."""

    name: str
    bases: list[str]
    module: str
    status: int | None
    code: str | None
    doc: str


@dataclass
class Code:
    """One code the server can answer, with every status it comes with and the files that give it."""

    code: str
    statuses: set[int] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)
    meaning: str = ""


Nodes = tuple[ast.AST, ...]


def nodes_of(source: str, filename: str = "<source>") -> Nodes:
    """Every node of a module, in ast.walk's order: walked once, read by every pass."""
    return tuple(ast.walk(ast.parse(source, filename)))


@cache
def _modules() -> list[tuple[str, Nodes]]:
    """The source under server/, parsed and walked once per process."""
    paths = sorted(SERVER.rglob("*.py"))
    return [
        (path.relative_to(ROOT).as_posix(), nodes_of(path.read_text(encoding="utf-8"), str(path))) for path in paths
    ]


def _constant(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _class_of(node: ast.ClassDef, module: str) -> ErrorClass:
    found: dict[str, object] = {}
    for statement in node.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in ("status", "code"):
                    found[target.id] = _constant(statement.value)
    status, code = found.get("status"), found.get("code")
    return ErrorClass(
        name=node.name,
        bases=[b.id for b in node.bases if isinstance(b, ast.Name)],
        module=module,
        status=status if isinstance(status, int) else None,
        code=code if isinstance(code, str) else None,
        doc=" ".join((ast.get_docstring(node) or "").split()),
    )


def error_classes(modules: list[tuple[str, Nodes]]) -> dict[str, ErrorClass]:
    """DomainError and every class that derives from it, wherever it is defined, with status and code resolved."""
    written = [_class_of(node, module) for module, nodes in modules for node in nodes if isinstance(node, ast.ClassDef)]
    known = {c.name: c for c in written if c.name == BASE}
    grew = True
    while grew:
        grew = False
        for candidate in written:
            base = next((known[b] for b in candidate.bases if b in known), None)
            if candidate.name not in known and base is not None:
                candidate.status = candidate.status or base.status
                candidate.code = candidate.code or base.code
                known[candidate.name] = candidate
                grew = True
    return known


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def collect(modules: list[tuple[str, Nodes]] | None = None, meanings: dict[str, str] = MEANINGS) -> list[Code]:
    """Every code, sorted by status then code; a code without a meaning, or not a literal, is an error."""
    modules = _modules() if modules is None else modules
    classes = error_classes(modules)
    codes: dict[str, Code] = {}

    def add(code: str, status: int, module: str, meaning: str = "") -> None:
        entry = codes.setdefault(code, Code(code))
        entry.statuses.add(status)
        entry.modules.add(module)
        entry.meaning = entry.meaning or meaning

    for cls in classes.values():
        # A subclass that keeps its parent's code (PdfUnavailable) adds no code of its own.
        inherited = any(classes[b].code == cls.code for b in cls.bases if b in classes and b != BASE)
        if cls.name != BASE and not inherited and cls.code is not None and cls.status is not None:
            add(cls.code, cls.status, cls.module, cls.doc)
    problems: list[str] = []
    for module, nodes in modules:
        for node in nodes:
            if not isinstance(node, ast.Call) or _called(node) not in classes:
                continue
            cls = classes[_called(node) or ""]
            for keyword in node.keywords:
                if keyword.arg != "code":
                    continue
                code = _constant(keyword.value)
                if not isinstance(code, str):
                    problems.append(f"{module}:{node.lineno}: code= is not a string literal")
                elif cls.status is not None:
                    add(code, cls.status, module)
    middleware = MIDDLEWARE.relative_to(ROOT).as_posix()
    for status, code in _middleware_codes(dict(modules).get(middleware, ())):
        add(code, status, middleware)
    for entry in codes.values():
        entry.meaning = meanings.get(entry.code) or entry.meaning
        if not entry.meaning:
            problems.append(f"{entry.code}: no meaning; add one to MEANINGS in server/http/error_catalogue.py")
    problems += [f"{code}: in MEANINGS but answered nowhere" for code in meanings if code not in codes]
    if problems:
        raise ValueError("\n".join(problems))
    return sorted(codes.values(), key=lambda c: (min(c.statuses), c.code))


def _middleware_codes(nodes: Nodes) -> list[tuple[int, str]]:
    """What the errors middleware answers itself: its HTTP_CODES table, its fallback, and error_response(status,
    code)."""
    found: list[tuple[int, str]] = []
    for node in nodes:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "HTTP_CODES" for t in node.targets):
            if isinstance(node.value, ast.Dict):
                found += [(_int(k), str(_constant(v))) for k, v in zip(node.value.keys, node.value.values, strict=True)]
        elif isinstance(node, ast.Call) and _called(node) == "get" and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "HTTP_CODES" and len(node.args) == 2:
                # The fallback covers every other 4XX aiohttp raises; 400 stands for the family.
                found.append((400, str(_constant(node.args[1]))))
        elif isinstance(node, ast.Call) and _called(node) == "error_response" and len(node.args) >= 2:
            status, code = _constant(node.args[0]), _constant(node.args[1])
            if isinstance(status, int) and isinstance(code, str):
                found.append((status, code))
    return found


def _int(node: ast.AST | None) -> int:
    value = _constant(node)
    if not isinstance(value, int):
        raise ValueError("HTTP_CODES keys are HTTP statuses")
    return value


def render(codes: list[Code]) -> str:
    lines = [
        "# Error codes",
        "",
        "<!-- Generated by `python -m server.http.error_catalogue` from the code; do not edit by hand. -->",
        "",
        "Every refusal from the API (`/api/v1/...`, `/healthz`, `/metrics`) or to a socket `join` has one shape",
        "(the pages for people answer in HTML instead):",
        "",
        "```json",
        '{"error": {"code": "already_checked_in", "message": "Already checked in", "details": {"participant_id": 42}}}',
        "```",
        "",
        "`code` is stable and meant for programs; `message` is English text for people and may change;",
        "`details` names the fields or figures concerned (`details.retry_after`, in seconds, on every 429).",
        "A write refused with a 4XX changed nothing. A 503 may succeed when sent again; a write that creates",
        "something, sent again with the same `Idempotency-Key`, is done at most once.",
        "",
        "| code | status | meaning | given in |",
        "| --- | --- | --- | --- |",
    ]
    for entry in codes:
        statuses = ", ".join(str(s) for s in sorted(entry.statuses))
        if entry.code == "http_error":
            statuses = "4XX"
        where = ", ".join(f"`{m}`" for m in sorted(entry.modules))
        lines.append(f"| `{entry.code}` | {statuses} | {entry.meaning.replace('|', '/')} | {where} |")
    lines += [
        "",
        "The codes `bad_request`, `invalid`, `unauthorized`, `forbidden`, `not_found`, `conflict`,",
        "`rate_limited` and `unavailable` are each the default of a class in `server/errors.py`, given by many",
        "operations; the table names the file of the class.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/errors.md from the code.")
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/errors.md differs from the code")
    args = parser.parse_args(argv)
    text = render(collect())
    if args.check:
        current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
        if current != text:
            print("docs/errors.md is out of date: run python -m server.http.error_catalogue", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(text, encoding="utf-8")
    print(DOCUMENT.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
