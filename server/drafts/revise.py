"""The revised draft: adopted changes applied, Điều, khoản and điểm renumbered, cross-references rewritten.

`revise(sections, changes)` is pure: the published sections (as the parser gives them, or their stored rows) and
the adopted changes in, the answer of `GET …/drafts/revised` out (PROTOCOL v1.1):

- `sections`: the revised draft in order, each `{anchor, kind, number, title, text, origin_anchor, change}`.
  `change` is `inserted` (origin_anchor null), `deleted` (kept where it stood, with its published text; its
  descendants are deleted too; `anchor` and `number` are null, since the revised draft has no such section),
  `modified` (its wording differs from the published one beyond its own number: an adopted replacement, or a
  cross-reference rewritten), `renumbered` (only its number or anchor moved) or `unchanged`.
- `renumbered`: `{from, to}` for every published section whose anchor moved, children of a moved Điều included.
- `references_updated`: `{anchor, from, to}` for every reference phrase rewritten (see server.drafts.references
  for the forms understood); a phrase naming a deleted section is left as written with `to: null`.
- `conflicts`: `{origin_anchor, comment_ids}`; none of the changes in a conflict is applied.
- `ignored`: `{origin_anchor, source, kind, reason}` for changes that cannot be applied at all, so that bad rows
  never make the answer fail: `unknown_anchor`, `unknown_kind`, `missing_text` (a replace or insert without
  text), `not_supported` (insert_after or delete of a Phần, Chương, Mục or the preamble: those are never
  renumbered).

Numbering: Điều 1..N through the whole draft, khoản 1..n in each Điều, điểm a, b, c, d, đ, e, … in each khoản
(or in a Điều without khoản); past "y" letters double ("aa", "ab"). The label inside the text follows ("Điều 5."
becomes "Điều 6.", "2." becomes "3.", "b)" becomes "c)"), keeping the heading's Markdown marks.

New wording is read the same way for a replacement and an insertion: a label it starts with is dropped (the
numbering decides it), a Điều's first line is its title, and numbered lines in it ("1. …", "a) …") become khoản
and điểm. A replacement is the section's own text (for a Điều its heading and lead-in): its khoản and điểm stay,
unless the new wording brings its own, which then take their place (the old ones are listed as deleted, the new
as inserted). Several inserts after one section follow in the order of their source. A Phần, Chương or Mục may
only be reworded; it keeps its heading ("Chương II") when the new wording leaves it out.

Conflicts: two changes (by different sources, or different wordings) replacing or deleting one section; a
change inside a section that another change deletes or gives new khoản and điểm; an insertion after a section
that another change deletes. Several insertions after one section, or a delete inside a deleted section, are
not conflicts.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.drafts.parser import (
    POINT_LETTERS,
    _clean_title,
    _heading,
    normalise,
    parse_draft,
)
from server.drafts.references import find_references
from server.errors import Invalid

CHANGE_KINDS = ("replace", "insert_after", "delete")
_NUMBERED = ("article", "clause", "point")
_LABEL = {
    "article": re.compile(r"(?P<lead>\s*(?:#{1,6}\s*)?(?:[*_]{1,3}\s*)?(?:Điều|ĐIỀU)[^\S\n]+)"
                          r"(?P<num>[0-9]+[a-zđ]?)(?![^\W_])(?P<punct>[*_]{0,3}[^\S\n]*[.:\-–—]?[*_]{0,3})"),
    "clause": re.compile(r"(?P<lead>\s*(?:[*_]{1,3})?)(?P<num>[0-9]{1,3})(?P<punct>\\?\.(?:[*_]{1,3})?)(?=\s|$)"),
    "point": re.compile(r"(?P<lead>\s*(?:[*_]{1,3})?)(?P<num>[a-zđ]{1,2})(?P<punct>\\?\)(?:[*_]{1,3})?)(?=\s|$)"),
}
_STRUCTURE_LABEL = re.compile(
    r"\s*(?:#{1,6}\s*)?(?:[*_]{1,3}\s*)?(?:Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC)[^\S\n]+(?:(?i:thứ)\s+\w+|[0-9IVXLCDM]+)")
_HASHES = re.compile(r"\s*(#{1,6}[^\S\n]*)")


class Published(Protocol):
    """A section of the draft as published: the parser's Section or its stored row."""

    anchor: str
    kind: str
    number: str
    title: str
    text: str
    parent: str | None
    position: int


@dataclass(frozen=True)
class Change:
    """One adopted change to the published draft."""

    origin_anchor: str
    kind: str
    text: str | None
    source: int


