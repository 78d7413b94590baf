"""What the OpenAPI document says about a route beyond its URL and action: the `Doc` each route in routes.py has.

A route's summary, tag, request body or form, query values and success answer are declared with it in routes.py,
from the tags and the shared bodies here. The enumerations come from the modules that check them, so the document
names exactly what the server accepts; the answers are the shapes of openapi_schemas.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from schema.tables import PROPOSAL_KINDS
from server.http.body import Body, Field
from server.http.openapi_schemas import (
    BOOLEAN,
    COUNT,
    ID,
    MOMENT,
    NAME,
    STRING,
    Schema,
    enum,
    event_schema,
    nullable,
    obj,
    record,
    ref,
)
from server.submissions.moderation import DECISIONS
from server.summary.sheets import WHEN as SHEET_WHEN

TAGS: dict[str, str] = {
    "service": "Whether the server answers, and this document.",
    "session": "Signing in and out with a staff account, and who the caller is.",
    "accounts": "Staff accounts and login lockouts (admin).",
    "conferences": "A workshop: its facts, and the state changes open, close collection, reopen and close.",
    "points": "Bridge points and the link status each point's operator reports.",
    "invitations": "Invitation links for operators, delegates and displays; each also works as a bearer token.",
    "participants": "The roster: adding, importing, exporting, absence reasons and badge sheets.",
    "attendance": "Check-in and check-out at a point, their corrections, the attendance sheet, and the lists to print.",
    "agenda": "Agenda items, their order, and the chair's live control of what is on now.",
    "speaking": "Requests for the floor, the chair's queue, and the log of who spoke how long.",
    "drafts": "The draft under consultation, split into chapters, articles, clauses and points.",
    "submissions": "Remarks (speech texts and papers) and comments on the draft, as submitted and as listed.",
    "rulings": "The chair's decisions on input: rulings on comments, merging duplicates, and moderation.",
    "work": "Who works on what (staff only): comments handed to secretaries, answers drafted for the chair to approve, "
            "staff notes, and saved answer templates.",
    "summary": "The closing summary in its formats, the revised draft, and the closing statement.",
    "audit": "The trail of what staff did, when and from where.",
    "display": "What the big screen shows: the agenda, a section of the draft, the speakers' list, or a message.",
    "events": "Replay of the events a caller may see, for consoles that reconnect.",
}


@dataclass(frozen=True)
class Doc:
    """One route in the document: `summary` may name each alternative of a route like /{action:open|close}."""

    tag: str
    summary: str | Mapping[str, str]
    # The JSON answered on success; None where the URL's extension (or BY_ROUTE in openapi.py) says what is sent.
    answer: Schema | None = None
    # Every JSON body is a declared Body: its handler reads it by the same fields the document publishes.
    body: Body | None = None
    form: Schema | None = None
    query: Mapping[str, Schema] = field(default_factory=dict)
    # Created: 201. With a `preview`, a dry run answers that with 200 and writes nothing.
    creates: bool = False
    preview: Schema | None = None


# The live item the caller saw: a move from another state than the one the chair saw is refused.
EXPECTED_CURRENT = Body(Field.nullable(Field.integer("expected_current_id", schema=ID), "when nothing is live"))
DECISION = Body(Field.choice("decision", DECISIONS))
PROPOSAL = obj(
    ("kind",), kind=enum(PROPOSAL_KINDS), text={**STRING, "description": "Required but for delete, where absent."}
)
FLAG = enum(("true", "false"))
# An attendance sheet to sign before the workshop (the default), or as recorded after.
WHEN = enum(SHEET_WHEN)
TRAIL = {"actor": STRING, "action": STRING, "since": MOMENT, "until": MOMENT}
PAGE = {
    "limit": {"type": "integer", "minimum": 0},
    "offset": {"type": "integer", "minimum": 0},
    "order": enum(("newest", "oldest")),
}

CONFERENCE, POINT, INVITATION = ref("conference"), ref("point"), ref("invitation_link")
PARTICIPANT, ITEM_ANSWER, REQUEST = ref("participant"), ref("agenda_item"), ref("speaking_request")
REMARK, COMMENT = ref("remark"), ref("comment")
CURRENT = record(current=nullable(ITEM_ANSWER))
# Staff only: never part of a comment as its author or the record sees it.
WORK = event_schema("comment.work_changed")
TEMPLATE = event_schema("answer_template.changed")["properties"]["template"]["anyOf"][0]
CREATED = record(created=COUNT)
HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
RECEIPT = record(
    kind=enum(("comment", "remark")),
    id=ID,
    number={
        **nullable(ID),
        "description": "The comment's number, or the remark's in the record; null for a remark it does not hold.",
    },
    section={**nullable(STRING), "description": 'The provision a comment is on ("Điều 3, khoản 2"); null otherwise.'},
    included={
        **BOOLEAN,
        "description": "Whether the frozen record holds it; false before the close, and for input "
        "held or rejected by moderation.",
    },
    frozen_sha256={**nullable(HEX64), "description": "The frozen summary.md's SHA-256; null before the close."},
    root={**nullable(HEX64), "description": "The frozen record's Merkle root (receipts.root); null before the close."},
    proof={
        **nullable({"type": "array", "items": record(side=enum(("left", "right")), hash=HEX64)}),
        "description": "The siblings from the receipt up to the root, each hashed on its side; null unless included.",
    },
)
STATEMENT = record(text={"type": "string"}, edited=BOOLEAN, generated={"type": "string"})
SPOKEN = record(
    request_id=ID, participant_id=ID, full_name=NAME, point_id=ID, point=NAME, topic=ref("text_or_null"),
    point_of_order=BOOLEAN, status=ref("speaking_status"), started_at=ref("datetime"),
    finished_at=ref("datetime_or_null"), duration_seconds=COUNT,
)
ARTICLE_COUNTS = record(anchor=NAME, title=STRING, comments=COUNT, proposed=COUNT, ruled=COUNT)
STREAMS = {
    "type": "object",
    "description": "For each stream the caller sees (`*` for staff: all of them), the seq of its newest event.",
    "additionalProperties": COUNT,
}
STATE = {
    "open": "Open the conference",
    "close-collection": "Stop taking input",
    "reopen-collection": "Take input again",
    "close": "Close the conference and freeze its summary",
}
FORMATS = {"json": "Get the closing summary as JSON", "html": "Get the closing summary as a web page",
           "md": "Get the closing summary as Markdown", "docx": "Get the closing summary as a Word document",
           "pdf": "Typeset the closing summary as a tagged PDF (PDF/UA-1)",
           "pdfa": "Typeset the closing summary as an archival PDF (PDF/A-2b and PDF/UA-1)"}
CONTROL = {"start": "Start an agenda item", "finish": "Finish an agenda item", "skip": "Skip an agenda item"}
