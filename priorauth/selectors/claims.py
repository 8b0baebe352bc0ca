"""Reads of claims: the fills the claim check counts, and histories for the pages."""

from datetime import date

from django.db.models import QuerySet

from policies import rules
from policies.selectors import policy_ndcs
from priorauth.models import Claim, ClaimStatus, Member


def fills_reaching(*, member: Member, ndcs: tuple[str, ...], on: date) -> list[rules.Fill]:
    """Paid, not reversed fills of the policy's products whose supply reaches `on` or later."""
    rows = (
        Claim.objects.filter(
            member=member, status=ClaimStatus.PAID, covers_through__gte=on, ndc__in=ndcs
        )
        .order_by("date_of_service", "id")
        .values_list("id", "date_of_service", "quantity", "days_supply")
    )
    return [
        rules.Fill(ref=pk, filled_on=filled_on, quantity=quantity, days_supply=days_supply)
        for pk, filled_on, quantity, days_supply in rows
    ]


def claim_history(*, member: Member, policy_code: str, since: date) -> QuerySet:
    """Every claim (paid, rejected, reversed) for the policy's products since a date."""
    return Claim.objects.filter(
        member=member, date_of_service__gte=since, ndc__in=policy_ndcs(policy_code)
    ).select_related("override")


def member_claims_since(*, member: Member, since: date) -> QuerySet:
    """Every claim of the member since a date, any drug (the member page)."""
    return member.claims.filter(date_of_service__gte=since).select_related("override")


def claim_for_answer(claim_id: int) -> Claim:
    """A claim with what its API answer shows."""
    return Claim.objects.select_related("member", "policy", "override").get(pk=claim_id)
