"""API v1 (docs/domain.md §7). Each view validates input, calls one service or selector,
answers. Reads go through priorauth.selectors, writes through priorauth.services.

The refusals every operation can answer are added to the schema by schema.AutoSchema;
a view declares only its own (a 409 where its service raises Conflict).
"""

from functools import cache

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from priorauth import inputs, roles, selectors, services
from priorauth.audit import record_phi_access, record_phi_access_many

from . import metrics, permissions, prescribers, serializers
from .claim_answers import claim_data
from .idempotency import idempotent
from .schema import CONFLICT, NOT_FOUND, NOT_THE_DECIDER


class BaseAPIView(APIView):
    def handle_view_exceptions(self, view_method, request, *args, **kwargs):
        """Turn an exception into its 4xx response, so idempotency can record it."""
        try:
            return view_method(self, request, *args, **kwargs)
        except Exception as exc:
            return self.handle_exception(exc)


def _validated(serializer_class, request):
    """The request's body validated by the input serializer, or a 400 with its errors.

    Exactly what `serializer_class(data=...).is_valid(raise_exception=True)` answers, without
    building a serializer per request: DRF deep-copies every declared field into each new
    instance, which was the larger part of a claim's input cost (docs/benchmarks.md, issue
    14). Validation keeps nothing on the serializer (`run_validation` returns the data or
    raises), and the inputs use no context, so one instance per class serves every
    request and thread (tests/api/test_bad_input.py holds the answers to the letter).
    """
    try:
        return _prototype(serializer_class).run_validation(request.data)
    except exceptions.ValidationError as exc:
        raise exceptions.ValidationError(_as_is_valid_reports(exc.detail)) from None


@cache
def _prototype(serializer_class):
    return serializer_class()


def _as_is_valid_reports(detail):
    # Serializer.errors turns a lone "may not be null" (a body of `null`) into this.
    if isinstance(detail, list) and len(detail) == 1 and getattr(detail[0], "code", None) == "null":
        return {api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail("No data provided", code="null")]}
    return detail


class MemberCreateView(BaseAPIView):
    permission_classes = [permissions.IntakeOrAdmin]

    @extend_schema(request=inputs.MemberInput, responses={201: serializers.MemberSerializer})
    @idempotent
    def post(self, request):
        member = services.member_create(**_validated(inputs.MemberInput, request))
        return Response(serializers.MemberSerializer(member).data, status=status.HTTP_201_CREATED)


def _found(value, what: str):
    if value is None:
        raise Http404(f"No such {what}.")
    return value


class MemberDetailView(BaseAPIView):
    permission_classes = [permissions.ReviewerOrAuditor]

    @extend_schema(responses=serializers.MemberSerializer)
    def get(self, request, member_id: str):
        member = _found(selectors.member_with_overrides(member_id), "member")
        record_phi_access(request, member, "api member read")
        return Response(serializers.MemberSerializer(member).data)


class PrescriberDetailView(BaseAPIView):
    """The prescriber directory's entry for an NPI: public NPPES data, no member in it."""

    permission_classes = [permissions.PrescriberReader]

    @extend_schema(responses=prescribers.PrescriberSerializer)
    def get(self, request, npi: str):
        checked = inputs.PrescriberLookupInput(data={"npi": npi})
        checked.is_valid(raise_exception=True)
        prescriber = selectors.prescriber_in_directory(checked.validated_data["npi"])
        if prescriber is None:
            raise Http404(f"NPI {npi} is not in the prescriber directory.")
        return Response(prescribers.PrescriberSerializer(prescriber).data)


class ClaimSubmitView(BaseAPIView):
    permission_classes = [permissions.ClaimsSystem]

    @extend_schema(request=inputs.ClaimInput, responses={201: serializers.ClaimSerializer})
    @idempotent
    def post(self, request):
        data = _validated(inputs.ClaimInput, request)
        claim = services.claim_adjudicate(submitted_by=request.user, **data)
        return Response(claim_data(claim), status=status.HTTP_201_CREATED)


class ClaimReversalView(BaseAPIView):
    permission_classes = [permissions.ClaimsSystem]

    @extend_schema(request=None, responses={200: serializers.ClaimSerializer, 409: CONFLICT})
    @idempotent
    def post(self, request, claim_id: int):
        claim = services.claim_reverse(claim_id=claim_id, by=request.user)
        claim = selectors.claim_for_answer(claim.pk)
        return Response(claim_data(claim))


class PAInitiationView(BaseAPIView):
    """Would this dispensing need an override, and what would the plan ask? (§9)"""

    permission_classes = [permissions.Intake]

    @extend_schema(
        request=inputs.PAInitiationInput, responses={200: serializers.PAInitiationSerializer}
    )
    @idempotent  # a retry gets the first answer, like every POST (it writes nothing else)
    def post(self, request):
        initiation = services.pa_initiate(**_validated(inputs.PAInitiationInput, request))
        record_phi_access(request, initiation.member, "api PA initiation")
        return Response(serializers.PAInitiationSerializer(initiation).data)


class OverrideRequestSubmitView(BaseAPIView):
    permission_classes = [permissions.Intake]

    @extend_schema(
        request=inputs.OverrideRequestInput,
        responses={201: serializers.OverrideRequestSerializer},
    )
    @idempotent
    def post(self, request):
        data = _validated(inputs.OverrideRequestInput, request)
        created = services.override_request_submit(submitted_by=request.user, **data)
        created = selectors.request_for_api(created.pk)
        return Response(
            serializers.OverrideRequestSerializer(created).data, status=status.HTTP_201_CREATED
        )


