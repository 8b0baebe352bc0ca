"""The synthetic people and their stories, as data.

No real patient data: names come from short fixed lists of common names, member IDs
are DEMO000001, DEMO000002, ..., prescriber NPIs are made up (only their check digit
holds), and the notes are written for the demo.
"""

from datetime import date

from priorauth.validators import npi_check_digit_ok

# Every demo member ID starts with it; it is also how a second run recognises the demo.
DEMO_PREFIX = "DEMO"

FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
    "Thomas", "Sarah", "Daniel", "Karen", "Maria", "Carlos", "Aisha", "Wei",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Nguyen", "Patel", "Kim", "Clark",
)  # fmt: skip
PLAN_NAMES = {
    "commercial": ("Demo PPO", "Demo HMO", "Demo HDHP"),
    "medicare": ("Demo Medicare Advantage",),
    "medicaid": ("Demo Medicaid Managed Care",),
    "exchange": ("Demo Exchange Silver",),
}
# For a line of business the lists above do not know.
FALLBACK_PLAN_NAMES = ("Demo Plan",)
DOB_FIRST = date(1950, 1, 1)
DOB_LAST = date(2000, 12, 31)


def demo_member_id(number: int) -> str:
    return f"{DEMO_PREFIX}{number:06d}"


def _synthetic_npi(base: str) -> str:
    """A 10-digit NPI whose check digit holds (synthetic: not a real prescriber)."""
    return next(base + d for d in "0123456789" if npi_check_digit_ok(base + d))


PRESCRIBER_NPIS = tuple(
    _synthetic_npi(base)
    for base in ("123456789", "198765432", "154321098", "176543210", "143219876", "165432109")
)

# Members: what their claim history looks like.
NEW_START = "new start"  # no fills yet
RETAIL = "retail"  # monthly retail maintenance fills
HOME_DELIVERY = "home delivery"  # retail first, then switched to home delivery
EARLY_REFILL = "early refill"  # retail maintenance with one rejected early refill

# Requests: what the requester is asking for.
INITIATION = "initiation"  # criterion attested: starting therapy
REINDUCTION = "reinduction"  # criterion attested: additional induction dosing
OTHER = "other"  # no criterion: lost/damaged supply, travel

INITIATION_NOTES = (
    "New start. Neurology office called: first dose planned for {soon:%m/%d}, patient was "
    "trained on the {unit} at today's visit. The induction schedule needs {qty} for the "
    "first {days} days, above the plan limit of {limit}. No prior {product} fills in claims "
    "history.",
    "Patient switching from another disease-modifying therapy (washout completed per "
    "prescriber). Initiating {product}; Rx written for the loading doses: {qty} for {days} "
    "days at {channel}. Confirmed with the prescriber's MA that this is induction, not the "
    "ongoing maintenance quantity.",
    "Rx received for {qty} / {days} days at {channel}. Claims show no previous {product} "
    "fills; prescriber attests the patient is initiating treatment. Loading doses first, then "
    "maintenance within the limit of {limit}.",
    "Newly diagnosed, treatment-naive. Prescriber wants induction dosing started before the "
    "patient's next MRI. Requesting {qty} for the first {days} days. Spoke with the office "
    "to confirm the start date ({soon:%m/%d}).",
)
REINDUCTION_NOTES = (
    "On {product} maintenance since {since:%m/%d/%Y}. Therapy was held for about 3 months "
    "for an infection; prescriber is restarting with additional induction dosing. "
    "Requesting {qty} for {days} days at {channel}.",
    "Member has maintenance fills since {since:%m/%d/%Y}. Prescriber documents a treatment "
    "interruption and asks for repeat induction doses before resuming the usual schedule: "
    "{qty} for {days} days.",
)
OTHER_NOTES = (
    "Patient reports the {unit} was dropped and damaged before the dose was given; the "
    "device complaint was filed with the manufacturer. Requesting a replacement ({qty} for "
    "{days} days) ahead of the next fill date. Not an induction request.",
    "Patient left the refrigerated {unit} in the car over the weekend and the product was "
    "discarded. Requesting an early replacement fill of {qty}. Last fill {last:%m/%d/%Y}.",
    "Travelling abroad for several weeks; requesting an early fill to cover the trip "
    "(vacation supply). Currently on maintenance, no change in dose.",
)
HOME_DELIVERY_OTHER_NOTES = (
    "Pharmacy reports the {unit} was lost in the mail (home delivery tracking shows it "
    "delivered to the wrong address). Requesting a replacement of {qty}.",
)
# Short on purpose: the services copy pend and withdrawal reasons into the history
# change reason, a 100-character column (PostgreSQL refuses longer values).
PEND_REASONS = (
    "Please send the chart note with the induction schedule and first dose date.",
    "Need the date the previous therapy was stopped: is this a restart?",
    "Please confirm the quantity: the Rx and the request form differ.",
)
ANSWER_NOTES = (
    "Office faxed the chart note (2 pages): first dose given in clinic, remaining loading "
    "doses at home per the schedule.",
    "Prescriber's MA confirmed by phone: restart after a treatment interruption; Rx quantity "
    "is correct.",
)
WITHDRAW_REASONS = (
    "Prescriber's office: the patient will start a different therapy.",
    "Duplicate of a request already submitted by fax.",
    "The pharmacy re-billed within the limit; no override needed.",
)

