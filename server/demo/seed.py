"""Seed the demo workshop once, and hand out its tokens again on every start."""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import (
    AuthSession,
    Conference,
    Invitation,
    Participant,
    Point,
    User,
    utcnow,
)
from server.agenda.operations import ItemFields, add_item
from server.auth.invitations import create_invitation
from server.auth.operations import create_user, open_session
from server.auth.passwords import password_problem
from server.auth.signing_key import link_derivable
from server.auth.tokens import derive, invitation_token, token_hash
from server.conferences.operations import change_state, create_conference
from server.db import Database
from server.drafts.operations import publish_draft
from server.participants.operations import PersonFields, add_participant
from server.points.operations import add_point
from server.settings import Settings
from server.text import clean_name, nfc

DATA = Path(__file__).resolve().parent
STAFF = (("admin", "admin", "Ban Thư ký hội thảo"), ("chair", "chair", "Trần Quốc Tỏ"))
DELEGATE_ROLES = ("tham luận", "báo cáo")
STAFF_TOKEN_DAYS = 365


def workshop() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "workshop.json").read_text(encoding="utf-8"))
    return data


def new_staff_password(username: str) -> str:
    """Random, shown once when the account is made and stored only as its hash: no later start can print it again."""
    while True:
        password = secrets.token_urlsafe(12)
        if password_problem(password, username) is None:
            return password


async def _ensure_staff(session: AsyncSession, settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """The staff tokens, and the passwords of the accounts made just now (none on a later start)."""
    tokens, passwords = {}, {}
    for username, role, full_name in STAFF:
        user = await session.scalar(select(User).where(User.username == username))
        if user is None:
            passwords[username] = new_staff_password(username)
            user = await create_user(session, username, passwords[username], role, full_name)
        token = derive(settings.secret_key, f"demo-staff-token:{username}")
        if await session.scalar(select(AuthSession.id).where(AuthSession.token_hash == token_hash(token))) is None:
            await open_session(session, STAFF_TOKEN_DAYS * 24, user_id=user.id, token=token)
        tokens[role] = token
    return tokens, passwords


async def _create(session: AsyncSession, settings: Settings, data: dict[str, Any]) -> int:
    conference = await create_conference(
        session,
        nfc(data["title"]),
        datetime.fromisoformat(data["starts_at"]),
        nfc(data["venue"]),
        nfc(data["chair"]["full_name"]),
    )
    c = conference.id
    points = {}
    for p in data["points"]:
        points[p["code"]] = (await add_point(session, c, p["code"], nfc(p["name"]), nfc(p["region"]), p["is_host"])).id
    people = {}
    for row in data["participants"]:
        fields = PersonFields(
            full_name=clean_name(row["full_name"], "full_name"),
            position=nfc(row["position"]),
            organization=nfc(row["organization"]),
            role_in_meeting=nfc(row["role_in_meeting"]),
        )
        person = await add_participant(session, c, points[row["point_code"]], fields)
        people[person.full_name] = person
    for item in data["agenda"]:
        item_fields = ItemFields(
            title=nfc(item["title"]),
            kind=item["kind"],
            planned_minutes=item["planned_minutes"],
            presenter=nfc(item["presenter"]) if item.get("presenter") else None,
            point_id=points.get(item.get("point_code") or ""),
        )
        await add_item(session, c, item_fields)
    draft = (DATA / "draft-vi.md").read_text(encoding="utf-8")
    await publish_draft(session, c, "Dự thảo Quy chế phối hợp", "markdown", nfc(draft))
    # The demo workshop "starts" in 2021; its links live as long as the demo staff tokens instead.
    until = utcnow() + timedelta(days=STAFF_TOKEN_DAYS)
    for point_id in points.values():
        await create_invitation(session, settings.secret_key, c, "operator", point_id=point_id, expires_at=until)
    for person in people.values():
        if person.role_in_meeting in DELEGATE_ROLES or person.full_name == "Nghiêm Xuân Thành":
            await create_invitation(
                session, settings.secret_key, c, "delegate", participant_id=person.id, expires_at=until
            )
    await create_invitation(session, settings.secret_key, c, "display", expires_at=until)
    await change_state(session, c, "open")
    return c


async def _tokens(session: AsyncSession, settings: Settings, conference_id: int) -> dict[str, Any]:
    """The links to print; `hidden_links` counts those made under an earlier signing key, which cannot be."""
    rows = (
        await session.execute(
            select(Invitation, Point.code)
            .outerjoin(Point, Point.id == Invitation.point_id)
            .where(Invitation.conference_id == conference_id, Invitation.revoked_at.is_(None))
            .order_by(Invitation.id)
        )
    ).all()
    operators: dict[str, str] = {}
    delegates: dict[str, str] = {}
    display = None
    hidden = 0
    for invitation, code in rows:
        # What this key derives for them opens nothing: printing it would hand out a dead link.
        if not link_derivable(settings.secret_key, invitation):
            hidden += 1
            continue
        token = invitation_token(settings.secret_key, invitation.nonce)
        if invitation.role == "operator":
            operators.setdefault(code, token)
        elif invitation.role == "delegate":
            delegates.setdefault(str(invitation.participant_id), token)
        elif display is None:
            display = token
    links = {"operators": operators, "delegates": delegates, "display": display}
    return {**links, "hidden_links": hidden} if hidden else links


async def seed_demo(db: Database, settings: Settings) -> dict[str, Any]:
    """Create the demo workshop unless the database holds it already; return the tokens of PROTOCOL.md.

    `passwords` holds the staff passwords only on the start that made those accounts.
    """
    data = workshop()
    async with db.write() as session, session.begin():
        staff, passwords = await _ensure_staff(session, settings)
        c = await session.scalar(select(Conference.id).where(Conference.title == nfc(data["title"])).limit(1))
        if c is None:
            c = await _create(session, settings, data)
        invited = await _tokens(session, settings, c)
    tokens = {"base_url": settings.base_url, "conference_id": c, **staff, **invited}
    return {**tokens, "passwords": passwords} if passwords else tokens


async def delegate_names(db: Database, tokens: dict[str, Any]) -> dict[str, str]:
    async with db.read() as session:
        rows = await session.execute(
            select(Participant.id, Participant.full_name).where(
                Participant.id.in_([int(k) for k in tokens["delegates"]])
            )
        )
        return {str(pid): name for pid, name in rows.all()}


