"""Every URL of the server, each with a name; an API route with its authorization action and OpenAPI description."""
from __future__ import annotations

from aiohttp import web

from schema.tables import DISPOSITIONS, MODERATION
from server.agenda.operations import KINDS
from server.display.projection import VIEWS
from server.http import badges, pages
from server.http.api import (
    accounts,
    agenda,
    attachments,
    attendance,
    conferences,
    display,
    drafts,
    inbox,
    input,
    invitations,
    participants,
    points,
    proposals,
    receipts,
    roster,
    rulings,
    session,
    speaking,
    stream,
    summary,
    work,
)
from server.http.api import badges as badges_api
from server.http.api import sheets as sheets_api
from server.http.api.input import MAX_COMMENT
from server.http.api.intake import SUBMITTER
from server.http.body import Body, Field
from server.http.declaration import PUBLIC, SIGNED_IN, Route, routes_key
from server.http.openapi import openapi
from server.http.openapi_schemas import (
    BOOLEAN,
    COUNT,
    FILE,
    ID,
    INTEGER,
    NAME,
    PAGED,
    STRING,
    enum,
    listing,
    nullable,
    obj,
    record,
    ref,
)
from server.http.openapi_shapes import (
    ARTICLE_COUNTS,
    COMMENT,
    CONFERENCE,
    CONTROL,
    CREATED,
    CURRENT,
    DECISION,
    EXPECTED_CURRENT,
    FLAG,
    FORMATS,
    INVITATION,
    ITEM_ANSWER,
    PAGE,
    PARTICIPANT,
    POINT,
    RECEIPT,
    REMARK,
    REQUEST,
    SPOKEN,
    STATE,
    STATEMENT,
    STREAMS,
    TEMPLATE,
    TRAIL,
    WHEN,
    WORK,
    Doc,
)
from server.points.operations import LINK_STATES
from server.speaking.operations import STATUSES
from server.submissions.inbox import NOT_RULED, WORK_STATES
from server.submissions.work import ASSIGNABLE
from server.summary.document import FIELDS as HEADER_FIELDS
from server.summary.document import STYLES, clean_header
from server.webdir import WEB

API = "/api/v1"
C = API + "/conferences/{conference_id:\\d+}"


# An item's minutes, added or edited: a day at most, so that the schedule's times can be worked out.
PLANNED_MINUTES = Field.integer("planned_minutes", minimum=0).at_most(
    agenda.MAX_MINUTES, "planned_minutes is at most a day"
)
SPEECH_LIMIT = Field.integer("speech_limit_seconds", required=False, minimum=10).at_most(
    agenda.MAX_SPEECH_SECONDS, "speech_limit_seconds is at most two hours"
)
# An agenda item's own fields, as adding and editing one read them (first, in this order).
AGENDA_ITEM = (
    Field.name("title"),
    Field.choice("kind", KINDS),
    PLANNED_MINUTES,
    Field.name("presenter", required=False),
    Field.integer("point_id", required=False, schema=ID),
)


ASSIGNED_TO = Field.nullable(Field.integer("assigned_to", minimum=1, schema=ID), "takes the comments back")
TEMPLATE_BODY = Body(
    Field.text("title", work.MAX_TITLE),
    Field.choice("disposition", DISPOSITIONS, required=False),
    Field.text("response", MAX_COMMENT),
)


def setup_metrics_routes(app: web.Application) -> None:
    """The one URL of DIEMCAU_METRICS_LISTEN's address of its own: /metrics, with no token."""
    app.router.add_get("/metrics", session.exposition, name="metrics_open")

