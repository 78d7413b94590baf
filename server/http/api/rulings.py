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
from server.http.declaration import parsed
from server.submissions import moderation, rulings
from server.submissions.operations import comment_dict, comment_dicts, remark_dict
from server.submissions.rulings import Ruling

MAX_BULK = 500


def _ruling(data: dict[str, Any], comment_id: int) -> Ruling:
    disposition = parse.choice(data, "disposition", DISPOSITIONS)
    response = parse.text(data, "response", MAX_COMMENT, required=False) or ""
    revision = parse.integer(data, "revision", minimum=1)
    adopted = parse.text(data, "adopted_text", MAX_COMMENT, required=False)
    assert disposition is not None and revision is not None
    return Ruling(
        comment_id=comment_id, revision=revision, disposition=disposition, response=response, adopted_text=adopted
    )


def _bulk(data: dict[str, Any]) -> list[Ruling]:
    """Every item is checked before anything is written; a bad one is named by its index."""
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise Invalid("items must be a non-empty list", {"items": "not a non-empty list"})
    if len(items) > MAX_BULK:
        raise Invalid(f"At most {MAX_BULK} rulings at once", {"items": f"more than {MAX_BULK}"})
    found: list[Ruling] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise Invalid("An item must be an object", {"item": "not an object"})
            comment_id = parse.integer(item, "id", minimum=1)
            assert comment_id is not None
            found.append(_ruling(item, comment_id))
        except Invalid as error:
            raise Invalid(
                f"items[{index}]: {error.message}", {f"items[{index}].{k}": v for k, v in error.details.items()}
            ) from None
    ids = [r.comment_id for r in found]
    if len(set(ids)) != len(ids):
        raise Invalid("A comment appears twice", {"items": "repeated id"})
    return found


async def dispose_comment(request: web.Request) -> web.Response:
    _, c = allow(request)
    ruling = _ruling(await parse.json_body(request), parse.path_id(request, "comment_id"))

    async def op(session: AsyncSession) -> dict[str, Any]:
        comment = await rulings.dispose_comment(
            session, c, ruling.comment_id, ruling.disposition, ruling.response, ruling.revision, ruling.adopted_text
        )
        return await comment_dict(session, comment)

    return await write(request, c, op)


async def dispose_many(request: web.Request) -> web.Response:
    _, c = allow(request)
    items = _bulk(await parse.json_body(request))

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
