"""The replay under the unchanged version reproduces every stored outcome of generated
histories, decided through the real services: claims on random days and channels (some
back-dated), approvals of one-time induction overrides, reversals and revocations."""

import contextlib
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from priorauth import errors, services
from priorauth.models import Claim, ClaimStatus, Override
from tests.support import factories
from tests.support.replay_check import disagreements
from tests.support.steps import KESIMPTA_NDC, at_noon

DAY_0 = date(2026, 3, 2)
DAYS = 150


def _history(rng: random.Random, members: list[str]) -> None:
    for offset in range(DAYS):
        with at_noon(DAY_0 + timedelta(days=offset)):
            for member_id in members:
                _a_day(rng, member_id, DAY_0 + timedelta(days=offset))


def _a_day(rng: random.Random, member_id: str, today: date) -> None:
    roll = rng.random()
    if roll < 0.12:
        services.claim_adjudicate(
            member_id=member_id, ndc=KESIMPTA_NDC,
            quantity=Decimal(rng.choice(["1", "1", "2", "0.5", "4"])),
            days_supply=rng.choice([28, 28, 14, 30, 84]),
            channel=rng.choice(["retail", "retail", "home_delivery"]),
            date_of_service=today - timedelta(days=rng.choice([0, 0, 0, 2, 9])),
        )  # fmt: skip
    elif roll < 0.14:
        # Refused when one is in force already (the reviewer is told so): no override then.
        with contextlib.suppress(errors.ServiceError):
            factories.approve(factories.kesimpta_request(member_id))
    elif roll < 0.16:
        paid = Claim.objects.filter(member__member_id=member_id, status=ClaimStatus.PAID).last()
        if paid is not None:
            services.claim_reverse(claim_id=paid.pk)
    elif roll < 0.165:
        active = Override.objects.filter(member__member_id=member_id, status="active").first()
        if active is not None and active.is_in_force(today):
            services.override_revoke(override_id=active.pk, reason="test", by=factories.reviewer())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_histories_replay_exactly_as_stored(kesimpta, seed):
    rng = random.Random(seed)
    members = [f"G{seed}{n}" for n in range(4)]
    with at_noon(DAY_0):
        for member_id in members:
            factories.member(member_id)
    _history(rng, members)
    assert Claim.objects.filter(status=ClaimStatus.REVERSED).exists()
    assert Claim.objects.filter(override__isnull=False).exists()
    assert Claim.objects.filter(status=ClaimStatus.REJECTED).exists()
    compared, wrong = disagreements(
        kesimpta, first_day=DAY_0 + timedelta(days=20), last_day=DAY_0 + timedelta(days=DAYS)
    )
    assert compared > 20
    assert wrong == []