# Each API route once: `allow()` authorizes its action, the OpenAPI document describes it with its Doc, and the
# authorization matrix test tries it with every role. The order is the router's: the first match wins.
API_ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/healthz",
        "healthz",
        session.healthz,
        PUBLIC,
        Doc("service", "Check that the server and its database answer", record(status={"const": "ok"})),
    ),
    Route(
        "GET",
        API + "/openapi.json",
        "openapi",
        openapi,
        PUBLIC,
        Doc(
            "service",
            "Get this OpenAPI document",
            obj(("openapi", "info", "paths"), openapi=STRING, info={"type": "object"}, paths={"type": "object"}),
        ),
    ),
    Route(
        "POST",
        API + "/auth/login",
        "api_login",
        session.login,
        PUBLIC,
        Doc(
            "session",
            "Sign in with a staff account",
            record(token=NAME, role=enum(("admin", "chair", "secretary")), username=NAME),
            body=session.CREDENTIALS,
        ),
    ),
    Route(
        "POST",
        API + "/auth/logout",
        "api_logout",
        session.logout,
        SIGNED_IN,
        Doc("session", "Sign out, ending the session", record(ok={"const": True})),
    ),
    Route(
        "GET",
        API + "/me",
        "api_me",
        session.me,
        SIGNED_IN,
        Doc(
            "session",
            "Tell who the caller is",
            record(
                role=enum(("admin", "chair", "secretary", "operator", "delegate", "display")),
                conference_id=ref("id_or_null"),
                point_id=ref("id_or_null"),
                participant_id=ref("id_or_null"),
            ),
        ),
    ),
    Route(
        "GET",
        API + "/users",
        "users",
        accounts.list_users,
        "user.manage",
        Doc("accounts", "List staff accounts", listing(ref("user"))),
    ),
    Route(
        "POST",
        API + "/users/{user_id:\\d+}/unlock",
        "user_unlock",
        accounts.unlock_user,
        "user.manage",
        Doc("accounts", "Unlock a staff account locked by failed logins", ref("user")),
    ),
    Route(
        "POST",
        API + "/lockouts/lift",
        "lockout_lift",
        accounts.lift_address,
        "user.manage",
        Doc(
            "accounts",
            "Lift the login lockout of an address",
            record(address=STRING, lifted=BOOLEAN),
            body=accounts.ADDRESS,
        ),
    ),
    Route(
        "GET",
        API + "/conferences",
        "conferences",
        conferences.list_conferences,
        "conference.list",
        Doc("conferences", "List conferences", listing(CONFERENCE)),
    ),
    Route(
        "POST",
        API + "/conferences",
        "conference_create",
        conferences.create_conference,
        "conference.create",
        Doc(
            "conferences",
            "Create a conference",
            CONFERENCE,
            creates=True,
            body=Body(
                Field.name("title"),
                Field.moment("starts_at"),
                Field.name("venue", required=False),
                Field.name("chair_name", required=False),
            ),
        ),
    ),
    Route(
        "GET",
        C,
        "conference",
        conferences.get_conference,
        "conference.read",
        Doc("conferences", "Get a conference", CONFERENCE),
    ),
    Route(
        "PATCH",
        C,
        "conference_update",
        conferences.update_conference,
        "conference.update",
        Doc(
            "conferences",
            "Edit a conference's facts",
            CONFERENCE,
            body=Body(
                Field.name("title"),
                Field.name("venue", required=False),
                Field.name("chair_name", required=False),
                Field.moment("starts_at"),
                Field.integer(
                    "speaking_quota_seconds", required=False, minimum=0, schema=nullable({**INTEGER, "minimum": 0})
                ),
                Field.boolean("premoderation"),
                Field.custom(
                    "record_header",
                    nullable(obj(style=enum(STYLES), **{field: nullable(STRING) for field in HEADER_FIELDS})),
                    lambda data: clean_header(data["record_header"]),
                ),
                partial=True,
            ),
        ),
    ),
    Route(
        "POST",
        C + "/{action:open|close-collection|reopen-collection|close}",
        "conference_state",
        conferences.change_state,
        "conference.control",
        Doc("conferences", STATE, CONFERENCE),
    ),
    Route(
        "GET",
        C + "/audit",
        "audit",
        conferences.list_audit,
        "audit.read",
        Doc("audit", "List a conference's audit trail", listing(ref("audit_entry")), query=TRAIL),
    ),
    Route(
        "GET",
        API + "/audit",
        "audit_all",
        conferences.list_audit,
        "audit.global",
        Doc("audit", "List the whole audit trail", listing(ref("audit_entry")), query={**TRAIL, "conference_id": ID}),
    ),
    Route(
        "GET",
        C + "/points",
        "points",
        points.list_points,
        "point.read",
        Doc("points", "List bridge points", listing(POINT)),
    ),
    Route(
        "POST",
        C + "/points",
        "point_create",
        points.add_point,
        "point.write",
        Doc(
            "points",
            "Add a bridge point",
            POINT,
            creates=True,
            body=Body(
                Field.name("code"), Field.name("name"), Field.name("region", required=False), Field.boolean("is_host")
            ),
        ),
    ),
    Route(
        "POST",
        C + "/points/{point_id}/status",
        "point_status",
        points.set_point_status,
        "point.status",
        Doc(
            "points",
            "Report a point's link status",
            POINT,
            body=Body(Field.choice("link", LINK_STATES), Field.text("note", 500, required=False)),
        ),
    ),
    Route(
        "GET",
        C + "/invitations",
        "invitations",
        invitations.list_invitations,
        "invitation.manage",
        Doc("invitations", "List invitations", listing(INVITATION)),
    ),
    Route(
        "POST",
        C + "/invitations",
        "invitation_create",
        invitations.create_invitation,
        "invitation.manage",
        Doc(
            "invitations",
            "Issue an invitation",
            INVITATION,
            creates=True,
            body=Body(
                Field.choice("role", ("operator", "delegate", "display")),
                Field.integer("point_id", required=False, schema=ID),
                Field.integer("participant_id", required=False, schema=ID),
                Field.moment("expires_at", required=False),
            ),
        ),
    ),
    Route(
        "DELETE",
        C + "/invitations/{invitation_id}",
        "invitation_revoke",
        invitations.revoke_invitation,
        "invitation.manage",
        Doc("invitations", "Revoke an invitation", INVITATION),
    ),
    Route(
        "POST",
        C + "/invitations/{invitation_id}/reissue",
        "invitation_reissue",
        invitations.reissue_invitation,
        "invitation.manage",
        Doc(
            "invitations",
            "Reissue an invitation with a new link, revoking the old one",
            ref("reissued_invitation"),
            body=Body(Field.moment("expires_at", required=False)),
            creates=True,
        ),
    ),
    Route(
        "GET",
        C + "/participants",
        "participants",
        participants.list_participants,
        "participant.read",
        Doc(
            "participants",
            "List or search the roster",
            listing(ref("roster_entry"), **PAGED),
            query={"point_id": ID, "q": STRING, "limit": PAGE["limit"], "offset": PAGE["offset"]},
        ),
    ),
    Route(
        "POST",
        C + "/participants",
        "participant_create",
        participants.add_participant,
        "participant.write",
        Doc(
            "participants",
            "Add a roster member",
            PARTICIPANT,
            creates=True,
            body=Body(*participants.PERSON_FIELDS, Field.integer("point_id", schema=ID)),
        ),
    ),
    Route(
        "POST",
        C + "/checkins",
        "checkin",
        attendance.check_in,
        "checkin.write",
        Doc(
            "attendance",
            "Check a participant in",
            ref("checkin"),
            creates=True,
            body=attendance.CHECK_IN,
        ),
    ),
    Route(
        "DELETE",
        C + "/checkins/{participant_id}",
        "checkout",
        attendance.check_out,
        "checkin.write",
        Doc("attendance", "Check a participant out", PARTICIPANT),
    ),
    Route(
        "POST",
        C + "/checkins/{participant_id}/undo",
        "checkin_undo",
        attendance.undo_check_in,
        "checkin.write",
        Doc("attendance", "Undo a check-in made by mistake", PARTICIPANT),
    ),
    Route(
        "GET",
        C + "/participants/{participant_id}/movements",
        "participant_movements",
        attendance.movements,
        "participant.read",
        Doc("attendance", "List a participant's stays", listing(ref("stay"))),
    ),
    Route(
        "PATCH",
        C + "/participants/{participant_id:\\d+}",
        "participant_absence",
        participants.note_absence,
        "participant.absence",
        Doc(
            "participants",
            "Record why a roster member is absent",
            PARTICIPANT,
            body=Body(
                Field.nullable(
                    Field.text("absence_reason", participants.ABSENCE_REASON_MAX, required=False), "clears it"
                )
            ),
        ),
    ),
    Route(
        "GET",
        C + "/stays",
        "stays",
        attendance.list_stays,
        "participant.read",
        Doc("attendance", "List the stays at a point", listing(ref("stay_at_point")), query={"point_id": ID}),
    ),
    Route(
        "POST",
        C + "/stays/{checkin_id:\\d+}/strike",
        "stay_strike",
        attendance.strike_stay,
        "attendance.correct",
        Doc(
            "attendance",
            "Strike a stay from the record",
            ref("stay"),
            body=Body(Field.text("reason", attendance.STRIKE_REASON_MAX)),
        ),
    ),
    Route(
        "GET",
        C + "/attendance",
        "attendance",
        attendance.attendance_sheet,
        "attendance.read",
        Doc("attendance", "Get the attendance sheet", ref("attendance_sheet")),
    ),
    Route(
        "POST",
        C + "/participants/import",
        "participants_import",
        roster.import_roster,
        "participant.import",
        Doc(
            "participants",
            "Import the roster from a CSV or XLSX file",
            ref("import_report"),
            form=obj(("file",), file=FILE),
            query={"dry_run": FLAG, "skip_invalid": FLAG},
            creates=True,
            preview=ref("import_report"),
        ),
    ),
    Route(
        "GET",
        C + "/participants/import-template.{fmt:csv|xlsx}",
        "participants_import_template",
        roster.import_template,
        "participant.import",
        Doc("participants", "Download the roster import template as {fmt}"),
    ),
    Route(
        "GET",
        C + "/participants/export.{fmt:csv|xlsx}",
        "participants_export",
        roster.export_roster,
        "participant.export",
        Doc("participants", "Export the roster as {fmt}", query={"point_id": ID}),
    ),
    Route(
        "GET",
        C + "/attendance/export.{fmt:csv|xlsx}",
        "attendance_export",
        roster.export_attendance,
        "attendance.export",
        Doc("attendance", "Export the attendance sheet as {fmt}"),
    ),
    Route(
        "GET",
        C + "/points/{point_id:\\d+}/badges.pdf",
        "badges_pdf",
        badges_api.badges_pdf,
        "badges.read",
        Doc("participants", "Print a point's badges"),
    ),
    Route(
        "GET",
        C + "/points/{point_id:\\d+}/attendance-sheet",
        "attendance_sheet",
        sheets_api.point_sheet,
        "attendance.sheet",
        Doc("attendance", "Print a point's list of attendees to sign, or as recorded", query={"when": WHEN}),
    ),
    Route(
        "GET",
        C + "/attendance-sheets",
        "attendance_sheets",
        sheets_api.all_sheets,
        "attendance.sheets",
        Doc("attendance", "Print every point's list of attendees in one PDF", query={"when": WHEN}),
    ),
    Route(
        "GET",
        C + "/agenda",
        "agenda",
        agenda.list_agenda,
        "agenda.read",
        Doc("agenda", "Get the agenda with its schedule", ref("agenda")),
    ),
    Route(
        "POST",
        C + "/agenda",
        "agenda_create",
        agenda.add_item,
        "agenda.write",
        Doc(
            "agenda",
            "Add an agenda item",
            ITEM_ANSWER,
            creates=True,
            body=Body(*AGENDA_ITEM, SPEECH_LIMIT, Field.integer("position", required=False, minimum=0)),
        ),
    ),
    Route(
        "PATCH",
        C + "/agenda",
        "agenda_reorder",
        agenda.reorder,
        "agenda.write",
        Doc(
            "agenda",
            "Reorder the agenda",
            listing(ITEM_ANSWER),
            body=Body(Field.ids("order", "agenda item")),
        ),
    ),
    Route(
        "GET",
        C + "/agenda/export.{fmt:csv|xlsx}",
        "agenda_export",
        agenda.export_agenda,
        "agenda.read",
        Doc("agenda", "Export the agenda as {fmt}"),
    ),
    Route(
        "POST",
        C + "/agenda/import",
        "agenda_import",
        agenda.import_agenda,
        "agenda.write",
        Doc(
            "agenda",
            "Import agenda items from a CSV or XLSX file",
            CREATED,
            form=obj(("file",), file=FILE),
            creates=True,
        ),
    ),
    Route(
        "POST",
        C + "/agenda/next",
        "agenda_next",
        agenda.next_item,
        "agenda.control",
        Doc("agenda", "Move on to the next agenda item", CURRENT, body=EXPECTED_CURRENT),
    ),
    Route(
        "PATCH",
        C + "/agenda/{item_id}",
        "agenda_update",
        agenda.update_item,
        "agenda.write",
        Doc(
            "agenda",
            "Edit an agenda item",
            ITEM_ANSWER,
            # Unlike a new item's, an edit's position may not be null.
            body=Body(*AGENDA_ITEM, Field.integer("position", minimum=0), SPEECH_LIMIT, partial=True),
        ),
    ),
    Route(
        "POST",
        C + "/agenda/back",
        "agenda_back",
        agenda.back,
        "agenda.control",
        Doc("agenda", "Go back to the previous agenda item", CURRENT, body=EXPECTED_CURRENT),
    ),
    Route(
        "POST",
        C + "/agenda/{item_id}/{action:start|finish|skip}",
        "agenda_control",
        agenda.control_item,
        "agenda.control",
        Doc("agenda", CONTROL, ITEM_ANSWER),
    ),
    Route(
        "POST",
        C + "/agenda/{item_id}/extend",
        "agenda_extend",
        agenda.extend,
        "agenda.control",
        Doc(
            "agenda",
            "Give an agenda item more time",
            ITEM_ANSWER,
            body=Body(Field.integer("minutes", minimum=1).at_most(agenda.MAX_MINUTES, "minutes is at most a day")),
        ),
    ),
    Route(
        "DELETE",
        C + "/agenda/{item_id}",
        "agenda_delete",
        agenda.delete_item,
        "agenda.write",
        Doc("agenda", "Delete an agenda item", ITEM_ANSWER),
    ),
    Route(
        "GET",
        C + "/speaking-requests",
        "speaking_requests",
        speaking.list_requests,
        "speaking.read",
        Doc("speaking", "List the speaking queue", listing(REQUEST)),
    ),
    Route(
        "POST",
        C + "/speaking-requests",
        "speaking_request_create",
        speaking.ask_to_speak,
        "speaking.request",
        Doc(
            "speaking",
            "Ask for the floor",
            REQUEST,
            creates=True,
            body=Body(
                SUBMITTER,
                Field.text("topic", 500, required=False),
                Field.integer("agenda_item_id", required=False, schema=ID),
                Field.boolean("point_of_order"),
            ),
        ),
    ),
    Route(
        "PATCH",
        C + "/speaking-requests/{request_id}",
        "speaking_request_update",
        speaking.update_request,
        "speaking.manage",
        Doc(
            "speaking",
            "Grant, order or end a speaking request",
            REQUEST,
            body=Body(
                Field.choice("status", STATUSES, required=False),
                Field.integer("position", required=False),
                Field.integer(
                    "time_limit_seconds", required=False, minimum=10, schema=nullable({**INTEGER, "minimum": 10})
                ).at_most(agenda.MAX_SPEECH_SECONDS, "time_limit_seconds is at most two hours"),
            ),
        ),
    ),
    Route(
        "POST",
        C + "/speaking-requests/{request_id}/withdraw",
        "speaking_request_withdraw",
        speaking.withdraw_request,
        "speaking.request",
        Doc("speaking", "Withdraw a speaking request", REQUEST),
    ),
    Route(
        "GET",
        C + "/speaking-log",
        "speaking_log",
        speaking.speaking_log,
        "speaking.read",
        Doc(
            "speaking",
            "Get the log of who spoke, and each point's speaking time",
            listing(
                SPOKEN,
                quota_seconds=nullable(COUNT),
                points={"type": "array", "items": record(point_id=ID, used_seconds=COUNT)},
            ),
        ),
    ),
    Route(
        "GET",
        C + "/drafts",
        "drafts",
        drafts.list_drafts,
        "draft.read",
        Doc("drafts", "List the drafts, the current one first", listing(ref("draft_outline"))),
    ),
    Route(
        "POST",
        C + "/drafts",
        "draft_create",
        drafts.publish_draft,
        "draft.write",
        Doc(
            "drafts",
            "Publish a draft",
            ref("draft"),
            creates=True,
            preview=ref("draft_preview"),
            query={"dry_run": FLAG},
            body=drafts.BODY,
            form=obj(("file",), file=FILE, title=STRING),
        ),
    ),
    # Before /drafts/{draft_id}, which would take "revised" for a draft id.
    # The draft after every adopted change: the drafters' and the chair's, as the record's revised draft is.
    Route(
        "GET",
        C + "/drafts/revised",
        "draft_revised",
        drafts.revised_draft,
        "draft.revised",
        Doc(
            "drafts",
            "The current draft after every adopted change, renumbered, with its conflicts",
            ref("revised_draft"),
        ),
    ),
    Route(
        "GET",
        C + "/drafts/{draft_id}",
        "draft",
        drafts.get_draft,
        "draft.read",
        Doc("drafts", "Get a draft with its sections", ref("draft")),
    ),
    Route(
        "GET",
        C + "/remarks",
        "remarks",
        inbox.list_remarks,
        "remark.read",
        Doc(
            "submissions",
            "List remarks",
            listing(REMARK, **PAGED),
            query={**PAGE, "point_id": ID, "agenda_item_id": ID, "moderation": enum(MODERATION), "q": STRING},
        ),
    ),
    Route(
        "POST",
        C + "/remarks",
        "remark_create",
        input.submit_remark,
        "remark.submit",
        Doc(
            "submissions",
            "Submit a remark",
            REMARK,
            creates=True,
            body=Body(
                SUBMITTER,
                Field.name("title"),
                Field.text("body", input.MAX_REMARK),
                Field.integer("agenda_item_id", required=False, schema=ID),
            ),
            form=obj(
                ("title", "body"), title=STRING, body=STRING, agenda_item_id=STRING, participant_id=STRING, file=FILE
            ),
        ),
    ),
    Route(
        "GET",
        C + "/remarks/{remark_id:\\d+}/attachment",
        "remark_attachment",
        attachments.download_attachment,
        "attachment.read",
        Doc("submissions", "Download a remark's attached file"),
    ),
    Route(
        "POST",
        C + "/remarks/{remark_id:\\d+}/moderate",
        "remark_moderate",
        rulings.moderate_remark,
        "input.moderate",
        Doc("rulings", "Approve or reject a held remark", REMARK, body=DECISION),
    ),
    Route(
        "GET",
        C + "/comments",
        "comments",
        inbox.list_comments,
        "comment.read",
        Doc(
            "submissions",
            "List comments on the draft",
            listing(COMMENT, **PAGED),
            query={
                **PAGE,
                "point_id": ID,
                "article": STRING,
                "anchor": STRING,
                "disposition": enum((*DISPOSITIONS, NOT_RULED)),
                "has_proposed": FLAG,
                "moderation": enum(MODERATION),
                "q": STRING,
                "work": {
                    **enum(WORK_STATES),
                    "description": "Staff: not ruled and handed to nobody, not ruled with a drafted answer, or ruled.",
                },
                "assigned_to": {**ID, "description": "Staff: handed to this account."},
            },
        ),
    ),
    Route(
        "POST",
        C + "/comments",
        "comment_create",
        input.submit_comment,
        "comment.submit",
        Doc(
            "submissions",
            "Comment on the draft",
            COMMENT,
            creates=True,
            body=input.COMMENT,
        ),
    ),
    Route(
        "PATCH",
        C + "/comments",
        "comments_dispose",
        rulings.dispose_many,
        "comment.dispose",
        Doc(
            "rulings",
            "Rule on several comments at once",
            listing(COMMENT),
            body=rulings.BULK,
        ),
    ),
    Route(
        "GET",
        C + "/comments/counts",
        "comment_counts",
        inbox.comment_counts,
        "comment.triage",
        Doc(
            "submissions",
            "Count comments per article",
            record(articles={"type": "array", "items": ARTICLE_COUNTS}, general=COUNT, other=COUNT, total=COUNT),
        ),
    ),
    Route(
        "PATCH",
        C + "/comments/{comment_id}",
        "comment_dispose",
        rulings.dispose_comment,
        "comment.dispose",
        Doc("rulings", "Rule on a comment", COMMENT, body=Body(*rulings.RULING)),
    ),
    Route(
        "POST",
        C + "/comments/{comment_id:\\d+}/merge",
        "comment_merge",
        rulings.merge_comment,
        "comment.triage",
        Doc(
            "rulings",
            "Merge a comment into the one it duplicates",
            COMMENT,
            body=Body(Field.integer("into", minimum=1), rulings.REVISION),
        ),
    ),
    Route(
        "POST",
        C + "/comments/{comment_id:\\d+}/unmerge",
        "comment_unmerge",
        rulings.unmerge_comment,
        "comment.triage",
        Doc("rulings", "Undo a merge", COMMENT, body=Body(rulings.REVISION)),
    ),
    Route(
        "POST",
        C + "/comments/{comment_id:\\d+}/moderate",
        "comment_moderate",
        rulings.moderate_comment,
        "input.moderate",
        Doc("rulings", "Approve or reject a held comment", COMMENT, body=DECISION),
    ),
    Route(
        "PUT",
        C + "/comments/{comment_id:\\d+}/author-answer",
        "comment_author_answer",
        proposals.answer_ruling,
        "comment.answer",
        Doc(
            "submissions",
            "Answer the ruling on one's own comment",
            COMMENT,
            body=proposals.ANSWER,
        ),
    ),
    Route(
        "POST",
        C + "/change-proposals",
        "change_proposal_create",
        proposals.create_change_proposal,
        "comment.propose",
        Doc(
            "rulings",
            "File the secretariat's own proposal, ruled like a comment",
            COMMENT,
            creates=True,
            body=proposals.CHANGE_PROPOSAL,
        ),
    ),
    Route(
        "GET",
        C + "/receipts/{receipt}",
        "receipt",
        receipts.get_receipt,
        "receipt.read",
        Doc(
            "submissions",
            "Look up a receipt: whose contribution, and the proof that the frozen record holds it",
            RECEIPT,
        ),
    ),
    Route(
        "GET",
        C + "/staff",
        "staff",
        work.list_staff,
        "staff.read",
        Doc(
            "work",
            "List the accounts comments can be handed to",
            listing(record(id=ID, username=NAME, full_name=nullable(STRING), role=enum(ASSIGNABLE))),
        ),
    ),
    Route(
        "GET",
        C + "/comment-work",
        "comment_work",
        work.list_work,
        "comment.note",
        Doc("work", "Who works on which comment: assignments, drafted answers, staff notes", listing(WORK)),
    ),
    Route(
        "POST",
        C + "/comments/assign",
        "comments_assign",
        work.assign_comments,
        "comment.assign",
        Doc(
            "work",
            "Hand many comments to one account (null takes them back)",
            listing(WORK),
            body=Body(Field.ids("comment_ids", "comment", rulings.MAX_BULK), ASSIGNED_TO),
        ),
    ),
    Route(
        "PUT",
        C + "/comments/{comment_id:\\d+}/assignment",
        "comment_assign",
        work.assign_comment,
        "comment.assign",
        Doc(
            "work",
            "Hand a comment to an account (null takes it back)",
            WORK,
            body=Body(ASSIGNED_TO),
        ),
    ),
    Route(
        "PUT",
        C + "/comments/{comment_id:\\d+}/draft",
        "comment_draft",
        work.draft_answer,
        "comment.draft",
        Doc(
            "work",
            "Draft the answer to a comment for the chair to approve",
            WORK,
            body=Body(rulings.DISPOSITION, rulings.RESPONSE, rulings.ADOPTED_TEXT),
        ),
    ),
    # Approving a draft is the chair's ruling, made with the drafted answer.
    Route(
        "POST",
        C + "/comments/{comment_id:\\d+}/approve",
        "comment_approve",
        work.approve_draft,
        "comment.dispose",
        Doc(
            "work",
            "Rule with the drafted answer as it stands",
            COMMENT,
            body=Body(rulings.REVISION),
        ),
    ),
    Route(
        "POST",
        C + "/comments/{comment_id:\\d+}/notes",
        "comment_note_create",
        work.add_note,
        "comment.note",
        Doc("work", "Add a staff note to a comment", WORK, creates=True, body=Body(Field.text("body", MAX_COMMENT))),
    ),
    Route(
        "GET",
        C + "/answer-templates",
        "answer_templates",
        work.list_templates,
        "template.read",
        Doc("work", "List the saved answer templates", listing(TEMPLATE)),
    ),
    Route(
        "POST",
        C + "/answer-templates",
        "answer_template_create",
        work.create_template,
        "template.manage",
        Doc("work", "Save an answer template", TEMPLATE, creates=True, body=TEMPLATE_BODY),
    ),
    Route(
        "PUT",
        C + "/answer-templates/{template_id:\\d+}",
        "answer_template_update",
        work.update_template,
        "template.manage",
        Doc("work", "Change an answer template", TEMPLATE, body=TEMPLATE_BODY),
    ),
    Route(
        "DELETE",
        C + "/answer-templates/{template_id:\\d+}",
        "answer_template_delete",
        work.delete_template,
        "template.manage",
        Doc("work", "Delete an answer template", TEMPLATE),
    ),
    Route(
        "GET",
        C + "/display",
        "display",
        display.get_display,
        "display.read",
        Doc("display", "Tell what the big screen shows", ref("display")),
    ),
    Route(
        "PUT",
        C + "/display",
        "display_update",
        display.set_display,
        "display.control",
        Doc(
            "display",
            "Put the agenda, a section, the speakers' list or a message on the big screen",
            ref("display"),
            body=display.BODY,
        ),
    ),
    # A section's views carry the reader's own pending proposals: who may read comments may read them.
    Route(
        "GET",
        C + "/section-view",
        "section_view",
        display.section_view,
        "comment.read",
        Doc(
            "display",
            "Read an article, clause or point as published, with its proposals marked, or revised",
            ref("section_view"),
            query={"anchor": STRING, "view": enum(VIEWS)},
        ),
    ),
    Route(
        "GET",
        C + "/events",
        "events",
        stream.list_events,
        "events.read",
        Doc(
            "events",
            "Replay the events after a seq",
            {
                "oneOf": [
                    record(items={"type": "array", "items": ref("event")}, total=COUNT, seq=COUNT, streams=STREAMS),
                    {
                        **record(snapshot={"const": True}, seq=COUNT, streams=STREAMS),
                        "description": "The gap is older than what is kept: reload the state from the API.",
                    },
                ]
            },
            query={"after": {"type": "integer", "minimum": 0}},
        ),
    ),
    Route(
        "GET",
        C + "/summary",
        "summary",
        summary.summary,
        "summary.read",
        Doc("summary", "Get the closing summary", ref("summary")),
    ),
    Route(
        "GET",
        C + "/summary.{fmt:json|html|md|docx|pdf|pdfa}",
        "summary_format",
        summary.summary,
        "summary.read",
        Doc("summary", FORMATS, ref("summary")),
    ),
    Route(
        "GET",
        C + "/revised-draft.docx",
        "revised_draft",
        summary.revised_draft,
        "summary.read",
        Doc("summary", "Download the revised draft with tracked changes"),
    ),
    Route(
        "GET",
        C + "/closing-statement",
        "closing_statement",
        summary.get_closing_statement,
        "summary.read",
        Doc("summary", "Get the closing statement", STATEMENT),
    ),
    Route(
        "PUT",
        C + "/closing-statement",
        "closing_statement_update",
        summary.set_closing_statement,
        "summary.write",
        Doc(
            "summary",
            "Rewrite the closing statement",
            STATEMENT,
            body=Body(Field.nullable(Field.text("text", summary.MAX_STATEMENT), "returns to the generated statement")),
        ),
    ),
)


