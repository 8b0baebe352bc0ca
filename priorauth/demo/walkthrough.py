"""The plan carried out the way people would, through the services: intake submits each
request, pharmacists take, pend and decide them, and half the approved new starts fill
their induction doses."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from policies import selectors as policy_selectors
from policies.models import Channel
from policies.rules import describe_quantity
from priorauth import services
from priorauth.models import Claim, ClaimStatus, DecisionOutcome, OverrideRequest, RequestStatus

from .coverage import DemoPolicy
from .histories import fill
from .narratives import (
    ANSWER_NOTES,
    ANSWERED_NOTES,
    HOME_DELIVERY_OTHER_NOTES,
    INITIATION,
    INITIATION_NOTES,
    OTHER,
    OTHER_NOTES,
    PEND_REASONS,
    PRESCRIBER_NPIS,
    REINDUCTION_NOTES,
    WITHDRAW_REASONS,
)
from .planner import PlannedRequest


class Ask(NamedTuple):
    """What a request asks for, and the note template it is told with."""

    channel: str
    quantity: Decimal
    days: int
    template: str
    criterion_number: int | None


def walk_requests(
    demo_policy: DemoPolicy,
    planned: list[PlannedRequest],
    *,
    rng: random.Random,
    today: date,
    staff: dict,
) -> None:
    RequestWalk(demo_policy, rng, today, staff).run(planned)


@dataclass
class RequestWalk:
    demo_policy: DemoPolicy
    rng: random.Random
    today: date
    staff: dict  # username -> demo user

    def run(self, planned: list[PlannedRequest]) -> None:
        # All submitted, then all moved: the generator is drawn in this order (the data).
        for plan in planned:
            plan.request = self.submit(plan)
        for index, plan in enumerate(planned):
            self.move_to_planned_status(plan, index)
        self.fill_induction_doses(planned)

    # --- Submitting -------------------------------------------------------------

    def submit(self, plan: PlannedRequest) -> OverrideRequest:
        paid = [claim for claim in plan.who.fills if claim.status == ClaimStatus.PAID]
        last_fill = paid[-1] if paid else None
        ask = self._replacement(last_fill) if plan.kind == OTHER else self._induction(plan)
        # Written before the prescriber is drawn: the generator's order makes the data.
        clinical_notes = self._clinical_notes(ask, plan, last_fill)
        return services.override_request_submit(
            member_id=plan.who.member.member_id,
            ndc=self.demo_policy.ndc,
            quantity=ask.quantity,
            days_supply=ask.days,
            channel=ask.channel,
            prescriber_npi=self.rng.choice(PRESCRIBER_NPIS),
            urgency=plan.urgency,
            criterion_number=ask.criterion_number,
            clinical_notes=clinical_notes,
            answers=self._askable(plan.answers),
            submitted_by=self.staff["intake"],
        )

    def _askable(self, answers: dict) -> dict:
        """The answers to questions the loaded criterion asks (the service refuses others)."""
        if not answers:
            return {}
        criterion = policy_selectors.criteria_of(self.demo_policy.policy).get(
            self.demo_policy.criterion.number
        )
        asked = {q.id for q in criterion.rules.questions} if criterion is not None else set()
        return {key: value for key, value in answers.items() if key in asked}

    def _replacement(self, last_fill: Claim | None) -> Ask:
        """A replacement of the usual fill, in the channel the member fills in."""
        demo_policy = self.demo_policy
        channel = last_fill.channel if last_fill else demo_policy.maintenance_limit.channel
        limit = demo_policy.limit_for(channel)
        notes = OTHER_NOTES
        if channel == Channel.HOME_DELIVERY:
            notes += HOME_DELIVERY_OTHER_NOTES
        return Ask(channel, limit.max_quantity, limit.per_days, self.rng.choice(notes), None)

    def _induction(self, plan: PlannedRequest) -> Ask:
        """The criterion's granted quantity, at retail mostly (always, when answered through
        the question set: the system approves only what the grant at the channel allows)."""
        grants = self.demo_policy.grants
        channels = list(grants)
        channel = Channel.RETAIL if Channel.RETAIL in channels else channels[0]
        if not plan.story and len(channels) > 1 and self.rng.random() < 0.2:
            channel = next(c for c in channels if c != channel)
        grant = grants[channel]
        if plan.story:
            template = ANSWERED_NOTES[plan.story]
        else:
            notes = INITIATION_NOTES if plan.kind == INITIATION else REINDUCTION_NOTES
            template = self.rng.choice(notes)
        return Ask(
            channel, grant.max_quantity, grant.per_days, template, self.demo_policy.criterion.number
        )

    def _clinical_notes(self, ask: Ask, plan: PlannedRequest, last_fill: Claim | None) -> str:
        demo_policy, unit, fills = self.demo_policy, self.demo_policy.unit, plan.who.fills
        limit = demo_policy.limit_for(ask.channel)
        return ask.template.format(
            product=demo_policy.product_name,
            unit=unit,
            qty=describe_quantity(ask.quantity, unit),
            days=ask.days,
            channel=Channel(ask.channel).label,
            limit=(
                f"{describe_quantity(limit.max_quantity, unit)} per "
                f"{limit.per_days} days at {limit.get_channel_display()}"
            ),
            # Drawn whether or not the template uses it, so every template keeps the data.
            soon=self.today + timedelta(days=self.rng.randint(2, 10)),
            since=fills[0].date_of_service if fills else self.today,
            last=last_fill.date_of_service if last_fill else self.today,
        )

    # --- Moving to the planned status ------------------------------------------

    def move_to_planned_status(self, plan: PlannedRequest, index: int) -> None:
        """`index` varies the path taken, e.g. approved with or without being taken first."""
        if plan.story or plan.request.status == RequestStatus.APPROVED:
            # Determined by the system at receipt (a policy may approve some requests with
            # no answers at all): approved, or waiting for a pharmacist as it is.
            plan.request.refresh_from_db()
            plan.status = plan.request.status
            return
        step = {
            RequestStatus.APPROVED: self._approve,
            RequestStatus.DENIED: self._deny,
            RequestStatus.WITHDRAWN: self._withdraw,
            RequestStatus.NEEDS_INFO: self._ask_for_information,
            RequestStatus.IN_REVIEW: self._take,
        }.get(plan.status, self._leave_pending)
        step(plan, index)
        plan.request.refresh_from_db()

    def _approve(self, plan: PlannedRequest, index: int) -> None:
        pk, pharmacist = plan.request.pk, self.staff["pharmacist"]
        if index % 3:
            services.override_request_take(request_id=pk, by=pharmacist)
        services.override_request_decide(
            request_id=pk,
            outcome=DecisionOutcome.APPROVE,
            by=pharmacist,
            criterion_number=self.demo_policy.criterion.number,
        )

    def _deny(self, plan: PlannedRequest, index: int) -> None:
        pk, pharmacist = plan.request.pk, self.staff["pharmacist"]
        services.override_request_take(request_id=pk, by=pharmacist)
        reason = self.demo_policy.policy.otherwise
        if plan.kind != OTHER:
            criterion = self.demo_policy.criterion
            reason = (
                f"The documentation sent does not support criterion {criterion.number} "
                f"({criterion.label}). {reason}"
            )
        services.override_request_decide(
            request_id=pk, outcome=DecisionOutcome.DENY, by=pharmacist, reason=reason
        )

    def _withdraw(self, plan: PlannedRequest, index: int) -> None:
        pk = plan.request.pk
        if index % 2:
            services.override_request_pend(
                request_id=pk, reason=self.rng.choice(PEND_REASONS), by=self.staff["pharmacist2"]
            )
        services.override_request_withdraw(
            request_id=pk, reason=self.rng.choice(WITHDRAW_REASONS), by=self.staff["intake"]
        )

    def _ask_for_information(self, plan: PlannedRequest, index: int) -> None:
        self._take_and_pend(plan.request.pk, by=self.staff["pharmacist"])

    def _take(self, plan: PlannedRequest, index: int) -> None:
        reviewer = self.staff["pharmacist" if index % 2 else "pharmacist2"]
        services.override_request_take(request_id=plan.request.pk, by=reviewer)

    def _leave_pending(self, plan: PlannedRequest, index: int) -> None:
        if index % 4 != 1:
            return  # never touched since it was received
        # Pending again after the requester answered a question.
        pk = plan.request.pk
        self._take_and_pend(pk, by=self.staff["pharmacist2"])
        services.override_request_answer(
            request_id=pk, notes=self.rng.choice(ANSWER_NOTES), by=self.staff["intake"]
        )

    def _take_and_pend(self, pk: int, *, by) -> None:
        """A pharmacist takes the request and asks the requester a question."""
        services.override_request_take(request_id=pk, by=by)
        services.override_request_pend(request_id=pk, reason=self.rng.choice(PEND_REASONS), by=by)

    # --- Claims after approval ----------------------------------------------------

    def fill_induction_doses(self, planned: list[PlannedRequest]) -> None:
        """Half the approved new starts have filled the induction quantity today."""
        # Not the system's approvals: those stay in force, for a pharmacist to look over.
        approved = [
            p
            for p in planned
            if p.status == RequestStatus.APPROVED and p.kind == INITIATION and not p.story
        ]
        for plan in approved[::2]:
            rx = plan.request.prescription
            fill(
                plan.who,
                channel=rx.channel,
                quantity=rx.quantity,
                days=rx.days_supply,
                on=self.today,
                by=self.staff["claims"],
            )
