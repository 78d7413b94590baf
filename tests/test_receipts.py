"""Receipts (PROTOCOL v1.1): each contribution's SHA-256 as stored, looked up by its author, and the Merkle root the
frozen record publishes, recomputed here from the answers and the frozen JSON alone."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from server.simulate.loopback import Server
from server.submissions.receipts import merkle_proof, merkle_root, root_of_proof
from tests.support.api import assert_error, people
from tests.support.http import Call

COMMENT_FIELDS = ("id", "conference_id", "participant_id", "section_anchor", "body", "created_at")
REMARK_FIELDS = ("id", "conference_id", "participant_id", "agenda_item_id", "title", "body", "created_at")


def recomputed(kind: str, item: dict[str, Any]) -> str:
    """The documented recipe (docs/protocol-extensions.md), from a comment or remark as the API lists it."""
    if kind == "comment":
        proposal = item["proposal"] or {"kind": None, "text": None}
        fields = {k: item[k] for k in COMMENT_FIELDS} | {
            "proposal_kind": proposal["kind"],
            "proposed_text": proposal["text"],
        }
    else:
        attachment = item["attachment"]
        fields = {k: item[k] for k in REMARK_FIELDS} | {"attachment_sha256": attachment and attachment["sha256"]}
    canonical = json.dumps({"kind": kind, **fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def up(receipt: str, proof: list[dict[str, str]]) -> str:
    node = bytes.fromhex(receipt)
    for step in proof:
        sibling = bytes.fromhex(step["hash"])
        node = hashlib.sha256(sibling + node if step["side"] == "left" else node + sibling).digest()
    return node.hex()


def root(leaves: list[str]) -> str:
    """The documented tree: pairs hashed left to right, an odd node carried up, no leaves the empty string's hash."""
    level = [bytes.fromhex(leaf) for leaf in leaves]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        level = [hashlib.sha256(b"".join(level[i:i + 2])).digest() if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0].hex()


