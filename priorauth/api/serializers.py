"""Input validation and output shapes for API v1. No business rules here."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from policies.models import Channel, LineOfBusiness
from policies.ndc import normalize_ndc
from priorauth import errors
from priorauth.models import (
    MEMBER_ID_VALIDATOR,
    DecisionOutcome,
    Member,
    Override,
    OverrideRequest,
    Urgency,
)
from priorauth.validators import validate_npi

MAX_DAYS_SUPPLY = 365
QUANTITY_MESSAGE = "Quantity must be a number greater than 0."
DAYS_SUPPLY_MESSAGE = f"Days supply must be a whole number from 1 to {MAX_DAYS_SUPPLY}."
DATE_OF_BIRTH_IN_FUTURE = "The date of birth cannot be in the future."


class NDCField(serializers.CharField):
    """Accepts 00078100768 or 00078-1007-68; always gives 11 digits."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return normalize_ndc(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


def quantity_field() -> serializers.DecimalField:
    return serializers.DecimalField(
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


class MemberCreateSerializer(serializers.Serializer):
    member_id = serializers.CharField(max_length=20, validators=[MEMBER_ID_VALIDATOR])
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    date_of_birth = serializers.DateField()
    line_of_business = serializers.ChoiceField(choices=LineOfBusiness.choices)
    plan_name = serializers.CharField(max_length=120, required=False, allow_blank=True)

    def validate_date_of_birth(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(DATE_OF_BIRTH_IN_FUTURE)
        return value


class OverrideSummarySerializer(serializers.ModelSerializer):
    member_id = serializers.CharField(source="member.member_id")
    criterion_number = serializers.IntegerField(source="criterion.number")
    status = serializers.SerializerMethodField(help_text="Status as of today in the plan's zone.")
    allowances = serializers.SerializerMethodField()

    class Meta:
        model = Override
        fields = [
            "id",
            "authorization_number",
            "member_id",
            "policy_code",
            "criterion_number",
            "one_time",
            "starts_on",
            "ends_on",
            "status",
            "allowances",
        ]

    def get_status(self, obj) -> str:
        return obj.status_on(timezone.localdate())

    def get_allowances(self, obj) -> list[dict]:
        return [
            {"channel": a.channel, "max_quantity": str(a.max_quantity), "per_days": a.per_days}
            for a in obj.allowances.all()
        ]


class MemberSerializer(serializers.ModelSerializer):
    overrides = OverrideSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Member
        fields = [
            "member_id",
            "first_name",
            "last_name",
            "date_of_birth",
            "line_of_business",
            "plan_name",
            "overrides",
        ]


class ClaimSubmitSerializer(serializers.Serializer):
    member_id = serializers.CharField(max_length=20)
    ndc = NDCField()
    quantity = quantity_field()
    days_supply = days_supply_field()
    channel = channel_field()
    date_of_service = serializers.DateField(required=False)


class ClaimSerializer(serializers.Serializer):
    """A claim and how it was adjudicated.

    A plain Serializer, not a ModelSerializer: this answers every point-of-service
    claim, and building a ModelSerializer's fields per request was a measurable part
    of its cost (docs/benchmarks.md).
    """

    id = serializers.IntegerField()
    status = serializers.CharField()
    reject_code = serializers.CharField()
    message = serializers.CharField()
    member_id = serializers.CharField(source="member.member_id")
    ndc = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=3)
    days_supply = serializers.IntegerField()
    channel = serializers.CharField()
    date_of_service = serializers.DateField()
    policy_code = serializers.SerializerMethodField()
    limit = serializers.SerializerMethodField()
    on_hand = serializers.SerializerMethodField()
    allowed_now = serializers.SerializerMethodField()
    earliest_date = serializers.DateField()
    override = serializers.SerializerMethodField()
    reversed_at = serializers.DateTimeField()

    def get_policy_code(self, obj) -> str | None:
        return obj.policy.code if obj.policy_id else None

    def get_limit(self, obj) -> dict | None:
        if obj.limit_max_quantity is None:
            return None
        return {
            "channel": obj.limit_channel,
            "max_quantity": _plain(obj.limit_max_quantity),
            "per_days": obj.limit_per_days,
        }

    def get_on_hand(self, obj) -> str | None:
        return None if obj.on_hand is None else _plain(obj.on_hand)

    def get_allowed_now(self, obj) -> str | None:
        return None if obj.allowed_now is None else str(obj.allowed_now)

    def get_override(self, obj) -> dict | None:
        if obj.override_id is None:
            return None
        return {"id": obj.override_id, "authorization_number": obj.override.authorization_number}


def _plain(value: Decimal) -> str:
    """1.000 -> "1", 0.750000 -> "0.75": exact, without trailing zeros."""
    return f"{value.normalize():f}"


class OverrideRequestSubmitSerializer(serializers.Serializer):
    member_id = serializers.CharField(max_length=20)
    ndc = NDCField()
    quantity = quantity_field()
    days_supply = days_supply_field()
    channel = channel_field()
    prescriber_npi = serializers.CharField(max_length=10)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    criterion_number = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    clinical_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)

    def validate_prescriber_npi(self, value):
        try:
            validate_npi(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value


class DecisionSummarySerializer(serializers.Serializer):
    outcome = serializers.CharField()
    criterion_number = serializers.IntegerField(source="criterion.number", allow_null=True)
    reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()


class OverrideRequestSerializer(serializers.ModelSerializer):
    member_id = serializers.CharField(source="member.member_id")
    policy_code = serializers.CharField(source="policy.code")
    ndc = serializers.CharField(source="prescription.ndc")
    quantity = serializers.DecimalField(
        source="prescription.quantity", max_digits=10, decimal_places=3
    )
    days_supply = serializers.IntegerField(source="prescription.days_supply")
    channel = serializers.CharField(source="prescription.channel")
    prescriber_npi = serializers.CharField(source="prescription.prescriber.npi")
    criterion_number = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    override = serializers.SerializerMethodField()

    class Meta:
        model = OverrideRequest
        fields = [
            "id",
            "status",
            "status_reason",
            "received_at",
            "due_at",
            "policy_code",
            "member_id",
            "ndc",
            "quantity",
            "days_supply",
            "channel",
            "prescriber_npi",
            "urgency",
            "criterion_number",
            "clinical_notes",
            "decision",
            "override",
        ]

    def get_criterion_number(self, obj) -> int | None:
        return obj.attested_criterion.number if obj.attested_criterion_id else None

    def get_decision(self, obj) -> dict | None:
        decision = getattr(obj, "decision", None)
        return DecisionSummarySerializer(decision).data if decision else None

    def get_override(self, obj) -> dict | None:
        override = getattr(obj, "override", None)
        return OverrideSummarySerializer(override).data if override else None


class DecisionSubmitSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=DecisionOutcome.choices,
        error_messages={"invalid_choice": '"{input}" is not a decision; use approve or deny.'},
    )
    criterion_number = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate(self, attrs):
        if attrs["decision"] == DecisionOutcome.APPROVE and attrs.get("criterion_number") is None:
            raise serializers.ValidationError({"criterion_number": errors.CRITERION_REQUIRED})
        if attrs["decision"] == DecisionOutcome.DENY and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": errors.REASON_REQUIRED})
        return attrs
