from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/mine/", views.my_requests, name="my-requests"),
    path("requests/<int:request_id>/", views.case_page, name="case"),
    path("requests/<int:request_id>/notice/", views.notice, name="notice"),
    path(
        "requests/<int:request_id>/<slug:action>/",
        views.case_action,
        name="case-action",
    ),
    path("members/<str:member_id>/", views.member_page, name="member"),
    path("overrides/", views.overrides_page, name="overrides"),
    path("overrides/<int:override_id>/revoke/", views.override_revoke, name="override-revoke"),
    path("audit/access/", views.access_log, name="access-log"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("priorauth.api.urls")),
    path("policies/", include("policies.urls")),
]
