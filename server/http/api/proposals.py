"""Changes proposed to the draft's structure: the secretariat's own proposals and the author's answer to a ruling."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import PROPOSAL_KINDS
from server.auth.principal import Principal
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, write
from server.http.api.input import MAX_COMMENT
from server.http.body import Body, Field
from server.http.declaration import parsed
from server.http.openapi_schemas import BOOLEAN, STRING, enum
from server.submissions import answers
from server.submissions.change_proposals import propose_change
from server.submissions.operations import comment_dict
from server.submissions.proposals import read_proposal


def _section(data: dict[str, Any]) -> str:
    anchor = data.get("section_anchor")
    if not isinstance(anchor, str) or not anchor:
        raise Invalid("A proposal names the section it changes", {"section_anchor": "required with a proposal"})
    return anchor


def _agrees(data: dict[str, Any]) -> bool:
    agrees = data.get("agrees")
    if not isinstance(agrees, bool):
        raise Invalid("agrees must be true or false", {"agrees": "required, true or false"})
    return agrees


# The secretariat's own proposal: its kind reads the text with it, which a delete must not carry.
CHANGE_PROPOSAL = Body(
    Field.custom("section_anchor", STRING, _section, required=True),
    Field.custom(
        "kind",
        enum(PROPOSAL_KINDS),
        lambda data: read_proposal(data.get("kind"), data.get("text"), MAX_COMMENT, "kind", "text"),
        required=True,
    ),
    Field.by_hand("text", {**STRING, "description": "Required but for delete, where absent."}),
    Field.text("reason", MAX_COMMENT),
)
ANSWER = Body(Field.custom("agrees", BOOLEAN, _agrees, required=True), Field.text("text", MAX_COMMENT, required=False))


async def create_change_proposal(request: web.Request) -> web.Response:
    """`{section_anchor, kind, text, reason}`: the secretariat's proposal, answered as the comment it becomes."""
    principal, c = allow(request)
    data, (anchor, proposal, reason) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await comment_dict(session, await propose_change(session, c, principal.actor, anchor, proposal, reason))

    return await write(request, c, op, 201, principal, data)


def _answerer(principal: Principal) -> answers.Answerer:
    return answers.Answerer(principal.participant_id if principal.role == "delegate" else None, principal.actor)


async def answer_ruling(request: web.Request) -> web.Response:
    """`{agrees, text?}`: the author's answer; only the author may send it, whatever it sends."""
    principal, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    data = await parse.json_body(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        comment = await answers.answerable(session, c, comment_id, _answerer(principal))
        # Read once the caller is known to be the author: anyone else is refused whatever the body says.
        agrees, text = ANSWER.read(data)
        return await comment_dict(session, await answers.answer_ruling(session, c, comment, agrees, text))

    return await write(request, c, op)
