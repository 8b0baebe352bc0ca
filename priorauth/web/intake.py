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
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from policies import selectors as policy_selectors
from policies.choices import Channel
from policies.ndc import format_ndc, ndc_hint, normalize_ndc
from policies.selectors import CriterionInfo
from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access
from priorauth.errors import NDC_NOT_MANAGED, ServiceError
from priorauth.models import OverrideRequest
from priorauth.services.initiation import NOT_MANAGED, OPEN, WITHIN_LIMIT, Initiation

from .access import role_required
from .documents import DocumentsForm
from .errors import apply_errors
from .findings import read_determination
from .forms import AnswersForm, OverrideRequestForm

# Which step a POST comes from: the submit button says (step 1 posted by a program, or
# by a browser that sends no button, is step 1).
REQUEST_STEP = "request"
ANSWERS_STEP = "answers"
EDIT_STEP = "edit"  # back from step 2 or the "no PA needed" page, to change the request
DISPENSING_FIELDS = ("member_id", "ndc", "quantity", "days_supply", "channel")
DOCUMENTS_FIELD = "file"  # the documents chosen with the request (services.attachments)


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
        form.add_error("ndc", _not_managed(form))
        return _request_step(request, form)
    if _criterion_of_another_policy(form, initiation.policy):
        return _request_step(request, form, policies=[initiation.policy])
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


def _not_managed(form: OverrideRequestForm) -> str:
    """In the words typed (not the 11 digits they became), with what may have been meant."""
    typed = form.cleaned_data.get("ndc", "").strip()
    today = timezone.localdate()
    managed = policy_selectors.ndcs_in_force(today)
    return f"{NDC_NOT_MANAGED.format(ndc=typed, date=today)} {ndc_hint(typed, managed)}".strip()


def _criterion_of_another_policy(form: OverrideRequestForm, policy) -> bool:
    """A criterion picked from another policy's list (the page showed every policy's before
    the NDC was known, or without JavaScript): refused beside the list, never taken as
    this policy's criterion of the same number. Another version of the same policy is
    the same list."""
    chosen_pk = form.criterion_policy_pk
    if chosen_pk is None or policy is None or chosen_pk == policy.pk:
        return False
    chosen = policy_selectors.policy_version(chosen_pk)
    if chosen is not None and chosen.code == policy.code:
        return False
    number = form.validated.get("criterion_number")
    whose = f"one of “{chosen.title}”'s" if chosen else "not one of a policy in force"
    form.add_error(
        "criterion_number",
        f"Criterion {number} is {whose}, but NDC {format_ndc(form.validated['ndc'])} is "
        f"managed by “{policy.title}” for this member's plan: choose one of its criteria, "
        "or “Other”.",
    )
    return True


def _summary(form: OverrideRequestForm, initiation: Initiation) -> list[tuple[str, str]]:
    """The request of step 1 in words, above the questions or the "no PA needed" answer."""
    asked = form.validated
    return [
        ("Member ID", asked["member_id"]),
        (
            "Drug",
            f"NDC {format_ndc(asked['ndc'])}"
            + (f", {initiation.policy.title}" if initiation.policy else ""),
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


def _documents_form(request) -> DocumentsForm:
    """The documents chosen with the request (one form per HTTP request, so the errors the
    service finds in them are the ones the page shows)."""
    if not hasattr(request, "_documents_form"):
        posted = request.method == "POST"
        request._documents_form = DocumentsForm(
            request.POST if posted else None, request.FILES if posted else None
        )
    return request._documents_form


def _request_step(request, form: OverrideRequestForm, *, policies=None):
    """Step 1, its criterion list narrowed to the policy of the NDC given (when known)."""
    ndc = _ndc_given(form)
    if policies is None and ndc:
        policies = policy_selectors.policies_managing(ndc, timezone.localdate())
    form.narrow_criteria(policies, format_ndc(ndc))
    documents = _documents_form(request)
    failed = (form.is_bound and form.errors) or documents.errors
    return render(
        request,
        "priorauth/request_new.html",
        {"form": form, "documents_form": documents},
        status=400 if failed else 200,
    )


def _ndc_given(form: OverrideRequestForm) -> str:
    """The NDC of the form as 11 digits, "" when none or not one."""
    typed = form.data.get("ndc", "") if form.is_bound else form.initial.get("ndc", "")
    try:
        return normalize_ndc(typed or "")
    except ValueError:
        return ""


@role_required(roles.INTAKE)
def criteria_for_ndc(request):
    """The criterion list for an NDC, as step 1 would show it (static/priorauth/intake.js
    asks when the NDC changes). No member is read: the policies of every plan are given."""
    ndc = _ndc_given(OverrideRequestForm(initial={"ndc": request.GET.get("ndc", "")}))
    policies = policy_selectors.policies_managing(ndc, timezone.localdate()) if ndc else []
    form = OverrideRequestForm()
    form.narrow_criteria(policies, format_ndc(ndc))
    field = form.fields["criterion_number"]
    groups = [
        {"label": label, "options": [{"value": v, "label": text} for v, text in options]}
        for label, options in field.widget.choices[1:]
    ]
    return JsonResponse({"ndc": format_ndc(ndc), "hint": field.help_text, "groups": groups})


def _answers_step(request, form: OverrideRequestForm, questions: StepTwo):
    answers_form = questions.answers_form
    documents = _documents_form(request)
    return render(
        request,
        "priorauth/request_questions.html",
        {
            "form": form,
            "answers_form": answers_form,
            "criterion": questions.criterion,
            "summary": questions.summary,
            "documents_form": documents,
            # A browser cannot carry chosen files from one page to the next: say so.
            "documents_dropped": len(documents.files_chosen())
            if request.POST.get("step", REQUEST_STEP) == REQUEST_STEP
            else 0,
        },
        status=400 if (answers_form.is_bound and answers_form.errors) or documents.errors else 200,
    )


def _submit(request, form: OverrideRequestForm, *, answers: dict, step_two: StepTwo | None = None):
    """Submit through the service; its refusals beside the fields at fault: the request's
    on step 1, the answers' on step 2."""
    try:
        created = services.override_request_submit_with_documents(
            files=_documents_form(request).files_chosen(),
            submitted_by=request.user,
            **form.validated,
            answers=answers,
        )
    except ServiceError as error:
        errors = dict(error.errors)
        if documents_refused := errors.pop(DOCUMENTS_FIELD, None):
            apply_errors(_documents_form(request), {DOCUMENTS_FIELD: documents_refused})
        about_the_request = {k: v for k, v in errors.items() if k != "answers"}
        if step_two is None or about_the_request:
            apply_errors(form, errors if step_two is None else about_the_request)
            return _request_step(request, form)
        apply_errors(step_two.answers_form, errors)
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
