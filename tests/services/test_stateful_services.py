"""A state machine over the review services: whatever the order of steps, the invariants hold.

Hypothesis drives members, claims (paid, rejected, back-dated, managed or not),
override requests with approvals and denials (criterion 1 of the Kesimpta policy),
reversals and revocations of whatever exists (including claims already reversed or
rejected and overrides no longer active), the clock moving on by 0-40 days or to just
after an override's last day, and the expiry running or lagging. The policy admin
changes how many days criterion 1 approves for (3, 7, 30 or 60) from one approval to
the next: that is the only way an override approved later can end before one approved
earlier, which the reversal bug of issue 9 (item 9) needs. After every step the
invariants of docs/domain.md ("Invariants the tests hold") are checked; each is an
`@invariant` below with its exact statement. Each step also checks its own outcome
against the state before it: a refusal exactly when one is due, the override given
back or not, the claim paid or rejected as the pure rule says over the machine's own
record of the fills.

One rule, `step`, draws the action, with weights. With one rule per action,
Hypothesis's swarm testing (each example switches some rules off) spent most of a small
budget on sequences of one or two kinds of step: that version did not reach issue 9's
state in 400 examples, nor notice an approval that had stopped catching up stale
overrides in 100. This one catches that fault, a restore that ignores the override in
force, and reversed fills counted as supply, each within the first few of its 40
examples. Issue 9's own state needs about five particular steps in order: random runs
of 40 examples reach it about one time in four (3 of 12 measured) and the fixed CI
examples do not, so `test_the_sequence_the_machine_found_for_the_reversal_500` replays
the sequence the machine found. STATEFUL_EXAMPLES=200 searches longer. Failures print
as a replayable sequence of labelled draws.

The database: every example runs inside `transaction.atomic()`, opened when the
machine is built and rolled back in `teardown`, within the test's own transaction
(plain `django_db`). The services' `transaction.atomic()` blocks become savepoints,
which behave the same on SQLite and PostgreSQL: a refused step rolls back its own
savepoint, the member lock works (it only asks to be inside a transaction) and
`select_for_update` is allowed. The other way, `transaction=True` with a flush per
example, truncates every table for each example and is several times slower; nothing
here needs a real commit (no `on_commit` hooks, no second connection).

The clock: `time_machine.travel(..., tick=False)` is started when the machine is built
and stopped in `teardown`, which Hypothesis calls even when a step fails; the time
steps shift it. Claims are dated at most 60 days back and never before the day their
member was created, so they stay within the default coverage and the timely-filing
window of eligibility (docs/domain.md §8).

A back-dated claim uses the override that covered its day of service whether or not
the expiry has labelled it `expired` since (docs/domain.md §4): the machine's expected
outcome reads `Override.objects.in_force(date of service)`, the same definition.
"""

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from policies import rules
from policies.files import read_policy_file
from policies.selectors import forget_policies
from priorauth import errors, services
from priorauth.models import (
    DECIDED_REQUEST_STATUSES,
    Claim,
    ClaimStatus,
    Override,
    OverrideRequest,
    OverrideStatus,
)
from tests.support import factories
from tests.support.paths import KESIMPTA_FILE
from tests.support.steps import KESIMPTA_NDC, VALID_NPI, at_noon

pytestmark = pytest.mark.django_db

START = date(2026, 6, 1)
UNMANAGED_NDC = "00002143380"  # no policy lists it: its claims pay unchecked
MAX_MEMBERS = 2
ON_HAND_PLACES = Decimal("0.000001")  # how a claim stores on hand (a display value)

MACHINE_SETTINGS = settings(
    # STATEFUL_EXAMPLES raises the budget for a longer local search; CI uses the default.
    max_examples=int(os.environ.get("STATEFUL_EXAMPLES", "40")),
    stateful_step_count=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is deterministic
    database=None,  # and nothing is remembered between runs
)

# How often each kind of step is drawn (among those possible in the state).
WEIGHTS = {
    "claim": 4,
    "reverse": 3,
    "time": 3,
    "approve_at_once": 2,
    "decide": 2,
    "request": 1,
    "revoke": 1,
    "member": 1,
}

