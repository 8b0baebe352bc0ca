"""The reporting dashboard /reports/ (docs/domain.md §11): who may open it, its range form
(the API's checks and messages), the figures on the page agreeing with the selector, the
CSV and the JSON for the known week, the charts, what breaches next, the downloads and
the PHI log entry of the decision rows."""

import csv
import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from priorauth import errors, selectors
from priorauth.api.metrics import metrics_document
from priorauth.models import REPORT_DOWNLOAD, PHIAccess
from tests.support import factories
from tests.support.cast import token_client
from tests.support.metrics import END, NOW, START, at, build_week
from tests.support.steps import at_noon

pytestmark = pytest.mark.django_db
RANGE = {"from": START.isoformat(), "to": END.isoformat()}
COUNTED = ("approved", "denied", "withdrawn", "still_open", "approved_on_appeal", "automatic")
HOURS = ("hours_mean", "hours_median", "hours_p90")


@pytest.fixture
def week(kesimpta, intake, pharmacist, pharmacist2, physician):
    return build_week(
        intake=intake, pharmacist=pharmacist, pharmacist2=pharmacist2, physician=physician
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_figures(html: str) -> dict[str, dict[str, str]]:
    """The figures tables as {"grouping:group": {figure: shown}}: a count as "3", a
    percentage as "33.3" ("—" for none), hours as shown."""
    shown = {}
    for group, row in re.findall(r'<tr data-group="([^"]+)">(.*?)</tr>', html, re.S):
        cells = dict(re.findall(r'data-figure="(\w+)">(.*?)</td>', row, re.S))
        figures = {"received": cells["received"].strip()}
        for name in COUNTED:
            figures[name] = re.search(r"data-count>(\d+)<", cells[name])[1]
            figures[f"{name}_percent"] = re.search(r"data-percent>([^<]*)<", cells[name])[1]
        for name in HOURS:
            figures[name] = cells[name].strip()
        figures["decided_late"] = re.match(r"\s*(\d+)", cells["decided_late"])[1]
        shown[group] = figures
    return shown


def as_shown(document_group: dict) -> dict[str, str]:
    """A group of the JSON document written the way the page writes it."""
    shown = {"received": str(document_group["received"])}
    for name in COUNTED:
        shown[name] = str(document_group[name])
        percent = document_group[f"{name}_percent"]
        shown[f"{name}_percent"] = "—" if percent is None else f"{percent} %"
    for name in HOURS:
        shown[name] = document_group[name] or "—"
    shown["decided_late"] = str(document_group["decided_late"])
    return shown


def document_groups(document: dict) -> dict[str, dict]:
    groups = [document["overall"], *document["by_urgency"], *document["by_policy"]]
    groups += document["by_line_of_business"]
    return {f"{g['grouping']}:{g['group']}": g for g in groups}


@pytest.mark.parametrize("role", ["pharmacist", "physician", "auditor", "policy_admin"])
def test_the_page_opens_for_the_roles_that_watch_the_figures(everyone, role):
    response = signed_in(everyone[role]).get("/reports/")
    assert response.status_code == 200
    assert b'<a href="/reports/">Reports</a>' in response.content  # in the header's nav


@pytest.mark.parametrize("role", ["intake", "claims_system", "stranger"])
def test_other_roles_are_refused_the_page_and_both_downloads(everyone, role):
    client = signed_in(everyone[role])
    for path in ("/reports/", "/reports/figures.csv", "/reports/decisions.csv"):
        assert client.get(path).status_code == 403, path
    assert b"/reports/" not in client.get("/").content
    assert PHIAccess.objects.count() == 0


def test_signed_out_goes_to_the_login_page(db):
    response = Client().get("/reports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/reports/")


def test_the_default_range_is_the_last_30_days_ending_today(auditor):
    with at_noon(END):
        html = signed_in(auditor).get("/reports/").content.decode()
    assert "Requests received from Oct 10, 2026 to Nov 8, 2026 (30 days" in html
    assert 'name="from" value="2026-10-10"' in html
    assert 'name="to" value="2026-11-08"' in html
    assert '<a href="?from=2026-11-02&amp;to=2026-11-08">Last 7 days</a>' in html
    assert '<a href="?from=2026-01-01&amp;to=2026-11-08">This year</a>' in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"from": "2026-11-09", "to": "2026-11-08"},
            "from",
            errors.METRICS_FROM_AFTER_TO.format(start="2026-11-09", end="2026-11-08"),
        ),
        ({"from": "2026-11-31"}, "from", errors.METRICS_DATE_FORMAT),
        ({"to": "last week"}, "to", errors.METRICS_DATE_FORMAT),
        (
            {"from": "2025-01-01", "to": "2026-01-02"},
            "to",
            errors.METRICS_RANGE_TOO_LONG.format(days=366, asked=367),
        ),
    ],
)
def test_a_bad_range_is_told_beside_its_field_and_shows_no_figures(
    week, pharmacist, query, field, message
):
    response = signed_in(pharmacist).get("/reports/", query)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'<div class="error" id="id_{field}_error" role="alert">(.*?)</div>', html)
    assert error and message in error[1].replace("&#x27;", "'")
    assert "data-group=" not in html and "<svg" not in html
    # The same message as the API's, for the same dates.
    api = token_client(pharmacist).get("/api/v1/metrics/", query).json()
    assert message in str(api)
    assert PHIAccess.objects.count() == 0


