"""A contribution's receipt looked up by its author or staff: is it in the frozen record, and the proof that it is."""

from __future__ import annotations

from aiohttp import web

from server.http.api.common import allow, reader
from server.submissions.proofs import receipt_status


async def get_receipt(request: web.Request) -> web.Response:
    principal, c = allow(request)
    # A delegate asks about its own input only; staff about anyone's.
    author = None if principal.is_staff else principal.participant_id
    async with reader(request) as session:
        return web.json_response(await receipt_status(session, c, request.match_info["receipt"], author))
