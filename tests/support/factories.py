"""Build domain objects through the services, the way production makes them."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from priorauth import services
from priorauth.models import Override
from tests.support.steps import KESIMPTA_NDC, VALID_NPI


def member(member_id: str, **fields):
    values = dict(
        first_name="Test",
        last_name=f"Member {member_id}",
        date_of_birth=date(1980, 4, 1),
        line_of_business="commercial",
        coverage_start=date(2000, 1, 1),  # covered before any date a test uses
    )
    values.update(fields)
    return services.member_create(member_id=member_id, **values)


def reviewer():
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username="factory-pharmacist")
    user.groups.add(Group.objects.get_or_create(name="Clinical pharmacist")[0])
    return user


def kesimpta_request(member_id: str, **fields):
    """A Kesimpta induction request (4 pens, 28 days, retail, criterion 1) through the service."""
    values = dict(
        ndc=KESIMPTA_NDC,
        quantity=4,
        days_supply=28,
        channel="retail",
        prescriber_npi=VALID_NPI,
        urgency="standard",
        criterion_number=1,
    )
    values.update(fields)
    return services.override_request_submit(member_id=member_id, **values)


def approve(request, criterion_number: int = 1):
    """Approve a request as the factory reviewer; the decision's result (with the override)."""
    return services.override_request_decide(
        request_id=request.pk, outcome="approve", criterion_number=criterion_number, by=reviewer()
    )


def denied(member_id: str, *, submitted_by, denied_by, reason: str = "Not initiating.", **fields):
    """A new member's Kesimpta request, submitted by `submitted_by` and denied by
    `denied_by` through the services; the request, with its decision."""
    member(
        member_id,
        **{
            k: fields.pop(k) for k in ("first_name", "last_name", "line_of_business") if k in fields
        },
    )
    request = kesimpta_request(member_id, submitted_by=submitted_by, **fields)
    services.override_request_decide(
        request_id=request.pk, outcome="deny", reason=reason, by=denied_by
    )
    request.refresh_from_db()
    return request


def appeal(request, *, by, reason: str = "New chart note: week 0 was missed.", **fields):
    """An appeal of a denied request, filed through the service."""
    values = dict(urgency="standard", clinical_notes="Chart note of 2026-11-01 attached.")
    values.update(fields)
    return services.appeal_file(request_id=request.pk, reason=reason, by=by, **values)


def claim(member_id: str, **fields):
    """A Kesimpta claim (1 pen, 28 days, retail, today) adjudicated through the service."""
    values = dict(ndc=KESIMPTA_NDC, quantity=1, days_supply=28, channel="retail")
    values.update(fields)
    return services.claim_adjudicate(member_id=member_id, **values)


def override(member_id: str, *, ends_on: date, status: str = "active") -> Override:
    """An approved override for a new member, moved to the given end date and status."""
    member(member_id)
    request = kesimpta_request(member_id)
    result = services.override_request_decide(
        request_id=request.pk, outcome="approve", criterion_number=1, by=reviewer()
    )
    # Dates and status set directly: this builds the state a test needs, it is not a change.
    Override.objects.filter(pk=result.override.pk).update(
        starts_on=min(ends_on - timedelta(days=29), result.override.starts_on),
        ends_on=ends_on,
        status=status,
    )
    return Override.objects.get(pk=result.override.pk)


def open_requests(count: int, *, policy, prefix: str = "Q", urgency_every: int = 4):
    """Many open requests at once (bulk: a queue-size fixture, not a behaviour under test)."""
    from django.utils import timezone

    from priorauth.models import Member, OverrideRequest, Prescriber, Prescription

    now = timezone.now()
    prescriber, _ = Prescriber.objects.get_or_create(npi=VALID_NPI)
    members = Member.objects.bulk_create(
        Member(
            member_id=f"{prefix}{n:06d}",
            first_name="Bulk",
            last_name=f"Member {n}",
            date_of_birth=date(1970, 1, 1),
            line_of_business="commercial",
        )
        for n in range(count)
    )
    prescriptions = Prescription.objects.bulk_create(
        Prescription(
            member=m,
            prescriber=prescriber,
            ndc=KESIMPTA_NDC,
            quantity=4,
            days_supply=28,
            channel="retail",
        )
        for m in members
    )
    criterion = policy.criteria.first()
    return OverrideRequest.objects.bulk_create(
        OverrideRequest(
            member=m,
            prescription=p,
            policy=policy,
            attested_criterion=criterion,
            urgency="expedited" if n % urgency_every == 0 else "standard",
            received_at=now - timedelta(hours=n % 90),
            due_at=now
            - timedelta(hours=n % 90)
            + timedelta(hours=24 if n % urgency_every == 0 else 72),
        )
        for n, (m, p) in enumerate(zip(members, prescriptions, strict=True))
    )


def open_appeals(count: int, *, policy, denied_by, prefix: str = "P", due_in_hours=None):
    """Many open appeals of denied requests at once (bulk: a queue-size fixture, like
    open_requests). `due_in_hours(n)` sets each appeal's clock; by default 1 to 168 hours."""
    from django.utils import timezone

    from priorauth.models import Appeal, Decision, OverrideRequest

    now = timezone.now()
    requests = open_requests(count, policy=policy, prefix=prefix)
    OverrideRequest.objects.filter(pk__in=[r.pk for r in requests]).update(status="denied")
    Decision.objects.bulk_create(
        Decision(request=r, outcome="deny", reason="Not met.", decided_by=denied_by, decided_at=now)
        for r in requests
    )
    hours = due_in_hours or (lambda n: 1 + n % 168)
    return Appeal.objects.bulk_create(
        Appeal(
            request=r,
            member_id=r.member_id,
            urgency="expedited" if n % 3 == 0 else "standard",
            reason="New chart note.",
            # Received a standard clock before it is due (the clock is not under test).
            received_at=now + timedelta(hours=hours(n) - 168),
            due_at=now + timedelta(hours=hours(n)),
        )
        for n, r in enumerate(requests)
    )


def kesimpta_reloaded(*, approval_days: int):
    """The Kesimpta file loaded again with criterion 1 approving for `approval_days` days.

    A policy admin correcting the version in force (docs/domain.md §1.2): overrides
    approved from now on last that long; those already issued keep their dates.
    """
    from policies.files import load_policy_document, parse_policy_text
    from tests.support.paths import KESIMPTA_FILE

    text = KESIMPTA_FILE.read_text()
    assert "approval_days: 30" in text
    edited = text.replace("approval_days: 30", f"approval_days: {approval_days}")
    return load_policy_document(
        parse_policy_text(edited), reason=f"one-time approvals last {approval_days} days"
    ).policy


def listed_prescriber(npi: str = VALID_NPI, **fields):
    """Put a prescriber in the directory through the import's service; the row."""
    from priorauth.models import Prescriber
    from priorauth.nppes import PrescriberRow

    values = dict(
        name="Avery Lindqvist",
        credential="MD",
        specialty="Neurology",
        taxonomy_code="2084N0400X",
        phone="2125550142",
        fax="2125550143",
    )
    values.update(fields)
    services.prescribers_upsert([PrescriberRow(npi=npi, **values)], reason="test")
    return Prescriber.objects.get(npi=npi)
