"""Badge codes (signed, unforgeable), check-in by scanned code, and the printable badge sheets."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from server.badges.codes import PREFIX, participant_code, read_code
from server.errors import Invalid
from server.simulate.loopback import Server
from tests.rendered import pdf_text, poppler, squeezed
from tests.support.api import assert_error, point_ids
from tests.support.http import Call

ids = st.integers(min_value=0, max_value=2**63 - 1)
secrets = st.binary(min_size=1, max_size=64)
CODE = re.compile(r"^DC1-[A-Z2-7]+$")


def refused(secret: bytes, code: str) -> bool:
    try:
        read_code(secret, code)
    except Invalid as error:
        assert error.code == "bad_code" and error.status == 422
        return True
    return False


@given(secrets, ids, ids)
def test_a_code_reads_back_as_what_it_was_made_for(secret: bytes, conference_id: int, participant_id: int) -> None:
    code = participant_code(secret, conference_id, participant_id)
    assert CODE.match(code) and len(code) <= 49
    assert read_code(secret, code) == (conference_id, participant_id)
    # A wedge scanner under Caps Lock types lower case, and its Enter key arrives too.
    assert read_code(secret, code.lower() + "\r\n") == (conference_id, participant_id)


@given(secrets, ids, ids, st.data())
def test_any_single_character_change_is_refused(
    secret: bytes, conference_id: int, participant_id: int, data: Any
) -> None:
    code = participant_code(secret, conference_id, participant_id)
    index = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(st.characters(codec="utf-8").filter(lambda c: c.upper() != code[index]))
    assert refused(secret, code[:index] + replacement + code[index + 1:])


@given(secrets, ids, ids, ids)
def test_codes_of_different_participants_differ(secret: bytes, conference_id: int, one: int, other: int) -> None:
    if one != other:
        assert participant_code(secret, conference_id, one) != participant_code(secret, conference_id, other)


@given(secrets, secrets, ids, ids)
def test_another_secret_cannot_make_a_valid_code(
    secret: bytes, forger: bytes, conference_id: int, participant_id: int
) -> None:
    if forger != secret:
        assert refused(secret, participant_code(forger, conference_id, participant_id))


@given(secrets, st.text())
def test_random_text_is_refused(secret: bytes, text: str) -> None:
    assert refused(secret, text) and refused(secret, PREFIX + text)


def test_codes_of_ordinary_workshops_are_short() -> None:
    # Up to 127 conferences and 16383 participants: 25 characters, a version 2 QR code at level M.
    code = participant_code(b"k", 127, 16383)
    assert len(code) == 25 and segno.make_qr(code, error="m").version == 2


@pytest.mark.parametrize("cut", [1, 5, -1, -5])
def test_cut_or_padded_codes_are_refused(cut: int) -> None:
    code = participant_code(b"k", 3, 4242)
    assert refused(b"k", code[:cut] if cut < 0 else code[cut:])
    assert refused(b"k", code + "A") and refused(b"k", code + "=") and refused(b"k", "DC2-" + code[4:])


def secret_of(server: Server) -> bytes:
    """The test server's signing key: see start_server in conftest."""
    return ("test-secret-" + server.database.parent.name).encode()


async def roster(call: Call, server: Server, point_id: int) -> list[dict[str, Any]]:
    people = (await call("GET", server.api(f"/participants?point_id={point_id}"), server.tokens["admin"])).body["items"]
    return [p for p in people if p["on_roster"]]


