from django.urls import path

from . import (
    access,
    appeal_filing,
    appeals,
    audit,
    case,
    intake,
    members,
    notices,
    overrides,
    queue,
    reports,
    session,
)

urlpatterns = [
    path("", access.home, name="home"),
    path("queue/", queue.queue, name="queue"),
    path("requests/new/", intake.request_new, name="request-new"),
    path("requests/mine/", intake.my_requests, name="my-requests"),
    path("requests/<id:request_id>/", case.case_page, name="case"),
    path("requests/<id:request_id>/notice/", notices.notice, name="notice"),
    path(
        "requests/<id:request_id>/notice.pdf",
        notices.notice_download,
        name="notice-pdf",
    ),
    path("requests/<id:request_id>/appeals/new/", appeal_filing.appeal_new, name="appeal-new"),
    path("requests/<id:request_id>/<slug:action>/", case.case_action, name="case-action"),
    path("appeals/<id:appeal_id>/", appeals.appeal_page, name="appeal"),
    path("appeals/<id:appeal_id>/notice/", notices.appeal_notice, name="appeal-notice"),
    path(
        "appeals/<id:appeal_id>/notice.pdf",
        notices.appeal_notice_download,
        name="appeal-notice-pdf",
    ),
    path("appeals/<id:appeal_id>/<slug:action>/", appeals.appeal_action, name="appeal-action"),
    path("members/<str:member_id>/", members.member_page, name="member"),
    path("overrides/", overrides.overrides_page, name="overrides"),
    path("overrides/<id:override_id>/revoke/", overrides.override_revoke, name="override-revoke"),
    path("audit/access/", audit.access_log, name="access-log"),
    path("reports/", reports.dashboard, name="reports"),
    path("reports/figures.csv", reports.figures_csv, name="reports-figures-csv"),
    path("reports/decisions.csv", reports.decisions_csv, name="reports-decisions-csv"),
    path("session/renew/", session.session_renew, name="session-renew"),
]
