"""What the API and the pages accept: one definition of every input field and its messages.

The API's views and the pages' forms both validate with these serializers, so a
person typing into the intake form and a program posting JSON get the same
checks, worded the same way, all at once. Shapes and formats only: business
rules (is the member known, does a policy manage the NDC) are the services'.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policies.choices import Channel, LineOfBusiness
from policies.ndc import NDC_INPUT_PATTERN, normalize_ndc
from priorauth import errors
from priorauth.models import MEMBER_ID_VALIDATOR, AppealOutcome, DecisionOutcome, Urgency
from priorauth.validators import NPI_PATTERN, validate_npi

MAX_DAYS_SUPPLY = 365
# What the quantity check accepts, written out for the API's schema: a decimal greater
# than 0 with at most 7 digits before the point and 3 after (leading zeros aside).
QUANTITY_PATTERN = (
    r"^(?:[1-9][0-9]{0,6}(?:\.[0-9]{1,3})?|0?\.(?:[1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$"
)
QUANTITY_MESSAGE = "Quantity must be a number greater than 0."
DAYS_SUPPLY_MESSAGE = f"Days supply must be a whole number from 1 to {MAX_DAYS_SUPPLY}."
DATE_OF_BIRTH_IN_FUTURE = "The date of birth cannot be in the future."


@extend_schema_field(
    {
        "type": "string",
        "pattern": NDC_INPUT_PATTERN,
        "description": "11 digits, or hyphenated 5-4-2, 4-4-2, 5-3-2 or 5-4-1; "
        "answered as 11 digits.",
        "example": "00078-1007-68",
    }
)
class NDCField(serializers.CharField):
    """Accepts 00078100768 or 00078-1007-68; always gives 11 digits."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return normalize_ndc(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": QUANTITY_PATTERN,
        "description": "Greater than 0; at most 7 digits before the point and 3 after.",
        "example": "4",
    }
)
class QuantityField(serializers.DecimalField):
    """A quantity (quantity_field), documented with the pattern of what it accepts."""


