"""The project's URLconf plus one more member page, for the URL list check's own test."""

from django.http import HttpResponse
from django.urls import path

from priorauth.urls import urlpatterns as project_urlpatterns


def member_claims(request, member_id):
    return HttpResponse(member_id)


urlpatterns = [*project_urlpatterns, path("members/<str:member_id>/claims/", member_claims)]
