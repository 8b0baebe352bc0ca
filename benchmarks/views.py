"""The baseline endpoint: what the claims endpoint is measured against.

Same authentication and permission as the API (DRF's defaults: token, then
session; IsAuthenticated) and one indexed read, so the difference between the
two is the cost of adjudicating a claim.
"""

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from priorauth.models import Member


class BaselineView(APIView):
    permission_classes = [IsAuthenticated]
    schema = None  # not part of the API

    def get(self, request, member_id: str):
        row = Member.objects.filter(member_id=member_id).values("id").first()
        return Response({"member_id": member_id, "found": row is not None})
