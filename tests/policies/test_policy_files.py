"""The policy file format: load idempotently, update with history, refuse bad files whole."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from policies.files import (
    PolicyFileError,
    export_policy,
    load_policy_document,
    load_policy_file,
    parse_policy_text,
)
from policies.models import Criterion, Policy, Product, ProductNDC, QuantityLimit
from tests.support.data import SEED_CRITERION
from tests.support.paths import KESIMPTA_FILE

pytestmark = pytest.mark.django_db

KESIMPTA_TEXT = KESIMPTA_FILE.read_text()

# A different shape: two strengths share one limit, tablets, two criteria of 6 and 12 months.
OTHER_POLICY = {
    "policy": {
        "code": "demo-tablets-dqm",
        "title": "Demo tablets DQM",
        "line_of_business": "medicare",
        "effective_from": "2025-01-01",
        "products": [
            {"name": "Demo 10 mg tablet", "ndcs": ["11111-2222-33"], "unit": "tablet"},
            {"name": "Demo 20 mg tablet", "ndcs": ["11111222244", "11111222255"], "unit": "tablet"},
        ],
        "limits": [{"channel": "retail", "max_quantity": 30, "per_days": 30}],
        "criteria": [
            {
                "number": 1,
                "label": "Loading dose",
                "text": "Loading.",
                "approval_days": 183,
                "grants": [{"channel": "retail", "max_quantity": 60, "per_days": 30}],
            },
            {
                "number": 2,
                "label": "Maintenance",
                "text": "Maintenance.",
                "approval_days": 365,
                "grants": [{"channel": "retail", "max_quantity": 45, "per_days": 30}],
            },
        ],
    }
}


def history_rows() -> int:
    return sum(
        model.history.count() for model in (Policy, Product, ProductNDC, QuantityLimit, Criterion)
    )


def test_the_kesimpta_file_loads_faithfully():
    policy = load_policy_file(KESIMPTA_FILE).policy
    assert policy.code == "cigna-ms-kesimpta-dqm"
    assert [str(n) for n in ProductNDC.objects.filter(product__policy=policy)] == ["00078100768"]
    limits = {lim.channel: (lim.max_quantity, lim.per_days) for lim in policy.limits.all()}
    assert limits == {"retail": (1, 28), "home_delivery": (3, 84)}
    criterion = policy.criteria.get()
    assert criterion.text == SEED_CRITERION
    assert criterion.note.startswith(
        "This override provides a quantity sufficient for Weeks 0, 1, 2, and 4"
    )
    assert (criterion.one_time, criterion.approval_days) == (True, 30)
    grants = {g.channel: (g.max_quantity, g.per_days) for g in criterion.grants.all()}
    assert grants == {"retail": (4, 28), "home_delivery": (6, 84)}
    assert policy.otherwise == "Any other exception is considered not medically necessary."


def test_loading_the_same_file_twice_changes_nothing():
    load_policy_file(KESIMPTA_FILE)
    rows = history_rows()
    result = load_policy_file(KESIMPTA_FILE)
    assert not result.changed
    assert history_rows() == rows
    assert Policy.objects.count() == 1


def test_a_changed_file_updates_the_policy_and_the_change_shows_in_history(tmp_path: Path):
    load_policy_file(KESIMPTA_FILE)
    changed = tmp_path / "kesimpta.yaml"
    changed.write_text(
        KESIMPTA_TEXT.replace(
            "{channel: retail, max_quantity: 1, per_days: 28}",
            "{channel: retail, max_quantity: 2, per_days: 28}",
        )
    )
    result = load_policy_file(changed)
    assert result.changes == ["limits[retail].max_quantity"]
    limit = QuantityLimit.objects.get(channel="retail")
    assert limit.max_quantity == Decimal(2)
    newest, previous = limit.history.all()[:2]
    assert newest.history_change_reason == "loaded from kesimpta.yaml"
    delta = newest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("max_quantity", Decimal(1), Decimal(2))
    ]


def test_a_second_policy_of_another_shape_loads_through_the_same_path(tmp_path: Path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(OTHER_POLICY))
    policy = load_policy_file(path).policy
    assert policy.products.count() == 2
    assert sorted(
        ProductNDC.objects.filter(product__policy=policy).values_list("ndc", flat=True)
    ) == ["11111222233", "11111222244", "11111222255"]
    assert [(c.number, c.one_time, c.approval_days) for c in policy.criteria.all()] == [
        (1, False, 183),
        (2, False, 365),
    ]


def test_export_then_load_gives_the_same_policy():
    policy = load_policy_file(KESIMPTA_FILE).policy
    document = export_policy(policy)
    assert parse_policy_text(yaml.safe_dump(document, allow_unicode=True)) == parse_policy_text(
        KESIMPTA_TEXT
    )
    assert not load_policy_document(parse_policy_text(yaml.safe_dump(document)), reason="x").changed


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            ("max_quantity: 1, per_days: 28", "max_quantity: -1, per_days: 28"),
            "policy.limits[0].max_quantity: must be a number greater than 0, not -1.",
        ),
        (
            ("channel: home_delivery, max_quantity: 3", "channel: homedelivery, max_quantity: 3"),
            "policy.limits[1].channel: 'homedelivery' is not one of retail, home_delivery.",
        ),
        (
            ('ndcs: ["00078100768"]', 'ndcs: ["0007810076"]'),
            "policy.products[0].ndcs[0]: '0007810076' is not an NDC",
        ),
        (
            ("effective_from: 2025-05-02", "effective_from: 2025-13-02"),
            "policy.effective_from: '2025-13-02' is not a date",
        ),
        (
            ("approval_days: 30", "approval_days: 0"),
            "policy.criteria[0].approval_days: must be a whole number greater than 0",
        ),
        (
            ("line_of_business: commercial", "line_of_business: comercial"),
            "policy.line_of_business: 'comercial' is not one of",
        ),
        (
            (
                "- {channel: home_delivery, max_quantity: 6, per_days: 84}",
                "- {channel: home_delivery, max_quantity: 6, per_days: 84}\n"
                "        - {channel: retail, max_quantity: 5, per_days: 28}",
            ),
            "policy.criteria[0].grants[2].channel: retail is listed twice.",
        ),
        (
            ("per_days: 84}\n  criteria", "per_days: 84}\n  effective_to: 2024-01-01\n  criteria"),
            "policy.effective_to: The last day in force (2024-01-01) is before the first day "
            "in force (2025-05-02).",
        ),
    ],
)
def test_a_bad_file_is_refused_with_the_field_and_the_problem(tmp_path, edit, problem):
    old, new = edit
    assert old in KESIMPTA_TEXT
    path = tmp_path / "bad.yaml"
    path.write_text(KESIMPTA_TEXT.replace(old, new, 1))
    with pytest.raises(PolicyFileError) as caught:
        load_policy_file(path)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems
    assert Policy.objects.count() == 0
    assert history_rows() == 0


def test_every_problem_is_listed_at_once():
    with pytest.raises(PolicyFileError) as caught:
        parse_policy_text("policy:\n  code: x\n")
    fields = {p.split(":")[0] for p in caught.value.problems}
    assert {
        "policy.title",
        "policy.line_of_business",
        "policy.effective_from",
        "policy.products",
        "policy.limits",
    } <= fields


def test_a_failure_half_way_through_loading_leaves_nothing(monkeypatch):
    import policies.files.loading as loading

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loading, "_sync_criteria", explode)
    with pytest.raises(RuntimeError):
        load_policy_file(KESIMPTA_FILE)
    assert Policy.objects.count() == Product.objects.count() == 0


def test_the_command_reports_created_unchanged_and_refused(tmp_path, capsys):
    call_command("load_policy", str(KESIMPTA_FILE))
    call_command("load_policy", str(KESIMPTA_FILE))
    out = capsys.readouterr().out
    assert "created cigna-ms-kesimpta-dqm" in out
    assert "cigna-ms-kesimpta-dqm unchanged" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: [not, a, mapping]")
    with pytest.raises(CommandError, match="policy: must be a mapping"):
        call_command("load_policy", str(bad))


def test_export_policy_command_writes_the_file_format(capsys):
    load_policy_file(KESIMPTA_FILE)
    call_command("export_policy", "cigna-ms-kesimpta-dqm")
    exported = yaml.safe_load(capsys.readouterr().out)
    assert exported["policy"]["criteria"][0]["text"] == SEED_CRITERION
