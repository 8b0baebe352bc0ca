""" "In force on a date" has one definition per model: the queryset and the row agree."""

from datetime import date, timedelta
from itertools import product

import pytest

from policies.models import Policy
from priorauth.models import Member, Override, OverrideStatus
from tests.support import factories

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)
OFFSETS = (-2, -1, 0, 1, 2)


def test_an_override_is_in_force_by_the_queryset_exactly_when_the_row_says_so(kesimpta):
    override = factories.override("M1", ends_on=DAY + timedelta(days=30))
    for status, start, end in product(OverrideStatus.values, OFFSETS, OFFSETS):
        if end < start:
            continue
        Override.objects.filter(pk=override.pk).update(
            status=status, starts_on=DAY + timedelta(days=start), ends_on=DAY + timedelta(days=end)
        )
        override.refresh_from_db()
        in_queryset = Override.objects.in_force(DAY).filter(pk=override.pk).exists()
        assert in_queryset == override.is_in_force(DAY), (status, start, end)


def test_a_policy_version_is_in_force_by_the_queryset_exactly_when_the_row_says_so(kesimpta):
    for start, end in product(OFFSETS, (*OFFSETS, None)):
        if end is not None and end < start:
            continue
        Policy.objects.filter(pk=kesimpta.pk).update(
            effective_from=DAY + timedelta(days=start),
            effective_to=None if end is None else DAY + timedelta(days=end),
        )
        kesimpta.refresh_from_db()
        in_queryset = Policy.objects.in_force(DAY).filter(pk=kesimpta.pk).exists()
        assert in_queryset == kesimpta.is_in_force(DAY), (start, end)
        assert (kesimpta.status_on(DAY) == "in_force") == kesimpta.is_in_force(DAY)


def test_a_member_is_covered_by_the_queryset_exactly_when_the_row_says_so(kesimpta):
    member = factories.member("M1")
    for start, end in product(OFFSETS, (*OFFSETS, None)):
        if end is not None and end < start:
            continue
        Member.objects.filter(pk=member.pk).update(
            coverage_start=DAY + timedelta(days=start),
            coverage_end=None if end is None else DAY + timedelta(days=end),
        )
        member.refresh_from_db()
        in_queryset = Member.objects.covered_on(DAY).filter(pk=member.pk).exists()
        assert in_queryset == member.is_covered_on(DAY), (start, end)
