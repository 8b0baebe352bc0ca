"""The demo's back-dated requests keep a story that agrees with their dates: the history's
"created" entry at the request's "Received" time, every later entry after it and in
order, and each decision at the history entry that records it, after receipt and within
the clock the demo planned it in."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from priorauth.models import Decision, OverrideRequest

SAVE_GAP = timedelta(seconds=2)  # between receipt and the row saved, a decision and its row


@pytest.fixture
def seeded(kesimpta):
    call_command("seed_demo", "--members", "20", "--force", stdout=io.StringIO())


def history(request):
    return list(request.history.order_by("history_date", "history_id"))


@pytest.mark.django_db
def test_the_created_entry_is_at_receipt_and_every_other_entry_after_it(seeded):
    requests = list(OverrideRequest.objects.all())
    assert len(requests) > 10
    long_ago = timezone.now() - timedelta(hours=6)
    assert sum(r.received_at < long_ago for r in requests) > 5  # really back-dated
    for request in requests:
        rows = history(request)
        assert rows[0].history_type == "+", request.pk
        assert request.received_at <= rows[0].history_date <= request.received_at + SAVE_GAP
        assert all(h.history_date >= rows[0].history_date for h in rows)
        assert rows[-1].status == request.status  # the last entry is the state shown


@pytest.mark.django_db
def test_each_decision_is_where_its_history_entry_is_and_within_the_clock(seeded):
    decisions = list(Decision.objects.select_related("request"))
    assert decisions
    for decision in decisions:
        request = decision.request
        assert decision.decided_at > request.received_at, request.pk
        decided_row = next(h for h in history(request) if h.status == decision.request.status)
        assert abs(decided_row.history_date - decision.decided_at) <= SAVE_GAP
        assert decision.decided_at <= request.due_at
