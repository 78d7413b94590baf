"""Freeze the summary at close: the stored Markdown is what the sha256 is taken of."""
from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Conference
from server.summary.compile import compile_summary
from server.summary.render import render_markdown


async def freeze_summary(session: AsyncSession, conference: Conference) -> None:
    model = await compile_summary(session, conference.id)
    markdown = render_markdown(model, frozen=True, sha256=None)
    conference.summary_json = model
    conference.summary_md = markdown
    conference.summary_sha256 = hashlib.sha256(markdown.encode()).hexdigest()
