"""The server's packages import each other without a cycle, and docs/architecture.svg draws their arrows as they are."""
from __future__ import annotations

import re
import subprocess
import sys

from tests.support.house import ROOT, arrows, cycles, drawn


def test_finds_a_cycle() -> None:
    graph = {"a": {"b": "a.py"}, "b": {"c": "b.py"}, "c": {"a": "c.py"}, "d": {"a": "d.py"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b": "a.py"}, "b": {}}) == []


def test_the_server_packages_import_each_other_without_a_cycle() -> None:
    graph = arrows()
    # The walk must see the packages it guards, or an empty graph would pass.
    assert {"server.attendance", "server.conferences", "server.events", "server.summary"} <= graph.keys()
    report = [
        f"{source} -> {target} ({graph[source][target]})"
        for group in cycles(graph)
        for source in group
        for target in sorted(graph[source])
        if target in group
    ]
    assert report == []


def test_the_drawing_shows_the_arrows_of_the_code() -> None:
    picture = (ROOT / "docs" / "architecture.svg").read_text(encoding="utf-8")
    shown = set(re.findall(r'data-from="([^"]+)" data-to="([^"]+)"', picture))
    expected = {(source, target) for source, targets in drawn(arrows()).items() for target in targets}
    # Made again with: python -m tests.support.house docs/architecture.svg
    assert sorted(shown ^ expected) == []


def test_a_start_does_not_import_the_document_libraries() -> None:
    # Every server start and CLI command imports the app; these load where a PDF, a signature, a spreadsheet or a
    # Word file is made, which most starts never do (they were a third of the start's import time).
    heavy = ("fpdf", "fontTools", "pyhanko", "openpyxl", "docx")
    script = f"import sys, server.app, server.__main__; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
