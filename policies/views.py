"""Read-only policy pages for everyone whose role may see policies.

The admin site needs `is_staff`; clinical pharmacists are not staff, yet they read the
criteria they decide by. These pages show the same policy, its versions and its history
with diffs to anyone with the `policies.view_policy` permission (pharmacists, auditors,
policy admins, superusers); changes happen in the admin.
"""

import yaml
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import question_sets
from .files import export_policy
from .history import policy_history
from .models import Criterion, CriterionQuestion, Policy, PolicyStatus, Product
from .ndc import normalize_ndc
from .rules.determination import describe_answer
from .selectors import criterion_rules

can_view = permission_required("policies.view_policy", raise_exception=True)


def search_policies(queryset, term: str):
    """Title, code, drug name or NDC (hyphens or not): the same search as the admin's."""
    for word in term.split():
        try:
            ndc = normalize_ndc(word)
        except ValueError:
            ndc = None
        condition = (
            Q(title__icontains=word)
            | Q(code__icontains=word)
            | Q(products__name__icontains=word)
            | Q(products__ndcs__ndc__icontains=ndc or word)
        )
        queryset = queryset.filter(pk__in=Policy.objects.filter(condition).values("pk"))
    return queryset


@login_required
@can_view
def policy_list(request):
    today = timezone.localdate()
    policies = Policy.objects.order_by("code", "-effective_from")
    term = request.GET.get("q", "").strip()
    if term:
        policies = search_policies(policies, term)
    status = request.GET.get("status", "")
    if status in PolicyStatus.values:
        policies = policies.with_status(status, today)
    rows = [(policy, policy.status_on(today).label) for policy in policies]
    return render(
        request,
        "policies/policy_list.html",
        {"rows": rows, "q": term, "status": status, "statuses": PolicyStatus.choices},
    )


@login_required
@can_view
def policy_detail(request, pk: int):
    policy = get_object_or_404(
        Policy.objects.prefetch_related(
            Prefetch("products", queryset=Product.objects.prefetch_related("ndcs")),
            "limits",
            Prefetch(
                "criteria",
                queryset=Criterion.objects.prefetch_related("grants", "questions", "evidence"),
            ),
        ),
        pk=pk,
    )
    today = timezone.localdate()
    versions = [
        (version, version.status_on(today).label)
        for version in Policy.objects.filter(code=policy.code).order_by("effective_from")
    ]
    return render(
        request,
        "policies/policy_detail.html",
        {
            "policy": policy,
            "criteria": [(c, question_set_in_words(c)) for c in policy.criteria.all()],
            "status": policy.status_on(today).label,
            "versions": versions,
            "policy_history": policy_history(policy),
            "can_edit": request.user.is_staff and request.user.has_perm("policies.change_policy"),
        },
    )


def _question_in_words(question: CriterionQuestion) -> dict:
    return {
        "text": question.text,
        "id": question.key,
        "type": question.get_type_display(),
        "required": question.required,
        "choices": question.choices,
        "approving": [describe_answer(value) for value in question.approve_when],
    }


def question_set_in_words(criterion: Criterion) -> dict:
    """A criterion's questions, evidence and automatic approval as the policy page words them."""
    return {
        "automatic": question_sets.describe_automatic_approval(criterion_rules(criterion)),
        "questions": [_question_in_words(q) for q in criterion.questions.all()],
        "evidence": [
            question_sets.describe_evidence(e.clause, e.days) for e in criterion.evidence.all()
        ],
    }


@login_required
@can_view
def policy_export(request, pk: int):
    policy = get_object_or_404(Policy, pk=pk)
    text = yaml.safe_dump(export_policy(policy), sort_keys=False, allow_unicode=True)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    filename = f"{policy.code}-{policy.effective_from:%Y-%m-%d}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
