"""The revised draft in the product (PROTOCOL v1.1): `GET …/drafts/revised` from every adopted change, the close
refused while adopted changes conflict, the chair settling a conflict by ruling again, and the record made from it.

The tests share one demo server and run in order: the last one closes the workshop.
"""
from __future__ import annotations

from typing import Any

import aiohttp
from playwright.async_api import Page, expect

from server.simulate.loopback import Server
from tests.rendered import tracked_changes
from tests.support.api import assert_error, comment, people, propose, rule
from tests.support.browser import Open, catalog
from tests.support.http import Call

VI = catalog("vi")


async def revised(call: Call, s: Server, token: str | None = None) -> dict[str, Any]:
    reply = await call("GET", s.api("/drafts/revised"), s.tokens["chair"] if token is None else token)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def by_origin(answer: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {row["origin_anchor"]: row for row in answer["sections"] if row["origin_anchor"] is not None}


async def secretariat(call: Call, s: Server, anchor: str, kind: str, text: str | None, reason: str) -> dict[str, Any]:
    body = {"section_anchor": anchor, "kind": kind, "reason": reason, **({"text": text} if text else {})}
    reply = await call("POST", s.api("/change-proposals"), s.tokens["chair"], json=body)
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def counter(call: Call, s: Server, item: dict[str, Any], wording: str) -> dict[str, Any]:
    reply = await call("PATCH", s.api(f"/comments/{item['id']}"), s.tokens["chair"], json={
        "disposition": "partly_accepted", "response": "Tiếp thu, chỉnh lý câu chữ.", "revision": item["revision"],
        "adopted_text": wording})
    assert reply.status == 200, reply.body
    return dict(reply.body)


async def test_revised_answer_from_adopted_inserts_deletes_and_counter_wording(
    shared_server: Server, call: Call
) -> None:
    s = shared_server
    author, other = await people(call, s)
    for token in (author, s.tokens["operators"]["HGI"], s.tokens["display"]):
        assert_error(await call("GET", s.api("/drafts/revised"), token), 403)
    assert_error(await call("GET", s.api("/drafts/revised"), None), 401)
    untouched = await revised(call, s, s.tokens["admin"])
    assert set(untouched) == {"sections", "renumbered", "references_updated", "conflicts"}
    assert {row["change"] for row in untouched["sections"]} == {"unchanged"}

    # An article deleted by the secretariat, a clause inserted, a point deleted, a counter-wording adopted; a
    # partly accepted proposal without counter-wording, a noted one and a pending one adopt nothing.
    dropped = await secretariat(call, s, "dieu-2", "delete", None, "Đối tượng đã nêu tại Điều 1.")
    await rule(call, s, dropped, "accepted", "Tiếp thu.")
    added = await propose(
        call, s, author, "dieu-4.khoan-1", {"kind": "insert_after", "text": "Hai bên trao đổi kết quả hằng quý."}
    )
    await rule(call, s, added, "accepted", "Tiếp thu.")
    point = await propose(call, s, other, "dieu-4.khoan-3.diem-a", {"kind": "delete"})
    await rule(call, s, point, "accepted", "Tiếp thu.")
    worded = await propose(call, s, author, "dieu-5.khoan-2", {"kind": "replace", "text": "Bỏ khoản này đi."})
    await counter(call, s, worded, "Đảng ủy Công an Trung ương hướng dẫn mô hình tổ chức đảng trong công an tỉnh.")
    partial = await propose(call, s, other, "dieu-6.khoan-1", {"kind": "replace", "text": "Viết lại hoàn toàn."})
    await rule(call, s, partial, "partly_accepted", "Tiếp thu một phần ý.")
    noted = await propose(call, s, other, "dieu-7", {"kind": "delete"})
    await rule(call, s, noted, "noted", "Ghi nhận.")
    await propose(call, s, other, "dieu-8", {"kind": "delete"})

    answer = await revised(call, s)
    rows = by_origin(answer)
    assert rows["dieu-2"]["change"] == "deleted" and rows["dieu-2"]["anchor"] is None
    assert rows["dieu-2.khoan-1"]["change"] == "deleted"
    assert [rows[f"dieu-{n}"]["anchor"] for n in (1, 3, 7, 8, 14)] == [
        "dieu-1",
        "dieu-2",
        "dieu-6",
        "dieu-7",
        "dieu-13",
    ]
    assert rows["dieu-3"]["text"].startswith("Điều 2. Nguyên tắc phối hợp")
    assert {"from": "dieu-14", "to": "dieu-13"} in answer["renumbered"]
    inserted = [row for row in answer["sections"] if row["change"] == "inserted"]
    assert [(row["anchor"], row["number"], row["text"].strip()) for row in inserted] == [
        ("dieu-3.khoan-2", "2", "2. Hai bên trao đổi kết quả hằng quý.")]
    assert rows["dieu-4.khoan-2"]["anchor"] == "dieu-3.khoan-3" and rows["dieu-4.khoan-2"]["change"] == "renumbered"
    assert rows["dieu-4.khoan-3.diem-a"]["change"] == "deleted"
    assert rows["dieu-4.khoan-3.diem-b"]["anchor"] == "dieu-3.khoan-4.diem-a"
    assert rows["dieu-4.khoan-3.diem-b"]["text"].startswith("a) Tuyên truyền")
    assert rows["dieu-5.khoan-2"]["change"] == "modified"
    assert (
        rows["dieu-5.khoan-2"]["text"].strip()
        == "2. Đảng ủy Công an Trung ương hướng dẫn mô hình tổ chức đảng trong công an tỉnh."
    )
    assert rows["dieu-6.khoan-1"]["change"] == "renumbered"
    assert {rows[a]["change"] for a in ("dieu-7", "dieu-8")} == {"renumbered"}
    assert answer["conflicts"] == []


async def test_conflicting_adoptions_hold_the_close_until_the_chair_rules_again(
    shared_server: Server, call: Call
) -> None:
    s = shared_server
    author, other = await people(call, s)
    one = await comment(call, s, author, "dieu-9.khoan-1", "Quý thay vì năm.", "1. Định kỳ hằng quý, hai bên làm việc.")
    two = await comment(call, s, other, "dieu-9.khoan-1", "Sáu tháng.", "1. Định kỳ sáu tháng, hai bên làm việc.")
    gone = await propose(call, s, other, "dieu-9.khoan-1", {"kind": "delete"})
    one, two, gone = [await rule(call, s, c, "accepted", "Tiếp thu.") for c in (one, two, gone)]
    answer = await revised(call, s)
    assert answer["conflicts"] == [
        {"origin_anchor": "dieu-9.khoan-1", "comment_ids": sorted([one["id"], two["id"], gone["id"]])}
    ]
    # The section keeps its published text while the conflict stands.
    assert by_origin(answer)["dieu-9.khoan-1"]["text"].startswith("1. Định kỳ hằng năm")

    before = (await call("GET", s.api(), s.tokens["chair"])).body
    refused = await call("POST", s.api("/close"), s.tokens["chair"])
    assert_error(refused, 409, "unresolved_conflicts")
    assert refused.body["error"]["details"]["conflicts"] == answer["conflicts"]
    after = (await call("GET", s.api(), s.tokens["chair"])).body
    assert (after["status"], after["closed_at"], after["summary_sha256"]) == (before["status"], None, None)

    # Keeping one of three: ruling another again leaves a conflict; ruling both leaves none.
    await rule(call, s, two, "noted", "Đã tiếp thu theo ý kiến khác.")
    assert [c["comment_ids"] for c in (await revised(call, s))["conflicts"]] == [sorted([one["id"], gone["id"]])]
    await rule(call, s, gone, "noted", "Đã tiếp thu theo ý kiến khác.")
    settled = await revised(call, s)
    assert settled["conflicts"] == []
    assert by_origin(settled)["dieu-9.khoan-1"]["text"].startswith("1. Định kỳ hằng quý")


async def conflict_on(call: Call, s: Server, anchor: str, wordings: tuple[str, str]) -> list[dict[str, Any]]:
    author, other = await people(call, s)
    made = [
        await comment(call, s, token, anchor, "Sửa lại.", wording)
        for token, wording in zip((author, other), wordings, strict=True)
    ]
    return [await rule(call, s, c, "accepted", "Tiếp thu.") for c in made]


async def keep_in(page: Page, scope: str, kept: dict[str, Any], others: list[dict[str, Any]]) -> None:
    """Check the conflict shows the published text and each proposal's diff, then keep `kept`."""
    card = page.locator(f"{scope} .conflict")
    await expect(card).to_have_count(1)
    await expect(card.locator(".conflict-published")).to_contain_text(VI["conflicts.published"])
    for item in [kept, *others]:
        await expect(card.locator(f'[data-comment-id="{item["id"]}"] ins').first).to_be_visible()
    await card.get_by_role("button", name=VI["conflicts.keep_named"].replace("{n}", str(kept["number"]))).click()


async def test_the_chair_settles_a_conflict_and_closes(
    shared_server: Server, call: Call, open_console: Open
) -> None:
    s = shared_server
    one, two = await conflict_on(
        call, s, "dieu-10.khoan-1", ("1. Lãnh đạo toàn diện công an tỉnh.", "1. Chỉ đạo công an tỉnh.")
    )
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    await chair.locator("#tab-ket-luan").click()
    panel = chair.locator("#conflicts")
    await expect(panel).to_be_visible()
    await expect(panel.get_by_role("heading", name=VI["conflicts.title"])).to_be_visible()
    await keep_in(chair, "#conflicts", two, [one])
    await expect(panel).to_be_hidden()
    answer = await revised(call, s)
    assert answer["conflicts"] == []
    ruled = (await call("GET", s.api("/comments?anchor=dieu-10.khoan-1"), s.tokens["chair"])).body["items"]
    assert {c["id"]: c["disposition"] for c in ruled if c["id"] in (one["id"], two["id"])} == {
        one["id"]: "noted",
        two["id"]: "accepted",
    }
    assert next(c for c in ruled if c["id"] == one["id"])["response"].startswith("Ghi nhận.")

    # A conflict that arrives while the chair is about to close: the close is refused and settled in its dialog.
    three, four = await conflict_on(call, s, "dieu-11.khoan-2", ("2. Trao đổi trước.", "2. Trao đổi sau."))
    await expect(panel).to_be_visible()
    open_console.expect_refusal(409)
    await chair.locator("#conference-close").click()
    await chair.locator(".confirm-dialog:not(.conflict-dialog) button[data-answer=confirm]").click()
    dialog = chair.locator(".conflict-dialog")
    await expect(dialog).to_be_visible()
    await keep_in(chair, ".conflict-dialog", three, [four])
    await expect(dialog.get_by_role("status")).to_have_text(VI["conflicts.all_settled"])
    await expect(panel).to_be_hidden()
    await dialog.get_by_role("button", name=VI["conflicts.close_dialog"]).click()
    await chair.locator("#conference-close").click()
    await chair.locator(".confirm-dialog button[data-answer=confirm]").click()
    await expect(chair.locator("#conference-status")).to_have_attribute("data-status", "closed")


async def test_the_record_is_made_from_the_revised_draft(
    shared_server: Server, call: Call, http: aiohttp.ClientSession
) -> None:
    s = shared_server
    answer = await revised(call, s)
    assert answer["conflicts"] == []
    # Closed by the chair in the test before.
    assert (await call("GET", s.api(), s.tokens["chair"])).body["status"] == "closed"
    record = (await call("GET", s.api("/summary.json"), s.tokens["chair"])).body["revised_draft"]
    rows = {row["anchor"]: row for row in record["sections"] if row["anchor"] is not None}
    assert rows["dieu-2"]["change"] == "deleted" and rows["dieu-2"]["revised_anchor"] is None
    assert rows["dieu-3"]["change"] == "renumbered" and rows["dieu-3"]["revised_number"] == "2"
    assert rows["dieu-3"]["changes"][:3] == [{"op": "equal", "text": "Điều "}, {"op": "delete", "text": "3."},
                                             {"op": "insert", "text": "2."}]
    new = [row for row in record["sections"] if row["change"] == "inserted"]
    assert [(row["revised_anchor"], row["revised"].strip()) for row in new] == [
        ("dieu-3.khoan-2", "2. Hai bên trao đổi kết quả hằng quý.")]
    assert rows["dieu-5.khoan-2"]["change"] == "modified" and rows["dieu-5.khoan-2"]["applied_no"] is not None

    markdown = (await call("GET", s.api("/summary.md"), s.tokens["chair"])).body
    appendix = markdown[markdown.index("Phụ lục 2."):]
    assert "**2\\. Hai bên trao đổi kết quả hằng quý.**" in appendix
    assert "~~Điều 2. Đối tượng áp dụng~~" in appendix
    assert "Điều ~~3\\.~~**2\\.** Nguyên tắc phối hợp" in appendix
    assert "_(Bổ sung theo ý kiến số " in appendix and "_(Bỏ theo ý kiến số " in appendix

    async with http.get(s.api("/revised-draft.docx"), headers={"Authorization": f"Bearer {s.tokens['chair']}"}) as got:
        assert got.status == 200
        inserted, deleted = tracked_changes(await got.read())
    assert "Hai bên trao đổi kết quả hằng quý." in inserted
    assert "Điều 2. Đối tượng áp dụng" in deleted
    assert "Đẩy mạnh học tập" in deleted