async def test_receipts_from_submission_to_the_frozen_record(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    author, other = await people(call, s)
    posted = [
        (
            "comment",
            await call(
                "POST",
                s.api("/comments"),
                author,
                json={
                    "section_anchor": "dieu-3.khoan-2",
                    "body": "Đề nghị làm rõ “cơ quan chủ trì”.",
                    "proposal": {"kind": "replace", "text": "2. Bộ Nội vụ chủ trì, phối hợp."},
                },
            ),
        ),
        ("comment", await call("POST", s.api("/comments"), author, json={"body": "Góp ý chung về dự thảo."})),
        (
            "comment",
            await call("POST", s.api("/comments"), author, json={"section_anchor": "dieu-5", "body": "Bỏ điều này."}),
        ),
        (
            "remark",
            await call("POST", s.api("/remarks"), author, json={"title": "Tham luận Hậu Giang", "body": "Nội dung."}),
        ),
        (
            "comment",
            await call("POST", s.api("/comments"), other, json={"section_anchor": "dieu-4", "body": "Của người khác."}),
        ),
    ]
    assert all(reply.status == 201 for _, reply in posted), [reply.body for _, reply in posted]
    (_, first), (_, general), (_, rejected), (_, remark), (_, theirs) = [(k, r.body) for k, r in posted]

    # The answer's receipt is the recipe over the contribution as stored, read back as its author lists it.
    mine = {c["id"]: c for c in (await call("GET", s.api("/comments"), author)).body["items"]}
    listed_remark = next(
        r for r in (await call("GET", s.api("/remarks"), author)).body["items"] if r["id"] == remark["id"]
    )
    for kind, answer in (("comment", first), ("comment", general), ("comment", rejected), ("remark", remark)):
        stored = mine[answer["id"]] if kind == "comment" else listed_remark
        assert answer["receipt"] == stored["receipt"] == recomputed(kind, stored), (kind, stored)
    assert len({first["receipt"], general["receipt"], rejected["receipt"], remark["receipt"], theirs["receipt"]}) == 5

    moderated = await call(
        "POST", s.api(f"/comments/{rejected['id']}/moderate"), t["chair"], json={"decision": "rejected"}
    )
    assert moderated.status == 200 and moderated.body["receipt"] == rejected["receipt"]
    # A duplicate merged into another stays in the record under that row; the secretariat's proposal has one too.
    merged = await call("POST", s.api(f"/comments/{theirs['id']}/merge"), t["chair"],
                        json={"into": first["id"], "revision": theirs["revision"]})
    assert merged.status == 200 and merged.body["receipt"] == theirs["receipt"]
    proposal = await call("POST", s.api("/change-proposals"), t["admin"],
                          json={"section_anchor": "dieu-2", "kind": "delete", "reason": "Trùng Điều 3."})
    assert proposal.status == 201 and proposal.body["receipt"] == recomputed("comment", proposal.body)

    async def look(receipt: str, token: str | None) -> Any:
        return await call("GET", s.api(f"/receipts/{receipt}"), token)

    before = await look(first["receipt"], author)
    assert before.status == 200, before.body
    assert before.body == {
        "kind": "comment",
        "id": first["id"],
        "number": first["number"],
        "section": "Điều 3, khoản 2",
        "included": False,
        "frozen_sha256": None,
        "root": None,
        "proof": None,
    }
    found = (await look(remark["receipt"], t["chair"])).body
    assert (found["kind"], found["id"], found["section"], found["included"]) == ("remark", remark["id"], None, False)
    assert isinstance(found["number"], int) and found["number"] >= 1
    # Another delegate, an operator, the display: as unknown as a receipt never given; no token at all is 401.
    for token in (other, t["operators"]["HGI"], t["display"]):
        reply = await look(first["receipt"], token)
        assert reply.status in (403, 404), reply.body
    assert_error(await look(first["receipt"], other), 404, "not_found")
    assert_error(await look("0" * 64, author), 404, "not_found")
    assert_error(await look(first["receipt"], None), 401)
    for bad in (first["receipt"].upper(), first["receipt"][:-1], first["receipt"] + "0", "g" * 64, "x"):
        assert_error(await look(bad, author), 400, "invalid")

    assert (await call("POST", s.api("/close"), t["chair"])).status == 200
    frozen = (await call("GET", s.api("/summary.json"), t["chair"])).body
    rows = [row for group in frozen["comments"] for row in group["rows"]]
    leaves = [leaf for row in rows for leaf in (row["receipt"], *row["merged_receipts"])]
    leaves += [r["receipt"] for r in frozen["remarks"]]
    assert frozen["receipts"] == {"algorithm": "sha256-merkle", "count": len(leaves), "root": root(leaves)}
    assert rejected["receipt"] not in leaves
    assert next(row for row in rows if row["id"] == first["id"])["merged_receipts"] == [theirs["receipt"]]

    looked_up = ((first["receipt"], author), (general["receipt"], t["admin"]), (remark["receipt"], author),
                 (theirs["receipt"], other), (proposal.body["receipt"], t["chair"]))
    for receipt, token in looked_up:
        after = (await look(receipt, token)).body
        assert after["included"] is True and after["frozen_sha256"] == frozen["sha256"]
        assert after["root"] == frozen["receipts"]["root"] == up(receipt, after["proof"])
    assert (await look(general["receipt"], author)).body["section"] is None
    held_back = (await look(rejected["receipt"], author)).body
    assert (held_back["included"], held_back["proof"], held_back["root"]) == (False, None, frozen["receipts"]["root"])

    line = f"Mã kiểm chứng các ý kiến (Merkle SHA-256): {root(leaves)} ({len(leaves)} ý kiến)"
    markdown = (await call("GET", s.api("/summary.md"), t["chair"])).body
    assert line in markdown and markdown.index(line) < markdown.index("Mã kiểm tra (SHA-256)")
    html = (await call("GET", s.api("/summary.html"), t["chair"])).body
    assert f"<code>{root(leaves)}</code> ({len(leaves)} ý kiến)" in html


def test_the_tree_by_hand() -> None:
    leaves = [hashlib.sha256(bytes([n])).hexdigest() for n in range(5)]
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert merkle_root(leaves[:1]) == leaves[0]
    ab = hashlib.sha256(bytes.fromhex(leaves[0] + leaves[1])).digest()
    cd = hashlib.sha256(bytes.fromhex(leaves[2] + leaves[3])).digest()
    # The fifth leaf has no partner on two levels: it is carried up unchanged to meet the other four's root.
    assert (
        merkle_root(leaves) == hashlib.sha256(hashlib.sha256(ab + cd).digest() + bytes.fromhex(leaves[4])).hexdigest()
    )
    for count in range(1, 6):
        for index in range(count):
            proof = merkle_proof(leaves[:count], index)
            assert root_of_proof(leaves[index], proof) == up(leaves[index], proof) == merkle_root(leaves[:count])