# The plain limits and the criterion's grants, read from the file (not from the
# database the services use), as exact rules.Limit values per channel.
_KESIMPTA = read_policy_file(KESIMPTA_FILE)
POLICY_CODE = _KESIMPTA["code"]
POLICY_NDCS = {ndc for product in _KESIMPTA["products"] for ndc in product["ndcs"]}
PLAIN_LIMITS = {
    row["channel"]: rules.Limit(row["max_quantity"], row["per_days"]) for row in _KESIMPTA["limits"]
}
GRANTS = {
    row["channel"]: rules.Limit(row["max_quantity"], row["per_days"])
    for row in _KESIMPTA["criteria"][0]["grants"]
}
assert KESIMPTA_NDC in POLICY_NDCS and UNMANAGED_NDC not in POLICY_NDCS

channels = st.sampled_from(sorted(PLAIN_LIMITS))
# A claim is (quantity, days supply, channel): often exactly what the plain limit or an
# approval allows (what pharmacies send), otherwise anything sensible.
claim_shapes = st.one_of(
    st.sampled_from([(lim.max_quantity, lim.per_days, ch) for ch, lim in PLAIN_LIMITS.items()]),
    st.sampled_from([(lim.max_quantity, lim.per_days, ch) for ch, lim in GRANTS.items()]),
    st.tuples(
        st.sampled_from(["0.5", "1", "2", "3", "4", "5", "6", "7"]).map(Decimal),
        st.sampled_from([7, 14, 21, 28, 30, 56, 84, 90]),
        channels,
    ),
)
back_days = st.one_of(st.just(0), st.integers(0, 60))  # most claims are dated today
day_moves = st.one_of(st.integers(0, 3), st.integers(0, 40))
# How many days criterion 1 approves for at the moment of an approval: the policy admin
# may just have changed it (loading the same number again changes nothing).
approval_days = st.sampled_from([3, 7, 30, 60])


@dataclass(frozen=True)
class ClaimSeen:
    member_id: str
    # The Kesimpta claims (ids) that were paid and not reversed, by the machine's own
    # record, when this claim was adjudicated: the history it was decided on.
    counted: frozenset[int]


def _stored(on_hand: Fraction) -> Decimal:
    """On hand as a claim stores it: 6 decimal places, half even."""
    value = Decimal(on_hand.numerator) / Decimal(on_hand.denominator)
    return value.quantize(ON_HAND_PLACES, rounding=ROUND_HALF_EVEN)


def _fill(claim: Claim) -> rules.Fill:
    return rules.Fill(
        ref=claim.pk,
        filled_on=claim.date_of_service,
        quantity=claim.quantity,
        days_supply=claim.days_supply,
    )


def _call(service, *allowed: type[errors.ServiceError], **kwargs):
    """(result, None), or (None, the error) when the service refused with an allowed kind.

    Anything else (an IntegrityError, another kind of ServiceError) propagates and
    fails the example: a service may refuse only in the way the step expects.
    """
    try:
        return service(**kwargs), None
    except errors.ServiceError as error:
        if type(error) not in allowed:
            raise
        return None, error


class ServicesMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.example = transaction.atomic()
        self.example.__enter__()
        self.traveller = at_noon(START)
        self.clock = self.traveller.start()
        forget_policies()  # what the previous example cached was rolled back
        self.reviewer = factories.reviewer()
        self.joined: dict[str, date] = {}  # member → the day it was created
        self.seen: dict[int, ClaimSeen] = {}  # every claim submitted
        self.fills: dict[str, set[int]] = {}  # member → Kesimpta claims paid, not reversed
        self.paid_by_override: set[int] = set()  # claims an override paid (any status now)
        self.left_used: set[int] = set()  # used overrides whose claim was reversed (b)
        self.requests: list[int] = []  # every request submitted
        self.approved: list[int] = []  # every override, in the order approved
        self.approval_days = _KESIMPTA["criteria"][0]["approval_days"]  # criterion 1's now

    def teardown(self):
        try:
            self.traveller.stop()
        finally:
            transaction.set_rollback(True)
            self.example.__exit__(None, None, None)
            forget_policies()

    @property
    def today(self) -> date:
        return timezone.localdate()

    # --- Drawing a step ------------------------------------------------------------

    @initialize()
    def first_member(self):
        self.new_member()

    @rule(data=st.data())
    def step(self, data):
        possible = {
            "claim": True,
            "reverse": bool(self.seen),
            "time": True,
            "approve_at_once": True,
            "decide": bool(self.requests),
            "request": True,
            "revoke": bool(self.approved),
            "member": len(self.joined) < MAX_MEMBERS,
        }
        actions = [
            name for name, weight in WEIGHTS.items() if possible[name] for _ in range(weight)
        ]
        action = data.draw(st.sampled_from(actions), label="action")
        getattr(self, f"_draw_{action}")(data.draw)

    def _member(self, draw) -> str:
        return draw(st.sampled_from(sorted(self.joined)), label="member")

    def _draw_member(self, draw):
        self.new_member()

    def _draw_claim(self, draw):
        self.claim(
            self._member(draw),
            managed=draw(st.booleans() | st.just(True), label="managed"),
            shape=draw(claim_shapes, label="shape"),
            back=draw(back_days, label="days back"),
        )

    def _draw_reverse(self, draw):
        # Often aim at a paid claim an override paid: its reversal gives the override back.
        aims = sorted(self.paid_by_override & set().union(*self.fills.values()))
        if aims and draw(st.booleans(), label="aim at an override's claim"):
            claim_id = draw(st.sampled_from(aims), label="claim")
        else:
            claim_id = draw(st.sampled_from(sorted(self.seen)), label="claim")
        self.reverse(claim_id)

    def _draw_request(self, draw):
        self.request(
            self._member(draw),
            channel=draw(channels, label="channel"),
            expedited=draw(st.booleans(), label="expedited"),
        )

    def _draw_decide(self, draw):
        self.decide(
            draw(st.sampled_from(self.requests), label="request"),
            approve=draw(st.booleans() | st.just(True), label="approve"),
        )

    def _draw_approve_at_once(self, draw):
        self.approve_at_once(
            self._member(draw),
            channel=draw(channels, label="channel"),
            approval_days=draw(approval_days, label="approval days"),
            filled=draw(st.sampled_from([True, True, False]), label="filled"),
        )

    def _draw_revoke(self, draw):
        self.revoke(draw(st.sampled_from(self.approved), label="override"))

    def _draw_time(self, draw):
        # Some days, or to a day or two after the last day of an override stored active
        # (the state a lagging expiry leaves); by then the expiry has run, or is late.
        days = draw(day_moves, label="days")
        ends = sorted(
            set(
                Override.objects.filter(
                    status=OverrideStatus.ACTIVE, ends_on__gte=self.today
                ).values_list("ends_on", flat=True)
            )
        )
        if ends and draw(st.booleans(), label="to just after an override's end"):
            last_day = draw(st.sampled_from(ends), label="last day")
            days = (last_day - self.today).days + draw(st.integers(1, 2), label="after")
        self.time_passes(days, expiry_runs=draw(st.booleans(), label="expiry runs"))

    # --- The steps, with what each must do -----------------------------------------

    def new_member(self) -> str:
        member_id = f"S{len(self.joined) + 1}"
        factories.member(member_id)  # the default coverage
        self.joined[member_id] = self.today
        self.fills[member_id] = set()
        return member_id

    def claim(self, member_id, *, managed, shape, back) -> int:
        quantity, days_supply, channel = shape
        on = max(self.today - timedelta(days=back), self.joined[member_id])
        counted = frozenset(self.fills[member_id])
        paid, override_id, on_hand = self._expected(
            member_id, managed, quantity, days_supply, channel, on, counted
        )
        claim, _ = _call(
            services.claim_adjudicate,
            member_id=member_id,
            ndc=KESIMPTA_NDC if managed else UNMANAGED_NDC,
            quantity=quantity,
            days_supply=days_supply,
            channel=channel,
            date_of_service=on,
        )
        assert claim.status == (ClaimStatus.PAID if paid else ClaimStatus.REJECTED)
        assert (claim.override_id, claim.on_hand) == (override_id, on_hand)
        if override_id is not None:
            assert Override.objects.get(pk=override_id).status == OverrideStatus.USED
            self.paid_by_override.add(claim.pk)
        if managed and paid:
            self.fills[member_id].add(claim.pk)
        self.seen[claim.pk] = ClaimSeen(member_id=member_id, counted=counted)
        return claim.pk

    def _expected(self, member_id, managed, quantity, days_supply, channel, on, counted):
        """(paid, the override it uses, on hand as stored): the pure rule over the fills
        the machine recorded, and the override in force on the date of service."""
        if not managed:
            return True, None, None
        override = (
            Override.objects.in_force(on)
            .filter(member__member_id=member_id, policy_code=POLICY_CODE)
            .first()
        )
        allowance = override and override.allowances.filter(channel=channel).first()
        outcome = rules.decide(
            quantity=quantity,
            days_supply=days_supply,
            on=on,
            fills=[_fill(c) for c in Claim.objects.filter(pk__in=counted)],
            limit=PLAIN_LIMITS[channel],
            override_limit=(
                rules.Limit(allowance.max_quantity, allowance.per_days) if allowance else None
            ),
        )
        used = override.pk if outcome.uses_override else None
        return outcome.paid, used, _stored(outcome.on_hand)

    def reverse(self, claim_id: int) -> None:
        """Any claim: a paid one is reversed (its override given back as §2.7 says), a
        rejected or reversed one is a 409; an unknown id is a 404."""
        before = Claim.objects.select_related("override").get(pk=claim_id)
        used = before.override if before.status == ClaimStatus.PAID else None
        if used is not None:
            assert used.status == OverrideStatus.USED
            others_in_force = (
                Override.objects.in_force(self.today)
                .filter(member_id=used.member_id, policy_code=used.policy_code)
                .exists()
            )
            if self.today > used.ends_on:
                restored = OverrideStatus.EXPIRED
            elif others_in_force:
                restored = OverrideStatus.USED
            else:
                restored = OverrideStatus.ACTIVE

        claim, refused = _call(services.claim_reverse, errors.Conflict, claim_id=claim_id)

        assert (refused is None) == (before.status == ClaimStatus.PAID)
        if refused is not None:
            assert Claim.objects.get(pk=claim_id).status == before.status
        else:
            assert claim.status == ClaimStatus.REVERSED
            self.fills[self.seen[claim_id].member_id].discard(claim_id)
            if used is not None:
                assert Override.objects.get(pk=used.pk).status == restored
                if restored == OverrideStatus.USED:
                    self.left_used.add(used.pk)
        unknown = Claim.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
        _, refused = _call(services.claim_reverse, errors.NotFound, claim_id=unknown)
        assert refused is not None

    def request(self, member_id, *, channel, expedited) -> int:
        limit = GRANTS[channel]
        request, _ = _call(
            services.override_request_submit,
            member_id=member_id,
            ndc=KESIMPTA_NDC,
            quantity=limit.max_quantity,
            days_supply=limit.per_days,
            channel=channel,
            prescriber_npi=VALID_NPI,
            urgency="expedited" if expedited else "standard",
            criterion_number=1,
        )
        self.requests.append(request.pk)
        return request.pk

    def decide(self, request_id, *, approve) -> Override | None:
        """Refused (409) exactly when the request is decided already, or when approving
        while another override of the member and policy is in force today."""
        request = OverrideRequest.objects.get(pk=request_id)
        already_decided = request.status in DECIDED_REQUEST_STATUSES
        another_in_force = (
            Override.objects.in_force(self.today)
            .filter(member_id=request.member_id, policy_code=POLICY_CODE)
            .exists()
        )
        result, refused = _call(
            services.override_request_decide,
            errors.Conflict,
            request_id=request_id,
            outcome="approve" if approve else "deny",
            criterion_number=1 if approve else None,
            reason="" if approve else "Not medically necessary.",
            by=self.reviewer,
        )
        assert (refused is not None) == (already_decided or (approve and another_in_force))
        if result is None or result.override is None:
            return None
        override = result.override
        assert (override.starts_on, override.status) == (self.today, OverrideStatus.ACTIVE)
        allowances = {
            a.channel: rules.Limit(a.max_quantity, a.per_days) for a in override.allowances.all()
        }
        assert allowances == GRANTS
        self.approved.append(override.pk)
        return override

    def approve_at_once(self, member_id, *, channel, approval_days, filled) -> int | None:
        """The common path: a request received and approved in one step, criterion 1
        approving for `approval_days` at that moment (the policy admin may just have
        changed it), and often filled at the pharmacy the same day (returns that claim)."""
        if approval_days != self.approval_days:
            factories.kesimpta_reloaded(approval_days=approval_days)
            self.approval_days = approval_days
        request_id = self.request(member_id, channel=channel, expedited=False)
        override = self.decide(request_id, approve=True)
        if override is None or not filled:
            return None
        limit = GRANTS[channel]
        shape = (limit.max_quantity, limit.per_days, channel)
        return self.claim(member_id, managed=True, shape=shape, back=0)

    def revoke(self, override_id: int) -> None:
        """Refused (409) exactly when the override is not in force today."""
        before = Override.objects.get(pk=override_id)
        _, refused = _call(
            services.override_revoke,
            errors.Conflict,
            override_id=override_id,
            reason="Prescriber stopped therapy.",
            by=self.reviewer,
        )
        assert (refused is None) == before.is_in_force(self.today)
        after = Override.objects.get(pk=override_id).status
        assert after == (OverrideStatus.REVOKED if refused is None else before.status)

    def time_passes(self, days: int, *, expiry_runs: bool) -> None:
        self.clock.shift(timedelta(days=days))
        if not expiry_runs:
            return
        stale = set(Override.objects.past_end(self.today).values_list("pk", flat=True))
        assert services.overrides_expire() == len(stale)
        assert not Override.objects.past_end(self.today).exists()
        expired = Override.objects.filter(pk__in=stale, status=OverrideStatus.EXPIRED)
        assert expired.count() == len(stale)

    # --- Invariants (docs/domain.md, "Invariants the tests hold") -----------------

    def assert_invariants(self) -> None:
        """Every invariant, for a test that drives the steps by hand."""
        self.one_override_per_member_and_policy()
        self.a_used_override_belongs_to_one_paid_claim()
        self.on_hand_never_above_the_limit_that_applied()
        self.a_rejected_claim_says_why()

    @invariant()
    def one_override_per_member_and_policy(self):
        """(a) At most one override in force today per member and policy code, and at
        most one stored `active` (the partial unique index guarantees the second; one
        past its end may be stored active until the expiry runs)."""
        in_force = Counter(
            Override.objects.in_force(self.today).values_list("member_id", "policy_code")
        )
        stored_active = Counter(
            Override.objects.filter(status=OverrideStatus.ACTIVE).values_list(
                "member_id", "policy_code"
            )
        )
        assert max(in_force.values(), default=0) <= 1
        assert max(stored_active.values(), default=0) <= 1

    @invariant()
    def a_used_override_belongs_to_one_paid_claim(self):
        """(b) A claim paid thanks to an override holds a one-time override that is
        `used`, and a `used` override is referenced by exactly one paid (not reversed)
        claim, with one exception. claim_reverse hands the override of the claim it
        reverses to override_restore, which leaves it `used` when, on the day of the
        reversal, the override had not ended and another override of the member and
        policy was in force (only one may be active). Then it is referenced by no paid
        claim, only by the reversed one. The override in force is usually a newer one,
        but can be an older one that an earlier reversal gave back. Never two paid
        claims: a used override is not in force, so no later claim can use it."""
        paid = Counter(
            Claim.objects.filter(status=ClaimStatus.PAID, override__isnull=False).values_list(
                "override_id", flat=True
            )
        )
        reversed_ = set(
            Claim.objects.filter(status=ClaimStatus.REVERSED, override__isnull=False).values_list(
                "override_id", flat=True
            )
        )
        for override in Override.objects.all():
            assert paid[override.pk] <= 1
            if paid[override.pk] == 1:
                assert override.one_time and override.status == OverrideStatus.USED
            elif override.status == OverrideStatus.USED:
                assert override.pk in self.left_used and override.pk in reversed_

    @invariant()
    def on_hand_never_above_the_limit_that_applied(self):
        """(c) Every paid claim checked against a limit fitted the limit that applied
        (the plan's, or the override's allowance) when it was adjudicated, and still
        does when that is recomputed:

        - as stored: `on_hand + quantity <= limit_max_quantity`. On hand is stored to 6
          places and the quantities to 3, so both sides are multiples of 0.000001 and
          rounding cannot hide an excess. And the rate: quantity * per_days <=
          max_quantity * days_supply.
        - from the machine's record: the pure rule over the fills that were paid and
          not reversed when the claim was adjudicated gives exactly the stored on hand,
          and on hand + quantity fits.
        - from the database now, over the fills submitted before the claim (a lower id:
          the member lock orders a member's claims) that are still paid: no more than
          the stored on hand, since a later reversal only removes supply, so it fits.
          Fills submitted after the claim are left out: a back-dated one may reach into
          this claim's window, but it was decided with this claim already counted.
        """
        claims = list(Claim.objects.order_by("pk"))
        by_pk = {c.pk: c for c in claims}
        for claim in claims:
            if claim.status != ClaimStatus.PAID or claim.limit_max_quantity is None:
                continue
            maximum, per_days = Fraction(claim.limit_max_quantity), claim.limit_per_days
            quantity = Fraction(claim.quantity)
            assert claim.on_hand + claim.quantity <= claim.limit_max_quantity
            assert quantity * per_days <= maximum * claim.days_supply

            then, _ = rules.on_hand(
                [_fill(by_pk[pk]) for pk in self.seen[claim.pk].counted],
                claim.date_of_service,
                per_days,
            )
            assert _stored(then) == claim.on_hand
            assert then + quantity <= maximum

            still_paid_before = [
                _fill(c)
                for c in claims
                if c.member_id == claim.member_id
                and c.pk < claim.pk
                and c.status == ClaimStatus.PAID
                and c.ndc in POLICY_NDCS
            ]
            now, _ = rules.on_hand(still_paid_before, claim.date_of_service, per_days)
            assert now <= then
            assert now + quantity <= maximum

    @invariant()
    def a_rejected_claim_says_why(self):
        """(d) Every rejected claim carries a reject code; an unmanaged NDC never rejects
        and never uses an override."""
        assert not Claim.objects.filter(status=ClaimStatus.REJECTED, reject_code="").exists()
        unmanaged = Claim.objects.filter(ndc=UNMANAGED_NDC)
        assert not unmanaged.filter(status=ClaimStatus.REJECTED).exists()
        assert not unmanaged.filter(override__isnull=False).exists()


