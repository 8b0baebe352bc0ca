"""API v1 (DESIGN §7). Each view validates input, calls one service or selector, answers."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from priorauth import roles, services
from priorauth.audit import record_phi_access
from priorauth.models import Claim, Member, Override, OverrideRequest

from . import permissions, serializers
from .idempotency import idempotent


class BaseAPIView(APIView):
    def handle_view_exceptions(self, view_method, request, *args, **kwargs):
        """Turn an exception into its 4xx response, so idempotency can record it."""
        try:
            return view_method(self, request, *args, **kwargs)
        except Exception as exc:
            return self.handle_exception(exc)


def _validated(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MemberCreateView(BaseAPIView):
    permission_classes = [permissions.IntakeOrAdmin]

    @extend_schema(
        request=serializers.MemberCreateSerializer, responses={201: serializers.MemberSerializer}
    )
    @idempotent
    def post(self, request):
        member = services.member_create(**_validated(serializers.MemberCreateSerializer, request))
        return Response(serializers.MemberSerializer(member).data, status=status.HTTP_201_CREATED)


def _overrides_prefetch():
    return Prefetch(
        "overrides",
        queryset=Override.objects.select_related("member", "criterion").prefetch_related(
            "allowances"
        ),
    )


class MemberDetailView(BaseAPIView):
    permission_classes = [permissions.ReviewerOrAuditor]

    @extend_schema(responses=serializers.MemberSerializer)
    def get(self, request, member_id: str):
        member = get_object_or_404(
            Member.objects.prefetch_related(_overrides_prefetch()), member_id=member_id
        )
        record_phi_access(request, member, "api member read")
        return Response(serializers.MemberSerializer(member).data)


class ClaimSubmitView(BaseAPIView):
    permission_classes = [permissions.ClaimsSystem]

    @extend_schema(
        request=serializers.ClaimSubmitSerializer, responses={201: serializers.ClaimSerializer}
    )
    @idempotent
    def post(self, request):
        data = _validated(serializers.ClaimSubmitSerializer, request)
        claim = services.claim_adjudicate(submitted_by=request.user, **data)
        return Response(serializers.ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class ClaimReversalView(BaseAPIView):
    permission_classes = [permissions.ClaimsSystem]

    @extend_schema(request=None, responses=serializers.ClaimSerializer)
    @idempotent
    def post(self, request, claim_id: int):
        claim = services.claim_reverse(claim_id=claim_id, by=request.user)
        claim = Claim.objects.select_related("member", "policy", "override").get(pk=claim.pk)
        return Response(serializers.ClaimSerializer(claim).data)


def _request_queryset():
    return OverrideRequest.objects.select_related(
        "member",
        "policy",
        "attested_criterion",
        "prescription__prescriber",
        "decision__criterion",
        "decision__decided_by",
        "override__member",
        "override__criterion",
    ).prefetch_related("override__allowances")


class OverrideRequestSubmitView(BaseAPIView):
    permission_classes = [permissions.Intake]

    @extend_schema(
        request=serializers.OverrideRequestSubmitSerializer,
        responses={201: serializers.OverrideRequestSerializer},
    )
    @idempotent
    def post(self, request):
        data = _validated(serializers.OverrideRequestSubmitSerializer, request)
        created = services.override_request_submit(submitted_by=request.user, **data)
        created = _request_queryset().get(pk=created.pk)
        return Response(
            serializers.OverrideRequestSerializer(created).data, status=status.HTTP_201_CREATED
        )


class OverrideRequestDetailView(BaseAPIView):
    permission_classes = [permissions.IntakeReviewerOrAuditor]

    @extend_schema(responses=serializers.OverrideRequestSerializer)
    def get(self, request, request_id: int):
        queryset = _request_queryset()
        if not roles.has_role(request.user, roles.CLINICAL_PHARMACIST, roles.AUDITOR):
            # Intake sees only what it submitted; anything else is "not found", not "forbidden".
            queryset = queryset.filter(submitted_by=request.user)
        override_request = get_object_or_404(queryset, pk=request_id)
        record_phi_access(request, override_request.member, "api override request read")
        return Response(serializers.OverrideRequestSerializer(override_request).data)


class DecisionView(BaseAPIView):
    permission_classes = [permissions.Reviewer]

    @extend_schema(
        request=serializers.DecisionSubmitSerializer,
        responses=serializers.OverrideRequestSerializer,
    )
    @idempotent
    def post(self, request, request_id: int):
        data = _validated(serializers.DecisionSubmitSerializer, request)
        services.override_request_decide(
            request_id=request_id,
            outcome=data["decision"],
            criterion_number=data.get("criterion_number"),
            reason=data.get("reason", ""),
            by=request.user,
        )
        decided = _request_queryset().get(pk=request_id)
        return Response(serializers.OverrideRequestSerializer(decided).data)


class OverrideListView(generics.ListAPIView):
    permission_classes = [permissions.ReviewerOrAuditor]
    serializer_class = serializers.OverrideSummarySerializer

    @extend_schema(parameters=[OpenApiParameter("member_id", str, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = Override.objects.select_related("member", "criterion").prefetch_related(
            "allowances"
        )
        member_id = self.request.query_params.get("member_id")
        if member_id:
            member = get_object_or_404(Member, member_id=member_id)
            record_phi_access(self.request, member, "api overrides read")
            queryset = queryset.filter(member=member)
        return queryset
