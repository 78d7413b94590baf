"""The JSON shapes the API answers with, as OpenAPI components: the event schemas' shared resources, and the rest.

Whatever schema/events/ already describes (a point, a participant, an agenda item, a comment, the event envelope)
is taken from there, so an answer and the event announcing the same change cannot be described two ways.
"""
from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

Schema = dict[str, Any]

COMPONENTS = "#/components/schemas/"
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


def obj(required: tuple[str, ...] = (), /, **properties: Schema) -> Schema:
    shape: Schema = {"type": "object", "properties": properties}
    if required:
        shape["required"] = list(required)
    return shape


def record(**properties: Schema) -> Schema:
    """An answer that always carries every one of its fields, and no others."""
    return {**obj(tuple(properties), **properties), "additionalProperties": False}


def ref(name: str) -> Schema:
    return {"$ref": COMPONENTS + name}


def extend(base: str, **properties: Schema) -> Schema:
    """A shared resource with more fields, all present: the resource's own fields stay where they are defined."""
    return {
        "$ref": COMPONENTS + base,
        "properties": properties,
        "required": list(properties),
        "unevaluatedProperties": False,
    }


COUNT: Schema = ref("count")
ID_OR_NULL = ref("id_or_null")
NAME = ref("name")
NAME_OR_NULL = ref("name_or_null")
TEXT = ref("text")
TEXT_OR_NULL = ref("text_or_null")
WHEN = ref("datetime")
WHEN_OR_NULL = ref("datetime_or_null")
SHA256 = ref("sha256")
PAGED = {"limit": COUNT, "offset": COUNT}


def listing(item: Schema, **extra: Schema) -> Schema:
    """`{"items": [...], "total": N}`, as every list is answered (with limit and offset where it is paged)."""
    return record(items={"type": "array", "items": item}, total=COUNT, **extra)


def _components_refs(node: Any) -> Any:
    """The event schemas point into common.json; in the OpenAPI document the same shapes are components."""
    if isinstance(node, dict):
        out = {k: _components_refs(v) for k, v in node.items() if k not in ("$schema", "$id")}
        if isinstance(out.get("$ref"), str):
            out["$ref"] = COMPONENTS + out["$ref"].rsplit("/", 1)[1]
        return out
    if isinstance(node, list):
        return [_components_refs(v) for v in node]
    return node


@cache
def _event_file(name: str) -> Schema:
    text = (resources.files("schema") / "events" / f"{name}.json").read_text(encoding="utf-8")
    # Its title names the event ("data of draft.published"), not what the API answers.
    return {k: v for k, v in _components_refs(json.loads(text)).items() if k != "title"}


def event_schema(name: str) -> Schema:
    """An event payload schema (or `envelope`, `common`) with its references turned into component references."""
    return copy.deepcopy(_event_file(name))


def _with_fields(schema: Schema, **properties: Schema) -> Schema:
    """A closed schema from schema/events/ with more fields, all present."""
    schema["properties"] = {**schema["properties"], **properties}
    schema["required"] = [*schema["required"], *properties]
    return schema


