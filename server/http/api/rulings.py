"""The chair's decisions on input over HTTP: rulings (one or many), merging duplicates, and moderation."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import DISPOSITIONS
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, write
from server.http.api.input import MAX_COMMENT
from server.http.body import Body, Field
from server.http.declaration import parsed
from server.http.openapi_schemas import ID, STRING
from server.submissions import moderation, rulings
from server.submissions.operations import comment_dict, comment_dicts, remark_dict
from server.submissions.rulings import Ruling

MAX_BULK = 500


ADOPTED_TEXT = Field.text(
    "adopted_text",
    MAX_COMMENT,
    required=False,
    schema={
        **STRING,
        "maxLength": MAX_COMMENT,
        "description": "The chair's counter-wording: with partly_accepted only, not for a delete.",
    },
)
DISPOSITION = Field.choice("disposition", DISPOSITIONS)
RESPONSE = Field.text("response", MAX_COMMENT, required=False)
# The comment's revision the chair saw: a ruling, merge or approval made on an older one is refused.
REVISION = Field.integer("revision", minimum=1, schema=ID)
# A ruling's fields, in the order they are read; a drafted answer has them but the revision.
RULING = (DISPOSITION, RESPONSE, REVISION, ADOPTED_TEXT)


def _each_comment_once(data: dict[str, Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Every item is checked before anything is written; a comment ruled twice in one batch is refused."""
    (items,) = values
    found = [Ruling(comment_id, revision, disposition, response or "", adopted)
             for comment_id, disposition, response, revision, adopted in items]
    ids = [r.comment_id for r in found]
    if len(set(ids)) != len(ids):
        raise Invalid("A comment appears twice", {"items": "repeated id"})
    return (found,)


BULK = Body(
    Field.each("items", Body(Field.integer("id", minimum=1, schema=ID), *RULING), "ruling", MAX_BULK),
    rule=_each_comment_once,
)


async def dispose_comment(request: web.Request) -> web.Response:
    _, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    _, (disposition, response, revision, adopted) = await parsed(request)
    ruling = Ruling(comment_id, revision, disposition, response or "", adopted)

    async def op(session: AsyncSession) -> dict[str, Any]:
        comment = await rulings.dispose_comment(
            session, c, ruling.comment_id, ruling.disposition, ruling.response, ruling.revision, ruling.adopted_text
        )
        return await comment_dict(session, comment)

    return await write(request, c, op)


async def dispose_many(request: web.Request) -> web.Response:
    _, c = allow(request)
    _, (items,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        ruled = await comment_dicts(session, await rulings.dispose_many(session, c, items))
        return {"items": ruled, "total": len(ruled)}

    return await write(request, c, op)


async def merge_comment(request: web.Request) -> web.Response:
    _, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    _, (into, revision) = await parsed(request)
    if into == comment_id:
        raise Invalid("A comment cannot be a duplicate of itself", {"into": "is this comment"})

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await comment_dict(session, await rulings.merge_comment(session, c, comment_id, into, revision))

    return await write(request, c, op)


async def unmerge_comment(request: web.Request) -> web.Response:
    _, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    _, (revision,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await comment_dict(session, await rulings.unmerge_comment(session, c, comment_id, revision))

    return await write(request, c, op)


async def moderate_comment(request: web.Request) -> web.Response:
    _, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    _, (decision,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await comment_dict(session, await moderation.moderate_comment(session, c, comment_id, decision))

    return await write(request, c, op)


async def moderate_remark(request: web.Request) -> web.Response:
    _, c = allow(request)
    remark_id = parse.path_id(request, "remark_id")
    _, (decision,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await remark_dict(session, await moderation.moderate_remark(session, c, remark_id, decision))

    return await write(request, c, op)
