"""The demo workshop end to end: attendance, agenda, input, rulings, close-out and the frozen summary."""
from __future__ import annotations

from typing import Any

from server.simulate.loopback import Server
from tests.support import flows
from tests.support.http import Call


async def test_demo_workshop_end_to_end(demo_server: Server, call: Call, listen: Any) -> None:
    await flows.demo_workshop_end_to_end(demo_server, call, listen)
