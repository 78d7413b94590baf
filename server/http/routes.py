"""Every URL of the server, each with a name; an API route's authorization action is under that name in actions.py."""
from __future__ import annotations

from aiohttp import web

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
    proposals,
    receipts,
    roster,
    rulings,
    session,
    stream,
    summary,
    work,
)
from server.http.api import badges as badges_api
from server.http.api import sheets as sheets_api
from server.http.openapi import openapi
from server.webdir import WEB

API = "/api/v1"
C = API + "/conferences/{c:\\d+}"


def setup_metrics_routes(app: web.Application) -> None:
    """The one URL of DIEMCAU_METRICS_LISTEN's address of its own: /metrics, with no token."""
    app.router.add_get("/metrics", session.exposition, name="metrics_open")


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/healthz", session.healthz, name="healthz")
    r.add_get("/metrics", session.metrics, name="metrics")
    r.add_get(API + "/openapi.json", openapi, name="openapi")
    r.add_post(API + "/auth/login", session.login, name="api_login")
    r.add_post(API + "/auth/logout", session.logout, name="api_logout")
    r.add_get(API + "/me", session.me, name="api_me")
    r.add_get(API + "/users", accounts.list_users, name="users")
    r.add_post(API + "/users/{user_id:\\d+}/unlock", accounts.unlock_user, name="user_unlock")
    r.add_post(API + "/lockouts/lift", accounts.lift_address, name="lockout_lift")

    r.add_get(API + "/conferences", conferences.list_conferences, name="conferences")
    r.add_post(API + "/conferences", conferences.create_conference, name="conference_create")
    r.add_get(C, conferences.get_conference, name="conference")
    r.add_patch(C, conferences.update_conference, name="conference_update")
    r.add_post(C + "/{action:open|close-collection|reopen-collection|close}", conferences.change_state, name="conference_state")
    r.add_get(C + "/audit", conferences.list_audit, name="audit")
    r.add_get(API + "/audit", conferences.list_audit, name="audit_all")
    r.add_get(C + "/points", conferences.list_points, name="points")
    r.add_post(C + "/points", conferences.add_point, name="point_create")
    r.add_post(C + "/points/{p}/status", conferences.set_point_status, name="point_status")
    r.add_get(C + "/invitations", conferences.list_invitations, name="invitations")
    r.add_post(C + "/invitations", conferences.create_invitation, name="invitation_create")
    r.add_delete(C + "/invitations/{i}", conferences.revoke_invitation, name="invitation_revoke")
    r.add_post(C + "/invitations/{i}/reissue", conferences.reissue_invitation, name="invitation_reissue")

    r.add_get(C + "/participants", attendance.list_participants, name="participants")
    r.add_post(C + "/participants", attendance.add_participant, name="participant_create")
    r.add_post(C + "/checkins", attendance.check_in, name="checkin")
    r.add_delete(C + "/checkins/{participant_id}", attendance.check_out, name="checkout")
    r.add_post(C + "/checkins/{participant_id}/undo", attendance.undo_check_in, name="checkin_undo")
    r.add_get(C + "/participants/{participant_id}/movements", attendance.movements, name="participant_movements")
    r.add_patch(C + "/participants/{participant_id:\\d+}", attendance.note_absence, name="participant_absence")
    r.add_get(C + "/stays", attendance.list_stays, name="stays")
    r.add_post(C + "/stays/{checkin_id:\\d+}/strike", attendance.strike_stay, name="stay_strike")
    r.add_get(C + "/attendance", attendance.attendance_sheet, name="attendance")
    r.add_post(C + "/participants/import", roster.import_roster, name="participants_import")
    r.add_get(C + "/participants/import-template.{fmt:csv|xlsx}", roster.import_template, name="participants_import_template")
    r.add_get(C + "/participants/export.{fmt:csv|xlsx}", roster.export_roster, name="participants_export")
    r.add_get(C + "/attendance/export.{fmt:csv|xlsx}", roster.export_attendance, name="attendance_export")
    r.add_get(C + "/points/{p:\\d+}/badges.pdf", badges_api.badges_pdf, name="badges_pdf")
    r.add_get(C + "/points/{p:\\d+}/attendance-sheet", sheets_api.point_sheet, name="attendance_sheet")
    r.add_get(C + "/attendance-sheets", sheets_api.all_sheets, name="attendance_sheets")

    r.add_get(C + "/agenda", agenda.list_agenda, name="agenda")
    r.add_post(C + "/agenda", agenda.add_item, name="agenda_create")
    r.add_patch(C + "/agenda", agenda.reorder, name="agenda_reorder")
    r.add_get(C + "/agenda/export.{fmt:csv|xlsx}", agenda.export_agenda, name="agenda_export")
    r.add_post(C + "/agenda/import", agenda.import_agenda, name="agenda_import")
    r.add_post(C + "/agenda/next", agenda.next_item, name="agenda_next")
    r.add_patch(C + "/agenda/{i}", agenda.update_item, name="agenda_update")
    r.add_post(C + "/agenda/back", agenda.back, name="agenda_back")
    r.add_post(C + "/agenda/{i}/{action:start|finish|skip}", agenda.control_item, name="agenda_control")
    r.add_post(C + "/agenda/{i}/extend", agenda.extend, name="agenda_extend")
    r.add_delete(C + "/agenda/{i}", agenda.delete_item, name="agenda_delete")
    r.add_get(C + "/speaking-requests", agenda.list_requests, name="speaking_requests")
    r.add_post(C + "/speaking-requests", agenda.ask_to_speak, name="speaking_request_create")
    r.add_patch(C + "/speaking-requests/{r}", agenda.update_request, name="speaking_request_update")
    r.add_post(C + "/speaking-requests/{r}/withdraw", agenda.withdraw_request, name="speaking_request_withdraw")
    r.add_get(C + "/speaking-log", agenda.speaking_log, name="speaking_log")

    r.add_get(C + "/drafts", drafts.list_drafts, name="drafts")
    r.add_post(C + "/drafts", drafts.publish_draft, name="draft_create")
    # Before /drafts/{d}, which would take "revised" for a draft id.
    r.add_get(C + "/drafts/revised", drafts.revised_draft, name="draft_revised")
    r.add_get(C + "/drafts/{d}", drafts.get_draft, name="draft")
    r.add_get(C + "/remarks", inbox.list_remarks, name="remarks")
    r.add_post(C + "/remarks", input.submit_remark, name="remark_create")
    r.add_get(C + "/remarks/{r:\\d+}/attachment", attachments.download_attachment, name="remark_attachment")
    r.add_post(C + "/remarks/{r:\\d+}/moderate", rulings.moderate_remark, name="remark_moderate")
    r.add_get(C + "/comments", inbox.list_comments, name="comments")
    r.add_post(C + "/comments", input.submit_comment, name="comment_create")
    r.add_patch(C + "/comments", rulings.dispose_many, name="comments_dispose")
    r.add_get(C + "/comments/counts", inbox.comment_counts, name="comment_counts")
    r.add_patch(C + "/comments/{m}", rulings.dispose_comment, name="comment_dispose")
    r.add_post(C + "/comments/{m:\\d+}/merge", rulings.merge_comment, name="comment_merge")
    r.add_post(C + "/comments/{m:\\d+}/unmerge", rulings.unmerge_comment, name="comment_unmerge")
    r.add_post(C + "/comments/{m:\\d+}/moderate", rulings.moderate_comment, name="comment_moderate")
    r.add_put(C + "/comments/{m:\\d+}/author-answer", proposals.answer_ruling, name="comment_author_answer")
    r.add_post(C + "/change-proposals", proposals.create_change_proposal, name="change_proposal_create")
    r.add_get(C + "/receipts/{receipt}", receipts.get_receipt, name="receipt")
    r.add_get(C + "/staff", work.list_staff, name="staff")
    r.add_get(C + "/comment-work", work.list_work, name="comment_work")
    r.add_post(C + "/comments/assign", work.assign_comments, name="comments_assign")
    r.add_put(C + "/comments/{m:\\d+}/assignment", work.assign_comment, name="comment_assign")
    r.add_put(C + "/comments/{m:\\d+}/draft", work.draft_answer, name="comment_draft")
    r.add_post(C + "/comments/{m:\\d+}/approve", work.approve_draft, name="comment_approve")
    r.add_post(C + "/comments/{m:\\d+}/notes", work.add_note, name="comment_note_create")
    r.add_get(C + "/answer-templates", work.list_templates, name="answer_templates")
    r.add_post(C + "/answer-templates", work.create_template, name="answer_template_create")
    r.add_put(C + "/answer-templates/{t:\\d+}", work.update_template, name="answer_template_update")
    r.add_delete(C + "/answer-templates/{t:\\d+}", work.delete_template, name="answer_template_delete")

    r.add_get(C + "/display", display.get_display, name="display")
    r.add_put(C + "/display", display.set_display, name="display_update")
    r.add_get(C + "/section-view", display.section_view, name="section_view")

    r.add_get(C + "/events", stream.list_events, name="events")
    r.add_get(C + "/summary", summary.summary, name="summary")
    r.add_get(C + "/summary.{fmt:json|html|md|docx|pdf|pdfa}", summary.summary, name="summary_format")
    r.add_get(C + "/revised-draft.docx", summary.revised_draft, name="revised_draft")
    r.add_get(C + "/closing-statement", summary.get_closing_statement, name="closing_statement")
    r.add_put(C + "/closing-statement", summary.set_closing_statement, name="closing_statement_update")

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
    r.add_get("/admin/{c:\\d+}/badges/{p:\\d+}", badges.badge_sheet_page, name="badge_sheet")
    r.add_get("/admin/{c:\\d+}/points/{code}/badges", badges.badge_sheet_by_code, name="badge_sheet_by_code")
    r.add_get("/admin/{c:\\d+}/invitations/{i:\\d+}/qr.svg", badges.invitation_qr, name="invitation_qr")
    for console in ("admin", "chair", "operator", "delegate", "display"):
        r.add_get(f"/{console}/{{c:\\d+}}", pages.console(console), name=f"{console}_console")
    r.add_static("/static", WEB / "static", name="static")
