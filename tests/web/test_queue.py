"""The work queue: most urgent first, filters, a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from priorauth.models import OverrideRequest
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_the_queue_needs_a_login(client):
    response = client.get("/queue/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["intake", "claims_system", "policy_admin", "stranger"])
def test_roles_without_review_get_403(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/queue/").status_code == 403


def test_overdue_requests_come_first_then_the_nearest_due(client, pharmacist, kesimpta):
    requests = factories.open_requests(6, policy=kesimpta)
    now = timezone.now()
    dues = {0: 5, 1: -3, 2: 1, 3: -10, 4: 30, 5: 2}  # hours from now
    for n, hours in dues.items():
        OverrideRequest.objects.filter(pk=requests[n].pk).update(
            received_at=now - timedelta(hours=100), due_at=now + timedelta(hours=hours)
        )
    client.force_login(pharmacist)
    rows = client.get("/queue/").context["rows"]
    assert [r["request"].pk for r in rows] == [requests[n].pk for n in (3, 1, 2, 5, 0, 4)]
    assert [r["overdue"] for r in rows] == [True, True, False, False, False, False]
    assert rows[0]["clock"].startswith("Overdue by 10 h")


def test_the_queue_shows_overdue_in_words_not_only_colour(client, pharmacist, kesimpta):
    [late] = factories.open_requests(1, policy=kesimpta)
    now = timezone.now()
    OverrideRequest.objects.filter(pk=late.pk).update(
        received_at=now - timedelta(hours=30), due_at=now - timedelta(hours=2)
    )
    client.force_login(pharmacist)
    assert "Overdue by 2 h" in client.get("/queue/").content.decode()


def test_filters_and_search(client, pharmacist, kesimpta):
    requests = factories.open_requests(8, policy=kesimpta)
    client.force_login(pharmacist)
    expedited = client.get("/queue/?urgency=expedited").context["rows"]
    assert {r["request"].urgency for r in expedited} == {"expedited"}
    assert len(expedited) == 2
    found = client.get(f"/queue/?q={requests[3].member.member_id}").context["rows"]
    assert [r["request"].pk for r in found] == [requests[3].pk]
    client.post(f"/requests/{requests[5].pk}/take/")
    mine = client.get("/queue/?mine=1").context["rows"]
    assert [r["request"].pk for r in mine] == [requests[5].pk]
    assert mine[0]["request"].status == "in_review"


def test_the_queue_paginates(client, pharmacist, kesimpta):
    factories.open_requests(30, policy=kesimpta)
    client.force_login(pharmacist)
    first = client.get("/queue/")
    assert len(first.context["rows"]) == 25
    assert len(client.get("/queue/?page=2").context["rows"]) == 5
    assert "Page 1 of 2" in first.content.decode()


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/queue/").status_code == 200
    return len(queries)


def test_the_queue_makes_the_same_number_of_queries_for_10_or_1000_requests(
    client, pharmacist, kesimpta, django_assert_max_num_queries
):
    client.force_login(pharmacist)
    factories.open_requests(10, policy=kesimpta, prefix="A")
    with_10 = _queue_queries(client)
    factories.open_requests(990, policy=kesimpta, prefix="B")
    with django_assert_max_num_queries(with_10):
        assert client.get("/queue/").status_code == 200
    assert _queue_queries(client) == with_10
    # session, user, roles, user and group permissions (the nav), count, page entries, the
    # page's requests, policies; the PHI access rows for the members shown (one INSERT);
    # then the session save (BEGIN, UPDATE, COMMIT)
    assert with_10 <= 13


def test_the_queue_makes_the_same_number_of_queries_with_appeals_in_it(
    client, pharmacist, pharmacist2, kesimpta
):
    """One ordered UNION pages requests and appeals; each kind on the page is one query."""
    client.force_login(pharmacist)
    factories.open_requests(10, policy=kesimpta, prefix="A")
    factories.open_appeals(3, policy=kesimpta, denied_by=pharmacist2, prefix="C")
    few = _queue_queries(client)
    factories.open_requests(990, policy=kesimpta, prefix="B")
    # Due over the same hours as the requests (some overdue), so the first page mixes both.
    factories.open_appeals(
        500, policy=kesimpta, denied_by=pharmacist2, prefix="D", due_in_hours=lambda n: n % 137 - 65
    )
    page = client.get("/queue/")
    assert {row["kind"] for row in page.context["rows"]} == {"request", "appeal"}
    assert page.context["page"].paginator.count == 1000 + 503
    assert _queue_queries(client) == few
    # the requests' queries and one more: the page's appeals (with their requests)
    assert few <= 14
