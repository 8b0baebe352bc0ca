"""Policy pages beyond the admin: read-only policy pages with history, and export."""

from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<id:pk>/", views.policy_detail, name="detail"),
    path("<id:pk>/export.yaml", views.policy_export, name="export"),
]