def setup_routes(app: web.Application) -> None:
    r = app.router
    for route in API_ROUTES:
        if route.method == "GET":
            r.add_get(route.path, route.handler, name=route.name)
        else:
            r.add_route(route.method, route.path, route.handler, name=route.name)
    app[routes_key] = {route.name: route for route in API_ROUTES}
    r.add_get("/metrics", session.metrics, name="metrics")

    r.add_get("/", pages.home, name="home")
    r.add_get("/sw.js", pages.service_worker, name="service_worker")
    r.add_get("/login", pages.login_page, name="login")
    r.add_post("/login", pages.login_submit, name="login_submit")
    r.add_post("/logout", pages.logout, name="logout")
    r.add_get("/join/{token}", pages.join, name="join")
    r.add_get("/lang/{lang}", pages.set_language, name="language")
    r.add_get("/verify", pages.verify_page, name="verify")
    r.add_get("/admin", pages.admin_index, name="admin")
    r.add_get("/chair", pages.chair_index, name="chair_index")
    r.add_get("/admin/{conference_id:\\d+}/badges/{point_id:\\d+}", badges.badge_sheet_page, name="badge_sheet")
    r.add_get(
        "/admin/{conference_id:\\d+}/points/{code}/badges", badges.badge_sheet_by_code, name="badge_sheet_by_code"
    )
    r.add_get(
        "/admin/{conference_id:\\d+}/invitations/{invitation_id:\\d+}/qr.svg",
        badges.invitation_qr,
        name="invitation_qr",
    )
    for console in ("admin", "chair", "operator", "delegate", "display"):
        r.add_get(f"/{console}/{{conference_id:\\d+}}", pages.console(console), name=f"{console}_console")
    r.add_static("/static", WEB / "static", name="static")
