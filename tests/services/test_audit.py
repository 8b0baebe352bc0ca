"""The PHI access log's writes: one row per member read; a list's rows in one insert."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from priorauth import services
from priorauth.models import PHIAccess
from tests.support import factories

pytestmark = pytest.mark.django_db


def _record(user, members):
    with CaptureQueriesContext(connection) as queries:
        services.phi_access_record_many(
            user=user, members=members, action="work queue view", path="/queue/", remote_addr=None
        )
    return [query["sql"] for query in queries]


def test_a_list_records_each_distinct_member_once_with_who_and_where(pharmacist):
    first, second = factories.member("L1"), factories.member("L2")
    _record(pharmacist, [first, second.pk, first])
    entries = PHIAccess.objects.order_by("member__member_id")
    assert [(e.member.member_id, e.user, e.action, e.path) for e in entries] == [
        ("L1", pharmacist, "work queue view", "/queue/"),
        ("L2", pharmacist, "work queue view", "/queue/"),
    ]


def test_a_list_of_30_members_takes_the_same_one_insert_as_a_list_of_one(pharmacist):
    members = [factories.member(f"L{n}") for n in range(30)]
    one, thirty = _record(pharmacist, members[:1]), _record(pharmacist, members)
    assert len(thirty) == len(one)
    assert sum(sql.lstrip().upper().startswith("INSERT") for sql in thirty) == 1
    assert PHIAccess.objects.count() == 31


def test_an_empty_list_writes_nothing_and_asks_nothing(pharmacist):
    assert _record(pharmacist, []) == []
    assert not PHIAccess.objects.exists()
