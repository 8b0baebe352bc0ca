"""Writes to policies beyond the file loader: versions and uploads. Each owns its transaction.

They raise priorauth.errors.ServiceError (or NotFound), like every service of the house.

A version of a policy is a Policy row; versions of one policy share `code` and never
overlap in dates (docs/decisions/0005-policy-versions.md). A new version is a copy of
the one it replaces, starting on a future day; the replaced version ends the day before.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from priorauth.errors import NotFound, ServiceError

from . import validation
from .files import LoadResult, PolicyFileError, load_policy_document, parse_policy_text
from .history import change_reason
from .models import (
    Criterion,
    CriterionEvidence,
    CriterionGrant,
    CriterionQuestion,
    Policy,
    Product,
    ProductNDC,
    QuantityLimit,
)

UNKNOWN_VERSION = "No policy version with ID {policy_id}."

MAX_UPLOAD_BYTES = 1_000_000
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class NewVersion:
    policy: Policy
    replaced: Policy


def policy_version_prepare(
    *, policy_id: int, effective_from: date, reason: str, today: date | None = None
) -> NewVersion:
    """Copy a version to start on `effective_from` (in the future); the source ends the day before.

    The copy takes over the rest of the source's period (its effective_to), so the
    versions of the policy still tile the calendar without gaps or overlaps.
    """
    today = today or timezone.localdate()
    reason = reason.strip()
    with transaction.atomic():
        source = _lock_version(policy_id)
        problem = validation.new_version_start_problem(
            effective_from=effective_from,
            source_from=source.effective_from,
            source_to=source.effective_to,
            today=today,
        )
        if problem:
            raise ServiceError({"effective_from": problem})
        new = Policy(
            code=source.code,
            title=source.title,
            category=source.category,
            line_of_business=source.line_of_business,
            review_date=source.review_date,
            effective_from=effective_from,
            effective_to=source.effective_to,
            statement=source.statement,
            otherwise=source.otherwise,
            source=source.source,
        )
        with change_reason(
            f"ends {effective_from - ONE_DAY}: version from {effective_from} prepared: {reason}"
        ):
            source.effective_to = effective_from - ONE_DAY
            _full_clean(source)
            source.save()
        with change_reason(
            f"new version from {effective_from}, copied from the version from "
            f"{source.effective_from}: {reason}"
        ):
            _full_clean(new)
            new.save()
            _copy_rows(source, new)
    return NewVersion(policy=new, replaced=source)


def _lock_version(policy_id: int) -> Policy:
    policy = Policy.objects.select_for_update().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound({"policy_id": UNKNOWN_VERSION.format(policy_id=policy_id)})
    return policy


def _full_clean(policy: Policy) -> None:
    try:
        policy.full_clean()
    except ValidationError as error:
        raise ServiceError.from_validation_error(error) from None


def _copy_rows(source: Policy, new: Policy) -> None:
    # One save per row (not bulk_create) so that each copied row starts its own history.
    for product in source.products.prefetch_related("ndcs"):
        copy = Product.objects.create(policy=new, name=product.name, unit=product.unit)
        for row in product.ndcs.all():
            ProductNDC.objects.create(product=copy, ndc=row.ndc)
    for limit in source.limits.all():
        QuantityLimit.objects.create(
            policy=new,
            channel=limit.channel,
            max_quantity=limit.max_quantity,
            per_days=limit.per_days,
        )
    for criterion in source.criteria.prefetch_related("grants", "questions", "evidence"):
        copy = Criterion.objects.create(
            policy=new,
            number=criterion.number,
            label=criterion.label,
            text=criterion.text,
            note=criterion.note,
            one_time=criterion.one_time,
            approval_days=criterion.approval_days,
            auto_approve=criterion.auto_approve,
        )
        for grant in criterion.grants.all():
            CriterionGrant.objects.create(
                criterion=copy,
                channel=grant.channel,
                max_quantity=grant.max_quantity,
                per_days=grant.per_days,
            )
        _copy_question_set(criterion, copy)


def _copy_question_set(source: Criterion, copy: Criterion) -> None:
    for question in source.questions.all():
        CriterionQuestion.objects.create(
            criterion=copy,
            position=question.position,
            key=question.key,
            text=question.text,
            type=question.type,
            required=question.required,
            choices=question.choices,
            approve_when=question.approve_when,
        )
    for clause in source.evidence.all():
        CriterionEvidence.objects.create(criterion=copy, clause=clause.clause, days=clause.days)


def policy_version_discard(*, policy_id: int, today: date | None = None) -> None:
    """Delete a version that has not started; the version it replaced gets its period back."""
    today = today or timezone.localdate()
    with transaction.atomic():
        policy = _lock_version(policy_id)
        if policy.effective_from <= today:
            raise ServiceError(
                validation.ONLY_FUTURE_VERSIONS_DELETED.format(effective_from=policy.effective_from)
            )
        previous = (
            Policy.objects.select_for_update()
            .filter(code=policy.code, effective_to=policy.effective_from - ONE_DAY)
            .first()
        )
        with change_reason(f"version from {policy.effective_from} deleted before it started"):
            policy.delete()
            if previous is not None:
                previous.effective_to = policy.effective_to
                previous.save()


def policy_upload(*, name: str, content: bytes, reason: str) -> LoadResult:
    """Load an uploaded policy file exactly as `manage.py load_policy` loads a file."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise PolicyFileError([f"{name}: larger than {MAX_UPLOAD_BYTES // 1000} kB."])
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyFileError([f"{name}: not UTF-8 text."]) from None
    clean = parse_policy_text(text, name=name)
    return load_policy_document(clean, reason=f"uploaded {name}: {reason.strip()}")
