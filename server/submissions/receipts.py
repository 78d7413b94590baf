"""Receipts: a SHA-256 over each contribution as stored, and the Merkle tree the frozen record publishes of them.

The recipe is public (docs/protocol-extensions.md, "Receipts") so that anyone holding a comment or remark as the
API shows it can recompute its receipt, and anyone holding the frozen JSON can recompute the root. Nothing here
may change once records carry receipts: a changed recipe would make every receipt given before unverifiable.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

ALGORITHM = "sha256-merkle"
# A receipt is 32 bytes written as lowercase hex, nothing else.
HEX = frozenset("0123456789abcdef")


def is_receipt(text: str) -> bool:
    return len(text) == 64 and set(text) <= HEX


def canonical(fields: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8 with letters as they are (text is stored NFC, so it is hashed NFC)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _moment(created_at: datetime) -> str:
    # The same string the API shows as `created_at`: the UTC instant in ISO 8601, "+00:00" as its offset.
    return created_at.astimezone(UTC).isoformat()


def comment_fields(row: Any) -> dict[str, Any]:
    """What a comment's receipt covers: who, where, and what its author wrote (no ruling, no moderation)."""
    return {
        "kind": "comment",
        "id": row.id,
        "conference_id": row.conference_id,
        "participant_id": row.participant_id,
        "section_anchor": row.section_anchor,
        "body": row.body,
        "proposal_kind": row.proposal_kind,
        "proposed_text": row.proposed_text,
        "created_at": _moment(row.created_at),
    }


def remark_fields(row: Any) -> dict[str, Any]:
    """What a remark's receipt covers; an attached file by its SHA-256, which binds its bytes."""
    return {
        "kind": "remark",
        "id": row.id,
        "conference_id": row.conference_id,
        "participant_id": row.participant_id,
        "agenda_item_id": row.agenda_item_id,
        "title": row.title,
        "body": row.body,
        "attachment_sha256": row.attachment_sha256,
        "created_at": _moment(row.created_at),
    }


def receipt(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def comment_receipt(row: Any) -> str:
    return receipt(comment_fields(row))


def remark_receipt(row: Any) -> str:
    return receipt(remark_fields(row))


def _parent(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(left + right).digest()


def _levels(leaves: Sequence[str]) -> list[list[bytes]]:
    """Every level of the tree, leaves first; an odd node at the end of a level is carried up unchanged."""
    level = [bytes.fromhex(leaf) for leaf in leaves]
    levels = [level]
    while len(level) > 1:
        level = [_parent(*level[i:i + 2]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def merkle_root(leaves: Sequence[str]) -> str:
    """The root over the receipts in order; over none, the SHA-256 of the empty string."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    return _levels(leaves)[-1][0].hex()


def merkle_proof(leaves: Sequence[str], index: int) -> list[dict[str, str]]:
    """The path from leaf `index` to the root: at each level the sibling and on which side it stands.

    A level where the node is carried up has no sibling, so adds no step.
    """
    steps = []
    for level in _levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            steps.append({"side": "left" if sibling < index else "right", "hash": level[sibling].hex()})
        index //= 2
    return steps


def root_of_proof(leaf: str, proof: Sequence[dict[str, str]]) -> str:
    """What a proof says the root is: the leaf hashed up with each sibling on its side."""
    node = bytes.fromhex(leaf)
    for step in proof:
        sibling = bytes.fromhex(step["hash"])
        node = _parent(sibling, node) if step["side"] == "left" else _parent(node, sibling)
    return node.hex()


def record_receipts(model: dict[str, Any]) -> dict[str, Any]:
    """The model's `receipts` part: the root over its comments' receipts in the table's order, then its remarks'."""
    leaves = record_leaves(model)
    return {"algorithm": ALGORITHM, "count": len(leaves), "root": merkle_root(leaves)}


def record_leaves(model: dict[str, Any]) -> list[str]:
    """The receipts a model holds, in the tree's order: each table row, the duplicates merged into it, the remarks."""
    leaves = []
    for group in model["comments"]:
        for row in group["rows"]:
            leaves.extend([row["receipt"], *row["merged_receipts"]])
    leaves.extend(remark["receipt"] for remark in model["remarks"])
    return leaves
