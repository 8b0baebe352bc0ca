"""The impact pages and the admin's gate (ADR 0021), through the real views."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from policies.models import Policy, QuantityLimit
from priorauth import roles, services
from priorauth.models import ImpactReport, ImpactStatus, PHIAccess
from tests.support import factories
from tests.support.cast import staff_client
from tests.support.impact import draft_with_limit
from tests.support.policy_admin import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(kesimpta):
    """Two members: K1 fills a pen for 28 days twice, 28 days apart; K2 once, for 30 days.
    At 1 pen per 30 days K1's fills are above the rate (a pen lasts 30 days, not 28); K2's
    is not."""
    today = timezone.localdate()
    for member_id in ("K1", "K2"):
        factories.member(member_id)
    for offset in (60, 32):
        services.claim_adjudicate(
            member_id="K1", ndc="00078100768", quantity=Decimal(1), days_supply=28,
            channel="retail", date_of_service=today - timedelta(days=offset),
            received_on=today - timedelta(days=offset),
        )  # fmt: skip
    services.claim_adjudicate(
        member_id="K2", ndc="00078100768", quantity=Decimal(1),
        channel="retail", date_of_service=today - timedelta(days=10), received_on=today,
        days_supply=30,
    )  # fmt: skip
    return kesimpta


@pytest.fixture
def admin(django_user_model):
    return staff_client(django_user_model, "policyadmin", roles.POLICY_ADMIN)


def _draft(policy):
    return draft_with_limit(
        policy, channel="retail", max_quantity="1", per_days=30, today=timezone.localdate()
    )


def test_show_the_impact_runs_the_replay_and_the_page_shows_the_summary(
    history, admin, tasks_run_here, django_capture_on_commit_callbacks
):
    draft = _draft(history)
    page = admin.get(reverse("admin:policies_policy_change", args=[draft.pk]))
    assert b"No replay of this version yet." in page.content
    with django_capture_on_commit_callbacks(execute=True):
        started = admin.post(reverse("impact-start", args=[draft.pk]), {"days": "90"})
    report = ImpactReport.objects.get()
    assert started.url == reverse("impact-report", args=[report.pk])
    assert report.status == ImpactStatus.DONE
    assert report.summary["now_rejected"] == 2  # K1's two fills
    shown = admin.get(started.url)
    assert b'data-figure="now_rejected">2<' in shown.content
    # A policy admin reads the counts, never the members, and nothing is logged.
    assert b"K1" not in shown.content and b"Your role does not read members" in shown.content
    assert not PHIAccess.objects.exists()
    status = admin.get(reverse("impact-status", args=[report.pk])).json()
    assert status == {
        "status": "done", "finished": True, "members_done": 2, "members_total": 2, "percent": 100
    }  # fmt: skip


def test_an_auditor_reads_the_affected_members_and_the_read_is_logged(
    history, django_user_model, auditor
):
    report = services.impact_report_run_now(policy_id=_draft(history).pk)
    client = staff_client(django_user_model, "auditor2", roles.AUDITOR)
    page = client.get(reverse("impact-report", args=[report.pk]))
    assert b"K1" in page.content and b"K2" not in page.content
    assert list(PHIAccess.objects.values_list("member__member_id", flat=True)) == ["K1"]


def test_bad_days_change_nothing_and_say_why(history, admin):
    response = admin.post(reverse("impact-start", args=[history.pk]), {"days": "0"})
    assert response.status_code == 400
    assert b"Replay between 1 and 730 days" in response.content
    assert not ImpactReport.objects.exists()


def test_only_policy_admins_start_a_replay(history, client, pharmacist):
    client.force_login(pharmacist)
    assert client.post(reverse("impact-start", args=[history.pk])).status_code == 403


def test_a_cancelled_queued_replay_never_runs(history, admin):
    report = services.impact_report_request(policy_id=history.pk)
    admin.post(reverse("impact-cancel", args=[report.pk]))
    report = services.impact_report_run(report_id=report.pk)
    assert report.status == ImpactStatus.CANCELLED
    assert report.history.first().history_change_reason == "cancelled before it started"


def test_a_running_replay_stops_at_the_next_check_when_cancelled(history, monkeypatch):
    from priorauth.services import impact

    report = services.impact_report_request(policy_id=_draft(history).pk)
    real = impact._save_progress

    def cancel_at_first_progress(row):
        real(row)
        ImpactReport.objects.filter(pk=row.pk).update(cancel_requested=True)

    monkeypatch.setattr(impact, "_save_progress", cancel_at_first_progress)
    done = services.impact_report_run(report_id=report.pk, progress_every=1)
    assert done.status == ImpactStatus.CANCELLED
    assert done.members_done == 1 and not done.members.exists()


def test_running_a_finished_report_again_changes_nothing(history):
    report = services.impact_report_run_now(policy_id=_draft(history).pk)
    again = services.impact_report_run(report_id=report.pk)
    assert again.summary == report.summary and again.members.count() == 1


# --- The gate ---------------------------------------------------------------------------


def _save(client, policy, *, without_replay=None, **edits):
    data = change_form_data(policy, reason="tighten", without_replay=without_replay)
    data.update(edits)
    return client.post(reverse("admin:policies_policy_change", args=[policy.pk]), data)


def test_changing_the_limit_in_force_without_a_replay_is_refused_and_saves_nothing(history, admin):
    response = _save(admin, history, **{"limits-0-max_quantity": "2"})
    assert response.status_code == 200
    assert "no replay of this rule finished" in response.content.decode()
    assert QuantityLimit.objects.get(policy=history, channel="retail").max_quantity == 1


def test_a_reason_lets_it_through_and_is_kept_in_the_history(history, admin):
    response = _save(
        admin, history, without_replay="P&T emergency", **{"limits-0-max_quantity": "2"}
    )
    assert response.status_code == 302
    limit = QuantityLimit.objects.get(policy=history, channel="retail")
    assert "made effective without a replay: P&T emergency" in (
        limit.history.first().history_change_reason
    )


def test_ticked_without_a_reason_is_refused(history, admin):
    response = _save(admin, history, without_replay="", **{"limits-0-max_quantity": "2"})
    assert "Say why the version is made effective without a replay." in (response.content.decode())


def test_words_only_edits_of_the_version_in_force_need_no_replay(history, admin):
    assert _save(admin, history, statement="Reworded.").status_code == 302


def test_a_future_version_is_saved_freely_and_moved_to_today_with_a_fresh_replay(history, admin):
    draft = _draft(history)
    assert _save(admin, draft, statement="A draft.").status_code == 302
    today = timezone.localdate()
    Policy.objects.filter(pk=history.pk).update(effective_to=today - timedelta(days=1))
    moved = {"effective_from": today.isoformat()}
    refused = _save(admin, Policy.objects.get(pk=draft.pk), **moved)
    assert refused.status_code == 200
    services.impact_report_run_now(policy_id=draft.pk)
    assert _save(admin, Policy.objects.get(pk=draft.pk), **moved).status_code == 302
    assert Policy.objects.get(pk=draft.pk).effective_from == today


def test_a_replay_older_than_a_day_no_longer_counts(history, admin):
    draft = _draft(history)
    report = services.impact_report_run_now(policy_id=draft.pk)
    ImpactReport.objects.filter(pk=report.pk).update(
        finished_at=timezone.now() - timedelta(hours=25)
    )
    today = timezone.localdate()
    Policy.objects.filter(pk=history.pk).update(effective_to=today - timedelta(days=1))
    response = _save(admin, Policy.objects.get(pk=draft.pk), effective_from=today.isoformat())
    assert response.status_code == 200
