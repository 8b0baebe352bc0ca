from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from priorauth.api.views import UnknownPathView

urlpatterns = [
    path("", include("priorauth.web.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("priorauth.api.urls")),
    # Last of the API: any other path under /api/ is a JSON 404, not the pages' HTML one.
    re_path(r"^api/", UnknownPathView.as_view(), name="api-unknown-path"),
    path("policies/", include("policies.urls")),
]
