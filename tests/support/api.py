"""Calls the tests make through the API, each with the assertion every caller of it wants."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.simulate.loopback import Server
from tests.support.http import Call


def assert_error(reply: Any, status: int, code: str | None = None) -> None:
    assert reply.status == status, reply.body
    error = reply.body["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    if code is not None:
        assert error["code"] == code


async def point_ids(call: Call, server: Server) -> dict[str, int]:
    points = (await call("GET", server.api("/points"), server.tokens["admin"])).body["items"]
    return {p["code"]: p["id"] for p in points}


async def first_at(call: Call, server: Server, code: str) -> int:
    return int(
        (await call("GET", server.api("/participants"), server.tokens["operators"][code])).body["items"][0]["id"]
    )


async def seq(call: Call, server: Server) -> int:
    return int((await call("GET", server.api(), server.tokens["admin"])).body["seq"])


async def delegate_ids(call: Call, server: Server) -> dict[str, int]:
    """Delegate tokens keyed by the participant's full name."""
    people = (await call("GET", server.api("/participants?limit=1000"), server.tokens["admin"])).body["items"]
    names = {str(p["id"]): p["full_name"] for p in people}
    return {names[pid]: int(pid) for pid in server.tokens["delegates"]}


AUTHOR, OTHER = "Nghiêm Xuân Thành", "Nguyễn Thị Thu Hà"


async def people(call: Call, s: Server) -> tuple[str, str]:
    """The tokens of two delegates at different points: Hậu Giang (HGI) and Cần Thơ (CTO)."""
    ids = await delegate_ids(call, s)
    return s.tokens["delegates"][str(ids[AUTHOR])], s.tokens["delegates"][str(ids[OTHER])]


async def comment(
    call: Call, s: Server, token: str, anchor: str | None, body: str, proposed: str | None = None
) -> dict[str, Any]:
    reply = await call(
        "POST", s.api("/comments"), token, json={"section_anchor": anchor, "body": body, "proposed_text": proposed}
    )
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def rule(call: Call, s: Server, item: dict[str, Any], disposition: str, response: str = "") -> dict[str, Any]:
    reply = await call("PATCH", s.api(f"/comments/{item['id']}"), s.tokens["chair"],
                       json={"disposition": disposition, "response": response, "revision": item["revision"]})
    assert reply.status == 200, reply.body
    return dict(reply.body)


async def propose(call: Call, s: Server, token: str, anchor: str, proposal: dict[str, Any]) -> dict[str, Any]:
    reply = await call(
        "POST", s.api("/comments"), token, json={"section_anchor": anchor, "body": "Đề xuất.", "proposal": proposal}
    )
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def present_at_hgi(call: Call, s: Server, count: int) -> list[dict[str, Any]]:
    """Check in the first `count` people of Hậu Giang and return them."""
    token = s.tokens["operators"]["HGI"]
    people = (await call("GET", s.api("/participants"), token)).body["items"][:count]
    for person in people:
        assert (await call("POST", s.api("/checkins"), token, json={"participant_id": person["id"]})).status == 201
    return people


async def ask(call: Call, s: Server, person: dict[str, Any]) -> dict[str, Any]:
    reply = await call(
        "POST", s.api("/speaking-requests"), s.tokens["operators"]["HGI"], json={"participant_id": person["id"]}
    )
    assert reply.status == 201, reply.body
    return reply.body


@dataclass
class Fresh:
    """A workshop made through the API, still in status draft, with one bridge point and one delegate."""

    base: str
    id: int
    delegate: str

    def api(self, path: str = "") -> str:
        return f"{self.base}{path}"


async def new_conference(call: Call, server: Server, title: str = "Hội thảo góp ý dự thảo") -> Fresh:
    admin = server.tokens["admin"]
    created = await call(
        "POST",
        f"{server.base_url}/api/v1/conferences",
        admin,
        json={"title": title, "starts_at": "2026-03-02T08:00:00+07:00"},
    )
    assert created.status == 201 and created.body["status"] == "draft", created.body
    base = f"{server.base_url}/api/v1/conferences/{created.body['id']}"
    point = await call("POST", base + "/points", admin, json={"code": "HN", "name": "Hà Nội", "is_host": True})
    person = await call(
        "POST", base + "/participants", admin, json={"full_name": "Lê Thị Hoa", "point_id": point.body["id"]}
    )
    invitation = await call(
        "POST", base + "/invitations", admin, json={"role": "delegate", "participant_id": person.body["id"]}
    )
    assert invitation.status == 201, invitation.body
    return Fresh(base, created.body["id"], invitation.body["token"])