USER = record(
    id=ID, username=NAME, role=enum(("admin", "chair", "secretary")), full_name=NAME_OR_NULL, failed_logins=COUNT,
    locked_until={**WHEN_OR_NULL, "description": "Set only while a lock is in force."},
)
RECORD_HEADER = record(
    style=enum(("state", "party")), parent_body=NAME_OR_NULL, issuing_body=NAME_OR_NULL, number=NAME_OR_NULL,
    national_title=NAME_OR_NULL, motto=NAME_OR_NULL, place=NAME_OR_NULL, secretary_name=NAME_OR_NULL,
)
CONFERENCE = record(
    id=ID,
    title=NAME,
    starts_at=WHEN,
    venue=NAME_OR_NULL,
    chair_name=NAME_OR_NULL,
    timezone=NAME,
    status=ref("conference_status"),
    seq={**COUNT, "description": "The newest event's seq."},
    opened_at=WHEN_OR_NULL,
    collection_closed_at=WHEN_OR_NULL,
    closed_at=WHEN_OR_NULL,
    summary_sha256=nullable(SHA256),
    speaking_quota_seconds=nullable(COUNT),
    premoderation=BOOLEAN,
    display=ref("display_state"),
    record_header={
        **nullable(RECORD_HEADER),
        "description": "The record's letterhead as set; null takes the defaults.",
    },
)
RUNS = {"type": "array", "items": record(op=enum(("equal", "insert", "delete")), text=STRING)}
PROJECTED_PART = record(
    anchor={**NAME_OR_NULL, "description": "Null for a section an adopted or pending proposal inserts."},
    kind=ref("section_kind"), number=STRING, title=STRING,
    change=enum(("unchanged", "proposed", "modified", "inserted", "conflict")),
    runs={**RUNS, "description": "The words: as published, or as revised; equal runs only outside the diff view."},
    proposals={"type": "array", "items": obj(
        ("no", "kind", "status"), no=ID, kind=enum(("replace", "insert_after", "delete")),
        status=enum(("pending", "accepted", "partly_accepted")), runs=RUNS,
    ), "description": "In the diff view, each proposal's words marked against the section's."},
)
PROJECTED = record(
    anchor=NAME, kind=ref("section_kind"), number=STRING, title=STRING, article_title=STRING,
    view=enum(("original", "diff", "revised")),
    revised_anchor={**NAME_OR_NULL, "description": "Where the section stands in the revised draft (its anchor "
                    "as shown in other views); null in the revised view once an adopted change deletes it."},
    parts={"type": "array", "items": PROJECTED_PART},
)
REVISED_DRAFT = record(
    sections={"type": "array", "description": "The revised draft in order; a deleted section stays where it stood.",
              "items": record(
                  anchor={**NAME_OR_NULL, "description": "In the revised draft; null for a deleted section."},
                  kind=ref("section_kind"), number=nullable(STRING), title=STRING, text=TEXT,
                  origin_anchor={**NAME_OR_NULL, "description": "In the draft as published; null when inserted."},
                  change=enum(("unchanged", "modified", "inserted", "deleted", "renumbered")),
              )},
    renumbered={"type": "array", "items": record(**{"from": NAME, "to": NAME})},
    references_updated={"type": "array", "items": record(
        anchor=NAME, **{"from": TEXT, "to": {**TEXT_OR_NULL, "description": "Null: it names a deleted section."}},
    )},
    conflicts={"type": "array", "description": "Adopted changes that contradict each other; the section keeps its "
               "published text until the chair rules again, and the close is refused.",
               "items": record(origin_anchor=NAME, comment_ids={"type": "array", "items": ID})},
)
STAY: dict[str, Schema] = dict(
    checkin_id=ID, participant_id=ID, point_id=ID, checked_in_at=WHEN, checked_in_by=NAME,
    checked_out_at=WHEN_OR_NULL, checked_out_by=NAME_OR_NULL, undone_at=WHEN_OR_NULL, undone_by=NAME_OR_NULL,
    undo_reason=TEXT_OR_NULL, substitute_for=ID_OR_NULL, walk_in=BOOLEAN,
)
SECTION_HEAD = {"anchor": NAME, "kind": ref("section_kind"), "number": STRING, "title": STRING}
ERROR_ROW = record(row=ID, column=NAME_OR_NULL, reason=NAME)
IMPORT_REPORT = record(
    valid_rows=COUNT, created=COUNT, invalid_rows=COUNT, error_count=COUNT,
    errors={"type": "array", "items": ERROR_ROW, "description": "The first errors, `row` counting the header as 1."},
    preview={
        "type": "array",
        "description": "The first valid rows as they would be stored.",
        "items": {
            "type": "object",
            "required": ["row", "full_name", "point_code", "point_id"],
            "properties": {"row": ID, "full_name": NAME, "point_code": NAME, "point_id": ID},
            "additionalProperties": TEXT_OR_NULL,
        },
    },
)

