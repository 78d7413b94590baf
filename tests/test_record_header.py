"""The record's letterhead: the admin's header checked as stored, and the defaults the record fills in."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Conference
from server.errors import Invalid
from server.summary.compile import compile_summary
from server.summary.document import clean_header, date_text

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_date_is_written_as_the_decree_writes_it() -> None:
    assert date_text(datetime(2026, 9, 5, tzinfo=HANOI), "Hà Nội") == "Hà Nội, ngày 05 tháng 9 năm 2026"
    assert date_text(datetime(2026, 2, 15, tzinfo=HANOI), None) == "Ngày 15 tháng 02 năm 2026"
    assert date_text(datetime(2026, 12, 31, tzinfo=HANOI), "Cần Thơ") == "Cần Thơ, ngày 31 tháng 12 năm 2026"


def test_a_header_is_stored_whole_in_nfc_and_empty_fields_are_unset() -> None:
    decomposed = "Ha\u0300 No\u0302\u0323i"
    header = clean_header(
        {"style": "party", "issuing_body": "  TỈNH ỦY   HẬU GIANG ", "place": decomposed, "motto": ""}
    )
    assert header == {
        "style": "party", "parent_body": None, "issuing_body": "TỈNH ỦY HẬU GIANG", "number": None,
        "national_title": None, "motto": None, "place": "Hà Nội", "secretary_name": None,
    }
    assert clean_header(None) is None
    assert clean_header({})["style"] == "state"  # type: ignore[index]


@pytest.mark.parametrize(("value", "field"), [
    ([], "record_header"),
    ({"style": "ministry"}, "record_header.style"),
    ({"seal": "x"}, "record_header.seal"),
    ({"number": 12}, "record_header.number"),
    ({"place": "Hà\nNội"}, "record_header.place"),
    ({"issuing_body": "X" * 201}, "record_header.issuing_body"),
])
def test_bad_headers_are_refused_by_field(value: object, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean_header(value)
    assert field in refused.value.details


async def test_the_record_fills_in_the_defaults_and_dates_by_the_close(session: AsyncSession) -> None:
    conference = Conference(title="Hội thảo góp ý dự thảo Quy chế", starts_at=datetime(2026, 9, 4, 18, 30, tzinfo=UTC),
                            chair_name="Trần Văn Bình")
    session.add(conference)
    await session.flush()
    document = (await compile_summary(session, conference.id))["document"]
    # Before the close, the start in Hà Nội (already 5 September there) dates the preview.
    assert document == {
        "style": "state",
        "parent_body": None,
        "issuing_body": "BAN TỔ CHỨC HỘI THẢO",
        "number": None,
        "national_title": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "place": None,
        "date_text": "Ngày 05 tháng 9 năm 2026",
        "title": "BIÊN BẢN TỔNG HỢP",
        "subtitle": "Hội thảo góp ý dự thảo Quy chế",
        "signatures": [{"role": "THƯ KÝ", "name": None}, {"role": "CHỦ TRÌ", "name": "Trần Văn Bình"}],
    }
    conference.closed_at = datetime(2026, 9, 6, 2, 0, tzinfo=UTC)
    conference.record_header = clean_header({
        "style": "party", "parent_body": "ĐẢNG BỘ TỈNH HẬU GIANG", "issuing_body": "BAN TUYÊN GIÁO TỈNH ỦY",
        "number": "12/BB-BTG", "motto": "ignored", "place": "Vị Thanh", "secretary_name": "Lê Thị Hoa",
    })
    document = (await compile_summary(session, conference.id))["document"]
    assert (document["style"], document["national_title"], document["motto"]) == (
        "party",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        None,
    )
    assert (document["parent_body"], document["issuing_body"], document["number"]) == (
        "ĐẢNG BỘ TỈNH HẬU GIANG", "BAN TUYÊN GIÁO TỈNH ỦY", "12/BB-BTG")
    assert document["date_text"] == "Vị Thanh, ngày 06 tháng 9 năm 2026"
    assert document["signatures"][0] == {"role": "THƯ KÝ", "name": "Lê Thị Hoa"}
