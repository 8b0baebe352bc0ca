"""Reads for policy impact reports (ADR 0021): a version's rule, and the claims and
overrides of the replay streamed member by member, so memory does not grow with members.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from django.db.models import Count, Q, QuerySet

from policies import rules
from policies.impact import NO_RULE, ReplayClaim, ReplayOverride, VersionRule
from policies.models import Policy, ProductNDC, QuantityLimit
from policies.selectors import policy_ndcs
from priorauth.models import (
    Claim,
    ClaimStatus,
    ImpactMember,
    ImpactReport,
    Member,
    OverrideAllowance,
    OverrideStatus,
    RejectCode,
)

CHUNK_SIZE = 5000
_CLAIM_FIELDS = (
    "member_id",
    "id",
    "ndc",
    "quantity",
    "days_supply",
    "channel",
    "date_of_service",
    "submitted_at",
    "reversed_at",
    "status",
    "override_id",
    "member__line_of_business",
)
_OVERRIDE_FIELDS = (
    "override__member_id",
    "override_id",
    "override__one_time",
    "override__starts_on",
    "override__ends_on",
    "override__status",
    "override__revoked_at",
    "channel",
    "max_quantity",
    "per_days",
)


def version_rule(policy: Policy | None) -> VersionRule:
    """What the replay reads of a version (NO_RULE for none)."""
    if policy is None:
        return NO_RULE
    ndcs = ProductNDC.objects.filter(product__policy=policy).values_list("ndc", flat=True)
    limits = QuantityLimit.objects.filter(policy=policy)
    return VersionRule(
        line_of_business=policy.line_of_business,
        ndcs=frozenset(ndcs),
        limits={q.channel: rules.Limit(q.max_quantity, q.per_days) for q in limits},
    )


def version_replaced_by(policy: Policy) -> Policy | None:
    """The version `policy` takes over from: the one in force the day before it starts."""
    return (
        Policy.objects.in_force(policy.effective_from - timedelta(days=1))
        .filter(code=policy.code)
        .exclude(pk=policy.pk)
        .first()
    )


@dataclass(frozen=True)
class ReplayScope:
    """Which claims a report replays: the members of the plans either version serves,
    claims of any version's NDCs (they all count as fills), decided by the rule or paid
    (not refused for eligibility), whose supply reaches the first replayed day."""

    policy_code: str
    lines_of_business: tuple[str, ...]
    first_day: date
    last_day: date

    def claims(self) -> QuerySet:
        return Claim.objects.filter(
            ~Q(status=ClaimStatus.REJECTED) | Q(reject_code=RejectCode.PLAN_LIMITATIONS_EXCEEDED),
            member__line_of_business__in=self.lines_of_business,
            ndc__in=policy_ndcs(self.policy_code),
            covers_through__gte=self.first_day,
            date_of_service__lte=self.last_day,
        )

    def member_count(self) -> int:
        return self.claims().aggregate(n=Count("member_id", distinct=True))["n"]

    def members(self) -> Iterator[tuple[int, str, list[ReplayClaim], list[ReplayOverride]]]:
        """(member pk, line of business, claims in decision order, overrides), one member
        at a time: two ordered streams merged on the member."""
        overrides = _overrides_by_member(self.policy_code, self.first_day)
        pending = next(overrides, None)
        rows = (
            self.claims()
            .order_by("member_id", "id")
            .values_list(*_CLAIM_FIELDS)
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for member_pk, member_rows in groupby(rows, key=lambda row: row[0]):
            member_rows = list(member_rows)
            while pending is not None and pending[0] < member_pk:
                pending = next(overrides, None)
            held = []
            if pending is not None and pending[0] == member_pk:
                held = pending[1]
                pending = next(overrides, None)
            yield member_pk, member_rows[0][-1], [self._claim(r) for r in member_rows], held

    def _claim(self, row) -> ReplayClaim:
        (_, pk, ndc, quantity, days_supply, channel, on, submitted_at, reversed_at, status,
         override_id, _line) = row  # fmt: skip
        return ReplayClaim(
            ref=pk,
            ndc=ndc,
            quantity=quantity,
            days_supply=days_supply,
            channel=channel,
            on=on,
            submitted_at=submitted_at,
            reversed_at=reversed_at if status == ClaimStatus.REVERSED else None,
            stored_paid=status != ClaimStatus.REJECTED,
            stored_override=override_id,
            replayed=self.first_day <= on <= self.last_day,
        )


def _overrides_by_member(policy_code: str, first_day: date) -> Iterator[tuple[int, list]]:
    rows = (
        OverrideAllowance.objects.filter(
            override__policy_code=policy_code, override__ends_on__gte=first_day
        )
        .order_by("override__member_id", "override_id", "id")
        .values_list(*_OVERRIDE_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for member_pk, member_rows in groupby(rows, key=lambda row: row[0]):
        overrides = []
        for override_pk, grants in groupby(member_rows, key=lambda row: row[1]):
            grants = list(grants)
            _, _, one_time, starts_on, ends_on, status, revoked_at, *_ = grants[0]
            overrides.append(
                ReplayOverride(
                    ref=override_pk,
                    one_time=one_time,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    revoked_at=revoked_at if status == OverrideStatus.REVOKED else None,
                    grants={g[7]: rules.Limit(g[8], g[9]) for g in grants},
                )
            )
        yield member_pk, overrides


# --- Reading reports -------------------------------------------------------------------


def latest_impact_report(policy: Policy) -> ImpactReport | None:
    return ImpactReport.objects.filter(policy=policy).order_by("-created_at", "-id").first()


def impact_members(report: ImpactReport) -> QuerySet:
    return ImpactMember.objects.filter(report=report).select_related("member")


def members_of(pks) -> dict[int, Member]:
    return Member.objects.in_bulk(pks)


# --- The gate: a version made effective from the admin has a current replay ------------

NEEDS_REPLAY = (
    "This save makes the version's rule (its NDCs or limits) effective on {starts}, and no "
    "replay of this rule finished in the last {hours} hours. Save it as a version starting "
    'tomorrow or later, use "Show the impact" on it, and save again; or tick "Make '
    'effective without a replay" and say why.'
)
WITHOUT_REPLAY_REASON_REQUIRED = "Say why the version is made effective without a replay."


def current_replay(*, policy_pk: int | None, fingerprint: str, now, hours: int):
    """The latest finished replay of this version's rule as it is now, if fresh enough."""
    if policy_pk is None:
        return None
    return (
        ImpactReport.objects.filter(
            policy_id=policy_pk,
            status="done",
            fingerprint=fingerprint,
            finished_at__gte=now - timedelta(hours=hours),
        )
        .order_by("-finished_at")
        .first()
    )


def made_effective_by_save(
    *,
    effective_from: date,
    today: date,
    before_from: date | None,
    before_fingerprint: str | None,
    after_fingerprint: str,
) -> bool:
    """Does a save put a rule into force that was not in force before it (ADR 0021)?

    Yes when the version is in force after the save (starts today or earlier) and either
    it is new, it did not start yet before the save, or its rule changed. A save of the
    version in force that changes only words is not: claims are decided as before. A
    future version is not made effective by a save: the calendar does that, and its
    page says whether its rule has a current replay."""
    if effective_from > today:
        return False
    if before_from is None or before_fingerprint is None:
        return True
    return before_from > today or before_fingerprint != after_fingerprint
