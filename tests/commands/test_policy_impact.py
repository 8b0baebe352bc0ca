"""manage.py policy_impact: the same report as the page, as JSON or CSV."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from priorauth import services
from priorauth.models import ImpactReport
from tests.support import factories
from tests.support.impact import draft_with_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(kesimpta):
    today = timezone.localdate()
    factories.member("C1")
    services.claim_adjudicate(
        member_id="C1", ndc="00078100768", quantity=Decimal(1), days_supply=28,
        channel="retail", date_of_service=today - timedelta(days=5), received_on=today,
    )  # fmt: skip
    return draft_with_limit(kesimpta, channel="retail", max_quantity="1", per_days=30, today=today)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("policy_impact", *args, stdout=out)
    return out.getvalue()


def test_json_is_the_report_with_its_members(draft):
    document = json.loads(
        _run(draft.code, "--effective-from", draft.effective_from.isoformat(), "--days", "30")
    )
    assert document["status"] == "done"
    assert document["summary"]["now_rejected"] == 1
    assert [m["member_id"] for m in document["members"]] == ["C1"]
    assert ImpactReport.objects.get().days == 30


def test_csv_is_one_row_per_changed_claim(draft):
    rows = list(
        csv.reader(
            io.StringIO(
                _run(draft.code, "--effective-from", str(draft.effective_from), "--format", "csv")
            )
        )
    )
    assert rows[0] == ["member_id", "claim_id", "date_of_service", "channel", "change"]
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [("C1", "retail", "now_rejected")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--effective-from", "tomorrow"], "is not a date"),
        (["--effective-from", "2020-01-01"], "has no version starting on 2020-01-01"),
        (["--effective-from", "{from}", "--days", "0"], "Replay between 1 and 730 days"),
    ],
)
def test_bad_input_says_what_is_wrong_and_writes_nothing(draft, args, message):
    args = [a.format(**{"from": draft.effective_from}) for a in args]
    with pytest.raises(CommandError, match=message):
        _run(draft.code, *args)
    assert not ImpactReport.objects.exists()
