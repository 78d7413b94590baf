"""What the OpenAPI document says about each named route beyond its URL and action: one `Doc` per route.

A route's summary, tag, request body or form, query values and success answer are declared together here. The
enumerations come from the modules that check them, so the document names exactly what the server accepts; the
answers are the shapes of openapi_schemas.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from schema.tables import DISPOSITIONS, MODERATION, PROPOSAL_KINDS
from server.agenda.operations import KINDS
from server.display.operations import MESSAGE_MAX, MODES
from server.display.projection import VIEWS
from server.drafts.operations import FORMATS as DRAFT_FORMATS
from server.http.openapi_schemas import (
    BOOLEAN,
    COUNT,
    FILE,
    ID,
    INTEGER,
    MOMENT,
    NAME,
    PAGED,
    STRING,
    Schema,
    enum,
    event_schema,
    listing,
    nullable,
    obj,
    record,
    ref,
)
from server.points.operations import LINK_STATES
from server.speaking.operations import STATUSES
from server.submissions.inbox import NOT_RULED, WORK_STATES
from server.submissions.moderation import DECISIONS
from server.submissions.work import ASSIGNABLE
from server.summary.document import FIELDS as HEADER_FIELDS
from server.summary.document import STYLES
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
    body: Schema | None = None
    form: Schema | None = None
    query: Mapping[str, Schema] = field(default_factory=dict)
    # Created: 201. With a `preview`, a dry run answers that with 200 and writes nothing.
    creates: bool = False
    preview: Schema | None = None


PERSON = {"full_name": STRING, "position": STRING, "organization": STRING, "role_in_meeting": STRING, "email": STRING, "phone": STRING}
ITEM = {
    "title": STRING, "kind": enum(KINDS), "planned_minutes": {"type": "integer", "minimum": 0}, "presenter": STRING,
    "point_id": ID, "position": {"type": "integer", "minimum": 0}, "speech_limit_seconds": {"type": "integer", "minimum": 10},
}
EXPECTED_CURRENT = obj(("expected_current_id",), expected_current_id=nullable(ID))
DECISION = obj(("decision",), decision=enum(DECISIONS))
RULING = {
    "disposition": enum(DISPOSITIONS), "response": STRING, "revision": ID,
    "adopted_text": {**STRING, "description": "The chair's counter-wording: with partly_accepted only, not for a delete."},
}
PROPOSAL = obj(("kind",), kind=enum(PROPOSAL_KINDS), text={**STRING, "description": "Required but for delete, where absent."})
FLAG = enum(("true", "false"))
# An attendance sheet to sign before the workshop (the default), or as recorded after.
WHEN = enum(SHEET_WHEN)
TRAIL = {"actor": STRING, "action": STRING, "since": MOMENT, "until": MOMENT}
PAGE = {"limit": {"type": "integer", "minimum": 0}, "offset": {"type": "integer", "minimum": 0}, "order": enum(("newest", "oldest"))}

CONFERENCE, POINT, INVITATION = ref("conference"), ref("point"), ref("invitation_link")
PARTICIPANT, ITEM_ANSWER, REQUEST = ref("participant"), ref("agenda_item"), ref("speaking_request")
REMARK, COMMENT = ref("remark"), ref("comment")
CURRENT = record(current=nullable(ITEM_ANSWER))
# Staff only: never part of a comment as its author or the record sees it.
WORK = event_schema("comment.work_changed")
TEMPLATE = event_schema("answer_template.changed")["properties"]["template"]["anyOf"][0]
TEMPLATE_BODY = obj(("title", "response"), title=STRING, disposition=enum(DISPOSITIONS), response=STRING)
CREATED = record(created=COUNT)
HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
RECEIPT = record(
    kind=enum(("comment", "remark")), id=ID,
    number={**nullable(ID), "description": "The comment's number, or the remark's in the record; null for a remark it "
            "does not hold."},
    section={**nullable(STRING), "description": "The provision a comment is on (\"Điều 3, khoản 2\"); null otherwise."},
    included={**BOOLEAN, "description": "Whether the frozen record holds it; false before the close, and for input "
              "held or rejected by moderation."},
    frozen_sha256={**nullable(HEX64), "description": "The frozen summary.md's SHA-256; null before the close."},
    root={**nullable(HEX64), "description": "The frozen record's Merkle root (receipts.root); null before the close."},
    proof={**nullable({"type": "array", "items": record(side=enum(("left", "right")), hash=HEX64)}),
           "description": "The siblings from the receipt up to the root, each hashed on its side; null unless included."},
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
STATE = {"open": "Open the conference", "close-collection": "Stop taking input", "reopen-collection": "Take input again",
         "close": "Close the conference and freeze its summary"}
FORMATS = {"json": "Get the closing summary as JSON", "html": "Get the closing summary as a web page",
           "md": "Get the closing summary as Markdown", "docx": "Get the closing summary as a Word document",
           "pdf": "Typeset the closing summary as a tagged PDF (PDF/UA-1)",
           "pdfa": "Typeset the closing summary as an archival PDF (PDF/A-2b and PDF/UA-1)"}
CONTROL = {"start": "Start an agenda item", "finish": "Finish an agenda item", "skip": "Skip an agenda item"}

DOCS: dict[str, Doc] = {
    "healthz": Doc("service", "Check that the server and its database answer", record(status={"const": "ok"})),
    "openapi": Doc("service", "Get this OpenAPI document", obj(
        ("openapi", "info", "paths"), openapi=STRING, info={"type": "object"}, paths={"type": "object"},
    )),
    "api_login": Doc(
        "session", "Sign in with a staff account", record(token=NAME, role=enum(("admin", "chair", "secretary")), username=NAME),
        body=obj(("username", "password"), username=STRING, password=STRING),
    ),
    "api_logout": Doc("session", "Sign out, ending the session", record(ok={"const": True})),
    "api_me": Doc("session", "Tell who the caller is", record(
        role=enum(("admin", "chair", "secretary", "operator", "delegate", "display")), conference_id=ref("id_or_null"),
        point_id=ref("id_or_null"), participant_id=ref("id_or_null"),
    )),
    "users": Doc("accounts", "List staff accounts", listing(ref("user"))),
    "user_unlock": Doc("accounts", "Unlock a staff account locked by failed logins", ref("user")),
    "lockout_lift": Doc(
        "accounts", "Lift the login lockout of an address", record(address=STRING, lifted=BOOLEAN),
        body=obj(("address",), address={"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]}),
    ),
    "conferences": Doc("conferences", "List conferences", listing(CONFERENCE)),
    "conference_create": Doc(
        "conferences", "Create a conference", CONFERENCE, creates=True,
        body=obj(("title", "starts_at"), title=STRING, starts_at=MOMENT, venue=STRING, chair_name=STRING),
    ),
    "conference": Doc("conferences", "Get a conference", CONFERENCE),
    "conference_update": Doc("conferences", "Edit a conference's facts", CONFERENCE, body=obj(
        title=STRING, starts_at=MOMENT, venue=STRING, chair_name=STRING,
        speaking_quota_seconds=nullable({"type": "integer", "minimum": 0}), premoderation=BOOLEAN,
        record_header=nullable(obj(
            style=enum(STYLES), **{field: nullable(STRING) for field in HEADER_FIELDS},
        )),
    )),
    "conference_state": Doc("conferences", STATE, CONFERENCE),
    "audit": Doc("audit", "List a conference's audit trail", listing(ref("audit_entry")), query=TRAIL),
    "audit_all": Doc("audit", "List the whole audit trail", listing(ref("audit_entry")), query={**TRAIL, "conference_id": ID}),
    "points": Doc("points", "List bridge points", listing(POINT)),
    "point_create": Doc(
        "points", "Add a bridge point", POINT, creates=True,
        body=obj(("code", "name"), code=STRING, name=STRING, region=STRING, is_host=BOOLEAN),
    ),
    "point_status": Doc("points", "Report a point's link status", POINT, body=obj(("link",), link=enum(LINK_STATES), note=STRING)),
    "invitations": Doc("invitations", "List invitations", listing(INVITATION)),
    "invitation_create": Doc(
        "invitations", "Issue an invitation", INVITATION, creates=True,
        body=obj(("role",), role=enum(("operator", "delegate", "display")), point_id=ID, participant_id=ID, expires_at=MOMENT),
    ),
    "invitation_revoke": Doc("invitations", "Revoke an invitation", INVITATION),
    "invitation_reissue": Doc(
        "invitations", "Reissue an invitation with a new link, revoking the old one",
        ref("reissued_invitation"),
        body=obj(expires_at=MOMENT), creates=True,
    ),
    "participants": Doc(
        "participants", "List or search the roster",
        listing(ref("roster_entry"), **PAGED),
        query={"point_id": ID, "q": STRING, "limit": PAGE["limit"], "offset": PAGE["offset"]},
    ),
    "participant_create": Doc(
        "participants", "Add a roster member", PARTICIPANT, creates=True,
        body=obj(("full_name", "point_id"), **PERSON, point_id=ID),
    ),
    "participant_absence": Doc(
        "participants", "Record why a roster member is absent", PARTICIPANT,
        body=obj(("absence_reason",), absence_reason=nullable(STRING)),
    ),
    "participants_import": Doc(
        "participants", "Import the roster from a CSV or XLSX file", ref("import_report"),
        form=obj(("file",), file=FILE), query={"dry_run": FLAG, "skip_invalid": FLAG}, creates=True, preview=ref("import_report"),
    ),
    "participants_import_template": Doc("participants", "Download the roster import template as {fmt}"),
    "participants_export": Doc("participants", "Export the roster as {fmt}", query={"point_id": ID}),
    "badges_pdf": Doc("participants", "Print a point's badges"),
    "checkin": Doc(
        "attendance", "Check a participant in", ref("checkin"), creates=True,
        body=obj(participant_id=ID, code=STRING, **PERSON, substitute_for=ID),
    ),
    "checkout": Doc("attendance", "Check a participant out", PARTICIPANT),
    "checkin_undo": Doc("attendance", "Undo a check-in made by mistake", PARTICIPANT),
    "participant_movements": Doc("attendance", "List a participant's stays", listing(ref("stay"))),
    "stays": Doc("attendance", "List the stays at a point", listing(ref("stay_at_point")), query={"point_id": ID}),
    "stay_strike": Doc("attendance", "Strike a stay from the record", ref("stay"), body=obj(("reason",), reason=STRING)),
    "attendance": Doc("attendance", "Get the attendance sheet", ref("attendance_sheet")),
    "attendance_export": Doc("attendance", "Export the attendance sheet as {fmt}"),
    "attendance_sheet": Doc("attendance", "Print a point's list of attendees to sign, or as recorded", query={"when": WHEN}),
    "attendance_sheets": Doc("attendance", "Print every point's list of attendees in one PDF", query={"when": WHEN}),
    "agenda": Doc("agenda", "Get the agenda with its schedule", ref("agenda")),
    "agenda_create": Doc(
        "agenda", "Add an agenda item", ITEM_ANSWER, creates=True, body=obj(("title", "kind", "planned_minutes"), **ITEM),
    ),
    "agenda_reorder": Doc(
        "agenda", "Reorder the agenda", listing(ITEM_ANSWER), body=obj(("order",), order={"type": "array", "items": ID}),
    ),
    "agenda_update": Doc("agenda", "Edit an agenda item", ITEM_ANSWER, body=obj(**ITEM)),
    "agenda_delete": Doc("agenda", "Delete an agenda item", ITEM_ANSWER),
    "agenda_export": Doc("agenda", "Export the agenda as {fmt}"),
    "agenda_import": Doc(
        "agenda", "Import agenda items from a CSV or XLSX file", CREATED, form=obj(("file",), file=FILE), creates=True,
    ),
    "agenda_next": Doc("agenda", "Move on to the next agenda item", CURRENT, body=EXPECTED_CURRENT),
    "agenda_back": Doc("agenda", "Go back to the previous agenda item", CURRENT, body=EXPECTED_CURRENT),
    "agenda_control": Doc("agenda", CONTROL, ITEM_ANSWER),
    "agenda_extend": Doc("agenda", "Give an agenda item more time", ITEM_ANSWER, body=obj(("minutes",), minutes=ID)),
    "speaking_requests": Doc("speaking", "List the speaking queue", listing(REQUEST)),
    "speaking_request_create": Doc(
        "speaking", "Ask for the floor", REQUEST, creates=True,
        body=obj(participant_id=ID, topic=STRING, agenda_item_id=ID, point_of_order=BOOLEAN),
    ),
    "speaking_request_update": Doc("speaking", "Grant, order or end a speaking request", REQUEST, body=obj(
        status=enum(STATUSES), position=INTEGER, time_limit_seconds=nullable({"type": "integer", "minimum": 10}),
    )),
    "speaking_request_withdraw": Doc("speaking", "Withdraw a speaking request", REQUEST),
    "speaking_log": Doc("speaking", "Get the log of who spoke, and each point's speaking time", listing(
        SPOKEN, quota_seconds=nullable(COUNT), points={"type": "array", "items": record(point_id=ID, used_seconds=COUNT)},
    )),
    "drafts": Doc("drafts", "List the drafts, the current one first", listing(ref("draft_outline"))),
    "draft_create": Doc(
        "drafts", "Publish a draft", ref("draft"), creates=True, preview=ref("draft_preview"), query={"dry_run": FLAG},
        body=obj(("content",), format=enum(DRAFT_FORMATS), content=STRING, title=STRING),
        form=obj(("file",), file=FILE, title=STRING),
    ),
    "draft": Doc("drafts", "Get a draft with its sections", ref("draft")),
    "draft_revised": Doc(
        "drafts", "The current draft after every adopted change, renumbered, with its conflicts", ref("revised_draft"),
    ),
    "remarks": Doc(
        "submissions", "List remarks", listing(REMARK, **PAGED),
        query={**PAGE, "point_id": ID, "agenda_item_id": ID, "moderation": enum(MODERATION), "q": STRING},
    ),
    "remark_create": Doc(
        "submissions", "Submit a remark", REMARK, creates=True,
        body=obj(("title", "body"), title=STRING, body=STRING, agenda_item_id=ID, participant_id=ID),
        form=obj(("title", "body"), title=STRING, body=STRING, agenda_item_id=STRING, participant_id=STRING, file=FILE),
    ),
    "remark_attachment": Doc("submissions", "Download a remark's attached file"),
    "comments": Doc(
        "submissions", "List comments on the draft", listing(COMMENT, **PAGED),
        query={
            **PAGE, "point_id": ID, "article": STRING, "anchor": STRING, "disposition": enum((*DISPOSITIONS, NOT_RULED)),
            "has_proposed": FLAG, "moderation": enum(MODERATION), "q": STRING,
            "work": {**enum(WORK_STATES), "description": "Staff: not ruled and handed to nobody, not ruled with a drafted "
                     "answer, or ruled."},
            "assigned_to": {**ID, "description": "Staff: handed to this account."},
        },
    ),
    "comment_create": Doc(
        "submissions", "Comment on the draft", COMMENT, creates=True,
        body=obj(("body",), section_anchor=STRING, body=STRING, proposal=PROPOSAL,
                 proposed_text={**STRING, "description": "Shorthand for proposal {kind: replace, text}; not with proposal."},
                 participant_id=ID),
    ),
    "change_proposal_create": Doc(
        "rulings", "File the secretariat's own proposal, ruled like a comment", COMMENT, creates=True,
        body=obj(("section_anchor", "kind", "reason"), section_anchor=STRING, kind=enum(PROPOSAL_KINDS),
                 text={**STRING, "description": "Required but for delete, where absent."}, reason=STRING),
    ),
    "receipt": Doc(
        "submissions", "Look up a receipt: whose contribution, and the proof that the frozen record holds it", RECEIPT,
    ),
    "comment_author_answer": Doc(
        "submissions", "Answer the ruling on one's own comment", COMMENT,
        body=obj(("agrees",), agrees=BOOLEAN, text=STRING),
    ),
    "comment_counts": Doc("submissions", "Count comments per article", record(
        articles={"type": "array", "items": ARTICLE_COUNTS}, general=COUNT, other=COUNT, total=COUNT,
    )),
    "comment_dispose": Doc("rulings", "Rule on a comment", COMMENT, body=obj(("disposition", "revision"), **RULING)),
    "comments_dispose": Doc("rulings", "Rule on several comments at once", listing(COMMENT), body=obj(
        ("items",), items={"type": "array", "items": obj(("id", "disposition", "revision"), id=ID, **RULING)},
    )),
    "comment_merge": Doc(
        "rulings", "Merge a comment into the one it duplicates", COMMENT, body=obj(("into", "revision"), into=ID, revision=ID),
    ),
    "comment_unmerge": Doc("rulings", "Undo a merge", COMMENT, body=obj(("revision",), revision=ID)),
    "comment_moderate": Doc("rulings", "Approve or reject a held comment", COMMENT, body=DECISION),
    "remark_moderate": Doc("rulings", "Approve or reject a held remark", REMARK, body=DECISION),
    "staff": Doc("work", "List the accounts comments can be handed to", listing(record(
        id=ID, username=NAME, full_name=nullable(STRING), role=enum(ASSIGNABLE),
    ))),
    "comment_work": Doc("work", "Who works on which comment: assignments, drafted answers, staff notes", listing(WORK)),
    "comments_assign": Doc("work", "Hand many comments to one account (null takes them back)", listing(WORK), body=obj(
        ("comment_ids", "assigned_to"), comment_ids={"type": "array", "items": ID}, assigned_to=nullable(ID),
    )),
    "comment_assign": Doc("work", "Hand a comment to an account (null takes it back)", WORK,
                          body=obj(("assigned_to",), assigned_to=nullable(ID))),
    "comment_draft": Doc("work", "Draft the answer to a comment for the chair to approve", WORK, body=obj(
        ("disposition",), disposition=enum(DISPOSITIONS), response=STRING, adopted_text=RULING["adopted_text"],
    )),
    "comment_approve": Doc("work", "Rule with the drafted answer as it stands", COMMENT, body=obj(("revision",), revision=ID)),
    "comment_note_create": Doc("work", "Add a staff note to a comment", WORK, creates=True, body=obj(("body",), body=STRING)),
    "answer_templates": Doc("work", "List the saved answer templates", listing(TEMPLATE)),
    "answer_template_create": Doc("work", "Save an answer template", TEMPLATE, creates=True, body=TEMPLATE_BODY),
    "answer_template_update": Doc("work", "Change an answer template", TEMPLATE, body=TEMPLATE_BODY),
    "answer_template_delete": Doc("work", "Delete an answer template", TEMPLATE),
    "display": Doc("display", "Tell what the big screen shows", ref("display")),
    "display_update": Doc(
        "display", "Put the agenda, a section, the speakers' list or a message on the big screen", ref("display"),
        body={**obj(
            ("mode",), mode=enum(MODES), anchor={**STRING, "description": "Section mode: an article, clause or point."},
            view=enum(VIEWS), text={**STRING, "maxLength": MESSAGE_MAX, "description": "Message mode: what to show."},
        ), "additionalProperties": False},
    ),
    "section_view": Doc(
        "display", "Read an article, clause or point as published, with its proposals marked, or revised",
        ref("section_view"), query={"anchor": STRING, "view": enum(VIEWS)},
    ),
    "events": Doc(
        "events", "Replay the events after a seq",
        {"oneOf": [
            record(items={"type": "array", "items": ref("event")}, total=COUNT, seq=COUNT, streams=STREAMS),
            {**record(snapshot={"const": True}, seq=COUNT, streams=STREAMS),
             "description": "The gap is older than what is kept: reload the state from the API."},
        ]},
        query={"after": {"type": "integer", "minimum": 0}},
    ),
    "summary": Doc("summary", "Get the closing summary", ref("summary")),
    "summary_format": Doc("summary", FORMATS, ref("summary")),
    "revised_draft": Doc("summary", "Download the revised draft with tracked changes"),
    "closing_statement": Doc("summary", "Get the closing statement", STATEMENT),
    "closing_statement_update": Doc(
        "summary", "Rewrite the closing statement", STATEMENT, body=obj(("text",), text=nullable(STRING)),
    ),
}
