"""The attendance sheets of bridge points: every roster member to sign before, and what was recorded after."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pikepdf
import pytest

from server.errors import Unavailable
from server.simulate.loopback import Server
from server.summary import sheet_printing
from tests.rendered import pdf_text, squeezed
from tests.support.api import assert_error, point_ids
from tests.support.http import Call

FIGURES = ("expected", "invited_present", "rate", "represented", "absent", "substitutes", "walk_ins", "people")
LABELS = (
    "Triệu tập",
    "Có mặt",
    "Tỷ lệ có mặt",
    "Có người dự thay",
    "Vắng",
    "Người dự thay",
    "Khách mời",
    "Tổng số người dự",
)


async def sheet(url: str, token: str) -> tuple[str, str]:
    """The PDF's text (pages apart by form feeds) and the file name it is offered under."""
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http,
        http.get(url) as response,
    ):
        assert response.status == 200 and response.content_type == "application/pdf", await response.text()
        pdf = await response.read()
        disposition = response.headers["Content-Disposition"]
    assert pdf.startswith(b"%PDF")
    return pdf_text(pdf), disposition


async def ok(call: Call, method: str, url: str, token: str, **kwargs: Any) -> Any:
    reply = await call(method, url, token, **kwargs)
    assert reply.status in (200, 201), (method, url, reply.body)
    return reply.body


async def test_before_every_roster_member_of_the_point_and_every_point_in_one(
    shared_server: Server, call: Call
) -> None:
    s, t = shared_server, shared_server.tokens
    points = await point_ids(call, s)
    people = (await ok(call, "GET", s.api(f"/participants?point_id={points['HGI']}"), t["admin"]))["items"]
    raw, disposition = await sheet(
        s.api(f"/points/{points['HGI']}/attendance-sheet?when=before"), t["operators"]["HGI"]
    )
    text = squeezed(raw)
    assert 'filename="danh-sach-HGI-truoc.pdf"' in disposition
    assert squeezed("DANH SÁCH ĐẠI BIỂU THAM DỰ") in text and squeezed("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") in text
    assert squeezed("Điểm cầu Hậu Giang") in text and "STT" in text and squeezed("Ký tên") in text
    # In the roster's order, Vietnamese name order as the operator's list: each name after the one before.
    at = 0
    for person in (p for p in people if p["on_roster"]):
        at = text.index(squeezed(person["full_name"]), at)
    # The points in one PDF in the points' order, each from a page of its own: the title opens each one's first.
    listed = (await ok(call, "GET", s.api("/points"), t["chair"]))["items"]
    raw, disposition = await sheet(s.api("/attendance-sheets"), t["chair"])
    assert 'filename="danh-sach-diem-cau-truoc.pdf"' in disposition
    firsts = [squeezed(page) for page in raw.split("\f") if squeezed("DANH SÁCH ĐẠI BIỂU THAM DỰ") in squeezed(page)]
    assert len(firsts) == len(listed)
    for page, point in zip(firsts, listed, strict=True):
        assert squeezed(f"{point['name']} (mã {point['code']})") in page and f"{point['code']}·Trang1/" in page


