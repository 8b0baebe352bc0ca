"""report_pa_metrics (docs/domain.md §11): the yearly publication, as the API's JSON or as
a CSV with one row per group; a bad range is refused with the API's messages."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from priorauth import selectors
from priorauth.api.metrics import metrics_document
from priorauth.metrics_csv import FIGURE_COLUMNS, ROW_COLUMNS, decision_lines
from tests.support.metrics import END, NOW, START, at, build_week

pytestmark = pytest.mark.django_db
RANGE = ["--from", START.isoformat(), "--to", END.isoformat()]


@pytest.fixture
def week(kesimpta, intake, pharmacist, pharmacist2, physician):
    return build_week(
        intake=intake, pharmacist=pharmacist, pharmacist2=pharmacist2, physician=physician
    )


def _run(*args) -> str:
    out = io.StringIO()
    with at(NOW):
        call_command("report_pa_metrics", *args, stdout=out)
    return out.getvalue()


def test_json_is_the_apis_document(week):
    document = json.loads(_run(*RANGE, "--format", "json"))
    with at(NOW):
        expected = metrics_document(selectors.metrics_report(start=START, end=END, now=NOW))
    assert document == json.loads(json.dumps(expected, default=str))
    assert document["overall"]["hours_median"] == "6.0"


def test_csv_has_one_row_per_group_with_every_figure(week):
    rows = list(csv.DictReader(io.StringIO(_run(*RANGE, "--format", "csv"))))
    assert [(r["grouping"], r["group"]) for r in rows] == [
        ("overall", "all"),
        ("urgency", "expedited"),
        ("urgency", "standard"),
        ("policy", "cigna-ms-kesimpta-dqm"),
        ("policy", "medicare-kesimpta-dqm"),
        ("line_of_business", "commercial"),
        ("line_of_business", "medicare"),
    ]
    assert tuple(rows[0]) == FIGURE_COLUMNS
    report = selectors.metrics_report(start=START, end=END, now=NOW)
    for row, figures in zip(rows, report.groups(), strict=True):
        for column in FIGURE_COLUMNS:
            value = getattr(figures, column)
            assert row[column] == ("" if value is None else str(value)), column
    assert (rows[0]["received"], rows[0]["approved_percent"], rows[0]["hours_p90"]) == (
        "9",
        "33.3",
        "67.2",
    )


def test_output_to_a_file(week, tmp_path):
    target = tmp_path / "figures.csv"
    assert _run(*RANGE, "--format", "csv", "--output", str(target)) == ""
    assert target.read_text().splitlines()[1].startswith("overall,all,9,3,33.3,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-11-09", "--to", "2026-11-08"], "--from: The range starts on 2026-11-09"),
        (["--from", "yesterday"], "--from: Enter a date as YYYY-MM-DD"),
        (["--from", "2025-01-01", "--to", "2026-01-02"], "--to: A range is at most 366 days"),
    ],
)
def test_a_bad_range_is_a_command_error_with_the_apis_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_the_decision_rows_csv_has_no_member_data_and_agrees_with_the_figures(week):
    text = "".join(decision_lines(selectors.decision_rows(start=START, end=END)))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == ROW_COLUMNS
    assert len(rows) == 9
    assert sum(r["decided_late"] == "yes" for r in rows) == 1
    assert sum(r["automatic"] == "yes" for r in rows) == 1
    assert [r["hours_to_decision"] for r in rows if r["hours_to_decision"]] == [
        "24.0", "96.0", "6.0", "0.0", "2.0",
    ]  # fmt: skip
    for name in week.requests:
        assert name not in text  # the member IDs (R1, O2...) appear nowhere
    assert "Member" not in text
