"""Replay the 2021 workshop through the real operations, at the times it happened, up to its close."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import AgendaItem, Comment, Participant, Point, User, replayed_now
from server.agenda.operations import finish_item, item_dict, next_item
from server.attendance.operations import check_in
from server.audit import record
from server.db import Database
from server.demo.seed import workshop
from server.http.subjects import subject_of
from server.participants.operations import PersonFields, note_absence
from server.speaking.batch import AskToSpeak
from server.speaking.operations import request_dict, update
from server.submissions.batch import SubmitComment, SubmitRemark
from server.submissions.change_proposals import propose_change
from server.submissions.operations import comment_dict
from server.submissions.proposals import Proposal
from server.submissions.rulings import dispose_comment, merge_comment
from server.summary.operations import change_state
from server.text import nfc
from server.writes import alone

RUN = Path(__file__).with_name("run.json")
ACTOR = "system:replay"
Step = Callable[[AsyncSession], Awaitable[None]]
# A chair's step answers what the same request over HTTP would: its audit entry's subject is read from that.
Answered = Callable[[AsyncSession], Awaitable[dict[str, Any]]]


class _Replay:
    """The demo conference's people and items by name, and the steps of the day in time order."""

    def __init__(
        self, conference_id: int, people: dict[str, Participant], points: dict[str, int], items: list[int], chair: str
    ) -> None:
        self.c = conference_id
        self.chair = chair
        self.people = people
        self.points = points
        self.items = items
        self.steps: list[tuple[datetime, int, Step]] = []
        # Comment ids by their place in the workshop's list; a duplicate by "dup-<n>".
        self.comments: dict[int | str, int] = {}

    def at(self, when: str | datetime, step: Step) -> None:
        moment = datetime.fromisoformat(when) if isinstance(when, str) else when
        # The counter keeps steps recorded at the same second in the order they were written down.
        self.steps.append((moment, len(self.steps), step))

    async def audit(
        self, session: AsyncSession, action: str, route: str, request: tuple[str, str], answer: dict[str, Any],
        params: dict[str, str] | None = None, body: dict[str, Any] | None = None,
    ) -> None:
        """Record a chair's step in the audit trail as the same request over HTTP would be, sentence and all."""
        method, path = request
        subject = await subject_of(session, route, params or {}, body, answer)
        details = {"method": method, "path": f"/api/v1/conferences/{self.c}{path}", "route": route, "subject": subject}
        record(session, self.c, self.chair, action, details)

    def by_chair(self, action: str, route: str, request: tuple[str, str], step: Answered,
                 params: dict[str, str] | None = None) -> Step:
        async def audited(session: AsyncSession) -> None:
            await self.audit(session, action, route, request, await step(session), params)
        return audited

    def person(self, name: str) -> Participant:
        return self.people[nfc(name)]

    def check_ins(self, run: dict[str, Any]) -> None:
        absent = {nfc(name) for name in run["absent"]}
        moment = datetime.fromisoformat(run["checkins_from"])
        for person in self.people.values():
            if person.full_name in absent or not person.on_roster:
                continue
            self.at(moment, self._check_in(person.point_id, participant_id=person.id))
            moment += timedelta(seconds=run["checkin_every_seconds"])
        for row in run["substitutes"]:
            absentee = self.person(row["for"])
            fields = PersonFields(
                full_name=nfc(row["full_name"]), position=row["position"], organization=row["organization"]
            )
            self.at(row["at"], self._check_in(absentee.point_id, walk_in=fields, substitute_for=absentee.id))
        for row in run["walk_ins"]:
            fields = PersonFields(
                full_name=nfc(row["full_name"]), position=row["position"], organization=row["organization"]
            )
            self.at(row["at"], self._check_in(self.points[row["point_code"]], walk_in=fields))
        # The operator reports why a delegate stays away; the record prints it beside the name.
        for row in run["absence_reasons"]:
            self.at(row["at"], self._absence(self.person(row["for"]).id, nfc(row["reason"])))

    def _absence(self, participant_id: int, reason: str) -> Step:
        async def step(session: AsyncSession) -> None:
            await note_absence(session, self.c, participant_id, reason)
        return step

    def _check_in(self, point_id: int, **who: Any) -> Step:
        async def step(session: AsyncSession) -> None:
            await check_in(session, self.c, point_id, ACTOR, **who)
        return step

    def agenda(self, run: dict[str, Any]) -> None:
        for index, (start, _) in enumerate(run["agenda"]):
            current = self.items[index - 1] if index else None
            self.at(
                start, self.by_chair("agenda.control", "agenda_next", ("POST", "/agenda/next"), self._next(current))
            )
        last = self.items[-1]
        self.at(
            run["agenda"][-1][1],
            self.by_chair(
                "agenda.control",
                "agenda_control",
                ("POST", f"/agenda/{last}/finish"),
                self._finish(last),
                {"action": "finish"},
            ),
        )

    def _next(self, current: int | None) -> Answered:
        async def step(session: AsyncSession) -> dict[str, Any]:
            started = await next_item(session, self.c, current)
            return {"current": item_dict(started) if started else None}
        return step

    def _finish(self, item_id: int) -> Answered:
        async def step(session: AsyncSession) -> dict[str, Any]:
            return item_dict(await finish_item(session, self.c, item_id))
        return step

    def remarks(self, data: dict[str, Any], run: dict[str, Any]) -> None:
        for remark, when in zip(data["remarks"], run["remarks_at"], strict=True):
            author = self.person(remark["author"])
            item = self.items[remark["agenda_index"]] if remark.get("agenda_index") is not None else None

            async def step(session: AsyncSession, remark: dict[str, Any] = remark, author: Participant = author,
                           item: int | None = item) -> None:
                filed = SubmitRemark(
                    author.id, ACTOR, None, False, nfc(remark["title"]), nfc(remark["body"]), item, None
                )
                await alone(filed, self.c)(session)
            self.at(when, step)

    def speeches(self, run: dict[str, Any]) -> None:
        discussion = run["speeches_agenda_index"]
        for speech in run["speeches"]:
            speaker = self.person(speech["author"])
            requests: list[int] = []

            async def asked(session: AsyncSession, speech: dict[str, Any] = speech, speaker: Participant = speaker,
                            requests: list[int] = requests) -> None:
                asked = AskToSpeak(speaker.id, nfc(speech["topic"]), self.items[discussion], False)
                requests.append((await alone(asked, self.c)(session))["id"])

            def moved(status: str, requests: list[int] = requests) -> Step:
                async def step(session: AsyncSession) -> None:
                    moved = await request_dict(session, await update(session, self.c, requests[0], status, None))
                    await self.audit(session, "speaking.manage", "speaking_request_update",
                                     ("PATCH", f"/speaking-requests/{requests[0]}"), moved, body={"status": status})
                return step
            self.at(speech["asked"], asked)
            self.at(speech["start"], moved("speaking"))
            self.at(speech["end"], moved("done"))

    def comments_and_rulings(self, data: dict[str, Any], run: dict[str, Any]) -> None:
        """Comments with their kinds of proposal, the secretariat's own proposals, rulings (a counter-wording
        among them), merged duplicates, and the chair ruling again to settle a conflict before the close."""
        for index, (comment, plan) in enumerate(zip(data["comments"], run["comments"], strict=True)):
            self.at(plan["at"], self._comment(index, comment["author"], comment["section_anchor"], comment["body"],
                                              comment["proposed_text"], comment.get("proposal_kind")))
            self.at(plan["ruled"], self._rule(index, plan["disposition"], plan["response"], plan.get("adopted_text")))
            if "ruled_again" in plan:
                again = plan["ruled_again"]
                self.at(again["at"], self._rule(index, again["disposition"], again["response"]))
        for number, proposal in enumerate(run["change_proposals"]):
            key = f"sec-{number}"
            self.at(proposal["at"], self._propose(key, proposal))
            self.at(proposal["ruled"], self._rule(key, proposal["disposition"], proposal["response"]))
        for number, copy in enumerate(run["duplicates"]):
            anchor = data["comments"][copy["of"]]["section_anchor"]
            self.at(copy["at"], self._comment(f"dup-{number}", copy["author"], anchor, copy["body"], None))
            self.at(copy["merged"], self._merge(f"dup-{number}", copy["of"]))

    def _comment(self, key: int | str, author: str, anchor: str | None, body: str, proposed: str | None,
                 kind: str | None = None) -> Step:
        person = self.person(author)

        async def step(session: AsyncSession) -> None:
            filed = SubmitComment(
                person.id, ACTOR, None, False, anchor, nfc(body), nfc(proposed) if proposed else None, kind
            )
            self.comments[key] = (await alone(filed, self.c)(session))["id"]
        return step

    def _propose(self, key: str, plan: dict[str, Any]) -> Step:
        """The secretariat's own proposal, filed by the chair as over POST …/change-proposals."""
        async def step(session: AsyncSession) -> None:
            proposal = Proposal(plan["kind"], nfc(plan["text"]) if plan.get("text") else None)
            filed = await propose_change(
                session, self.c, self.chair, plan["section_anchor"], proposal, nfc(plan["reason"])
            )
            self.comments[key] = filed.id
            await self.audit(session, "comment.propose", "change_proposal_create", ("POST", "/change-proposals"),
                             await comment_dict(session, filed))
        return step

    def _rule(self, key: int | str, disposition: str, response: str, adopted_text: str | None = None) -> Step:
        async def step(session: AsyncSession) -> None:
            comment = await session.get(Comment, self.comments[key])
            assert comment is not None
            ruled = await dispose_comment(session, self.c, comment.id, disposition, nfc(response), comment.revision,
                                          nfc(adopted_text) if adopted_text else None)
            await self.audit(session, "comment.dispose", "comment_dispose", ("PATCH", f"/comments/{comment.id}"),
                             await comment_dict(session, ruled))
        return step

    def _merge(self, index: str, into: int) -> Step:
        async def step(session: AsyncSession) -> None:
            comment = await session.get(Comment, self.comments[index])
            assert comment is not None
            merged = await merge_comment(session, self.c, comment.id, self.comments[into], comment.revision)
            await self.audit(session, "comment.triage", "comment_merge", ("POST", f"/comments/{comment.id}/merge"),
                             await comment_dict(session, merged))
        return step

    def state(self, when: str, action: str) -> None:
        async def step(session: AsyncSession) -> dict[str, Any]:
            return {"title": (await change_state(session, self.c, action)).title}

        self.at(
            when,
            self.by_chair("conference.control", "conference_state", ("POST", f"/{action}"), step, {"action": action}),
        )