async def test_operator_checks_in_by_code(demo_server: Server, call: Call) -> None:
    s, t = demo_server, demo_server.tokens
    hgi, secret = t["operators"]["HGI"], secret_of(demo_server)
    points = await point_ids(call, s)
    first, second = (await roster(call, s, points["HGI"]))[:2]
    code = participant_code(secret, s.conference_id, first["id"])

    checked = await call("POST", s.api("/checkins"), hgi, json={"code": code})
    assert checked.status == 201, checked.body
    assert checked.body["participant_id"] == first["id"] and checked.body["present"] is True
    assert_error(await call("POST", s.api("/checkins"), hgi, json={"code": code}), 409, "already_checked_in")

    retry = {
        "json": {"code": participant_code(secret, s.conference_id, second["id"])},
        "headers": {"Idempotency-Key": "scan-1"},
    }
    once, again = [await call("POST", s.api("/checkins"), hgi, **retry) for _ in range(2)]
    assert once.status == again.status == 201 and once.body["checkin_id"] == again.body["checkin_id"]
    sheet = (await call("GET", s.api("/attendance"), t["chair"])).body
    assert next(p for p in sheet["points"] if p["code"] == "HGI")["present"] == 2


async def test_wrong_codes_are_refused_and_change_nothing(demo_server: Server, call: Call) -> None:
    s, t = demo_server, demo_server.tokens
    hgi, secret = t["operators"]["HGI"], secret_of(demo_server)
    points = await point_ids(call, s)
    person = (await roster(call, s, points["HGI"]))[0]
    stranger = (await roster(call, s, points["CTO"]))[0]
    code = participant_code(secret, s.conference_id, person["id"])
    tampered = code[:8] + ("B" if code[8] == "A" else "A") + code[9:]
    before = (await call("GET", s.api(), t["admin"])).body["seq"]

    assert_error(await call("POST", s.api("/checkins"), hgi, json={"code": tampered}), 422, "bad_code")
    foreign = participant_code(secret, s.conference_id + 1, person["id"])
    assert_error(await call("POST", s.api("/checkins"), hgi, json={"code": foreign}), 422, "foreign_code")
    elsewhere = await call(
        "POST", s.api("/checkins"), hgi, json={"code": participant_code(secret, s.conference_id, stranger["id"])}
    )
    assert_error(elsewhere, 403, "wrong_point")
    cto_name = next(
        p["name"] for p in (await call("GET", s.api("/points"), t["admin"])).body["items"] if p["code"] == "CTO"
    )
    assert elsewhere.body["error"]["details"]["point"] == cto_name and cto_name in elsewhere.body["error"]["message"]
    assert_error(
        await call("POST", s.api("/checkins"), hgi, json={"code": code, "participant_id": person["id"]}), 422, "invalid"
    )
    assert_error(
        await call("POST", s.api("/checkins"), hgi, json={"code": code, "full_name": "Lê Văn Tám"}), 422, "invalid"
    )
    assert_error(await call("POST", s.api("/checkins"), hgi, json={"code": 12345}), 422, "invalid")
    assert_error(await call("POST", s.api("/checkins"), t["display"], json={"code": code}), 403)
    assert (await call("GET", s.api(), t["admin"])).body["seq"] == before


