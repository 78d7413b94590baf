"""What the OpenAPI document says about a route beyond its URL: request bodies and query values, by route name.

The enumerations come from the modules that check them, so the document names exactly what the server accepts.
"""
from __future__ import annotations

from typing import Any

from schema.tables import DISPOSITIONS, MODERATION
from server.agenda.operations import KINDS
from server.drafts.operations import FORMATS as DRAFT_FORMATS
from server.points.operations import LINK_STATES
from server.speaking.operations import STATUSES
from server.submissions.inbox import NOT_RULED
from server.submissions.moderation import DECISIONS

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
ID: Schema = {"type": "integer", "minimum": 1}
BOOLEAN: Schema = {"type": "boolean"}
MOMENT: Schema = {"type": "string", "format": "date-time"}
FILE: Schema = {"type": "string", "format": "binary"}


def enum(options: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(options)}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    shape: Schema = {"type": "object", "properties": properties}
    if required:
        shape["required"] = list(required)
    return shape


PERSON = {"full_name": STRING, "position": STRING, "organization": STRING, "role_in_meeting": STRING, "email": STRING, "phone": STRING}
ITEM = {
    "title": STRING, "kind": enum(KINDS), "planned_minutes": {"type": "integer", "minimum": 0}, "presenter": STRING,
    "point_id": ID, "position": {"type": "integer", "minimum": 0}, "speech_limit_seconds": {"type": "integer", "minimum": 10},
}
EXPECTED_CURRENT = obj(("expected_current_id",), expected_current_id=nullable(ID))
DECISION = obj(("decision",), decision=enum(DECISIONS))
RULING = {"disposition": enum(DISPOSITIONS), "response": STRING, "revision": ID}
REMARK = obj(("title", "body"), title=STRING, body=STRING, agenda_item_id=ID, participant_id=ID)
DRAFT = obj(("content",), format=enum(DRAFT_FORMATS), content=STRING, title=STRING)

# JSON request bodies (every write also takes `idempotency_key` or the Idempotency-Key header where it creates).
BODIES: dict[str, Schema] = {
    "api_login": obj(("username", "password"), username=STRING, password=STRING),
    "lockout_lift": obj(("address",), address={"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]}),
    "conference_create": obj(("title", "starts_at"), title=STRING, starts_at=MOMENT, venue=STRING, chair_name=STRING),
    "conference_update": obj(
        title=STRING, starts_at=MOMENT, venue=STRING, chair_name=STRING,
        speaking_quota_seconds=nullable({"type": "integer", "minimum": 0}), premoderation=BOOLEAN,
    ),
    "point_create": obj(("code", "name"), code=STRING, name=STRING, region=STRING, is_host=BOOLEAN),
    "point_status": obj(("link",), link=enum(LINK_STATES), note=STRING),
    "invitation_create": obj(
        ("role",), role=enum(("operator", "delegate", "display")), point_id=ID, participant_id=ID, expires_at=MOMENT
    ),
    "invitation_reissue": obj(expires_at=MOMENT),
    "participant_create": obj(("full_name", "point_id"), **PERSON, point_id=ID),
    "checkin": obj(participant_id=ID, code=STRING, **PERSON, substitute_for=ID),
    "participant_absence": obj(("absence_reason",), absence_reason=STRING),
    "stay_strike": obj(("reason",), reason=STRING),
    "agenda_create": obj(("title", "kind", "planned_minutes"), **ITEM),
    "agenda_reorder": obj(("order",), order={"type": "array", "items": ID}),
    "agenda_update": obj(**ITEM),
    "agenda_next": EXPECTED_CURRENT,
    "agenda_back": EXPECTED_CURRENT,
    "agenda_extend": obj(("minutes",), minutes=ID),
    "speaking_request_create": obj(participant_id=ID, topic=STRING, agenda_item_id=ID, point_of_order=BOOLEAN),
    "speaking_request_update": obj(
        status=enum(STATUSES), position=INTEGER, time_limit_seconds=nullable({"type": "integer", "minimum": 10})
    ),
    "draft_create": DRAFT,
    "remark_create": REMARK,
    "remark_moderate": DECISION,
    "comment_create": obj(("body",), section_anchor=STRING, body=STRING, proposed_text=STRING, participant_id=ID),
    "comments_dispose": obj(("items",), items={"type": "array", "items": obj(("id", "disposition", "revision"), id=ID, **RULING)}),
    "comment_dispose": obj(("disposition", "revision"), **RULING),
    "comment_merge": obj(("into", "revision"), into=ID, revision=ID),
    "comment_unmerge": obj(("revision",), revision=ID),
    "comment_moderate": DECISION,
    "closing_statement_update": obj(("text",), text=nullable(STRING)),
}

# Writes that take a multipart form instead of (or besides) JSON: the form's fields.
FORMS: dict[str, Schema] = {
    "participants_import": obj(("file",), file=FILE),
    "agenda_import": obj(("file",), file=FILE),
    "draft_create": obj(("file",), file=FILE, title=STRING),
    "remark_create": obj(("title", "body"), title=STRING, body=STRING, agenda_item_id=STRING, participant_id=STRING, file=FILE),
}

FLAG = enum(("true", "false"))
PAGE = {"limit": {"type": "integer", "minimum": 0}, "offset": {"type": "integer", "minimum": 0}, "order": enum(("newest", "oldest"))}
QUERIES: dict[str, dict[str, Schema]] = {
    "participants": {"point_id": ID, "q": STRING, "limit": PAGE["limit"], "offset": PAGE["offset"]},
    "participants_export": {"point_id": ID},
    "stays": {"point_id": ID},
    "participants_import": {"dry_run": FLAG, "skip_invalid": FLAG},
    "draft_create": {"dry_run": FLAG},
    "events": {"after": {"type": "integer", "minimum": 0}},
    "remarks": {**PAGE, "point_id": ID, "agenda_item_id": ID, "moderation": enum(MODERATION), "q": STRING},
    "comments": {
        **PAGE, "point_id": ID, "article": STRING, "anchor": STRING, "disposition": enum((*DISPOSITIONS, NOT_RULED)),
        "has_proposed": FLAG, "moderation": enum(MODERATION), "q": STRING,
    },
}

# Writes that create: 201, and 200 where a dry run answers what would be done.
CREATES = frozenset({
    "conference_create", "point_create", "invitation_create", "invitation_reissue", "participant_create", "checkin",
    "participants_import",
    "agenda_create", "agenda_import", "speaking_request_create", "draft_create", "remark_create", "comment_create",
})
DRY_RUNS = frozenset({"participants_import", "draft_create"})
