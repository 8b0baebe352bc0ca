"""The project's URLs plus the benchmark's baseline endpoint."""

from django.urls import path

from priorauth.urls import urlpatterns as project_urlpatterns

from .views import BaselineView

BASELINE_PREFIX = "bench/baseline/"

urlpatterns = [
    *project_urlpatterns,
    path(f"{BASELINE_PREFIX}<str:member_id>/", BaselineView.as_view(), name="bench-baseline"),
]