class OverrideRequestDetailView(BaseAPIView):
    permission_classes = [permissions.IntakeReviewerOrAuditor]

    @extend_schema(responses=serializers.OverrideRequestSerializer)
    def get(self, request, request_id: int):
        sees_all = _sees_every_request(request.user)
        # Intake sees only what it submitted; anything else is "not found", not "forbidden".
        override_request = _found(
            selectors.request_for_api(request_id, submitted_by=None if sees_all else request.user),
            "override request",
        )
        record_phi_access(request, override_request.member, "api override request read")
        return Response(serializers.OverrideRequestSerializer(override_request).data)


class DecisionView(BaseAPIView):
    permission_classes = [permissions.Reviewer]

    @extend_schema(
        request=inputs.DecisionInput,
        responses={200: serializers.OverrideRequestSerializer, 409: CONFLICT},
    )
    @idempotent
    def post(self, request, request_id: int):
        data = _validated(inputs.DecisionInput, request)
        services.override_request_decide(
            request_id=request_id,
            outcome=data["decision"],
            criterion_number=data.get("criterion_number"),
            reason=data.get("reason", ""),
            take_over=data["take_over"],
            by=request.user,
        )
        decided = selectors.request_for_api(request_id)
        return Response(serializers.OverrideRequestSerializer(decided).data)


def _sees_every_request(user) -> bool:
    return roles.has_role(user, *roles.REVIEWERS, roles.AUDITOR)


class AppealFileView(BaseAPIView):
    """Appeal a denied request (§10): 409 when not denied or an appeal is open, 400 late."""

    permission_classes = [permissions.Intake]

    @extend_schema(
        request=inputs.AppealInput,
        responses={201: serializers.AppealSerializer, 404: NOT_FOUND, 409: CONFLICT},
    )
    @idempotent
    def post(self, request, request_id: int):
        data = _validated(inputs.AppealInput, request)
        appeal = services.appeal_file(
            request_id=request_id,
            by=request.user,
            only_submitted_by=None if _sees_every_request(request.user) else request.user,
            **data,
        )
        appeal = selectors.appeal_for_api(appeal.pk)
        return Response(serializers.AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealDetailView(BaseAPIView):
    permission_classes = [permissions.IntakeReviewerOrAuditor]

    @extend_schema(responses={200: serializers.AppealSerializer, 404: NOT_FOUND})
    def get(self, request, appeal_id: int):
        sees_all = _sees_every_request(request.user)
        appeal = _found(
            selectors.appeal_for_api(appeal_id, submitted_by=None if sees_all else request.user),
            "appeal",
        )
        record_phi_access(request, appeal.member, "api appeal read")
        return Response(serializers.AppealSerializer(appeal).data)


class AppealDecisionView(BaseAPIView):
    permission_classes = [permissions.AppealReviewer]

    @extend_schema(
        request=inputs.AppealDecisionInput,
        responses={
            200: serializers.AppealSerializer,
            403: NOT_THE_DECIDER,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @idempotent
    def post(self, request, appeal_id: int):
        data = _validated(inputs.AppealDecisionInput, request)
        services.appeal_decide(
            appeal_id=appeal_id,
            outcome=data["decision"],
            criterion_number=data.get("criterion_number"),
            reason=data.get("reason", ""),
            take_over=data["take_over"],
            by=request.user,
        )
        return Response(serializers.AppealSerializer(selectors.appeal_for_api(appeal_id)).data)


class OverrideListView(generics.ListAPIView):
    permission_classes = [permissions.ReviewerOrAuditor]
    serializer_class = serializers.OverrideSummarySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "member_id",
                str,
                description=(
                    "Only this member's overrides (the read is logged). Empty or absent: "
                    "every override. An ID that names no member: 404."
                ),
            )
        ],
        responses={200: serializers.OverrideSummarySerializer, 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A bad limit or offset is refused before the member is read or the read logged.
        self.paginator.checked_params(request)

    def get_queryset(self):
        member_id = self.request.query_params.get("member_id")
        if not member_id:
            return selectors.overrides_for_api()
        member = _found(selectors.member_by_id(member_id), "member")
        record_phi_access(self.request, member, "api overrides read")
        return selectors.overrides_for_api(member=member)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and not self.request.query_params.get("member_id"):
            # Every member's overrides: one row per member on this page.
            members = [override.member_id for override in page]
            record_phi_access_many(self.request, members, "api overrides list read")
        return page


class MetricsView(BaseAPIView):
    """The reporting figures (docs/domain.md §11). Aggregates only: no member is named, so
    the read is not a PHI access and is not logged (the decision rows are, on the page)."""

    permission_classes = [permissions.MetricsReader]

    @extend_schema(
        parameters=[inputs.MetricsRangeInput], responses={200: metrics.MetricsSerializer}
    )
    def get(self, request):
        serializer = inputs.MetricsRangeInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        report = selectors.metrics_report(**serializer.validated_data)
        return Response(metrics.metrics_document(report))


@extend_schema(exclude=True)
class UnknownPathView(APIView):
    """Any path under /api/ that no endpoint answers: a JSON 404 for every method (§7.1)."""

    authentication_classes = []
    permission_classes = []

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound()