# The closing summary (summary.json): the record the secretariat signs off, as compiled by server.summary.compile.
FIGURES = {
    "expected": COUNT, "invited_present": COUNT, "represented": COUNT, "absent": COUNT,
    "rate": {"type": "string", "description": "invited_present / expected as the record prints it, e.g. \"81,8%\"."},
    "substitutes": COUNT, "walk_ins": COUNT, "people": COUNT, "present": COUNT,
}
COMMENT_ROW = record(
    no=ID,
    id=ID,
    anchor=NAME_OR_NULL,
    provision=NAME_OR_NULL,
    body=TEXT,
    authors={
        "type": "array",
        "items": record(name=NAME, organization=TEXT_OR_NULL, point=NAME_OR_NULL),
        "description": 'Every author of the row; the secretariat\'s own proposal has one, "Ban soạn thảo", at no '
        'point.',
    },
    proposed_text=TEXT_OR_NULL,
    proposal_kind=nullable(enum(("replace", "insert_after", "delete"))),
    author_kind=enum(("participant", "secretariat")),
    disposition=nullable(ref("disposition")),
    disposition_label=NAME_OR_NULL,
    response=TEXT_OR_NULL,
    adopted_text={**TEXT_OR_NULL, "description": "The chair's counter-wording of a partly accepted proposal."},
    author_answer=nullable(record(agrees=BOOLEAN, text=TEXT_OR_NULL)),
)
DISPOSITION_COUNTS = {
    "total": COUNT,
    "accepted": COUNT,
    "partly_accepted": COUNT,
    "noted": COUNT,
    "declined": COUNT,
    "pending": COUNT,
}
REVISED_SECTION = record(
    **SECTION_HEAD | {"anchor": {**NAME_OR_NULL, "description": "As published; null for an inserted section."},
                      "number": {**STRING, "description": "As published; the revised number for an inserted one."}},
    text={**TEXT, "description": "As published; empty for an inserted section."},
    revised={**TEXT_OR_NULL, "description": "As the revised draft has it (empty once deleted); null when unchanged."},
    changes={"type": "array", "items": record(op=enum(("equal", "delete", "insert")), text=TEXT),
             "description": "The word diff from `text` to `revised`."},
    applied_no={**nullable(ID), "description": "The `no` of the comment whose adopted change made this section."},
    change=enum(("unchanged", "modified", "inserted", "deleted", "renumbered")),
    revised_anchor={**NAME_OR_NULL, "description": "In the revised draft; null once deleted."},
    revised_number={**nullable(STRING), "description": "In the revised draft; null once deleted."},
    notes={
        "type": "array",
        "description": "Partly accepted or conflicting proposals left to the drafters.",
        "items": record(
            no=ID, reason=enum(("partly_accepted", "conflict")), authors=TEXT, body=TEXT, proposed_text=TEXT_OR_NULL,
            response=TEXT_OR_NULL,
        ),
    },
)
SUMMARY = record(
    conference=record(
        id=ID,
        title=NAME,
        starts_at=WHEN,
        venue=NAME_OR_NULL,
        chair_name=NAME_OR_NULL,
        status=ref("conference_status"),
        timezone=NAME,
        points_count=COUNT,
        host_point=NAME_OR_NULL,
    ),
    draft=nullable(record(title=NAME, revision=ID)),
    attendance=record(
        points={"type": "array", "items": record(point_id=ID, code=NAME, name=NAME, is_host=BOOLEAN, **FIGURES)},
        totals=record(**FIGURES),
    ),
    absentees={
        "type": "array",
        "items": record(
            point=NAME, full_name=NAME, position=TEXT_OR_NULL, organization=TEXT_OR_NULL, absence_reason=TEXT_OR_NULL
        ),
    },
    substitutions={"type": "array", "items": record(point=NAME, full_name=NAME_OR_NULL, substitute_for=NAME_OR_NULL)},
    walk_ins={"type": "array", "items": record(point=NAME, full_name=NAME_OR_NULL, organization=TEXT_OR_NULL)},
    agenda={
        "type": "array",
        "items": record(
            id=ID,
            position=COUNT,
            title=NAME,
            kind=ref("agenda_kind"),
            presenter=NAME_OR_NULL,
            point=NAME_OR_NULL,
            planned_minutes=COUNT,
            planned_start=WHEN_OR_NULL,
            planned_end=WHEN_OR_NULL,
            status=ref("agenda_status"),
            started_at=WHEN_OR_NULL,
            finished_at=WHEN_OR_NULL,
            actual_minutes=nullable(COUNT),
            overrun_minutes=nullable(COUNT),
        ),
    },
    speakers={
        "type": "array",
        "items": record(
            full_name=NAME_OR_NULL,
            point=NAME,
            topic=TEXT_OR_NULL,
            started_at=WHEN_OR_NULL,
            finished_at=WHEN_OR_NULL,
            duration_seconds=nullable(COUNT),
        ),
    },
    remarks={
        "type": "array",
        "items": record(
            id=ID,
            title=NAME,
            author=NAME,
            position=TEXT_OR_NULL,
            organization=TEXT_OR_NULL,
            point=NAME,
            agenda_item=NAME_OR_NULL,
            body=TEXT,
            submitted_at=WHEN_OR_NULL,
        ),
    },
    comments={
        "type": "array",
        "description": 'The "tổng hợp, tiếp thu, giải trình" table, grouped by provision in document order.',
        "items": record(anchor=NAME_OR_NULL, heading=NAME, rows={"type": "array", "items": COMMENT_ROW}),
    },
    comment_totals=record(
        **DISPOSITION_COUNTS,
        people=COUNT,
        points=COUNT,
        held=COUNT,
        rejected=COUNT,
        merged=COUNT,
        secretariat={**COUNT, "description": "Rows that are the secretariat's own proposals, counted in total too."},
    ),
    comments_by_point={"type": "array", "items": record(point=NAME, code=NAME, **DISPOSITION_COUNTS)},
    revised_draft=nullable(
        record(
            title=NAME,
            revision=ID,
            preamble=TEXT,
            applied=COUNT,
            flagged=COUNT,
            sections={"type": "array", "items": REVISED_SECTION},
        )
    ),
    closing_statement=record(text=TEXT, edited=BOOLEAN),
    audit={
        "type": "array",
        "items": record(at=WHEN_OR_NULL, actor=NAME, action=NAME, sentence=TEXT, request=TEXT, address=TEXT_OR_NULL),
    },
    frozen=BOOLEAN,
    frozen_at={
        **WHEN_OR_NULL,
        "description": "When the conference was closed and this record frozen; null in a preview.",
    },
    sha256={**nullable(SHA256), "description": "Of the frozen summary.md bytes; null in a preview."},
)
# Records frozen before the letterhead existed lack it: present in every new one, required in none.
SUMMARY["properties"]["document"] = {
    **record(
        style=enum(("state", "party")), parent_body=NAME_OR_NULL, issuing_body=NAME, number=NAME_OR_NULL,
        national_title=NAME, motto=NAME_OR_NULL, place=NAME_OR_NULL, date_text=NAME, title=NAME, subtitle=NAME,
        signatures={"type": "array", "items": record(role=NAME, name=NAME_OR_NULL)},
    ),
    "description": "The letterhead, date and signature blocks of Nghị định 30/2020/NĐ-CP, defaults filled in.",
}
# Records frozen before receipts lack these too (docs/protocol-extensions.md, Receipts).
SUMMARY["properties"]["receipts"] = {
    **record(algorithm={"const": "sha256-merkle"}, count=COUNT, root=SHA256),
    "description": "The Merkle root over the receipts of every contribution the record holds: the table's rows in "
        "order, "
    "each followed by the duplicates merged into it, then the remarks.",
}
COMMENT_ROW["properties"].update(
    receipt={**SHA256, "description": "The comment's receipt, of the row as the record holds it."},
    merged_receipts={"type": "array", "items": SHA256, "description": "The receipts of the duplicates merged into it."},
)
SUMMARY["properties"]["remarks"]["items"]["properties"]["receipt"] = SHA256


