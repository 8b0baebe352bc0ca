"""The project's URLs plus the benchmark's bare read and durable write (benchmarks/views.py)."""

from django.urls import path

from priorauth.urls import urlpatterns as project_urlpatterns

from .views import BaselineView, DurableWriteView

BASELINE_PREFIX = "bench/baseline/"
DURABLE_WRITE_PREFIX = "bench/durable-write/"

urlpatterns = [
    *project_urlpatterns,
    path(f"{BASELINE_PREFIX}<str:member_id>/", BaselineView.as_view(), name="bench-baseline"),
    path(
        f"{DURABLE_WRITE_PREFIX}<str:member_id>/",
        DurableWriteView.as_view(),
        name="bench-durable-write",
    ),
]
