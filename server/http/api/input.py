"""Remarks and comments submitted on the draft (listed in inbox.py, ruled in rulings.py)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from server.errors import Invalid
from server.http import parse
from server.http.api.attachments import read_remark_form, stored
from server.http.api.common import write
from server.http.api.intake import SUBMITTER, submitter, submitting
from server.http.body import Body, Field
from server.http.declaration import body_of
from server.http.openapi_schemas import STRING
from server.http.openapi_shapes import PROPOSAL
from server.submissions.batch import SubmitComment, SubmitRemark
from server.submissions.proposals import Proposal, read_proposal

MAX_COMMENT = 20_000
SUBMITS_FOR_ITSELF = "A delegate submits for itself"
MAX_REMARK = 200_000


async def submit_remark(request: web.Request) -> web.Response:
    """JSON, or multipart with the same fields and an optional PDF or DOCX `file`.

    Every field is checked before the file is stored, and a write that fails leaves no file behind.
    """
    principal, c = submitting(request)
    upload = None
    if request.content_type.startswith("multipart/"):
        data, upload = await read_remark_form(request)
    else:
        data = await parse.json_body(request)
    participant_id = submitter(principal, data, SUBMITS_FOR_ITSELF)
    title, body, agenda_item_id = body_of(request).read(data)
    attachment = upload.attachment if upload is not None else None

    filed = SubmitRemark(participant_id, principal.actor, principal.point_id, principal.role == "operator", title, body,
                         agenda_item_id, attachment)
    # The idempotency record keeps the file's digest and name, not the file.
    payload = data if attachment is None else {**data, "attachment": [attachment.sha256, attachment.name]}
    async with stored(request, upload):
        return await write(request, c, filed, 201, principal, payload)


async def submit_comment(request: web.Request) -> web.Response:
    principal, c = submitting(request)
    data = await parse.json_body(request)
    participant_id = submitter(principal, data, SUBMITS_FOR_ITSELF)
    anchor, body, proposal = body_of(request).read(data)

    filed = SubmitComment(
        participant_id,
        principal.actor,
        principal.point_id,
        principal.role == "operator",
        anchor,
        body,
        None if proposal is None else proposal.text,
        None if proposal is None else proposal.kind,
    )
    return await write(request, c, filed, 201, principal, data)


def _proposal(data: dict[str, Any]) -> Proposal | None:
    """`proposal: {kind, text}`, or v1's `proposed_text` alone, which proposes a replacement; not both."""
    proposed = parse.text(data, "proposed_text", MAX_COMMENT, required=False)
    sent = data.get("proposal")
    if sent is None:
        return None if proposed is None else Proposal("replace", proposed)
    if proposed is not None:
        raise Invalid("Send the proposal or proposed_text, not both", {"proposed_text": "not with proposal"})
    if not isinstance(sent, dict):
        raise Invalid("proposal must be an object {kind, text}", {"proposal": "not an object"})
    unknown = set(sent) - {"kind", "text"}
    if unknown:
        raise Invalid(
            "A proposal holds kind and text only", {f"proposal.{k}": "unknown field" for k in sorted(unknown)}
        )
    return read_proposal(sent.get("kind"), sent.get("text"), MAX_COMMENT)


def _anchor(data: dict[str, Any]) -> str | None:
    anchor = data.get("section_anchor")
    if anchor is not None and not isinstance(anchor, str):
        raise Invalid("section_anchor must be a string", {"section_anchor": "not a string"})
    return anchor


COMMENT = Body(
    SUBMITTER,
    Field.custom("section_anchor", STRING, _anchor),
    Field.text("body", MAX_COMMENT),
    Field.custom("proposal", PROPOSAL, _proposal),
    Field.by_hand(
        "proposed_text", {**STRING, "description": "Shorthand for proposal {kind: replace, text}; not with proposal."}
    ),
)