def test_the_figures_on_the_page_agree_with_the_selector_the_json_and_the_csv(week, auditor):
    client = signed_in(auditor)
    with at(NOW):
        html = client.get("/reports/", RANGE).content.decode()
        document = token_client(auditor).get("/api/v1/metrics/", RANGE).json()
        figures_csv = client.get("/reports/figures.csv", RANGE).content.decode()
        report = selectors.metrics_report(start=START, end=END, now=NOW)
    assert document == metrics_document(report)
    shown = page_figures(html)
    expected = {group: as_shown(g) for group, g in document_groups(document).items()}
    assert shown == expected
    # Worked out by hand in tests/selectors/test_metrics.py.
    assert shown["overall:all"]["approved_percent"] == "33.3 %"
    assert shown["overall:all"]["hours_p90"] == "67.2"
    assert shown["urgency:expedited"]["withdrawn"] == "1"
    rows = {f"{r['grouping']}:{r['group']}": r for r in csv.DictReader(figures_csv.splitlines())}
    assert set(rows) == set(expected)
    for group, document_group in document_groups(document).items():
        for name, value in document_group.items():
            assert rows[group][name] == ("" if value is None else str(value)), (group, name)


def test_the_clocks_now_are_the_reports(week, pharmacist):
    with at(NOW):
        html = signed_in(pharmacist).get("/reports/", RANGE).content.decode()
    clocks = dict(re.findall(r'data-clock="([\w-]+)">(\d+)<', html))
    assert clocks == {
        "requests-past-due": "2",
        "requests-due-soon": "1",
        "appeals-past-due": "1",
        "appeals-due-soon": "1",
        "appeals-open": "2",
    }


