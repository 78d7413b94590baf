"""Roster import from CSV and XLSX, its report and refusals; roster and attendance exports; the templates."""
from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from typing import Any

import aiohttp
import openpyxl
import pytest
from playwright.async_api import expect

from server.simulate.loopback import Server
from tests.event_schemas import validate_event
from tests.support.api import assert_error, point_ids, seq
from tests.support.browser import Open
from tests.support.http import Call
from tests.support.servers import start_server, stop_server

# The browser fixtures live with the other console tests; naming them here makes them available to this module.

HEADER = "full_name,position,organization,point_code,role_in_meeting,email,phone"


def csv_file(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_file(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(
    call: Call, server: Server, content: bytes, token: str | None = "", key: str | None = None, **flags: bool | str
) -> Any:
    """POST the file to the import endpoint; `token=""` means the admin's."""
    form = aiohttp.FormData()
    form.add_field("file", content, filename="danh-sach.csv", content_type="application/octet-stream")
    query = "&".join(f"{name}={str(value).lower()}" for name, value in flags.items())
    headers = {"Idempotency-Key": key} if key else {}
    return await call(
        "POST", server.api("/participants/import" + (f"?{query}" if query else "")),
        server.tokens["admin"] if token == "" else token, data=form, headers=headers,
    )


async def written_since(call: Call, server: Server, after: int, token: str | None = None) -> list[dict[str, Any]]:
    """The events after `after` but the attendance totals, which the server announces on its own a moment after
    any change of attendance or roster (an earlier test's too)."""
    items = (await call("GET", server.api(f"/events?after={after}"), token or server.tokens["admin"])).body["items"]
    return [e for e in items if e["type"] != "attendance.totals_changed"]


async def total(call: Call, server: Server) -> int:
    return int((await call("GET", server.api("/participants?limit=1"), server.tokens["admin"])).body["total"])


async def expected(call: Call, server: Server) -> dict[str, int]:
    sheet = (await call("GET", server.api("/attendance"), server.tokens["admin"])).body
    return {**{p["code"]: p["expected"] for p in sheet["points"]}, "total": sheet["totals"]["expected"]}


async def find(call: Call, server: Server, name: str) -> list[dict[str, Any]]:
    """Roster members with exactly this name (search also matches words of positions and units)."""
    items = (await call("GET", server.api("/participants"), server.tokens["admin"], params={"q": name})).body["items"]
    return [p for p in items if p["full_name"] == name]


async def download(server: Server, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http, http.get(server.api(path), headers=headers) as response:
        return response.status, dict(response.headers), await response.read()


# ---- import ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [True, False])
async def test_csv_with_and_without_bom(shared_server: Server, call: Call, bom: bool) -> None:
    s = shared_server
    name = f"Phạm Thị Bích {'Một' if bom else 'Hai'}"
    content = csv_file(HEADER, f"{name},Phó Giám đốc,Sở Nội vụ,HGI,Đại biểu,bich@example.vn,0912 345 678", bom=bom)
    reply = await upload(call, s, content)
    assert reply.status == 201, reply.body
    assert reply.body["created"] == 1 and reply.body["valid_rows"] == 1 and reply.body["errors"] == []
    [person] = await find(call, s, name)
    assert person["full_name"] == name and person["position"] == "Phó Giám đốc" and person["email"] == "bich@example.vn"
    assert person["point_id"] == (await point_ids(call, s))["HGI"] and person["on_roster"] and not person["present"]


async def test_vietnamese_headers_in_any_order(shared_server: Server, call: Call) -> None:
    s = shared_server
    content = csv_file(
        "Mã điểm cầu,HO VA TEN,chuc vu,Đơn vị,Số điện thoại,Thư điện tử,Vai trò tại hội thảo,STT",
        "cto,Võ Minh Quân,Chánh Văn phòng,UBND thành phố Cần Thơ,0292 3820 111,quan@example.vn,Tham luận,1",
    )
    reply = await upload(call, s, content)
    assert reply.status == 201, reply.body
    [person] = await find(call, s, "Võ Minh Quân")
    assert person["point_id"] == (await point_ids(call, s))["CTO"]
    assert (
        person["position"],
        person["organization"],
        person["phone"],
        person["email"],
        person["role_in_meeting"],
    ) == ("Chánh Văn phòng", "UBND thành phố Cần Thơ", "0292 3820 111", "quan@example.vn", "Tham luận")


async def test_xlsx_upload(shared_server: Server, call: Call) -> None:
    s = shared_server
    content = xlsx_file([
        ["Họ và tên", "Chức vụ", "Cơ quan", "Điểm cầu", "Điện thoại"],
        ["Đặng Thu Thảo", "Trưởng phòng", "Sở Tư pháp\ntỉnh An Giang", "AGG", 912345678],
        [None, None, None, None, None],
        ["Lý Văn Tám", None, None, "AGG", None],
    ])
    reply = await upload(call, s, content)
    assert reply.status == 201, reply.body
    assert reply.body["created"] == 2 and [p["row"] for p in reply.body["preview"]] == [2, 4]
    [thao] = await find(call, s, "Đặng Thu Thảo")
    assert thao["organization"] == "Sở Tư pháp tỉnh An Giang" and thao["phone"] == "912345678"


async def test_nfd_names_are_stored_nfc(shared_server: Server, call: Call) -> None:
    s = shared_server
    name = "Nguyễn Hữu Thắng"
    content = csv_file("full_name,point_code", f"{unicodedata.normalize('NFD', name)},HGI")
    assert (await upload(call, s, content)).status == 201
    [person] = await find(call, s, name)
    assert person["full_name"] == name and unicodedata.is_normalized("NFC", person["full_name"])


async def test_dry_run_writes_nothing(shared_server: Server, call: Call) -> None:
    s = shared_server
    before_seq, before_total, before_expected = await seq(call, s), await total(call, s), await expected(call, s)
    content = csv_file("full_name,point_code", "Trịnh Văn Khô,HGI", "Trịnh Văn Ướt,CTO", "Trịnh Văn Lạ,NOPE")
    reply = await upload(call, s, content, dry_run=True)
    assert reply.status == 200, reply.body
    assert reply.body["valid_rows"] == 2 and reply.body["created"] == 0
    assert [(p["row"], p["full_name"], p["point_code"]) for p in reply.body["preview"]] == [
        (2, "Trịnh Văn Khô", "HGI"), (3, "Trịnh Văn Ướt", "CTO"),
    ]
    assert reply.body["errors"] == [{"row": 4, "column": "point_code", "reason": "unknown point code"}]
    assert await written_since(call, s, before_seq) == []
    assert (await total(call, s), await expected(call, s)) == (before_total, before_expected)


async def test_errors_name_row_column_and_reason(shared_server: Server, call: Call) -> None:
    s = shared_server
    existing = (await call("GET", s.api("/participants"), s.tokens["operators"]["HGI"])).body["items"][0]["full_name"]
    content = csv_file(
        HEADER,
        "Hồ Văn Đúng,,,HGI,,dung@example.vn,",  # 2: valid
        ",Chuyên viên,,HGI,,,",  # 3: missing name
        "   ,,,HGI,,,",  # 4: blank name
        "Lê\x07Văn Chuông,,,HGI,,,",  # 5: control character
        "Mai Văn Lạc,,,XYZ,,,",  # 6: unknown point code
        "hồ văn đúng,,,HGI,,,",  # 7: duplicate of row 2 (folded)
        f"{existing},,,HGI,,,",  # 8: already on the roster
        "Tô Thị Thư,,,HGI,,not-an-email,",  # 9: bad email
        ",,,,,,",  # skipped: fully empty
        "Hồ Văn Đúng,,,CTO,,,",  # 11: same name at another point is fine
        "X" * 301 + ",,,HGI,,,",  # 12: too long
        ",,,,,,",  # skipped
        ",,,,,,a@b.vn",  # 14: missing name and point code
    )
    reply = await upload(call, s, content, dry_run=True)
    assert reply.status == 200, reply.body
    assert reply.body["errors"] == [
        {"row": 3, "column": "full_name", "reason": "must not be empty"},
        {"row": 4, "column": "full_name", "reason": "must not be empty"},
        {"row": 5, "column": "full_name", "reason": "must not contain control characters"},
        {"row": 6, "column": "point_code", "reason": "unknown point code"},
        {"row": 7, "column": "full_name", "reason": "duplicate of row 2"},
        {"row": 8, "column": "full_name", "reason": "already on the roster of this point"},
        {"row": 9, "column": "email", "reason": "not an email address"},
        {"row": 12, "column": "full_name", "reason": "longer than 300 characters"},
        {"row": 14, "column": "full_name", "reason": "must not be empty"},
        {"row": 14, "column": "point_code", "reason": "must not be empty"},
    ]
    assert reply.body["valid_rows"] == 2 and reply.body["invalid_rows"] == 9 and reply.body["error_count"] == 10


@pytest.mark.parametrize(
    ("content", "errors"),
    [
        (b"full_name,point_code\r\nNguy\xe1n,HGI\r\n", [{"row": 1, "column": None, "reason": "bad encoding"}]),
        ("\ufeffHọ và tên,Mã điểm cầu\n".encode("utf-16"), [{"row": 1, "column": None, "reason": "bad encoding"}]),
        (
            csv_file("full_name,organization", "Phan Văn Một,Sở Y tế"),
            [{"row": 1, "column": "point_code", "reason": "missing column"}],
        ),
        (
            csv_file("Điểm cầu,Chức vụ", "HGI,Chuyên viên"),
            [{"row": 1, "column": "full_name", "reason": "missing column"}],
        ),
        (csv_file("full_name,Họ tên,point_code"), [{"row": 1, "column": "full_name", "reason": "duplicate column"}]),
        (b"", [{"row": 1, "column": None, "reason": "no header row"}]),
        (b"PK\x03\x04 not really a workbook", [{"row": 1, "column": None, "reason": "not a readable XLSX workbook"}]),
    ],
    ids=["latin-1", "utf16", "no-point-code", "no-name", "duplicate-column", "empty", "broken-xlsx"],
)
async def test_files_refused_as_a_whole(
    shared_server: Server, call: Call, content: bytes, errors: list[dict[str, Any]]
) -> None:
    reply = await upload(call, shared_server, content, dry_run=True)
    assert reply.status == 200, reply.body
    assert reply.body["errors"] == errors and reply.body["valid_rows"] == 0


async def test_import_with_errors_is_refused_whole(shared_server: Server, call: Call) -> None:
    s = shared_server
    before_seq, before = await seq(call, s), (await total(call, s), await expected(call, s))
    content = csv_file("full_name,point_code", "Cao Văn Tốt,HGI", "Cao Văn Xấu,???")
    reply = await upload(call, s, content)
    assert_error(reply, 422, "import_invalid")
    assert reply.body["error"]["details"]["errors"] == [
        {"row": 3, "column": "point_code", "reason": "unknown point code"}
    ]
    assert reply.body["error"]["details"]["valid_rows"] == 1
    assert_error(await upload(call, s, csv_file("full_name,point_code")), 422, "import_invalid")
    assert await written_since(call, s, before_seq) == []
    assert (await total(call, s), await expected(call, s)) == before
    assert await find(call, s, "Cao Văn Tốt") == []


async def test_skip_invalid_imports_only_valid_rows(shared_server: Server, call: Call) -> None:
    s = shared_server
    before_seq, before_total, before = await seq(call, s), await total(call, s), await expected(call, s)
    content = csv_file(
        "full_name,point_code",
        "Kiều Văn Một,HGI", "Kiều Văn Hai,HGI", ",HGI", "Kiều Văn Ba,CTO", "Kiều Văn Bốn,ZZZ", "Kiều Văn Một,HGI",
    )
    reply = await upload(call, s, content, skip_invalid=True)
    assert reply.status == 201, reply.body
    assert reply.body["created"] == 3 and [e["row"] for e in reply.body["errors"]] == [4, 6, 7]
    after = await expected(call, s)
    assert after["HGI"] - before["HGI"] == 2 and after["CTO"] - before["CTO"] == 1
    assert after["total"] - before["total"] == 3 and await total(call, s) - before_total == 3
    assert {k: after[k] - before[k] for k in before if k not in ("HGI", "CTO", "total")} == dict.fromkeys(
        set(before) - {"HGI", "CTO", "total"}, 0
    )
    events = await written_since(call, s, before_seq)
    assert [e["type"] for e in events] == ["participants.imported"]
    ids = await point_ids(call, s)
    assert events[0]["data"] == {"created": 3, "points": {str(ids["HGI"]): 2, str(ids["CTO"]): 1}}
    validate_event(events[0])
    assert await written_since(call, s, before_seq, s.tokens["operators"]["HGI"]) == []


async def test_retry_with_the_same_key_imports_once(shared_server: Server, call: Call) -> None:
    s = shared_server
    content = csv_file("full_name,point_code", "Quách Văn Lặp,HGI")
    first = await upload(call, s, content, key="import-1")
    assert first.status == 201, first.body
    before = await total(call, s)
    again = await upload(call, s, content, key="import-1")
    assert (again.status, again.body) == (first.status, first.body) and await total(call, s) == before
    other = await upload(call, s, csv_file("full_name,point_code", "Quách Văn Khác,HGI"), key="import-1")
    assert_error(other, 409, "idempotency_mismatch")


async def test_wrong_roles_are_refused(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    before = await seq(call, s)
    content = csv_file("full_name,point_code", "Đoàn Văn Cấm,HGI")
    delegate = next(iter(t["delegates"].values()))
    for token in (t["chair"], t["operators"]["HGI"], t["display"], delegate):
        assert_error(await upload(call, s, content, token=token), 403)
        assert_error(await upload(call, s, b"\xff not even a file", token=token, dry_run=True), 403)
    assert_error(await upload(call, s, content, token=None), 401)
    assert_error(await upload(call, s, content, dry_run="maybe"), 422)
    assert await written_since(call, s, before) == []
    ids = await point_ids(call, s)
    refusals = [
        ("/participants/export.csv", t["display"]),
        ("/participants/export.csv", delegate),
        (f"/participants/export.csv?point_id={ids['CTO']}", t["operators"]["HGI"]),
        ("/attendance/export.csv", t["operators"]["HGI"]),
        ("/attendance/export.xlsx", t["display"]),
        ("/participants/import-template.csv", t["chair"]),
        ("/participants/import-template.xlsx", t["operators"]["HGI"]),
    ]
    for path, token in refusals:
        assert_error(await call("GET", s.api(path), token), 403)


async def test_oversized_upload_is_413(tmp_path: Path, call: Call) -> None:
    server = await start_server(tmp_path / "small", extra_env={"DIEMCAU_MAX_UPLOAD_BYTES": "4096"})
    try:
        before = await total(call, server)
        line = "Nguyễn Văn Dài Dòng Thật Là Dài,HGI"
        fits = csv_file("full_name,point_code", *[line.replace("Dài", f"Dài {i}") for i in range(60)])
        assert len(fits) < 4096
        assert (await upload(call, server, fits, dry_run=True)).status == 200
        over = csv_file("full_name,point_code", *[line.replace("Dài", f"Dài {i}") for i in range(200)])
        assert 4096 < len(over) < 64 * 1024
        assert_error(await upload(call, server, over), 413, "too_large")
        huge = csv_file("full_name,point_code", *[line.replace("Dài", f"Dài {i}") for i in range(3000)])
        assert len(huge) > 4096 + 64 * 1024
        assert_error(await upload(call, server, huge), 413, "too_large")
        assert await total(call, server) == before
    finally:
        stop_server(server)


async def test_five_thousand_rows(demo_server: Server, call: Call) -> None:
    s = demo_server
    before_total, before = await total(call, s), await expected(call, s)
    codes = ["HGI", "CTO", "AGG"]
    lines = [
        f"Nguyễn Văn Số {i},Chuyên viên,Sở Nội vụ,{codes[i % 3]},Đại biểu,nv{i}@example.vn,09{i:08d}"
        for i in range(5000)
    ]
    reply = await upload(call, s, csv_file(HEADER, *lines))
    assert reply.status == 201, reply.body
    assert reply.body["created"] == 5000 and len(reply.body["preview"]) == 20
    assert await total(call, s) == before_total + 5000
    after = await expected(call, s)
    assert [after[c] - before[c] for c in codes] == [1667, 1667, 1666] and after["total"] - before["total"] == 5000


# ---- export ----------------------------------------------------------------------------------------------


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


async def roster_names(call: Call, server: Server, token: str, point_id: int | None = None) -> list[str]:
    query = f"?limit=1000&point_id={point_id}" if point_id else "?limit=1000"
    return [p["full_name"] for p in (await call("GET", server.api("/participants" + query), token)).body["items"]]


async def test_roster_export_csv(shared_server: Server, call: Call) -> None:
    s = shared_server
    content = csv_file(
        "full_name,organization,point_code", 'Ông Văn Công,"=HYPERLINK(""http://x"")",HGI', "Âu Thị Ba,@SUM(A1),HGI"
    )
    assert (await upload(call, s, content)).status == 201
    status, headers, body = await download(s, "/participants/export.csv", s.tokens["chair"])
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    disposition = headers["Content-Disposition"]
    assert (
        disposition.startswith('attachment; filename="roster-') and "filename*=UTF-8''Danh%20s%C3%A1ch" in disposition
    )
    rows = read_csv(body)
    assert [r["full_name"] for r in rows] == await roster_names(call, s, s.tokens["admin"])
    cong = next(r for r in rows if r["full_name"] == "Ông Văn Công")
    assert cong["organization"] == "'=HYPERLINK(\"http://x\")" and cong["point_code"] == "HGI"
    assert cong["present"] == "FALSE" and cong["on_roster"] == "TRUE"
    assert next(r for r in rows if r["full_name"] == "Âu Thị Ba")["organization"] == "'@SUM(A1)"


async def test_roster_export_xlsx_has_only_strings(shared_server: Server, call: Call) -> None:
    s = shared_server
    content = csv_file("full_name,position,point_code", 'Ung Văn Lệnh,"=1+2",CTO', "Ưng Thị Dấu,-5,CTO")
    assert (await upload(call, s, content)).status == 201
    status, headers, body = await download(s, "/participants/export.xlsx", s.tokens["admin"])
    assert (
        status == 200 and headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[:4] == ["point_code", "point_name", "full_name", "position"] and rows[0][0].font.b
    assert sheet.freeze_panes == "A2"
    cells = [c for row in rows for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    by_name = {row[2].value: row for row in rows[1:]}
    assert by_name["Ung Văn Lệnh"][3].value == "'=1+2" and by_name["Ưng Thị Dấu"][3].value == "'-5"
    assert [row[2].value for row in rows[1:]] == await roster_names(call, s, s.tokens["admin"])


async def test_operator_exports_its_own_point(shared_server: Server, call: Call) -> None:
    s = shared_server
    status, _, body = await download(s, "/participants/export.csv", s.tokens["operators"]["CTO"])
    assert status == 200
    rows = read_csv(body)
    assert rows and {r["point_code"] for r in rows} == {"CTO"}
    assert [r["full_name"] for r in rows] == await roster_names(call, s, s.tokens["operators"]["CTO"])
    point = (await point_ids(call, s))["AGG"]
    status, headers, body = await download(s, f"/participants/export.csv?point_id={point}", s.tokens["admin"])
    assert status == 200 and f'filename="roster-{s.conference_id}-point-{point}.csv"' in headers["Content-Disposition"]
    assert {r["point_code"] for r in read_csv(body)} == {"AGG"}


async def test_attendance_export(shared_server: Server, call: Call) -> None:
    s = shared_server
    sheet = (await call("GET", s.api("/attendance"), s.tokens["chair"])).body["points"]
    status, _, body = await download(s, "/attendance/export.csv", s.tokens["chair"])
    assert status == 200
    rows = read_csv(body)
    assert [(r["point_code"], int(r["expected"]), int(r["present"])) for r in rows] == [
        (p["code"], p["expected"], p["present"]) for p in sheet
    ]
    assert list(rows[0]) == [
        "point_code",
        "point_name",
        "region",
        "expected",
        "invited_present",
        "represented",
        "absent",
        "rate_percent",
        "substitutes",
        "walk_ins",
        "people",
        "present",
        "last_checkin_at",
    ]
    for r in rows:
        assert int(r["invited_present"]) + int(r["represented"]) + int(r["absent"]) == int(r["expected"])
    status, _, body = await download(s, "/attendance/export.xlsx", s.tokens["admin"])
    book = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    assert [row[0] for row in book.iter_rows(min_row=2, values_only=True)] == [p["code"] for p in sheet]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_template_downloads_and_imports(shared_server: Server, call: Call, fmt: str) -> None:
    s = shared_server
    status, headers, body = await download(s, f"/participants/import-template.{fmt}", s.tokens["admin"])
    assert status == 200 and f'filename="roster-template.{fmt}"' in headers["Content-Disposition"]
    if fmt == "csv":
        rows = read_csv(body)
        assert list(rows[0]) == HEADER.split(",") and rows[0]["full_name"] == "Nguyễn Thị Hồng"
    else:
        values = list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))
        assert list(values[0]) == HEADER.split(",") and values[1][0] == "Nguyễn Thị Hồng"
    reply = await upload(call, s, body, dry_run=True)
    assert reply.status == 200 and reply.body["valid_rows"] == 1, reply.body


# ---- admin console ---------------------------------------------------------------------------------------


async def test_admin_console_checks_then_imports(
    demo_server: Server, open_console: Open, call: Call, tmp_path: Path
) -> None:
    s = demo_server
    before = await expected(call, s)
    path = tmp_path / "roster.csv"
    path.write_bytes(
        csv_file("Họ và tên,Mã điểm cầu,Đơn vị", "Lò Văn Giàng,HGI,<b>Sở</b>", "Lò Văn Thiếu,", "Lò Văn Hoà,CTO,")
    )
    page = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}")
    await page.locator("#import-form input[type=file]").set_input_files(str(path))
    await expect(page.locator("#import-run")).to_be_disabled()
    await page.locator("#import-check").click()
    report = page.locator("#import-report")
    await expect(report).to_contain_text("2 dòng hợp lệ, 1 dòng có lỗi.")
    await expect(report.locator("td", has_text="<b>Sở</b>")).to_have_count(1)
    await expect(report.locator("tbody tr", has_text="để trống")).to_contain_text("Mã điểm cầu")
    await expect(page.locator("#import-run")).to_be_disabled()
    await page.locator("#import-skip").check()
    await page.locator("#import-run").click()
    await expect(page.locator("#notice")).to_have_text("Đã nhập 2 đại biểu.")
    await expect(report).to_be_empty()
    after = await expected(call, s)
    assert (after["HGI"] - before["HGI"], after["CTO"] - before["CTO"]) == (1, 1)
    await page.locator("#roster-point").select_option(label="Điểm cầu Hậu Giang")
    await expect(page.locator("#roster-rows")).to_contain_text("Lò Văn Giàng")
