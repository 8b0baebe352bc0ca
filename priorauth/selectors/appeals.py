"""Reads of appeals."""

from priorauth.models import Appeal


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
    ).prefetch_related("request__override__allowances")
    if submitted_by is not None:
        queryset = queryset.filter(request__submitted_by=submitted_by)
    return queryset.filter(pk=appeal_id).first()
