"""Test data made through the admin API: a second workshop beside the demo one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.simulate.loopback import Server
from tests.support.http import Call


@dataclass(frozen=True)
class Workshop:
    """A workshop with one point and one participant, and that participant's delegate token."""

    conference_id: int
    point_id: int
    participant_id: int
    delegate_token: str


async def created(call: Call, method: str, url: str, token: str, json: dict[str, Any]) -> dict[str, Any]:
    reply = await call(method, url, token, json=json)
    assert reply.status == 201, (url, reply.body)
    return dict(reply.body)


async def another_workshop(s: Server, call: Call) -> Workshop:
    admin, api = s.tokens["admin"], f"{s.base_url}/api/v1/conferences"
    conference = await created(
        call, "POST", api, admin, {"title": "Hội thảo khác", "starts_at": "2024-05-01T08:00:00+07:00"}
    )
    c = conference["id"]
    point = await created(call, "POST", f"{api}/{c}/points", admin, {"code": "KHC", "name": "Điểm cầu khác"})
    person = await created(
        call, "POST", f"{api}/{c}/participants", admin, {"full_name": "Lê Văn Khác", "point_id": point["id"]}
    )
    invitation = await created(
        call, "POST", f"{api}/{c}/invitations", admin, {"role": "delegate", "participant_id": person["id"]}
    )
    return Workshop(c, point["id"], person["id"], str(invitation["token"]))