def test_the_services_keep_their_invariants_in_any_order(kesimpta):
    run_state_machine_as_test(ServicesMachine, settings=MACHINE_SETTINGS)


def test_the_sequence_the_machine_found_for_the_reversal_500(kesimpta):
    """Issue 9, item 9, in the shape the machine found it before override_restore was
    fixed: A (7 days) is used by the claim filled with it; the policy admin shortens
    approvals to 3 days and B is approved; two days after B's last day, with the expiry
    late, reversing A's claim gave A back while B was still stored active
    (IntegrityError). Replayed step by step, the invariants checked after each."""
    machine = ServicesMachine()
    try:
        member = machine.new_member()
        claim_with_a = machine.approve_at_once(
            member, channel="retail", approval_days=7, filled=True
        )
        machine.assert_invariants()
        machine.approve_at_once(member, channel="home_delivery", approval_days=3, filled=False)
        machine.assert_invariants()
        a, b = machine.approved
        assert Claim.objects.get(pk=claim_with_a).override_id == a
        machine.time_passes(4, expiry_runs=False)  # B's last day was day 2
        machine.assert_invariants()
        assert Override.objects.get(pk=b).status == OverrideStatus.ACTIVE

        machine.reverse(claim_with_a)  # which asserts that A is active again
        machine.assert_invariants()

        assert Override.objects.get(pk=b).status == OverrideStatus.EXPIRED
    finally:
        machine.teardown()