@dataclass(eq=False)
class _Node:
    """A section of the revised draft while it is being built."""

    kind: str
    text: str
    origin: Published | None = None
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    deleted: bool = False
    renewed: bool = False
    anchor: str | None = None
    number: str | None = None

    def subtree(self) -> list[_Node]:
        return [self, *(node for child in self.children for node in child.subtree())]

    def enclosing(self, kind: str) -> _Node | None:
        """This node or its nearest ancestor of that kind, not looking past the Điều."""
        node: _Node | None = self
        while node is not None and node.kind != kind:
            node = None if node.kind == "article" else node.parent
        return node


def _letter(n: int) -> str:
    if n <= len(POINT_LETTERS):
        return POINT_LETTERS[n - 1]
    return POINT_LETTERS[(n - 1) // len(POINT_LETTERS) - 1] + POINT_LETTERS[(n - 1) % len(POINT_LETTERS)]


def _ends(text: str) -> tuple[str, str]:
    """The whitespace before and after the text's content."""
    body = text.strip()
    if not body:
        return "", text
    head = text[:len(text) - len(text.lstrip())]
    return head, text[len(text.rstrip()):]


def _compose(kind: str, body: str, number: str, like: str) -> str:
    """A label in front of a body, with the Markdown heading marks of the section it stands beside."""
    if kind == "article":
        marks = _HASHES.match(like)
        return f"{marks[1] if marks else ''}Điều {number}. {body}"
    return f"{number}. {body}" if kind == "clause" else f"{number}) {body}"


def _relabel(kind: str, text: str, number: str) -> str:
    label = _LABEL[kind].match(text) if kind in _LABEL else None
    return text if label is None else text[:label.start("num")] + number + text[label.end("num"):]


def _headed(text: str, like: str) -> str:
    """New wording of a Phần, Chương or Mục, under the heading it had when the wording leaves it out."""
    body = text.strip()
    structure = _STRUCTURE_LABEL.match(like)
    if structure and not _STRUCTURE_LABEL.match(body):
        return f"{structure[0].strip()}\n{body}"
    return body


def _same(text: str, other: str) -> bool:
    """Equal but for the line breaks at the end, which only say where the next section starts."""
    return text.rstrip() == other.rstrip()


def _title(node: _Node) -> str:
    origin = node.origin
    if origin is not None and (node.deleted or _same(node.text, _relabel(node.kind, origin.text, node.number or ""))):
        return origin.title
    if node.kind == "article":
        label = _LABEL["article"].match(node.text)
        return _clean_title(node.text[label.end():].split("\n", 1)[0]) if label else ""
    if node.kind in _NUMBERED:
        return ""
    lines = [line for line in node.text.split("\n") if line.strip()]
    if node.kind == "preamble" or not lines:
        return _clean_title(lines[0]) if lines else ""
    match = _heading(lines[0])
    if match and match.title:
        return match.title
    return _clean_title(lines[1]) if len(lines) > 1 else ""


def _tree(sections: Sequence[Published]) -> tuple[_Node, dict[str, _Node]]:
    root = _Node("root", "")
    nodes: dict[str, _Node] = {}
    for section in sorted(sections, key=lambda s: s.position):
        node = _Node(section.kind, section.text, section)
        node.parent = nodes.get(section.parent or "", root)
        node.parent.children.append(node)
        nodes.setdefault(section.anchor, node)
    return root, nodes


def _screen(changes: Iterable[Change], nodes: dict[str, _Node]) -> tuple[list[Change], list[dict[str, Any]]]:
    """Changes that can be applied (deduplicated, in a fixed order), and the others with the reason."""
    valid: set[Change] = set()
    ignored: list[dict[str, Any]] = []
    for change in changes:
        node = nodes.get(change.origin_anchor)
        text = normalise(change.text) if isinstance(change.text, str) and change.kind != "delete" else None
        reason = None
        if change.kind not in CHANGE_KINDS:
            reason = "unknown_kind"
        elif node is None:
            reason = "unknown_anchor"
        elif change.kind != "delete" and not (text and text.strip()):
            reason = "missing_text"
        elif change.kind != "replace" and node.kind not in _NUMBERED:
            reason = "not_supported"
        if reason:
            ignored.append({"origin_anchor": change.origin_anchor, "source": change.source,
                            "kind": change.kind, "reason": reason})
        else:
            valid.add(Change(change.origin_anchor, change.kind, text, change.source))
    order = {anchor: i for i, anchor in enumerate(nodes)}
    ranked = sorted(valid, key=lambda c: (order[c.origin_anchor], c.source, c.kind, c.text or ""))
    ignored.sort(key=lambda i: (str(i["origin_anchor"]), str(i["source"]), str(i["kind"])))
    return ranked, ignored


def _conflicts(changes: list[Change], nodes: dict[str, _Node],
               worded: dict[Change, list[_Node]]) -> dict[str, set[Change]]:
    """Changes that contradict each other, by the published section they meet at."""
    edits: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        if change.kind != "insert_after":
            edits[change.origin_anchor].append(change)
    found: dict[str, set[Change]] = defaultdict(set)
    for anchor, group in edits.items():
        if len(group) > 1:
            found[anchor].update(group)
    deletes = {anchor: [c for c in group if c.kind == "delete"] for anchor, group in edits.items()}
    # New wording that brings its own khoản or điểm takes the place of the old ones, as a delete would.
    clears = {anchor: [c for c in group if c.kind == "delete" or (c in worded and worded[c][0].children)]
              for anchor, group in edits.items()}
    for change in changes:
        if change.kind == "delete":
            # Deleting something inside a deleted section asks for nothing more: no contradiction.
            continue
        node = nodes[change.origin_anchor]
        if change.kind == "insert_after" and deletes.get(change.origin_anchor):
            found[change.origin_anchor].update([change, *deletes[change.origin_anchor]])
        above = node.parent
        while above is not None and above.origin is not None:
            if clears.get(above.origin.anchor):
                found[above.origin.anchor].update([change, *clears[above.origin.anchor]])
            above = above.parent
    return found


def _wording(kind: str, text: str, beside: _Node) -> list[_Node]:
    """The sections a new wording holds: one of `kind` or several, with their khoản and điểm, labels in place.

    A label the wording starts with is dropped: the numbering decides it.
    """
    body = text.strip()
    label = _LABEL[kind].match(body)
    if label:
        body = body[label.end():].lstrip(" \t")
    wrapper = {"article": "", "clause": "Điều 1. _\n", "point": "Điều 1. _\n1. _\n"}[kind]
    first = _compose(kind, body, "a" if kind == "point" else "1", beside.text)
    try:
        parsed = parse_draft(wrapper + first).sections[wrapper.count("\n"):]
    except Invalid:
        parsed = []
    levels = _NUMBERED[_NUMBERED.index(kind):]
    if not parsed or parsed[0].kind != kind or any(s.kind not in levels for s in parsed):
        # Something else in it (a Chương line): keep it whole rather than guess at its structure.
        return [_Node(kind, first)]
    made: dict[str, _Node] = {}
    top: list[_Node] = []
    for section in parsed:
        node = _Node(section.kind, section.text)
        parent = made.get(section.parent or "")
        if parent is None:
            top.append(node)
        else:
            node.parent = parent
            parent.children.append(node)
        made[section.anchor] = node
    return top


def _place(beside: _Node, new: list[_Node]) -> None:
    """Put new sections after a section, its children, and what earlier changes put after it."""
    parent = beside.parent
    assert parent is not None
    # The new block ends as the text it follows did: with the blank line that separates Điều, or without.
    tail = new[-1].subtree()[-1]
    tail.text = tail.text.rstrip() + (_ends(beside.subtree()[-1].text)[1] or "\n")
    at = parent.children.index(beside) + 1
    while at < len(parent.children) and parent.children[at].origin is None:
        at += 1
    for top in new:
        top.parent = parent
    parent.children[at:at] = new


def _replace(node: _Node, new: list[_Node]) -> None:
    """New wording in place of a section's own text; khoản or điểm it brings take the place of the old ones."""
    first, extra = new[0], new[1:]
    head, end = _ends(node.text)
    if first.children:
        last_end = _ends(node.subtree()[-1].text)[1] or "\n"
        for old in node.children:
            for inner in old.subtree():
                inner.deleted = True
        for child in first.children:
            child.parent = node
        node.children += first.children
        node.renewed = True
        tail = node.subtree()[-1]
        tail.text = tail.text.rstrip() + last_end
        end = "\n"
    node.text = head + first.text.strip() + end
    if extra:
        _place(node, extra)


def _apply(changes: list[Change], nodes: dict[str, _Node], worded: dict[Change, list[_Node]]) -> None:
    for change in changes:
        node = nodes[change.origin_anchor]
        if change.kind == "delete":
            for inner in node.subtree():
                inner.deleted = True
        elif change.kind == "replace" and change in worded:
            _replace(node, worded[change])
        elif change.kind == "replace":
            head, end = _ends(node.text)
            node.text = head + _headed(change.text or "", node.text) + end
    for change in changes:
        if change.kind == "insert_after":
            _place(nodes[change.origin_anchor], worded[change])


def _number(root: _Node) -> list[_Node]:
    """Every node in document order; the living ones get their new number, anchor and label."""
    order: list[_Node] = []
    articles = 0

    def walk(parent: _Node) -> None:
        nonlocal articles
        counts = {"clause": 0, "point": 0}
        for node in parent.children:
            if node.deleted:
                order.extend(node.subtree())
                continue
            order.append(node)
            if node.kind == "article":
                articles += 1
                node.number, node.anchor = str(articles), f"dieu-{articles}"
            elif node.kind in counts:
                counts[node.kind] += 1
                n = counts[node.kind]
                node.number = str(n) if node.kind == "clause" else _letter(n)
                slug = f"khoan-{n}" if node.kind == "clause" else "diem-" + node.number.replace("đ", "dd")
                node.anchor = f"{parent.anchor}.{slug}"
            else:
                assert node.origin is not None
                node.number, node.anchor = node.origin.number, node.origin.anchor
            node.text = _relabel(node.kind, node.text, node.number)
            walk(node)

    walk(root)
    return order


def _context(node: _Node) -> tuple[str | None, str | None]:
    """The published Điều and khoản a text stands in, which "Điều này" and "khoản này" name.

    None where there is none, or where new wording gave it new khoản or điểm: "khoản 2 Điều này" there names
    one of the new ones, numbered as written, and stays as it is.
    """
    def published(inner: _Node | None) -> str | None:
        return None if inner is None or inner.origin is None or inner.renewed else inner.origin.anchor

    return published(node.enclosing("article")), published(node.enclosing("clause"))


def _rewrite_references(order: list[_Node], nodes: dict[str, _Node]) -> list[dict[str, Any]]:
    updated: list[dict[str, Any]] = []
    for node in order:
        if node.deleted:
            continue
        label = _LABEL[node.kind].match(node.text) if node.kind in _LABEL else None
        article, clause = _context(node)
        pieces: list[str] = []
        at = 0
        for ref in find_references(node.text, label.end() if label else 0, article, clause, nodes):
            before = node.text[ref.start:ref.end]
            named = [nodes[target.anchor] for target in ref.targets]
            if any(target.deleted for target in named):
                updated.append({"anchor": node.anchor, "from": before, "to": None})
                continue
            after, cut = [], ref.start
            for target, section in zip(ref.targets, named, strict=True):
                after += [node.text[cut:target.start], section.number or ""]
                cut = target.end
            phrase = "".join(after) + node.text[cut:ref.end]
            if phrase != before:
                updated.append({"anchor": node.anchor, "from": before, "to": phrase})
                pieces += [node.text[at:ref.start], phrase]
                at = ref.end
        if pieces:
            node.text = "".join(pieces) + node.text[at:]
    return updated


def _change(node: _Node) -> str:
    if node.deleted:
        return "deleted"
    if node.origin is None:
        return "inserted"
    if not _same(node.text, _relabel(node.kind, node.origin.text, node.number or "")):
        return "modified"
    moved = node.anchor != node.origin.anchor or node.number != node.origin.number
    return "renumbered" if moved else "unchanged"


def revise(sections: Sequence[Published], changes: Iterable[Change]) -> dict[str, Any]:
    """The published draft with the adopted changes applied and renumbered; never raises on bad changes."""
    root, nodes = _tree(sections)
    valid, ignored = _screen(changes, nodes)
    worded = {change: _wording(nodes[change.origin_anchor].kind, change.text or "", nodes[change.origin_anchor])
              for change in valid if change.kind != "delete" and nodes[change.origin_anchor].kind in _NUMBERED}
    conflicts = _conflicts(valid, nodes, worded)
    blocked = {change for group in conflicts.values() for change in group}
    _apply([change for change in valid if change not in blocked], nodes, worded)
    order = _number(root)
    references = _rewrite_references(order, nodes)
    living = [node for node in order if not node.deleted]
    # The published draft may end without a line break; a section placed after it must start on a new line.
    for node in living[:-1]:
        if not node.text.endswith("\n"):
            node.text += "\n"
    rank = {anchor: i for i, anchor in enumerate(nodes)}
    return {
        "sections": [{
            "anchor": None if node.deleted else node.anchor,
            "kind": node.kind,
            "number": None if node.deleted else node.number,
            "title": _title(node),
            "text": node.text,
            "origin_anchor": node.origin.anchor if node.origin else None,
            "change": _change(node),
        } for node in order],
        "renumbered": [{"from": node.origin.anchor, "to": node.anchor} for node in living
                       if node.origin is not None and node.anchor != node.origin.anchor],
        "references_updated": references,
        "conflicts": [{"origin_anchor": anchor, "comment_ids": sorted({c.source for c in conflicts[anchor]})}
                      for anchor in sorted(conflicts, key=rank.__getitem__)],
        "ignored": ignored,
    }
