"""Intake: a new override request in two steps, and the requests this user submitted
(with, for a denied one, its appeals or an "Appeal" link: appeal_filing.py).

Step 1 is the request. Once its fields are right, the PA initiation (docs/domain.md §9)
says whether one is needed at all: a claim that would pay today needs nothing, and
nothing is written. When the criterion chosen has questions, step 2 asks them, with the
request carried in hidden inputs that are checked again on the final POST (never
trusted). Anything else is submitted straight away, as before question sets.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from policies.choices import Channel
from policies.selectors import CriterionInfo
from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access, record_phi_access_many
from priorauth.errors import ServiceError
from priorauth.models import OverrideRequest
from priorauth.services.initiation import NOT_MANAGED, OPEN, WITHIN_LIMIT, Initiation

from .access import role_required
from .appeal_filing import appeal_state
from .display import page_of
from .errors import apply_errors
from .findings import read_determination
from .forms import AnswersForm, OverrideRequestForm

# Which step a POST comes from: the submit button says (step 1 posted by a program, or
# by a browser that sends no button, is step 1).
REQUEST_STEP = "request"
ANSWERS_STEP = "answers"
EDIT_STEP = "edit"  # back from step 2 or the "no PA needed" page, to change the request
DISPENSING_FIELDS = ("member_id", "ndc", "quantity", "days_supply", "channel")


@role_required(roles.INTAKE)
def request_new(request):
    if request.method != "POST":
        return _request_step(request, OverrideRequestForm())
    step = request.POST.get("step", REQUEST_STEP)
    if step == EDIT_STEP:
        # The values again, unchecked: an unbound form shows them without errors.
        posted = {name: request.POST.get(name, "") for name in OverrideRequestForm.base_fields}
        return _request_step(request, OverrideRequestForm(initial=posted))
    form = OverrideRequestForm(request.POST)
    if not form.is_valid():
        return _request_step(request, form)
    try:
        initiation = services.pa_initiate(**{f: form.validated[f] for f in DISPENSING_FIELDS})
    except ServiceError as error:
        apply_errors(form, error.errors)
        return _request_step(request, form)
    # The answer comes from the member's claims and overrides: a read of their record.
    record_phi_access(request, initiation.member, "intake PA initiation")
    if initiation.reason == WITHIN_LIMIT:
        return render(
            request,
            "priorauth/request_not_needed.html",
            {"form": form, "initiation": initiation, "summary": _summary(form, initiation)},
        )
    if initiation.reason == NOT_MANAGED:
        form.add_error("ndc", initiation.message)
        return _request_step(request, form)
    criterion = _chosen(initiation, form.validated.get("criterion_number"))
    if criterion is None or not criterion.rules.questions:
        return _submit(request, form, answers={})
    questions = StepTwo(
        answers_form=AnswersForm(
            criterion.rules.questions, request.POST if step == ANSWERS_STEP else None
        ),
        criterion=criterion,
        summary=_summary(form, initiation),
    )
    if step != ANSWERS_STEP or not questions.answers_form.is_valid():
        return _answers_step(request, form, questions)
    return _submit(request, form, answers=questions.answers_form.answers(), step_two=questions)


@dataclass(frozen=True)
class StepTwo:
    """The questions of the criterion chosen, as step 2 shows them."""

    answers_form: AnswersForm
    criterion: CriterionInfo
    summary: list[tuple[str, str]]


def _chosen(initiation: Initiation, number: int | None) -> CriterionInfo | None:
    """The criterion chosen in step 1 among the managing policy's (None: "other", or a
    number the policy lacks, which the service refuses in its own words)."""
    if initiation.status != OPEN or number is None:
        return None
    return next((c for c in initiation.criteria if c.number == number), None)


def _summary(form: OverrideRequestForm, initiation: Initiation) -> list[tuple[str, str]]:
    """The request of step 1 in words, above the questions or the "no PA needed" answer."""
    asked = form.validated
    return [
        ("Member ID", asked["member_id"]),
        (
            "Drug",
            f"NDC {asked['ndc']}" + (f", {initiation.policy.title}" if initiation.policy else ""),
        ),
        (
            "Requested",
            f"{asked['quantity'].normalize():f} for {asked['days_supply']} days, "
            f"{Channel(asked['channel']).label}",
        ),
        ("Prescriber", prescriber_words(asked["prescriber_npi"])),
    ]


def prescriber_words(npi: str) -> str:
    """Who the NPI is, from the directory: what the lookup shows as it is typed, said by
    the server too (progressive enhancement)."""
    prescriber = selectors.prescriber_in_directory(npi)
    if prescriber is None:
        return f"NPI {npi}: not in the prescriber directory"
    return " · ".join(
        part for part in (prescriber.display_name, prescriber.specialty, f"NPI {npi}") if part
    )


def _request_step(request, form: OverrideRequestForm):
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "priorauth/request_new.html", {"form": form}, status=status)


def _answers_step(request, form: OverrideRequestForm, questions: StepTwo):
    answers_form = questions.answers_form
    return render(
        request,
        "priorauth/request_questions.html",
        {
            "form": form,
            "answers_form": answers_form,
            "criterion": questions.criterion,
            "summary": questions.summary,
        },
        status=400 if answers_form.is_bound and answers_form.errors else 200,
    )


def _submit(request, form: OverrideRequestForm, *, answers: dict, step_two: StepTwo | None = None):
    """Submit through the service; its refusals beside the fields at fault: the request's
    on step 1, the answers' on step 2."""
    try:
        created = services.override_request_submit(
            submitted_by=request.user, **form.validated, answers=answers
        )
    except ServiceError as error:
        about_the_request = {k: v for k, v in error.errors.items() if k != "answers"}
        if step_two is None or about_the_request:
            apply_errors(form, error.errors if step_two is None else about_the_request)
            return _request_step(request, form)
        apply_errors(step_two.answers_form, error.errors)
        return _answers_step(request, form, step_two)
    return _received(request, created)


def _received(request, created: OverrideRequest):
    """Approved at once: its notice (authorization number, dates, what it allows).
    Otherwise: when it is due, and why the system left it to a pharmacist."""
    found = read_determination(created.determination)
    if found.approved_automatically:
        override = created.override
        messages.success(
            request,
            f"Request {created.pk} was approved automatically by the system: authorization "
            f"number {override.authorization_number}, in force {override.starts_on} to "
            f"{override.ends_on}.",
        )
        return redirect("notice", request_id=created.pk)
    messages.success(
        request,
        f"Request {created.pk} received; due by "
        f"{timezone.localtime(created.due_at):%Y-%m-%d %H:%M %Z}. Prescriber: "
        f"{prescriber_words(created.prescription.prescriber.npi)}.",
    )
    if found.reasons:
        messages.info(
            request,
            "A pharmacist will decide it. The system did not approve it because: "
            + " ".join(found.reasons),
        )
    return redirect("my-requests")


@role_required(roles.INTAKE)
def my_requests(request):
    page = page_of(selectors.requests_submitted_by(request.user), request)
    record_phi_access_many(request, [r.member_id for r in page.object_list], "my requests view")
    today = timezone.localdate()
    rows = [(r, appeal_state(r, today)) for r in page.object_list]
    return render(request, "priorauth/my_requests.html", {"page": page, "rows": rows})
