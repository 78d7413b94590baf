"""docs/errors.md is what server/http/error_catalogue.py generates from the code, and it misses no error class."""
from __future__ import annotations

from pathlib import Path

import pytest

import server.app  # noqa: F401  (imports every module that defines an error class)
from server.errors import DomainError
from server.http import error_catalogue
from server.http.error_catalogue import DOCUMENT, Nodes, collect, nodes_of, render


def test_docs_errors_md_is_what_the_code_says() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == render(collect()), "run: python -m server.http.error_catalogue"


def _subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))]


def test_every_error_class_loaded_is_in_the_catalogue_with_its_status() -> None:
    # The catalogue reads the source; the classes the running server has loaded are the check on that reading.
    statuses = {entry.code: entry.statuses for entry in collect()}
    for cls in _subclasses(DomainError):
        assert cls.status in statuses.get(cls.code, set()), f"{cls.__module__}.{cls.__name__}: {cls.code} {cls.status}"


def source(*modules: tuple[str, str]) -> list[tuple[str, Nodes]]:
    errors = (
        "server/errors.py",
        "class DomainError(Exception):\n    status = 400\n    code = 'bad_request'\n"
        "class Conflict(DomainError):\n    '''The state does not allow it.'''\n    status = 409\n    code = "
        "'conflict'\n",
    )
    return [(name, nodes_of(text)) for name, text in (errors, *modules)]


def test_a_subclass_elsewhere_and_a_given_code_are_found() -> None:
    codes = collect(
        source(
            (
                "server/a.py",
                "from server.errors import Conflict\nclass Busy(Conflict):\n    '''The room is busy.'''\n    code = "
                "'busy'\n",
            ),
            ("server/b.py", "def f():\n    raise errors.Conflict('no', code='taken')\n"),
        ),
        {"taken": "Someone took it."},
    )
    assert [(c.code, c.statuses, c.meaning, c.modules) for c in codes] == [
        ("busy", {409}, "The room is busy.", {"server/a.py"}),
        ("conflict", {409}, "The state does not allow it.", {"server/errors.py"}),
        ("taken", {409}, "Someone took it.", {"server/b.py"}),
    ]


@pytest.mark.parametrize(
    "module,meanings,problem",
    [
        ("raise Conflict('no', code=CODE)", {}, "code= is not a string literal"),
        ("raise Conflict('no', code='new_code')", {}, "new_code: no meaning"),
        ("raise Conflict('no')", {"gone": "Gone."}, "gone: in MEANINGS but answered nowhere"),
    ],
)
def test_a_code_the_catalogue_cannot_explain_fails_the_generation(
    module: str, meanings: dict[str, str], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        collect(source(("server/c.py", module)), meanings)


def test_check_fails_when_the_document_is_stale(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stale = tmp_path / "errors.md"
    stale.write_text("# Error codes\n", encoding="utf-8")
    monkeypatch.setattr(error_catalogue, "DOCUMENT", stale)
    assert error_catalogue.main(["--check"]) == 1
    stale.write_text(render(collect()), encoding="utf-8")
    assert error_catalogue.main(["--check"]) == 0
