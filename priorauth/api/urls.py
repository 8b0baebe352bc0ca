from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import documents, views

urlpatterns = [
    path("members/", views.MemberCreateView.as_view(), name="api-member-create"),
    path("members/<str:member_id>/", views.MemberDetailView.as_view(), name="api-member-detail"),
    path("prescribers/<str:npi>/", views.PrescriberDetailView.as_view(), name="api-prescriber"),
    path("claims/", views.ClaimSubmitView.as_view(), name="api-claim-submit"),
    path(
        "claims/<id:claim_id>/reversal/",
        views.ClaimReversalView.as_view(),
        name="api-claim-reversal",
    ),
    path("pa-initiations/", views.PAInitiationView.as_view(), name="api-pa-initiation"),
    path(
        "override-requests/",
        views.OverrideRequestSubmitView.as_view(),
        name="api-override-request-submit",
    ),
    path(
        "override-requests/<id:request_id>/",
        views.OverrideRequestDetailView.as_view(),
        name="api-override-request-detail",
    ),
    path(
        "override-requests/<id:request_id>/decision/",
        views.DecisionView.as_view(),
        name="api-override-request-decision",
    ),
    path(
        "override-requests/<id:request_id>/appeals/",
        views.AppealFileView.as_view(),
        name="api-appeal-file",
    ),
    path(
        "override-requests/<id:request_id>/attachments/",
        documents.RequestAttachmentsView.as_view(),
        name="api-request-attachments",
    ),
    path(
        "override-requests/<id:request_id>/notes/",
        documents.RequestNotesView.as_view(),
        name="api-request-notes",
    ),
    path("appeals/<id:appeal_id>/", views.AppealDetailView.as_view(), name="api-appeal-detail"),
    path(
        "appeals/<id:appeal_id>/attachments/",
        documents.AppealAttachmentsView.as_view(),
        name="api-appeal-attachments",
    ),
    path(
        "appeals/<id:appeal_id>/notes/",
        documents.AppealNotesView.as_view(),
        name="api-appeal-notes",
    ),
    path(
        "appeals/<id:appeal_id>/decision/",
        views.AppealDecisionView.as_view(),
        name="api-appeal-decision",
    ),
    path("overrides/", views.OverrideListView.as_view(), name="api-override-list"),
    path("metrics/", views.MetricsView.as_view(), name="api-metrics"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