async def test_badge_page_shows_one_qr_per_roster_member(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    point = (await point_ids(call, s))["HGI"]
    people = await roster(call, s, point)
    page = await call("GET", f"{s.base_url}/admin/{s.conference_id}/badges/{point}", t["admin"])
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.body
    assert html.count('class="badge-qr"') == len(people) >= 10
    codes = [participant_code(secret_of(s), s.conference_id, p["id"]) for p in people]
    assert re.findall(r'<p class="badge-code">([^<]+)</p>', html) == codes
    positions = [html.index(f'<h2 class="badge-name">{p["full_name"]}</h2>') for p in people]
    assert positions == sorted(positions)
    assert (
        "style=" not in html
        and "<script" not in html
        and "script-src 'self'" in page.headers["Content-Security-Policy"]
    )

    assert (
        await call("GET", f"{s.base_url}/admin/{s.conference_id}/badges/{point}", t["operators"]["HGI"])
    ).status == 403
    assert (await call("GET", f"{s.base_url}/admin/{s.conference_id}/badges/{point}", t["chair"])).status == 403
    anonymous = await call("GET", f"{s.base_url}/admin/{s.conference_id}/badges/{point}", allow_redirects=False)
    assert anonymous.status == 302 and anonymous.headers["Location"].startswith("/login")
    assert (await call("GET", f"{s.base_url}/admin/{s.conference_id}/badges/999999", t["admin"])).status == 404


async def test_a_badge_sheet_is_found_by_the_points_code(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    point = (await point_ids(call, s))["HGI"]
    by_code = await call(
        "GET", f"{s.base_url}/admin/{s.conference_id}/points/HGI/badges", t["admin"], allow_redirects=False
    )
    assert by_code.status == 302 and by_code.headers["Location"] == f"/admin/{s.conference_id}/badges/{point}"
    assert (await call("GET", f"{s.base_url}/admin/{s.conference_id}/points/KHONG/badges", t["admin"])).status == 404
    assert (await call("GET", f"{s.base_url}/admin/{s.conference_id}/points/HGI/badges", t["chair"])).status == 403


async def test_an_invitation_link_prints_as_its_qr_code(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    invitation = next(
        i for i in (await call("GET", s.api("/invitations"), t["admin"])).body["items"] if i["role"] == "operator"
    )
    url = f"{s.base_url}/admin/{s.conference_id}/invitations/{invitation['id']}/qr.svg"
    image = await call("GET", url, t["admin"])
    assert image.status == 200 and image.headers["Content-Type"] == "image/svg+xml"
    assert image.headers["Cache-Control"] == "no-store"
    # The same symbol as the link's own QR code, drawn by the same library.
    expected = segno.make_qr(invitation["url"], error="m")
    assert f'viewBox="0 0 {expected.symbol_size(scale=4)[0]} {expected.symbol_size(scale=4)[1]}"' in image.body
    assert expected.svg_inline(scale=4, omitsize=True).split('d="')[1] in image.body
    assert (await call("GET", url, t["chair"])).status == 403
    assert (
        await call("GET", f"{s.base_url}/admin/{s.conference_id}/invitations/999999/qr.svg", t["admin"])
    ).status == 404


def module_matrix(png: Path, size: int) -> list[list[bool]]:
    """Sample the centre of every module of a QR image: True where it is dark."""
    image = Image.open(png).convert("L")
    scale = image.width / size
    return [
        [image.getpixel((int((x + 0.5) * scale), int((y + 0.5) * scale))) < 128 for x in range(size)]
        for y in range(size)
    ]


async def test_badge_pdf_has_every_name_and_qr(shared_server: Server, call: Call, tmp_path: Path) -> None:
    s, t = shared_server, shared_server.tokens
    point = (await point_ids(call, s))["HGI"]
    people = await roster(call, s, point)
    url = s.api(f"/points/{point}/badges.pdf")
    bodies = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {t['admin']}"}) as http:
        for _ in range(2):
            async with http.get(url) as response:
                assert response.status == 200 and response.content_type == "application/pdf"
                bodies.append(await response.read())
    pdf = bodies[0]
    assert pdf.startswith(b"%PDF") and bodies[1] == pdf, "the same roster must give the same bytes"
    (tmp_path / "badges.pdf").write_bytes(pdf)

    # A long name wraps onto a second line where the machine's font is wider; it is the same name.
    text = squeezed(pdf_text(pdf))
    codes = [participant_code(secret_of(s), s.conference_id, p["id"]) for p in people]
    assert all(squeezed(p["full_name"]) in text for p in people), "every name with every diacritic"
    assert all(code in text for code in codes)

    poppler("pdfimages", "-png", str(tmp_path / "badges.pdf"), str(tmp_path / "qr"))
    images = sorted(tmp_path.glob("qr-*.png"))
    assert len(images) == len(people)
    for image, code in zip(images, codes, strict=True):
        expected = [[bool(v) for v in row] for row in segno.make_qr(code, error="m").matrix_iter(border=4)]
        assert module_matrix(image, len(expected)) == expected

    assert_error(await call("GET", url, t["operators"]["HGI"]), 403)
    assert_error(await call("GET", url, t["chair"]), 403)
    assert_error(await call("GET", s.api("/points/999999/badges.pdf"), t["admin"]), 404)
