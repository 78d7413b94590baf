"""Who works on what over HTTP: handing comments to secretaries, drafted answers, staff notes and answer templates."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.http import parse
from server.http.api.common import allow, listing, reader, write
from server.http.declaration import parsed
from server.submissions import work
from server.submissions.operations import comment_dict

MAX_TITLE = 200


async def list_staff(request: web.Request) -> web.Response:
    allow(request)
    async with reader(request) as session:
        return listing(await work.staff(session))


async def list_work(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return listing(await work.list_work(session, c))


async def assign_comment(request: web.Request) -> web.Response:
    _, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    _, (user_id,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return (await work.assign(session, c, [comment_id], user_id))[0]

    return await write(request, c, op)


async def assign_comments(request: web.Request) -> web.Response:
    """`{comment_ids, assigned_to}`: many comments handed to one account at once, all or nothing."""
    _, c = allow(request)
    _, (ids, user_id) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        items = await work.assign(session, c, ids, user_id)
        return {"items": items, "total": len(items)}

    return await write(request, c, op)


async def draft_answer(request: web.Request) -> web.Response:
    """`{disposition, response, adopted_text?}`: the answer drafted for the chair to approve."""
    principal, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    _, (disposition, response, adopted) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await work.save_draft(session, c, comment_id, principal, disposition, response or "", adopted)

    return await write(request, c, op)


async def approve_draft(request: web.Request) -> web.Response:
    """`{revision}`: the chair rules with the drafted answer as it stands."""
    _, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    _, (revision,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await comment_dict(session, await work.approve(session, c, comment_id, revision))

    return await write(request, c, op)


async def add_note(request: web.Request) -> web.Response:
    principal, c = allow(request)
    comment_id = parse.path_id(request, "comment_id")
    _, (body,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await work.add_note(session, c, comment_id, principal.user_id, body)

    return await write(request, c, op, 201)


async def list_templates(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return listing(await work.list_templates(session, c))


async def create_template(request: web.Request) -> web.Response:
    _, c = allow(request)
    _, (title, disposition, response) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await work.save_template(session, c, None, title, disposition, response)

    return await write(request, c, op, 201)


async def update_template(request: web.Request) -> web.Response:
    _, c = allow(request)
    template_id = parse.path_id(request, "template_id")
    _, (title, disposition, response) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await work.save_template(session, c, template_id, title, disposition, response)

    return await write(request, c, op)


async def delete_template(request: web.Request) -> web.Response:
    _, c = allow(request)
    template_id = parse.path_id(request, "template_id")

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await work.delete_template(session, c, template_id)

    return await write(request, c, op)
