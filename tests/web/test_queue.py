"""The work queue: most urgent first, filters, a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from priorauth import services
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


def _due_in(row, hours: float) -> None:
    """Set a request's or appeal's clock (state for the test, not a change under test)."""
    now = timezone.now()
    type(row).objects.filter(pk=row.pk).update(
        received_at=now - timedelta(hours=200), due_at=now + timedelta(hours=hours)
    )


@pytest.fixture
def mixed(kesimpta, pharmacist2):
    """Two open requests and two open appeals (denied by pharmacist2), each with a clock."""
    requests = factories.open_requests(2, policy=kesimpta, prefix="R")
    appeals = factories.open_appeals(2, policy=kesimpta, denied_by=pharmacist2, prefix="P")
    for row, hours in zip([*requests, *appeals], (5, -1, -3, 2), strict=True):
        _due_in(row, hours)
    return {"requests": requests, "appeals": appeals}


def test_appeals_share_the_queue_each_on_its_own_clock_with_a_marker(client, pharmacist, mixed):
    client.force_login(pharmacist)
    response = client.get("/queue/")
    rows = response.context["rows"]
    requests, appeals = mixed["requests"], mixed["appeals"]
    assert [(r["kind"], r["item"].pk) for r in rows] == [
        ("appeal", appeals[0].pk),  # 3 h overdue
        ("request", requests[1].pk),  # 1 h overdue
        ("appeal", appeals[1].pk),  # due in 2 h
        ("request", requests[0].pk),  # due in 5 h
    ]
    assert rows[0]["overdue"] and rows[0]["clock"].startswith("Overdue by 3 h")
    assert rows[0]["request"] == appeals[0].request
    page = response.content.decode()
    assert page.count('<span class="badge appeal">Appeal</span>') == 2
    assert f'href="/appeals/{appeals[0].pk}/"' in page
    assert f"appeal of denied request {appeals[0].request_id}" in page
    assert "4 open requests and appeals" in page


def test_filters_apply_to_appeals_too(client, physician, mixed):
    appeals = mixed["appeals"]
    client.force_login(physician)

    def shown(query: str) -> list:
        return [(r["kind"], r["item"].pk) for r in client.get(f"/queue/?{query}").context["rows"]]

    assert {kind for kind, _ in shown("kind=appeal")} == {"appeal"}
    assert {kind for kind, _ in shown("kind=request")} == {"request"}
    # open_appeals makes every third expedited: the first appeal is, the second is not
    assert ("appeal", appeals[0].pk) in shown("urgency=expedited")
    assert ("appeal", appeals[1].pk) not in shown("urgency=expedited")
    assert shown(f"q={appeals[1].member.member_id}") == [("appeal", appeals[1].pk)]
    assert shown("policy=cigna-ms-kesimpta-dqm&kind=appeal") == [
        ("appeal", appeals[0].pk),
        ("appeal", appeals[1].pk),
    ]
    services.appeal_take(appeal_id=appeals[1].pk, by=physician)
    assert shown("mine=1") == [("appeal", appeals[1].pk)]
    assert shown("status=in_review") == [("appeal", appeals[1].pk)]
    # "determined automatically" is about requests only: no appeal is ever decided so
    assert [kind for kind, _ in shown("auto=1")] == []


def test_take_is_offered_to_whom_the_service_would_let_work_the_row(
    client, physician, pharmacist2, mixed
):
    appeals, requests = mixed["appeals"], mixed["requests"]
    client.force_login(physician)  # may take appeals, not requests (a pharmacist's work)
    page = client.get("/queue/").content.decode()
    assert f'action="/appeals/{appeals[0].pk}/take/"' in page
    assert f'action="/requests/{requests[0].pk}/take/"' not in page
    client.force_login(pharmacist2)  # denied the appealed requests: never takes their appeals
    page = client.get("/queue/").content.decode()
    assert f'action="/appeals/{appeals[0].pk}/take/"' not in page
    assert f'action="/requests/{requests[0].pk}/take/"' in page