async def test_after_as_recorded_with_the_figures_of_the_record(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    hgi, chair = t["operators"]["HGI"], t["chair"]
    zone = ZoneInfo((await ok(call, "GET", s.api(), chair))["timezone"])
    roster = [p for p in (await ok(call, "GET", s.api("/participants"), hgi))["items"] if p["on_roster"]]
    first, second, replaced, excused, *rest = roster

    async def check_in(**body: Any) -> dict[str, Any]:
        return await ok(call, "POST", s.api("/checkins"), hgi, json=body)

    arrivals = [await check_in(participant_id=p["id"]) for p in (first, second)]
    # Left and came back: the sheet gives the first arrival.
    await ok(call, "DELETE", s.api(f"/checkins/{second['id']}"), hgi)
    await check_in(participant_id=second["id"])
    stand_in = await check_in(full_name="Trần Văn Thay", position="Phó Giám đốc", substitute_for=replaced["id"])
    guest = await check_in(full_name="Lê Thị Khách", organization="Báo Hậu Giang")
    await ok(
        call, "PATCH", s.api(f"/participants/{excused['id']}"), hgi, json={"absence_reason": "Đi công tác nước ngoài"}
    )

    raw, disposition = await sheet(s.api(f"/points/{first['point_id']}/attendance-sheet?when=after"), hgi)
    text = squeezed(raw)
    assert 'filename="danh-sach-HGI-sau.pdf"' in disposition

    def hhmm(answer: dict[str, Any]) -> str:
        return datetime.fromisoformat(answer["checked_in_at"]).astimezone(zone).strftime("%H:%M")

    for person, arrival in zip((first, second), arrivals, strict=True):
        assert squeezed(person["full_name"]) in text and hhmm(arrival) in text
    assert squeezed(f"Vắng – có người dự thay: {stand_in['full_name']}") in text
    assert squeezed(f"Trần Văn Thay Dự thay: {replaced['full_name']}") in text and hhmm(stand_in) in text
    assert squeezed("Lê Thị Khách Khách mời") in text and hhmm(guest) in text
    assert squeezed("Vắng – có lý do: Đi công tác nước ngoài") in text
    assert all(squeezed(p["full_name"]) in text for p in rest)

    # The figures under the table are the record's (the summary's preview), in its words.
    summary = await ok(call, "GET", s.api("/summary.json"), chair)
    row = next(p for p in summary["attendance"]["points"] if p["code"] == "HGI")
    figures = "; ".join(f"{label}: {row[key]}" for key, label in zip(FIGURES, LABELS, strict=True)) + "."
    assert squeezed(figures) in text, figures
    assert (row["invited_present"], row["represented"], row["substitutes"], row["walk_ins"]) == (2, 1, 1, 1)

    # Every point's in one: the after sheet of the whole workshop holds this point's figures.
    text = squeezed((await sheet(s.api("/attendance-sheets?when=after"), chair))[0])
    assert squeezed(figures) in text and squeezed("Lê Thị Khách Khách mời") in text


async def test_who_may_print_which_sheet(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    points = await point_ids(call, s)
    here = s.api(f"/points/{points['HGI']}/attendance-sheet")
    assert_error(await call("GET", here + "?when=during", t["admin"]), 422, "invalid")
    assert_error(await call("GET", s.api("/attendance-sheets?when=later"), t["chair"]), 422, "invalid")
    assert_error(await call("GET", here, t["operators"]["CTO"]), 403)
    assert_error(await call("GET", s.api("/attendance-sheets"), t["operators"]["HGI"]), 403)
    assert_error(await call("GET", here, t["display"]), 403)
    assert_error(await call("GET", here), 401)
    assert_error(await call("GET", s.api("/points/999999/attendance-sheet"), t["admin"]), 404)
    # The operator's console links its own point's sheets, which its signed-in browser may open.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(f"{s.base_url}/join/{t['operators']['HGI']}") as console:
            page = await console.text()
        links = re.findall(r'href="([^"]*attendance-sheet\?when=\w+)"', page)
        assert [link.rsplit("=", 1)[1] for link in links] == ["before", "after"], links
        async with browser.get(s.base_url + links[1]) as printed:
            assert printed.status == 200 and printed.content_type == "application/pdf"


async def test_a_long_list_is_laid_out_in_batches_and_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_printing, "BATCH_ROWS", 4)
    header = {
        "parent_body": None,
        "issuing_body": "BAN TỔ CHỨC",
        "national_title": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "date_text": "Ngày 05 tháng 9 năm 2026",
    }
    sheets = [
        {"point": f"Điểm cầu {code}", "code": code, "blank": 0, "figures": None,
         "rows": [{"name": f"Đỗ Thị Ngọc Ánh {code}{n}", "role": "", "time": "", "note": ""} for n in range(3)]}
        for code in ("A", "B", "C")
    ]
    data = {
        "header": header,
        "title": "DANH SÁCH ĐẠI BIỂU THAM DỰ",
        "workshop": "Hội thảo",
        "note": "",
        "when": "after",
        "sheets": sheets,
    }
    assert [[s["code"] for s in batch] for batch in sheet_printing._batches(sheets)] == [["A"], ["B"], ["C"]]
    pdf = await sheet_printing.sheets_pdf(data, datetime(2026, 9, 5, tzinfo=UTC))
    text = squeezed(pdf_text(pdf))
    at = 0
    for sheet in sheets:
        for row in sheet["rows"]:
            at = text.index(squeezed(row["name"]), at)
        at = text.index(f"{sheet['code']}·Trang1/1", at)
    # Every point's bookmark, to its own page, though each batch was laid out alone.
    with pikepdf.open(io.BytesIO(pdf)) as joined, joined.open_outline() as outline:
        marks = [(str(item.title), joined.pages.index(pikepdf.Page(item.destination[0]))) for item in outline.root]
    assert marks == [(f"Điểm cầu {code} (mã {code})", page) for page, code in enumerate("ABC")]


async def test_a_batch_that_cannot_be_typeset_is_unavailable_not_an_error_of_the_server() -> None:
    with pytest.raises(Unavailable) as refused:
        await sheet_printing.sheets_pdf({"sheets": [{"rows": [], "blank": 0}]}, datetime(2026, 9, 5, tzinfo=UTC))
    assert refused.value.status == 503 and refused.value.details["status"] != 0