def test_both_charts_are_titled_described_images_with_their_numbers_beside(week, pharmacist):
    with at(NOW):
        html = signed_in(pharmacist).get("/reports/", RANGE).content.decode()
    svgs = re.findall(r"<svg viewBox[^>]*role=\"img\"[^>]*>(.*?)</svg>", html, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert re.search(r"<title id=\"chart-\w+-title\">\w.+</title>", svg)
        assert re.search(r"<desc id=\"chart-\w+-desc\">\w.+</desc>", svg)
        assert 'class="tick-label"' in svg and 'class="axis-label"' in svg
    assert " style=" not in html and "<script>" not in html  # the CSP allows neither
    volume = re.search(r'data-chart="chart-volume">(.*?)</table>', html, re.S)[1]
    days = re.findall(r'<th scope="row">(2026-11-\d\d)</th>((?:<td class="num">\d+</td>)+)', volume)
    assert [day for day, _ in days] == [f"2026-11-0{n}" for n in range(2, 9)]
    # Monday: R1 approved, R2 denied (its appeal overturned, but the request stays denied).
    assert re.findall(r"\d+", days[0][1]) == ["1", "1", "0", "0", "2"]
    assert re.search(r'<th scope="row">All</th><td colspan="4"></td><td class="num">9</td>', volume)
    turnaround = re.search(r'data-chart="chart-turnaround">(.*?)</table>', html, re.S)[1]
    # Decided: 0, 2, 6 (expedited), 24 and 96 hours; the clocks are edges of the spans.
    assert '<th scope="row">≤ 6 h</th><td class="num">2</td><td class="num">1</td>' in turnaround
    one_day = '<th scope="row">12 to 24 h</th><td class="num">1</td><td class="num">0</td>'
    assert one_day in turnaround
    assert '<th scope="row">&gt; 96 h</th>' in turnaround
    assert "Expedited clock 24 h" in svgs[1] and "Standard clock 72 h" in svgs[1]


def test_what_breaches_next_names_no_member_and_links_only_for_case_readers(
    week, pharmacist, policy_admin
):
    with at(NOW):
        for_pharmacist = signed_in(pharmacist).get("/reports/", RANGE).content.decode()
        for_admin = signed_in(policy_admin).get("/reports/", RANGE).content.decode()
    table = re.search(r'data-table="due-next">(.*?)</table>', for_pharmacist, re.S)[1]
    # Overdue first: O2 (due Mon 2 Nov 11:00), O3's appeal (Fri 12:00), R7 (Sun 12:00).
    o2, o3_appeal = week.requests["O2"], week.appeals["O3"]
    order = re.findall(r'<a href="/(requests|appeals)/(\d+)/">', table)
    assert order[:3] == [
        ("requests", str(o2.pk)),
        ("appeals", str(o3_appeal.pk)),
        ("requests", str(week.requests["R7"].pk)),
    ]
    assert "Overdue by" in table and "Kesimpta" in table
    assert f"Appeal {o3_appeal.pk} of request {o3_appeal.request_id}" in table
    for html in (for_pharmacist, for_admin):
        assert "Member R" not in html and "Member O" not in html
    admin_table = re.search(r'data-table="due-next">(.*?)</table>', for_admin, re.S)[1]
    assert "<a " not in admin_table and f"Request {o2.pk}" in admin_table
    assert PHIAccess.objects.count() == 0


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/reports/", {"from": "2000-01-01", "to": "2000-12-31"}).status_code
        assert client.get("/reports/").status_code == 200
    return len(captured.captured_queries)


def test_the_page_reads_the_same_number_of_queries_for_5_or_50_requests(kesimpta, auditor):
    client = signed_in(auditor)
    factories.open_requests(5, policy=kesimpta, prefix="A")
    five = _page_queries(client)
    factories.open_requests(45, policy=kesimpta, prefix="B")
    assert _page_queries(client) == five


def test_the_figures_csv_is_the_ranges_groups_with_the_range_in_its_name(week, pharmacist):
    with at(NOW):
        response = signed_in(pharmacist).get("/reports/figures.csv", RANGE)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == (
        'attachment; filename="pa-figures-2026-11-02-to-2026-11-08.csv"'
    )
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("grouping,group,received,approved,approved_percent,")
    assert lines[1].startswith("overall,all,9,3,33.3,2,22.2,1,11.1,3,33.3,1,11.1,1,11.1,5,1,")
    assert PHIAccess.objects.count() == 0  # aggregates name no one


def test_the_decision_rows_stream_with_no_member_data_and_the_download_is_logged(week, auditor):
    with at(NOW):
        response = signed_in(auditor).get("/reports/decisions.csv", RANGE, REMOTE_ADDR="10.1.2.3")
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="pa-decisions-2026-11-02-to-2026-11-08.csv"'
    )
    lines = body.splitlines()
    assert lines[0] == (
        "request_id,received_at,urgency,policy_code,line_of_business,outcome,decided_at,"
        "hours_to_decision,decided_late,automatic,appeal"
    )
    assert len(lines) == 1 + 9
    assert lines[1].startswith(f"{week.requests['R1'].pk},2026-11-02T09:00:00-05:00,standard,")
    assert "Member" not in body and "R1" not in body.replace("\r\n", "\n").split("\n", 1)[1]
    entry = PHIAccess.objects.get()
    assert (entry.user, entry.member, entry.action) == (auditor, None, REPORT_DOWNLOAD)
    assert entry.path == "/reports/decisions.csv?from=2026-11-02&to=2026-11-08"
    assert entry.remote_addr == "10.1.2.3"


def test_a_download_with_a_bad_range_is_refused_with_its_message_and_not_logged(pharmacist):
    client = signed_in(pharmacist)
    for path in ("/reports/figures.csv", "/reports/decisions.csv"):
        response = client.get(path, {"from": "2026-11-09", "to": "2026-11-08"})
        assert response.status_code == 400
        assert "after it ends (2026-11-08): swap the dates." in response.content.decode()
    assert PHIAccess.objects.count() == 0


def test_the_access_log_shows_a_report_download_without_a_member(week, auditor):
    signed_in(auditor).get("/reports/decisions.csv", RANGE)
    html = signed_in(auditor).get("/audit/access/").content.decode()
    assert "— (report download)" in html
    assert REPORT_DOWNLOAD in html
    assert date(2026, 11, 2).isoformat() in html  # the range, in the path
