"""The reporting figures as a JSON document (docs/domain.md §11, §7 GET /api/v1/metrics/).

One document for the API and for `report_pa_metrics --format json`. Percentages and
hours are decimal strings with one place (half-even), null when there is no such figure
(nothing received, nothing decided); the exact values stay in the selector's values.
"""

import json

from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from priorauth.selectors.metrics_values import GROUPINGS, Report


def _one_place(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, help_text=help_text
    )


def _percent(of: str) -> serializers.DecimalField:
    return _one_place(f"{of}, as a percentage of the requests received; null if none.")


def _hours(which: str) -> serializers.DecimalField:
    return _one_place(f"{which} wall-clock hours from receipt to decision; null if none decided.")


class FiguresSerializer(serializers.Serializer):
    grouping = serializers.ChoiceField(choices=GROUPINGS)
    group = serializers.CharField(
        help_text='"all", an urgency, a policy code (its versions together) or a line of business.'
    )
    received = serializers.IntegerField(min_value=0)
    approved = serializers.IntegerField(min_value=0)
    denied = serializers.IntegerField(min_value=0)
    withdrawn = serializers.IntegerField(min_value=0)
    still_open = serializers.IntegerField(min_value=0)
    approved_on_appeal = serializers.IntegerField(
        min_value=0, help_text="Denied, then an appeal overturned the denial."
    )
    automatic = serializers.IntegerField(
        min_value=0, help_text="Decided by the real-time determination."
    )
    decided = serializers.IntegerField(min_value=0)
    decided_late = serializers.IntegerField(min_value=0, help_text="Decided after the due time.")
    open_past_due = serializers.IntegerField(
        min_value=0, help_text="Open now and past due (as of now, whatever the range)."
    )
    open_due_soon = serializers.IntegerField(
        min_value=0, help_text="Open now and due within the next 24 hours (as of now)."
    )
    approved_percent = _percent("Approved")
    denied_percent = _percent("Denied")
    withdrawn_percent = _percent("Withdrawn")
    still_open_percent = _percent("Still open")
    approved_on_appeal_percent = _percent("Approved on appeal")
    automatic_percent = _percent("Determined automatically")
    hours_mean = _hours("Mean")
    hours_median = _hours("Median")
    hours_p90 = _hours("90th percentile (linear interpolation, as percentile_cont) of")


class AppealClockSerializer(serializers.Serializer):
    open = serializers.IntegerField(min_value=0)
    past_due = serializers.IntegerField(min_value=0)
    due_soon = serializers.IntegerField(min_value=0)


class MetricsSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day of the range (local date).")
    end = serializers.DateField(help_text="Last day of the range (local date, included).")
    zone = serializers.CharField(help_text="The plan's time zone the dates are read in.")
    as_of = serializers.DateTimeField(help_text="The moment the open requests' clocks are read.")
    overall = FiguresSerializer()
    by_urgency = FiguresSerializer(many=True)
    by_policy = FiguresSerializer(many=True)
    by_line_of_business = FiguresSerializer(many=True)
    appeals = AppealClockSerializer(help_text="Open appeals, as of now.")


def metrics_document(report: Report) -> dict:
    return MetricsSerializer(report).data


def metrics_json(report: Report) -> str:
    """The document as the API sends it (the same encoder), for the command's output."""
    return json.dumps(metrics_document(report), cls=JSONEncoder, indent=2)
