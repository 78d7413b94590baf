"""The server's packages and the arrows of their imports, read from the code, and drawn as docs/architecture.svg.

    python -m tests.support.house docs/architecture.svg
"""
from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
Graph = dict[str, dict[str, str]]
# Small modules any layer may use (errors, texts, settings, keys…) would tie every box to every other: the
# drawing keeps the capability packages, the write path and the data model.
DRAWN_MODULES = frozenset({"server.writes", "server.events", "server.audit", "server.delivery"})
BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN, BOW = 132, 34, 22, 58, 20, 18


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


def arrows(root: Path = ROOT) -> Graph:
    """unit -> {unit it imports: the first file that does}."""
    graph: Graph = {}
    for path in sorted([*root.glob("server/**/*.py"), *root.glob("schema/**/*.py")]):
        relative = path.relative_to(root)
        source = unit_of(".".join(relative.with_suffix("").parts))
        assert source is not None
        graph.setdefault(source, {})
        for module in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = unit_of(module)
            if target is not None and target != source:
                graph[source].setdefault(target, str(relative))
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected groups of more than one unit (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        on_stack.add(unit)

    for start in sorted(graph):
        if start in index:
            continue
        visit(start)
        work = [(start, iter(sorted(graph.get(start, {}))))]
        while work:
            unit, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    visit(target)
                    work.append((target, iter(sorted(graph.get(target, {})))))
                elif target in on_stack:
                    low[unit] = min(low[unit], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[unit])
            if low[unit] == index[unit]:
                group: list[str] = []
                while not group or group[-1] != unit:
                    group.append(stack.pop())
                    on_stack.discard(group[-1])
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def drawn(graph: Graph, root: Path = ROOT) -> dict[str, set[str]]:
    """The packages, the write path and schema, with only the arrows no longer path between them already implies
    (the transitive reduction, which an acyclic graph has exactly one of)."""
    packages = {u for u in graph if u.startswith("server.") and (root / u.replace(".", "/")).is_dir()}
    keep = packages | {u for u in graph if u == "schema" or u in DRAWN_MODULES}
    direct = {u: {t for t in graph[u] if t in keep} for u in sorted(keep)}
    reach: dict[str, set[str]] = {}

    def reachable(unit: str) -> set[str]:
        if unit not in reach:
            reach[unit] = set()
            for target in direct[unit]:
                reach[unit] |= {target} | reachable(target)
        return reach[unit]

    return {u: {t for t in ts if not any(t in reachable(o) for o in ts - {t})} for u, ts in direct.items()}


def layers(edges: dict[str, set[str]]) -> list[list[str]]:
    """Rows from the top: a unit sits one row above the highest unit it imports, schema at the bottom."""
    height: dict[str, int] = {}

    def of(unit: str) -> int:
        if unit not in height:
            height[unit] = 1 + max((of(t) for t in edges[unit]), default=-1)
        return height[unit]

    rows = [sorted(u for u in edges if of(u) == h) for h in range(max(map(of, edges)) + 1)][::-1]
    # A few sweeps of the barycentre rule put each unit under what imports it, so fewer arrows cross.
    for _ in range(4):
        for above, row in zip(rows, rows[1:], strict=False):
            place = {u: i for i, u in enumerate(above)}
            row.sort(key=lambda u: (sum(place[s] for s in above if u in edges[s]) /
                                    max(1, sum(1 for s in above if u in edges[s])), u))
    return rows


def svg(edges: dict[str, set[str]]) -> str:
    """The drawing: boxes in rows, an arrow from each importer down to what it imports; an arrow that passes rows
    bows out to the right, clear of the boxes it passes."""
    rows = layers(edges)
    row_of = {unit: r for r, row in enumerate(rows) for unit in row}
    width = max(len(row) for row in rows) * (BOX_W + GAP_X) - GAP_X + 2 * MARGIN + BOW * len(rows)
    height = len(rows) * (BOX_H + GAP_Y) - GAP_Y + 2 * MARGIN
    centre: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        left = MARGIN + (width - BOW * len(rows) - 2 * MARGIN - (len(row) * (BOX_W + GAP_X) - GAP_X)) / 2
        for i, unit in enumerate(row):
            centre[unit] = (left + i * (BOX_W + GAP_X) + BOX_W / 2, MARGIN + r * (BOX_H + GAP_Y) + BOX_H / 2)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="12">',
        "<title>Điểm Cầu: the server's packages; an arrow points from a package to one it imports</title>",
        '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for source in sorted(edges):
        for target in sorted(edges[source]):
            (x1, y1), (x2, y2) = centre[source], centre[target]
            y1, y2 = y1 + BOX_H / 2, y2 - BOX_H / 2
            bow = 0 if row_of[target] - row_of[source] == 1 else BOX_W / 2 + BOW * (row_of[target] - row_of[source])
            out.append(f'<path data-from="{source}" data-to="{target}" d="M{x1:.1f},{y1:.1f} C{x1 + bow:.1f},'
                       f'{y1 + GAP_Y:.1f} {x2 + bow:.1f},{y2 - GAP_Y:.1f} {x2:.1f},{y2:.1f}" fill="none" '
                       'stroke="#888" marker-end="url(#head)"/>')
    for unit, (x, y) in sorted(centre.items()):
        label = unit.removeprefix("server.")
        fill = "#eef4fb" if unit in DRAWN_MODULES or unit == "schema" else "#fff"
        out.append(f'<g data-unit="{unit}"><rect x="{x - BOX_W / 2:.1f}" y="{y - BOX_H / 2:.1f}" width="{BOX_W}" '
                   f'height="{BOX_H}" rx="5" fill="{fill}" stroke="#333"/><text x="{x:.1f}" y="{y + 4:.1f}" '
                   f'text-anchor="middle">{escape(label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(svg(drawn(arrows())), encoding="utf-8")