def _invitation_link(**more: Schema) -> Schema:
    """invitation_dict: the invitation as its event carries it, with the link and its state."""
    return _with_fields(
        event_schema("common")["$defs"]["invitation"],
        conference_id=ID,
        token=NAME,
        url=NAME,
        created_at=WHEN,
        revoked_at=WHEN_OR_NULL,
        state=enum(("active", "expired", "revoked")),
        url_works={
            **BOOLEAN,
            "description": "False when the signing key changed since the link was made: token and url "
            "here open nothing (the link handed out before still does); reissue for a new one.",
        },
        key_changed_at={**WHEN_OR_NULL, "description": "When the signing key changed, where url_works is false."},
        **more,
    )


def _own_components() -> dict[str, Schema]:
    return {
        "user": USER,
        "conference": CONFERENCE,
        "invitation_link": _invitation_link(),
        "reissued_invitation": _invitation_link(reissued_from=ID),
        "participant": {"$ref": COMPONENTS + "participant_fields", "unevaluatedProperties": False},
        "roster_entry": extend("participant_fields", checked_out_at=WHEN_OR_NULL),
        "checkin": {
            **extend("participant_fields", checkin_id=ID, participant_id=ID, walk_in=BOOLEAN),
            "description": "The person checked in (a walk-in or substitute is created as a participant) and the stay.",
        },
        "stay": record(**STAY),
        "stay_at_point": {
            **record(**STAY, full_name=NAME, on_roster=BOOLEAN),
            "description": "A stay with who it was.",
        },
        "attendance_sheet": record(
            points={"type": "array", "items": ref("point_attendance")}, totals=ref("attendance_counts")
        ),
        "agenda": {
            **_with_fields(event_schema("agenda.changed"), total=COUNT),
            "description": "The agenda in order, with its schedule.",
        },
        "draft_outline": {**event_schema("draft.published"), "description": "A draft without its sections."},
        "draft": _with_fields(
            {**event_schema("draft.published"), "description": "A draft with its sections in document order."},
            sections={"type": "array", "items": record(**SECTION_HEAD, parent=NAME_OR_NULL, text=TEXT, position=COUNT)},
        ),
        "draft_preview": record(
            dry_run={"const": True},
            title=NAME,
            format=ref("draft_format"),
            counts={"type": "object", "propertyNames": ref("section_kind"), "additionalProperties": COUNT},
            unmatched={"type": "array", "items": STRING},
            sections={"type": "array", "items": record(**SECTION_HEAD)},
        ),
        "import_report": IMPORT_REPORT,
        "audit_entry": record(
            id=ID,
            conference_id=ID_OR_NULL,
            at=WHEN,
            actor=NAME,
            actor_name=NAME,
            action=NAME,
            sentence=TEXT,
            details={
                "type": "object",
                "description": "The request as the trail keeps it: method, path, route, body (secrets masked), "
                    "subject.",
            },
            address=TEXT_OR_NULL,
        ),
        "display_state": {**event_schema("display.changed"), "description": "What the big screen shows."},
        "display": _with_fields(
            {
                **event_schema("display.changed"),
                "description": "What the big screen shows, with the projected section.",
            },
            section={**nullable(PROJECTED), "description": "In section mode, the section as the screen shows it."},
        ),
        "revised_draft": REVISED_DRAFT,
        "section_view": {
            **PROJECTED,
            "description": "A section in one of the big screen's views, with the reader's "
            "own pending proposals only (staff: all).",
        },
        "event": event_schema("envelope"),
        "summary": SUMMARY,
        "Error": obj(
            ("error",),
            error=obj(("code", "message", "details"), code=STRING, message=STRING, details={"type": "object"}),
        ),
    }


@cache
def components() -> dict[str, Schema]:
    """Every named shape: the ones schema/events/common.json defines, and the API's own."""
    return {**event_schema("common")["$defs"], **_own_components()}