async def _loaded(session: AsyncSession, conference_id: int) -> _Replay:
    people = (
        await session.scalars(
            select(Participant).where(Participant.conference_id == conference_id).order_by(Participant.id)
        )
    ).all()
    points = (await session.execute(select(Point.code, Point.id).where(Point.conference_id == conference_id))).all()
    items = (await session.scalars(
        select(AgendaItem.id).where(AgendaItem.conference_id == conference_id).order_by(AgendaItem.position)
    )).all()
    chair = await session.scalar(select(User.id).where(User.username == "chair"))
    return _Replay(conference_id, {p.full_name: p for p in people}, {code: pid for code, pid in points}, list(items),
                   f"user:{chair}")


async def replay_workshop(db: Database, conference_id: int) -> None:
    """Run the recorded day, each step in its own transaction with the clock at its recorded time."""
    data = workshop()
    run = json.loads(RUN.read_text(encoding="utf-8"))
    async with db.read() as session:
        plan = await _loaded(session, conference_id)
    plan.check_ins(run)
    plan.agenda(run)
    plan.remarks(data, run)
    plan.speeches(run)
    plan.comments_and_rulings(data, run)
    plan.state(run["collection_closed"], "close-collection")
    plan.state(run["closed"], "close")
    for moment, _, step in sorted(plan.steps, key=lambda entry: (entry[0], entry[1])):
        token = replayed_now.set(moment)
        try:
            async with db.write() as session, session.begin():
                await step(session)
        finally:
            replayed_now.reset(token)
