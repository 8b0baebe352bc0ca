"""Reads of appeals."""

from django.db.models import QuerySet

from priorauth.models import Appeal, Member, OverrideRequest


def appeal_for_api(appeal_id: int, *, submitted_by=None) -> Appeal | None:
    """An appeal with its decision and the override an overturn created.

    With `submitted_by`, only an appeal of a request that user submitted (intake sees
    its own), as for requests.
    """
    queryset = Appeal.objects.select_related(
        "member",
        "request__policy",
        "request__override__member",
        "request__override__criterion",
        "decision__criterion",
        "decision__decided_by",
    ).prefetch_related("request__override__allowances", "attachments__uploaded_by")
    if submitted_by is not None:
        queryset = queryset.filter(request__submitted_by=submitted_by)
    return queryset.filter(pk=appeal_id).first()


def appeal_case(appeal_id: int) -> Appeal | None:
    """An appeal as its page and its notice show it: the people, the decision, and who
    denied the request (the page's "why you cannot decide")."""
    return (
        Appeal.objects.select_related(
            "member",
            "assigned_to",
            "submitted_by",
            "request__decision__decided_by",
            "decision__criterion",
            "decision__decided_by",
        )
        .filter(pk=appeal_id)
        .first()
    )


def appeal_history(appeal: Appeal) -> QuerySet:
    return appeal.history.select_related("history_user").order_by("history_date", "history_id")


def request_appeals(request: OverrideRequest) -> QuerySet:
    """A request's appeals, the first filed first, with their decisions."""
    return request.appeals.select_related("decision").order_by("received_at", "id")


def member_appeals(member: Member) -> QuerySet:
    return member.appeals.select_related("request__policy", "decision").order_by(
        "-received_at", "-id"
    )
