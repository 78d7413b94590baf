"""The draft, and the remarks and comments submitted on it."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import DISPOSITIONS
from server.auth.principal import Principal
from server.drafts import operations as drafts
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, listing, reader, write
from server.submissions import operations as submissions

MAX_COMMENT = 20_000
MAX_REMARK = 200_000
MAX_DRAFT = 5_000_000
TEXT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text"}


def submitter(principal: Principal, data: dict[str, Any]) -> int:
    """Delegates submit for themselves; operators name someone at their point."""
    if principal.role == "delegate":
        if data.get("participant_id") not in (None, principal.participant_id):
            raise Invalid("A delegate submits for itself", {"participant_id": "not yours"})
        assert principal.participant_id is not None
        return principal.participant_id
    participant_id = parse.integer(data, "participant_id")
    assert participant_id is not None
    return participant_id


def reach(principal: Principal) -> dict[str, int | None]:
    """Staff read everything, a delegate its own submissions, an operator those of its point."""
    if principal.role == "delegate":
        return {"participant_id": principal.participant_id}
    if principal.role == "operator":
        return {"point_id": principal.point_id}
    return {}


async def read_draft_upload(request: web.Request) -> tuple[dict[str, Any], str, str, str]:
    """Accept JSON {format, content, title?} or a multipart file of Markdown or plain text."""
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise Invalid("Send the draft as a file field named file", {"file": "required"})
        name = upload.filename or ""
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        if suffix not in TEXT_SUFFIXES:
            raise Invalid("The draft must be a .md or .txt file", {"file": "unsupported type"})
        raw = upload.file.read()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid("The draft is not UTF-8 text", {"file": "not UTF-8"}) from None
        data: dict[str, Any] = {"format": TEXT_SUFFIXES[suffix], "content": content, "title": form.get("title")}
        fmt = TEXT_SUFFIXES[suffix]
    else:
        data = await parse.json_body(request)
        fmt = parse.choice(data, "format", drafts.FORMATS) or "text"
    content = parse.text(data, "content", MAX_DRAFT) or ""
    title = parse.name(data, "title", required=False) or content.strip().splitlines()[0][:200]
    return data, fmt, content, title


async def list_drafts(request: web.Request) -> web.Response:
    _, c = allow(request, "draft.read")
    async with reader(request) as session:
        rows = await drafts.list_drafts(session, c)
        return listing([await drafts.draft_dict(session, d, with_sections=False) for d in rows])


async def get_draft(request: web.Request) -> web.Response:
    _, c = allow(request, "draft.read")
    draft_id = parse.path_id(request, "d")
    async with reader(request) as session:
        return web.json_response(await drafts.draft_dict(session, await drafts.get_draft(session, c, draft_id)))


async def publish_draft(request: web.Request) -> web.Response:
    principal, c = allow(request, "draft.write")
    data, fmt, content, title = await read_draft_upload(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await drafts.draft_dict(session, await drafts.publish_draft(session, c, title, fmt, content))

    return await write(request, c, op, 201, principal, data)


async def list_remarks(request: web.Request) -> web.Response:
    principal, c = allow(request, "remark.read")
    async with reader(request) as session:
        rows = await submissions.list_remarks(session, c, **reach(principal))
        return listing([await submissions.remark_dict(session, r) for r in rows])


async def submit_remark(request: web.Request) -> web.Response:
    principal, c = allow(request, "remark.submit")
    data = await parse.json_body(request)
    participant_id = submitter(principal, data)
    title = parse.name(data, "title")
    body = parse.text(data, "body", MAX_REMARK)
    agenda_item_id = parse.integer(data, "agenda_item_id", required=False)
    assert title is not None and body is not None

    async def op(session: AsyncSession) -> dict[str, Any]:
        remark = await submissions.submit_remark(
            session, c, participant_id, title, body, agenda_item_id, principal.actor, principal.point_id
        )
        return await submissions.remark_dict(session, remark)

    return await write(request, c, op, 201, principal, data)


async def list_comments(request: web.Request) -> web.Response:
    principal, c = allow(request, "comment.read")
    async with reader(request) as session:
        rows = await submissions.list_comments(session, c, **reach(principal))
        return listing([await submissions.comment_dict(session, m) for m in rows])


async def submit_comment(request: web.Request) -> web.Response:
    principal, c = allow(request, "comment.submit")
    data = await parse.json_body(request)
    participant_id = submitter(principal, data)
    anchor = data.get("section_anchor")
    if anchor is not None and not isinstance(anchor, str):
        raise Invalid("section_anchor must be a string", {"section_anchor": "not a string"})
    body = parse.text(data, "body", MAX_COMMENT)
    proposed = parse.text(data, "proposed_text", MAX_COMMENT, required=False)
    assert body is not None

    async def op(session: AsyncSession) -> dict[str, Any]:
        comment = await submissions.submit_comment(
            session, c, participant_id, anchor, body, proposed, principal.actor, principal.point_id
        )
        return await submissions.comment_dict(session, comment)

    return await write(request, c, op, 201, principal, data)


async def dispose_comment(request: web.Request) -> web.Response:
    _, c = allow(request, "comment.dispose")
    comment_id = parse.path_id(request, "m")
    data = await parse.json_body(request)
    disposition = parse.choice(data, "disposition", DISPOSITIONS)
    response = parse.text(data, "response", MAX_COMMENT, required=False) or ""
    revision = parse.integer(data, "revision", minimum=1)
    assert disposition is not None and revision is not None

    async def op(session: AsyncSession) -> dict[str, Any]:
        comment = await submissions.dispose_comment(session, c, comment_id, disposition, response, revision)
        return await submissions.comment_dict(session, comment)

    return await write(request, c, op)
