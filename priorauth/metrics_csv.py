"""The reporting figures and their decision-level rows as CSV (docs/domain.md §11).

Used by `report_pa_metrics --format csv` and by the dashboard's downloads. The figures
CSV has one row per group (overall, each urgency, policy code and line of business)
with every figure as a column; the rows CSV one line per request received in the range,
written as it is read so a year of requests is streamed, not held. Neither has a member
ID, name or birth date.
"""

import csv
from collections.abc import Iterable, Iterator

from priorauth.selectors.metrics_values import DecisionRow, Figures, for_display

FIGURE_COLUMNS = (
    "grouping",
    "group",
    "received",
    "approved",
    "approved_percent",
    "denied",
    "denied_percent",
    "withdrawn",
    "withdrawn_percent",
    "still_open",
    "still_open_percent",
    "approved_on_appeal",
    "approved_on_appeal_percent",
    "automatic",
    "automatic_percent",
    "decided",
    "decided_late",
    "hours_mean",
    "hours_median",
    "hours_p90",
    "open_past_due",
    "open_due_soon",
)
ROW_COLUMNS = (
    "request_id",
    "received_at",
    "urgency",
    "policy_code",
    "line_of_business",
    "outcome",
    "decided_at",
    "hours_to_decision",
    "decided_late",
    "automatic",
    "appeal",
)


class _Line:
    """A file-like target that hands back what csv.writer wrote, line by line."""

    def write(self, text: str) -> str:
        return text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def figures_lines(groups: Iterable[Figures]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(FIGURE_COLUMNS)
    for figures in groups:
        yield writer.writerow([_cell(getattr(figures, name)) for name in FIGURE_COLUMNS])


def decision_lines(rows: Iterable[DecisionRow]) -> Iterator[str]:
    """The decision rows as CSV lines, one at a time (for a streaming response or a file)."""
    writer = csv.writer(_Line())
    yield writer.writerow(ROW_COLUMNS)
    for row in rows:
        cells = [getattr(row, name) for name in ROW_COLUMNS]
        cells[ROW_COLUMNS.index("hours_to_decision")] = for_display(row.hours_to_decision)
        yield writer.writerow([_cell(value) for value in cells])
