"""What API v1 answers: the output shapes. Inputs are validated by priorauth.inputs."""

from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from priorauth.models import Member, Override, OverrideRequest


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
            "coverage_start",
            "coverage_end",
            "overrides",
        ]


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
