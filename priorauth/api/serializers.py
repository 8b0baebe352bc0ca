"""What API v1 answers: the output shapes. Inputs are validated by priorauth.inputs.

Every field says what it really holds, for the OpenAPI document (docs/domain.md §7):
null where it can be null, the enum of a status, the pattern of an NDC or member ID
(validators on these answer-only fields validate nothing; they give the schema its
pattern). tests/api/test_schema_fuzz.py checks real answers against it.
"""

from decimal import Decimal

from django.core.validators import RegexValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policies.choices import NDC_VALIDATOR, Channel
from priorauth.inputs import MAX_DAYS_SUPPLY
from priorauth.models import (
    MEMBER_ID_VALIDATOR,
    Appeal,
    AppealOutcome,
    ClaimStatus,
    DecisionOutcome,
    Member,
    Override,
    OverrideRequest,
    OverrideStatus,
    RejectCode,
)
from priorauth.validators import NPI_PATTERN

from .document_serializers import AttachmentSerializer
from .prescribers import PHONE_STRING, listed

# A quantity as a decimal string: "4.000" in an allowance, "4" or "0.75" in a limit or
# on hand (see _plain).
DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": r"^[0-9]+(?:\.[0-9]+)?$"}
NPI_VALIDATOR = RegexValidator(NPI_PATTERN)


@extend_schema_field(DECIMAL_STRING)
class DecimalStringField(serializers.CharField):
    """A quantity the serializer has already turned into its decimal string."""


def _member_id(**kwargs) -> serializers.CharField:
    return serializers.CharField(validators=[MEMBER_ID_VALIDATOR], **kwargs)


def _ndc(**kwargs) -> serializers.CharField:
    return serializers.CharField(validators=[NDC_VALIDATOR], **kwargs)


def _days_supply(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_DAYS_SUPPLY, **kwargs)


class AllowanceSerializer(serializers.Serializer):
    """How much an override allows per period at one channel."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    max_quantity = DecimalStringField()
    per_days = serializers.IntegerField(min_value=1)


class OverrideSummarySerializer(serializers.ModelSerializer):
    member_id = _member_id(source="member.member_id")
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
        read_only_fields = fields  # an answer only: every field is always there

    @extend_schema_field(serializers.ChoiceField(choices=OverrideStatus.choices))
    def get_status(self, obj) -> str:
        return obj.status_on(timezone.localdate())

    @extend_schema_field(AllowanceSerializer(many=True))
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
        read_only_fields = fields


class ClaimLimitSerializer(AllowanceSerializer):
    """The limit the claim was checked against."""


class ClaimOverrideSerializer(serializers.Serializer):
    """The override that paid the claim."""

    id = serializers.IntegerField()
    authorization_number = serializers.CharField()


class ClaimSerializer(serializers.Serializer):
    """A claim and how it was adjudicated.

    A plain Serializer, not a ModelSerializer: this answers every point-of-service
    claim, and building a ModelSerializer's fields per request was a measurable part
    of its cost (docs/benchmarks.md).
    """

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    reject_code = serializers.ChoiceField(
        choices=RejectCode.choices, allow_blank=True, help_text="Empty unless rejected."
    )
    message = serializers.CharField(help_text="Empty unless rejected.")
    member_id = _member_id(source="member.member_id")
    ndc = _ndc()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=3)
    days_supply = _days_supply()
    channel = serializers.ChoiceField(choices=Channel.choices)
    date_of_service = serializers.DateField()
    policy_code = serializers.SerializerMethodField()
    limit = serializers.SerializerMethodField()
    on_hand = serializers.SerializerMethodField()
    allowed_now = serializers.SerializerMethodField()
    earliest_date = serializers.DateField(
        allow_null=True, help_text="When the same claim would pay; null when never or paid."
    )
    override = serializers.SerializerMethodField()
    reversed_at = serializers.DateTimeField(allow_null=True)

    def get_policy_code(self, obj) -> str | None:
        return obj.policy.code if obj.policy_id else None

    @extend_schema_field(ClaimLimitSerializer(allow_null=True))
    def get_limit(self, obj) -> dict | None:
        if obj.limit_max_quantity is None:
            return None
        return {
            "channel": obj.limit_channel,
            "max_quantity": _plain(obj.limit_max_quantity),
            "per_days": obj.limit_per_days,
        }

    @extend_schema_field({**DECIMAL_STRING, "nullable": True})
    def get_on_hand(self, obj) -> str | None:
        return None if obj.on_hand is None else _plain(obj.on_hand)

    @extend_schema_field({"type": "string", "pattern": r"^[0-9]+$", "nullable": True})
    def get_allowed_now(self, obj) -> str | None:
        return None if obj.allowed_now is None else str(obj.allowed_now)

    @extend_schema_field(ClaimOverrideSerializer(allow_null=True))
    def get_override(self, obj) -> dict | None:
        if obj.override_id is None:
            return None
        return {"id": obj.override_id, "authorization_number": obj.override.authorization_number}


def _plain(value: Decimal) -> str:
    """1.000 -> "1", 0.750000 -> "0.75": exact, without trailing zeros."""
    return f"{value.normalize():f}"


class DecisionSummarySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    criterion_number = serializers.IntegerField(source="criterion.number", allow_null=True)
    reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()
    automatic = serializers.BooleanField(
        help_text="Decided by the real-time determination, not by a person."
    )


class FindingSerializer(serializers.Serializer):
    subject = serializers.CharField(
        help_text="setting, criterion, question, evidence, grant or override"
    )
    key = serializers.CharField(help_text="The question id or evidence clause; empty otherwise.")
    supports = serializers.BooleanField(help_text="Whether this finding supports approval.")
    text = serializers.CharField()


class DeterminationSerializer(serializers.Serializer):
    """What the real-time determination found when the request was received (§9)."""

    outcome = serializers.ChoiceField(choices=["approved", "pended"])
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why it was pended (what stood in the way), or why approved (every finding).",
    )
    findings = FindingSerializer(many=True)

    def to_representation(self, stored):
        findings = stored.get("findings", [])
        approved = stored["outcome"] == "approved"
        return {
            "outcome": stored["outcome"],
            "reasons": [f["text"] for f in findings if approved or not f["supports"]],
            "findings": findings,
        }


class OverrideRequestSerializer(serializers.ModelSerializer):
    member_id = _member_id(source="member.member_id")
    policy_code = serializers.CharField(source="policy.code")
    ndc = _ndc(source="prescription.ndc")
    quantity = serializers.DecimalField(
        source="prescription.quantity", max_digits=10, decimal_places=3
    )
    days_supply = _days_supply(source="prescription.days_supply")
    channel = serializers.ChoiceField(source="prescription.channel", choices=Channel.choices)
    prescriber_npi = serializers.CharField(
        source="prescription.prescriber.npi", validators=[NPI_VALIDATOR]
    )
    prescriber_name = serializers.SerializerMethodField(
        help_text="With the credential; null when the NPI is not in the prescriber directory."
    )
    prescriber_specialty = serializers.SerializerMethodField()
    prescriber_phone = serializers.SerializerMethodField()
    prescriber_fax = serializers.SerializerMethodField()
    criterion_number = serializers.SerializerMethodField()
    answers = serializers.JSONField(
        help_text="The attested criterion's questions answered: {question id: answer}."
    )
    determination = DeterminationSerializer(allow_null=True)
    decided_by = serializers.SerializerMethodField()
    decision = DecisionSummarySerializer(read_only=True, allow_null=True)
    override = OverrideSummarySerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(
        many=True, read_only=True, help_text="Its documents, those sent with appeals included."
    )

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
            "prescriber_name",
            "prescriber_specialty",
            "prescriber_phone",
            "prescriber_fax",
            "urgency",
            "criterion_number",
            "clinical_notes",
            "answers",
            "determination",
            "decided_by",
            "decision",
            "override",
            "attachments",
        ]
        read_only_fields = fields

    def get_decided_by(self, obj) -> str | None:
        """ "system" when the determination approved it; the pharmacist's username otherwise."""
        decision = getattr(obj, "decision", None)
        return decision.decided_by.get_username() if decision is not None else None

    def get_criterion_number(self, obj) -> int | None:
        return obj.attested_criterion.number if obj.attested_criterion_id else None

    def get_prescriber_name(self, obj) -> str | None:
        return listed(obj.prescription.prescriber, "display_name")

    def get_prescriber_specialty(self, obj) -> str | None:
        return listed(obj.prescription.prescriber, "specialty")

    @extend_schema_field(PHONE_STRING)
    def get_prescriber_phone(self, obj) -> str | None:
        return listed(obj.prescription.prescriber, "phone")

    @extend_schema_field(PHONE_STRING)
    def get_prescriber_fax(self, obj) -> str | None:
        return listed(obj.prescription.prescriber, "fax")


class QuestionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The key of the answer in `answers`.")
    text = serializers.CharField()
    type = serializers.ChoiceField(choices=["boolean", "choice", "number", "date", "text"])
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField(), help_text="choice questions")


class InitiationCriterionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    label = serializers.CharField()
    text = serializers.CharField(help_text="The criterion, verbatim from the policy.")
    questions = QuestionSerializer(many=True, source="rules.questions")


class PAInitiationSerializer(serializers.Serializer):
    """`closed` (no PA needed: `within_limit` or `not_managed`) or `open` with the questions."""

    status = serializers.ChoiceField(choices=["closed", "open"])
    reason = serializers.ChoiceField(
        choices=["within_limit", "not_managed", ""],
        help_text="Why it is closed; empty when open.",
    )
    message = serializers.CharField(
        help_text="In words: why no PA is needed, or the reject the claim would get today."
    )
    policy_code = serializers.SerializerMethodField()
    criteria = InitiationCriterionSerializer(many=True)

    def get_policy_code(self, obj) -> str | None:
        """The policy that manages the NDC; null when none does."""
        return obj.policy.code if obj.policy is not None else None


class AppealDecisionSummarySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AppealOutcome.choices)
    criterion_number = serializers.IntegerField(source="criterion.number", allow_null=True)
    reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_role = serializers.CharField(help_text="Clinical pharmacist or Physician reviewer.")
    decided_at = serializers.DateTimeField()


class AppealSerializer(serializers.ModelSerializer):
    request_id = serializers.IntegerField()
    member_id = _member_id(source="member.member_id")
    policy_code = serializers.CharField(source="request.policy.code")
    decision = AppealDecisionSummarySerializer(read_only=True, allow_null=True)
    override = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(
        many=True, read_only=True, help_text="The documents sent with this appeal."
    )

    class Meta:
        model = Appeal
        fields = [
            "id",
            "request_id",
            "member_id",
            "policy_code",
            "status",
            "status_reason",
            "urgency",
            "reason",
            "clinical_notes",
            "received_at",
            "due_at",
            "decision",
            "override",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(OverrideSummarySerializer(allow_null=True))
    def get_override(self, obj) -> dict | None:
        """The override an overturn created (the denied request's); null otherwise."""
        decision = getattr(obj, "decision", None)
        if decision is None or decision.outcome != AppealOutcome.OVERTURN:
            return None
        return OverrideSummarySerializer(obj.request.override).data
