"""The endpoints the claims endpoint is measured against (benchmarks/claims.py).

- The bare read: the API's authentication and `IsAuthenticated`, one indexed read.
- The durable write: the floor any durable claim stands on (issue 14). The claims
  endpoint's token authentication and role check, lock the member's row, insert one
  claim, commit; nothing else. What the claim check does beyond it (reading the fills and
  the grant, the rule, the serializers) is the gap the headline ratio measures.
"""

from datetime import timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from priorauth.api.authentication import TokenAuthentication
from priorauth.api.permissions import ClaimsSystem
from priorauth.models import Claim, ClaimStatus, Member, RejectCode

from .data import KESIMPTA_NDC

DURABLE_WRITE_MESSAGE = "benchmark: durable write"


class BaselineView(APIView):
    permission_classes = [IsAuthenticated]
    schema = None  # not part of the API

    def get(self, request, member_id: str):
        row = Member.objects.filter(member_id=member_id).values("id").first()
        return Response({"member_id": member_id, "found": row is not None})


class DurableWriteView(APIView):
    """Lock the member, insert one claim, commit.

    The claim is a rejected one: it is a real row of the claims table (same indexes,
    same constraints, same WAL) but not a fill, so it does not change what the claims
    load decides for the same members (the claim check reads paid fills only). Deleted
    by the next run with the other claims a run adds (benchmarks/data.py)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [ClaimsSystem]
    schema = None  # not part of the API

    def post(self, request, member_id: str):
        today = timezone.localdate()
        with transaction.atomic():
            member = (
                Member.objects.select_for_update().only("id").filter(member_id=member_id).first()
            )
            if member is None:
                raise Http404("No such member.")
            claim = Claim.objects.create(
                member=member,
                ndc=KESIMPTA_NDC,
                quantity=1,
                days_supply=28,
                channel="retail",
                date_of_service=today,
                covers_through=today + timedelta(days=27),
                status=ClaimStatus.REJECTED,
                reject_code=RejectCode.PLAN_LIMITATIONS_EXCEEDED,
                message=DURABLE_WRITE_MESSAGE,
                submitted_by=request.user,
            )
        return Response({"member_id": member_id, "claim": claim.pk}, status=status.HTTP_201_CREATED)
