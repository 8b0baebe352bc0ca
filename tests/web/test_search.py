"""Search (issue 13, item 4): every request and appeal, open or closed, by member, request
number, authorization number, drug, NDC (with or without hyphens) and NPI; filters for
status and dates; paged, in a fixed number of queries; the members listed are recorded."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from priorauth.models import Appeal, OverrideRequest, PHIAccess
from tests.support import factories

pytestmark = pytest.mark.django_db

OTHER_NPI = "1987654328"  # valid check digit; synthetic


@pytest.fixture
def world(kesimpta, intake, pharmacist):
    """Avery Quinlan: an open request. Blake Orr: a denied request with an open appeal.
    Casey Ives: an approved (closed) request with its authorization number, another NPI."""
    factories.member("M1", first_name="Avery", last_name="Quinlan")
    open_request = factories.kesimpta_request("M1", criterion_number=None)
    denied = factories.denied(
        "M2", submitted_by=intake, denied_by=pharmacist, first_name="Blake", last_name="Orr"
    )
    appeal = factories.appeal(denied, by=intake)
    factories.member("M3", first_name="Casey", last_name="Ives")
    approved = factories.kesimpta_request("M3", criterion_number=None, prescriber_npi=OTHER_NPI)
    override = factories.approve(approved).override
    return {
        "open": open_request,
        "denied": denied,
        "appeal": appeal,
        "approved": approved,
        "override": override,
    }


@pytest.fixture
def reader(client, pharmacist):
    client.force_login(pharmacist)
    return client


def found(client, **params) -> list[str]:
    """The results, as "request 12" / "appeal 3", in the page's order."""
    response = client.get("/search/", params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return [f"{row['kind']} {row['item'].pk}" for row in response.context["rows"]]


def r(row) -> str:
    return f"{'appeal' if isinstance(row, Appeal) else 'request'} {row.pk}"


def test_by_member_id_and_by_name_in_any_order_and_case(reader, world):
    assert found(reader, q="m1") == [r(world["open"])]
    assert found(reader, q="quinlan, avery") == [r(world["open"])]
    assert found(reader, q="Orr") == [r(world["appeal"]), r(world["denied"])]


def test_by_request_number_finds_the_request_and_its_appeals(reader, world):
    assert found(reader, q=str(world["denied"].pk)) == [r(world["appeal"]), r(world["denied"])]


def test_by_authorization_number_finds_the_closed_request(reader, world):
    number = world["override"].authorization_number
    assert found(reader, q=number) == [r(world["approved"])]
    assert found(reader, q=number.lower()) == [r(world["approved"])]


def test_by_drug_name(reader, world):
    assert len(found(reader, q="kesimpta")) == 4
    assert found(reader, q="humira") == []


@pytest.mark.parametrize("ndc", ["00078-1007-68", "00078100768", " 00078-1007-68 "])
def test_by_ndc_with_or_without_hyphens_open_and_closed(reader, world, ndc):
    results = found(reader, q=ndc)
    assert r(world["approved"]) in results and r(world["open"]) in results
    assert len(results) == 4


def test_by_prescriber_npi(reader, world):
    assert found(reader, q=OTHER_NPI) == [r(world["approved"])]


def test_results_show_number_member_drug_ndc_status_and_received_with_links(reader, world):
    page = reader.get("/search/", {"q": "Ives"}).content.decode()
    approved = world["approved"]
    assert f'href="/requests/{approved.pk}/">Request {approved.pk}</a>' in page
    assert "Ives, Casey" in page and "M3" in page
    assert "Kesimpta" in page
    assert "00078-1007-68" in page
    assert "approved" in page
    assert timezone.localtime(approved.received_at).strftime("%b %-d, %Y") in page
    appeal = world["appeal"]
    page = reader.get("/search/", {"q": "Orr"}).content.decode()
    assert f'href="/appeals/{appeal.pk}/">' in page


def test_open_cases_first_by_due_then_closed_by_most_recent(reader, world):
    # The request made urgent: due before the appeal.
    OverrideRequest.objects.filter(pk=world["open"].pk).update(
        due_at=timezone.now() + timedelta(hours=1)
    )
    OverrideRequest.objects.filter(pk=world["denied"].pk).update(
        received_at=timezone.now() - timedelta(days=5)
    )
    assert found(reader, q="kesimpta") == [
        r(world["open"]),
        r(world["appeal"]),
        r(world["approved"]),
        r(world["denied"]),
    ]


def test_status_filters(reader, world):
    # Standard clocks: the request's 72 hours end before the appeal's 168.
    assert found(reader, status="open") == [r(world["open"]), r(world["appeal"])]
    assert set(found(reader, status="closed")) == {r(world["approved"]), r(world["denied"])}
    assert found(reader, status="denied") == [r(world["denied"])]
    assert found(reader, status="pending", kind="appeal") == [r(world["appeal"])]
    assert found(reader, q="Orr", status="decided") == []


def test_received_date_range_is_whole_local_days(reader, world):
    today = timezone.localdate()
    long_ago = timezone.now() - timedelta(days=40)
    OverrideRequest.objects.filter(pk=world["approved"].pk).update(received_at=long_ago)
    assert found(reader, q="Ives", received_to=str(today - timedelta(days=1))) == [
        r(world["approved"])
    ]
    assert found(reader, q="Ives", received_from=str(today - timedelta(days=30))) == []
    assert found(reader, received_from=str(today), received_to=str(today), q="Quinlan") == [
        r(world["open"])
    ]


def test_bad_dates_are_refused_beside_their_field_and_nothing_is_read(reader, world):
    response = reader.get("/search/", {"received_from": "2026-02-30", "q": "Orr"})
    assert response.status_code == 400
    assert "Give a date as YYYY-MM-DD." in response.content.decode()
    backwards = reader.get("/search/", {"received_from": "2026-03-02", "received_to": "2026-03-01"})
    assert backwards.status_code == 400
    assert "is before the first" in backwards.content.decode()
    assert not PHIAccess.objects.filter(action="search results view").exists()


def test_an_empty_search_lists_no_one(reader, world):
    response = reader.get("/search/")
    assert response.status_code == 200 and response.context["rows"] == []
    assert not PHIAccess.objects.exists()


def test_the_members_listed_are_recorded_as_read(reader, world):
    reader.get("/search/", {"q": "kesimpta"})
    logged = PHIAccess.objects.filter(action="search results view")
    assert sorted(logged.values_list("member__member_id", flat=True)) == ["M1", "M2", "M3"]
    assert {entry.path for entry in logged} == {"/search/?q=kesimpta"}


def test_reviewers_and_auditors_search_intake_does_not(client, world, auditor, intake):
    client.force_login(auditor)
    assert client.get("/search/", {"q": "M1"}).status_code == 200
    assert 'href="/search/"' in client.get("/queue/").content.decode()  # in the header
    client.force_login(intake)
    assert client.get("/search/", {"q": "M1"}).status_code == 403


def _search_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", params).status_code == 200
    return len(queries)


def test_the_same_number_of_queries_for_few_or_many_results(reader, world, kesimpta, pharmacist2):
    few = _search_queries(reader, q="00078-1007-68")
    factories.open_requests(300, policy=kesimpta, prefix="A")
    # Due over the same hours as the requests (some overdue): the first page mixes both.
    factories.open_appeals(
        60, policy=kesimpta, denied_by=pharmacist2, prefix="C", due_in_hours=lambda n: n % 137 - 65
    )
    response = reader.get("/search/", {"q": "00078-1007-68"})
    assert response.context["page"].paginator.count == 4 + 300 + 60 * 2
    assert {row["kind"] for row in response.context["rows"]} == {"request", "appeal"}
    assert _search_queries(reader, q="00078-1007-68") == few
    assert _search_queries(reader, q="00078-1007-68", page="3") == few
    # session, user, roles and permissions (nav), count, page entries, the page's requests,
    # the page's appeals, the PHI rows (one INSERT), the session save
    assert few <= 15