# Requests answered through the question set (docs/domain.md §9), for the one policy whose
# questions the demo knows. The system determines each at receipt: it approves the new
# start, and leaves the other two to a pharmacist with its reasons. Answers to questions
# the loaded policy does not ask are left out (then all three wait for a pharmacist).
QUESTION_SET_POLICY = "cigna-ms-kesimpta-dqm"
ANSWERED_NEW_START = "answered: new start"  # no fills, "initiating treatment": approved
ANSWERED_RECENT_FILL = "answered: recent fill"  # "initiating treatment", but a recent fill
ANSWERED_REINDUCTION = "answered: reinduction"  # "additional induction dosing"
ANSWERS = {
    ANSWERED_NEW_START: {"reason": "initiating treatment"},
    ANSWERED_RECENT_FILL: {"reason": "initiating treatment"},
    ANSWERED_REINDUCTION: {"reason": "additional induction dosing"},
}
ANSWERED_NOTES = {
    ANSWERED_NEW_START: "Sent through the electronic question set. Prescriber answered "
    "'initiating treatment': first dose planned for {soon:%m/%d}, {qty} for the first {days} "
    "days at {channel}.",
    ANSWERED_RECENT_FILL: "Sent through the electronic question set. The new prescriber's "
    "office answered 'initiating treatment'; the patient may have been started elsewhere. "
    "Requesting {qty} for {days} days at {channel}.",
    ANSWERED_REINDUCTION: "Sent through the electronic question set. Prescriber answered "
    "'additional induction dosing' after a treatment interruption; maintenance since "
    "{since:%m/%d/%Y}. Requesting {qty} for {days} days.",
}

# Appeals of denied requests (docs/domain.md §10), for the same policy: each filed by the
# office that submitted the request, and taken as far as its planned end. In this order,
# so that a demo with few members still has the first ones.
APPEAL_PENDING = "appeal: pending"
APPEAL_OVERTURNED = "appeal: overturned"  # a pharmacist who did not deny it overturns it
APPEAL_UPHELD = "appeal: upheld"  # a physician reviewer upholds it
APPEAL_IN_REVIEW = "appeal: in review"
APPEAL_NEEDS_INFO = "appeal: needs information"
APPEAL_WITHDRAWN = "appeal: withdrawn"
APPEAL_ENDS = (
    APPEAL_PENDING,
    APPEAL_OVERTURNED,
    APPEAL_UPHELD,
    APPEAL_IN_REVIEW,
    APPEAL_NEEDS_INFO,
    APPEAL_WITHDRAWN,
)
APPEAL_REASONS = {
    APPEAL_PENDING: "The denial says there is no evidence of initiation, but the patient has "
    "never had this drug: the first dose is scheduled at the infusion center.",
    APPEAL_OVERTURNED: "The neurologist's note (attached) documents a new diagnosis and no "
    "prior disease-modifying therapy: this is initiation, as the criterion requires.",
    APPEAL_UPHELD: "The patient missed two maintenance doses while travelling; the prescriber "
    "asks for the induction quantity again to restart.",
    APPEAL_IN_REVIEW: "Treatment was stopped for 4 months for a serious infection; the "
    "prescriber restarts with loading doses.",
    APPEAL_NEEDS_INFO: "Restarting after a pregnancy; the office will send the chart note.",
    APPEAL_WITHDRAWN: "Asking again for the loading doses denied last week.",
}
APPEAL_NOTES = {
    APPEAL_OVERTURNED: "Neurology consult note: newly diagnosed relapsing MS, treatment-naive; "
    "first dose planned in clinic next week.",
    APPEAL_UPHELD: "Pharmacy fill history shows maintenance fills every 28 days until two "
    "months ago.",
}
APPEAL_PEND_REASON = "Please send the chart note documenting the treatment interruption."
APPEAL_UPHOLD_REASON = (
    "Missed maintenance doses are not a treatment interruption that calls for re-induction "
    "under the criterion; the fill history shows maintenance therapy until two months ago. "
    "Maintenance may resume within the plan limit."
)
APPEAL_WITHDRAW_REASON = "The office called: the patient starts a different therapy instead."
