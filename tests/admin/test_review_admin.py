"""The review data in the admin: shown, never changed (all writes go through the services)."""

import pytest

from priorauth.models import Member, OverrideRequest
from tests.support.phi import build_world, role_clients

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(kesimpta, intake, pharmacist, physician):
    return build_world(intake=intake, pharmacist=pharmacist, physician=physician)


@pytest.fixture
def auditor_admin(auditor):
    return role_clients({"auditor": auditor})["auditor"]


def test_a_viewer_cannot_revert_a_member_from_a_past_versions_page(world, auditor_admin):
    member = world.first
    version = member.history.first().history_id
    response = auditor_admin.post(
        f"/admin/priorauth/member/{member.pk}/history/{version}/",
        {
            "member_id": member.member_id,
            "first_name": "Changed",
            "last_name": member.last_name,
            "date_of_birth": "1981-06-02",
            "line_of_business": "commercial",
            "created_at_0": "2026-01-01",
            "created_at_1": "00:00:00",
        },
    )
    assert response.status_code == 403
    assert Member.objects.get(pk=member.pk).first_name == "Xanthippe"


def test_a_past_version_of_a_request_shows_its_member_and_offers_no_other(world, auditor_admin):
    request = world.decided["ZQX917"]
    version = OverrideRequest.history.filter(id=request.pk).first().history_id
    page = auditor_admin.get(
        f"/admin/priorauth/overriderequest/{request.pk}/history/{version}/"
    ).content.decode()
    assert "Quillfeather" in page
    assert "Vexworth" not in page  # no drop-down listing every member
    assert "<select" not in page


def test_appeals_and_their_decisions_are_shown_and_never_changed(world, auditor_admin):
    appeal = world.appeals["ZQX917"]
    listed = auditor_admin.get("/admin/priorauth/appeal/").content.decode()
    assert f'href="/admin/priorauth/appeal/{appeal.pk}/change/' in listed
    change = auditor_admin.get(f"/admin/priorauth/appeal/{appeal.pk}/change/").content.decode()
    assert "New chart note." in change and "<textarea" not in change
    decision = auditor_admin.get(
        f"/admin/priorauth/appealdecision/{appeal.decision.pk}/change/"
    ).content.decode()
    assert "Still not met." in decision and "Physician reviewer" in decision
    assert auditor_admin.get("/admin/priorauth/appeal/add/").status_code == 403
    refused = auditor_admin.post(
        f"/admin/priorauth/appeal/{appeal.pk}/change/", {"reason": "Changed.", "status": "pending"}
    )
    assert refused.status_code == 403
    appeal.refresh_from_db()
    assert (appeal.reason, appeal.status) == ("New chart note.", "decided")