@extend_schema_field({"type": "string", "pattern": NPI_PATTERN, "example": "1234567893"})
class NPIField(serializers.CharField):
    """10 digits whose check digit holds."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            validate_npi(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return text


def quantity_field() -> serializers.DecimalField:
    return QuantityField(
        max_digits=10,
        decimal_places=3,
        min_value=Decimal("0.001"),
        error_messages={
            "invalid": QUANTITY_MESSAGE,
            "min_value": QUANTITY_MESSAGE,
            "max_digits": "Quantity has too many digits (at most 7 before the point).",
            "max_whole_digits": "Quantity has too many digits (at most 7 before the point).",
            "max_decimal_places": "Quantity has at most 3 decimal places.",
        },
    )


def days_supply_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_DAYS_SUPPLY,
        error_messages={
            "invalid": DAYS_SUPPLY_MESSAGE,
            "min_value": DAYS_SUPPLY_MESSAGE,
            "max_value": DAYS_SUPPLY_MESSAGE,
            "max_string_length": DAYS_SUPPLY_MESSAGE,
        },
    )


def channel_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=Channel.choices,
        error_messages={
            "invalid_choice": '"{input}" is not a channel; use retail or home_delivery.'
        },
    )


ANSWERS_NOT_AN_OBJECT = 'Answers are an object of question id to answer, e.g. {"reason": "…"}.'
MAX_ANSWERS = 100


class PrescriberLookupInput(serializers.Serializer):
    npi = NPIField()


class MemberInput(serializers.Serializer):
    member_id = serializers.CharField(max_length=20, validators=[MEMBER_ID_VALIDATOR])
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    date_of_birth = serializers.DateField()
    line_of_business = serializers.ChoiceField(choices=LineOfBusiness.choices)
    plan_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    coverage_start = serializers.DateField(
        required=False, help_text="First day covered; default: the day the member is created."
    )
    coverage_end = serializers.DateField(
        required=False, allow_null=True, help_text="Last day covered (inclusive); empty: open."
    )

    def validate_date_of_birth(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(DATE_OF_BIRTH_IN_FUTURE)
        return value


class DispensingInput(serializers.Serializer):
    """Who gets how much of which drug, for how long, where: a claim's and a request's."""

    member_id = serializers.CharField(max_length=20, validators=[MEMBER_ID_VALIDATOR])
    ndc = NDCField()
    quantity = quantity_field()
    days_supply = days_supply_field()
    channel = channel_field()


class ClaimInput(DispensingInput):
    date_of_service = serializers.DateField(required=False)


class OverrideRequestInput(DispensingInput):
    prescriber_npi = NPIField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    criterion_number = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    clinical_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    answers = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text=(
            "Answers to the attested criterion's questions, {question id: answer}: true/false, "
            "one of the choices, a number, a date (YYYY-MM-DD) or text. The questions are "
            "listed by POST /api/v1/pa-initiations/."
        ),
    )

    def validate_answers(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError(ANSWERS_NOT_AN_OBJECT)
        if value and len(value) > MAX_ANSWERS:
            raise serializers.ValidationError(f"At most {MAX_ANSWERS} answers.")
        return value or {}


class PAInitiationInput(DispensingInput):
    """A PA initiation: would this dispensing need an override, and what would it ask?"""


def _take_over() -> serializers.BooleanField:
    """A request's and an appeal's decision alike: confirm deciding a case someone holds."""
    return serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Deciding a case assigned to someone else reassigns it to you. Without "
            "take_over: true such a decision is refused (409) with a message naming the "
            "assignee; with it, the case is reassigned (in its history) and then decided."
        ),
    )


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=DecisionOutcome.choices,
        error_messages={"invalid_choice": '"{input}" is not a decision; use approve or deny.'},
    )
    criterion_number = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    take_over = _take_over()

    def validate(self, attrs):
        if attrs["decision"] == DecisionOutcome.APPROVE and attrs.get("criterion_number") is None:
            raise serializers.ValidationError({"criterion_number": errors.CRITERION_REQUIRED})
        if attrs["decision"] == DecisionOutcome.DENY and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": errors.REASON_REQUIRED})
        return attrs


class AppealInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000,
        help_text="Why the denial should be reversed: what the reviewer should look at again.",
        error_messages={
            "blank": errors.APPEAL_REASON_REQUIRED,
            "required": errors.APPEAL_REASON_REQUIRED,
        },
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    clinical_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class AppealDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=AppealOutcome.choices,
        error_messages={"invalid_choice": '"{input}" is not a decision; use overturn or uphold.'},
    )
    criterion_number = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    take_over = _take_over()

    def validate(self, attrs):
        if attrs["decision"] == AppealOutcome.OVERTURN and attrs.get("criterion_number") is None:
            raise serializers.ValidationError({"criterion_number": errors.CRITERION_REQUIRED})
        if attrs["decision"] == AppealOutcome.UPHOLD and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": errors.REASON_REQUIRED})
        return attrs


METRICS_DEFAULT_DAYS = 30
METRICS_MAX_DAYS = 366  # a leap year's publication


def _report_date(help_text: str) -> serializers.DateField:
    return serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text=help_text,
        error_messages={"invalid": errors.METRICS_DATE_FORMAT},
    )


class MetricsRangeInput(serializers.Serializer):
    """The range of the reporting figures (docs/domain.md §11): local dates, both included;
    by default the last 30 days ending today. Validated data: {"start", "end"}."""

    # "from" is a Python keyword, so the field is declared through the class namespace.
    locals()["from"] = _report_date(
        "First day (received on or after); default: 29 days before `to`."
    )
    to = _report_date("Last day (received on or before), in the plan's time zone; default: today.")

    def validate(self, attrs):
        end = attrs.get("to") or timezone.localdate()
        start = attrs.get("from") or end - timedelta(days=METRICS_DEFAULT_DAYS - 1)
        if start > end:
            raise serializers.ValidationError(
                {"from": errors.METRICS_FROM_AFTER_TO.format(start=start, end=end)}
            )
        days = (end - start).days + 1
        if days > METRICS_MAX_DAYS:
            raise serializers.ValidationError(
                {"to": errors.METRICS_RANGE_TOO_LONG.format(days=METRICS_MAX_DAYS, asked=days)}
            )
        return {"start": start, "end": end}


class DocumentUploadInput(serializers.Serializer):
    """A multipart body: `file`, a PDF, PNG or JPEG (up to 5 parts named `file`). What each
    file is, and how large, is checked by its content (priorauth/uploads.py), not here."""

    file = serializers.FileField(
        help_text=(
            "The document. Its first bytes must be a PDF, PNG or JPEG, and its name's extension "
            "and the part's Content-Type must say the same; at most "
            "PRIORAUTH_ATTACHMENT_MAX_BYTES (10 MiB by default)."
        )
    )


class NoteInput(serializers.Serializer):
    """An internal note; the service refuses an empty or too long one, in the pages' words."""

    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="At most 4,000 characters."
    )
