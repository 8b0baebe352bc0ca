"""Reads of override requests: the case page, "My requests", the API's request read."""

from django.db.models import QuerySet

from priorauth.models import OverrideRequest, RequestStatus

from .queue import drug_name


def case_request(request_id: int) -> OverrideRequest | None:
    return (
        OverrideRequest.objects.select_related(
            "member",
            "policy",
            "prescription__prescriber",
            "attested_criterion",
            "assigned_to",
            "submitted_by",
            "decision__criterion",
            "decision__decided_by",
            "override__criterion",
        )
        .annotate(drug=drug_name())
        .filter(pk=request_id)
        .first()
    )


def request_history(request: OverrideRequest) -> QuerySet:
    return request.history.select_related("history_user").order_by("history_date", "history_id")


def requests_submitted_by(user) -> QuerySet:
    """What an intake user submitted, newest first ("My requests")."""
    return (
        OverrideRequest.objects.filter(submitted_by=user)
        .select_related("member", "policy", "prescription", "decision", "override")
        .annotate(drug=drug_name())
        # Each denied request's appeals, for its "Appeal" link or the appeal's outcome.
        .prefetch_related("appeals__decision")
        .order_by("-received_at", "-id")
    )


def requests_awaiting_answer(user) -> QuerySet:
    """Intake's own requests a pharmacist pended with a question, oldest question first."""
    return (
        OverrideRequest.objects.filter(submitted_by=user, status=RequestStatus.NEEDS_INFO)
        .select_related("member", "prescription")
        .annotate(drug=drug_name())
        .order_by("due_at", "id")
    )


def member_requests(member) -> QuerySet:
    return member.override_requests.select_related("policy").order_by("-received_at")


def request_for_api(request_id: int, *, submitted_by=None) -> OverrideRequest | None:
    """A request with its decision and override, as the API shows it.

    With `submitted_by`, only a request that user submitted (intake sees its own).
    """
    queryset = OverrideRequest.objects.select_related(
        "member",
        "policy",
        "attested_criterion",
        "prescription__prescriber",
        "decision__criterion",
        "decision__decided_by",
        "override__member",
        "override__criterion",
    ).prefetch_related("override__allowances", "attachments__uploaded_by")
    if submitted_by is not None:
        queryset = queryset.filter(submitted_by=submitted_by)
    return queryset.filter(pk=request_id).first()
