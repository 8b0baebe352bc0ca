"""Writes to members: registering one (eligibility comes here too)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from priorauth import errors
from priorauth.models import Member


def member_create(
    *,
    member_id: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    line_of_business: str,
    plan_name: str = "",
) -> Member:
    member = Member(
        member_id=member_id,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        line_of_business=line_of_business,
        plan_name=plan_name,
    )
    try:
        member.full_clean(validate_unique=False)
    except ValidationError as error:
        raise errors.ServiceError.from_validation_error(error) from None
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise errors.ServiceError(
            {"member_id": errors.DUPLICATE_MEMBER.format(member_id=member_id)}
        ) from None
    return member
