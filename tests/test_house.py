"""The server's packages import each other without a cycle, so each can be read, and changed, from the bottom up."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def unit_of(module: str) -> str | None:
    """The package (server/attendance/…) or top-level module (server/events.py) a module belongs to, or schema."""
    parts = module.split(".")
    if parts[:2] == ["schema", "migrations"]:
        # A migration may backfill with the server's own functions; nothing imports a migration, so no cycle
        # can run through one.
        return "schema.migrations"
    if parts[0] == "schema":
        return "schema"
    if parts[0] == "server" and len(parts) > 1:
        return f"server.{parts[1]}"
    return None


def runtime_imports(tree: ast.Module) -> Iterator[str]:
    """What a module imports when it runs: names under `if TYPE_CHECKING:` are only read by the type checker."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            # `from server import events` reaches server.events, not the server package.
            yield from (f"{node.module}.{alias.name}" for alias in node.names if node.module == "server")


def arrows() -> dict[str, dict[str, str]]:
    """unit -> {unit it imports: the first file that does}."""
    graph: dict[str, dict[str, str]] = {}
    for path in sorted([*ROOT.glob("server/**/*.py"), *ROOT.glob("schema/**/*.py")]):
        relative = path.relative_to(ROOT)
        source = unit_of(".".join(relative.with_suffix("").parts))
        assert source is not None
        for module in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = unit_of(module)
            if target is not None and target != source:
                graph.setdefault(source, {}).setdefault(target, str(relative))
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one unit (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            unit, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, {})))))
                elif target in on_stack:
                    low[unit] = min(low[unit], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[unit])
            if low[unit] == index[unit]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == unit:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


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
