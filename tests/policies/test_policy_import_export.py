"""Import and export: the shipped policies round-trip; the upload page speaks like load_policy."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from policies import validation
from policies.files import (
    PolicyFileError,
    export_policy,
    load_policy_document,
    load_policy_file,
    parse_policy_text,
)
from policies.models import Policy, ProductNDC
from tests.support.paths import EMGALITY_FILE, KESIMPTA_FILE, POLICY_DATA
from tests.support.steps import at_noon

pytestmark = pytest.mark.django_db

SHIPPED = sorted(POLICY_DATA.glob("*.yaml"))


def test_three_policies_are_shipped():
    assert [p.name for p in SHIPPED] == ["emgality.yaml", "humira.yaml", "kesimpta.yaml"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_policy_exports_and_reimports_identically(path: Path, capsys):
    policy = load_policy_file(path).policy
    assert policy.source  # every shipped policy says where it comes from
    call_command("export_policy", policy.code)
    exported = capsys.readouterr().out
    # The exported document means exactly what the file means ...
    assert parse_policy_text(exported) == parse_policy_text(path.read_text())
    # ... loading it back changes nothing ...
    assert not load_policy_document(parse_policy_text(exported), reason="re-import").changed
    # ... and loading it into an empty database gives the same policy again.
    Policy.objects.all().delete()
    again = load_policy_document(parse_policy_text(exported), reason="import").policy
    assert export_policy(again) == yaml.safe_load(exported)


def test_the_shipped_policies_load_together_and_twice(capsys):
    call_command("load_policy", *map(str, SHIPPED))
    call_command("load_policy", *map(str, SHIPPED))
    out = capsys.readouterr().out
    assert out.count("created") == 3 and out.count("unchanged") == 3


def test_an_ndc_another_policy_manages_for_the_plan_is_refused_by_the_loader(tmp_path):
    load_policy_file(KESIMPTA_FILE)
    other = EMGALITY_FILE.read_text().replace('["00002143611"]', '["00078-1007-68"]')
    path = tmp_path / "emgality.yaml"
    path.write_text(other)
    with pytest.raises(PolicyFileError) as caught:
        load_policy_file(path)
    assert caught.value.problems == [
        "policy.products[0].ndcs[0]: "
        + validation.NDC_MANAGED_ELSEWHERE.format(
            ndc="00078-1007-68",
            title=Policy.objects.get().title,
            code="cigna-ms-kesimpta-dqm",
            other_period="from 2025-05-02",
            line_of_business="Commercial",
        )
    ]
    assert Policy.objects.count() == 1
    # The same NDC under another line of business is another plan's business.
    path.write_text(other.replace("line_of_business: commercial", "line_of_business: medicare"))
    assert load_policy_file(path).created


def test_a_file_whose_version_overlaps_another_version_is_refused(tmp_path):
    load_policy_file(KESIMPTA_FILE)
    path = tmp_path / "later.yaml"
    path.write_text(kesimpta_text_with(effective_from="2026-01-01"))
    with pytest.raises(PolicyFileError) as caught:
        load_policy_file(path)
    assert caught.value.problems[0].startswith(
        "policy.effective_from: The version of cigna-ms-kesimpta-dqm from 2025-05-02"
    )


def kesimpta_text_with(**fields) -> str:
    text = KESIMPTA_FILE.read_text()
    for name, value in fields.items():
        text = text.replace(f"  {name}: 2025-05-02", f"  {name}: {value}", 1)
    return text


def test_an_ended_version_is_not_changed_by_a_file(tmp_path):
    path = tmp_path / "kesimpta.yaml"
    path.write_text(
        KESIMPTA_FILE.read_text().replace(
            "  effective_from: 2025-05-02",
            "  effective_from: 2025-05-02\n  effective_to: 2025-12-31",
        )
    )
    load_policy_file(path)  # creating an ended version (history) is fine
    path.write_text(
        path.read_text().replace("max_quantity: 1, per_days: 28", "max_quantity: 2, per_days: 28")
    )
    with at_noon(date(2026, 3, 2)), pytest.raises(PolicyFileError, match="ended on 2025-12-31"):
        load_policy_file(path)
    assert Policy.objects.get().limits.get(channel="retail").max_quantity == 1


def test_new_only_leaves_an_existing_version_as_the_admins_left_it(tmp_path, capsys):
    load_policy_file(KESIMPTA_FILE)
    path = tmp_path / "kesimpta.yaml"
    path.write_text(
        KESIMPTA_FILE.read_text().replace(
            "max_quantity: 1, per_days: 28", "max_quantity: 2, per_days: 28"
        )
    )
    call_command("load_policy", "--new-only", str(path))
    assert "unchanged" in capsys.readouterr().out
    assert Policy.objects.get().limits.get(channel="retail").max_quantity == 1


# --- The upload page -------------------------------------------------------------------


def upload(client, name: str, content: bytes, reason: str = "uploaded in a test"):
    return client.post(
        reverse("admin:policies_policy_upload"),
        {"file": SimpleUploadedFile(name, content), "reason": reason},
    )


def test_an_uploaded_file_is_loaded_and_attributed(admin_client_policy):
    response = upload(admin_client_policy, "kesimpta.yaml", KESIMPTA_FILE.read_bytes(), "initial")
    policy = Policy.objects.get()
    assert response["Location"] == reverse("admin:policies_policy_change", args=[policy.pk])
    record = policy.history.get()
    assert record.history_user == admin_client_policy.user
    assert record.history_change_reason == "uploaded kesimpta.yaml: initial"
    again = upload(admin_client_policy, "kesimpta.yaml", KESIMPTA_FILE.read_bytes())
    messages = [str(m) for m in again.wsgi_request._messages]
    assert messages[-1] == "cigna-ms-kesimpta-dqm unchanged: the file matches the policy."


def test_an_exported_file_uploads_back_unchanged(admin_client_policy, kesimpta):
    exported = admin_client_policy.get(reverse("policies:export", args=[kesimpta.pk]))
    assert exported["Content-Disposition"].endswith('"cigna-ms-kesimpta-dqm-2025-05-02.yaml"')
    response = upload(admin_client_policy, "export.yaml", exported.content)
    assert response.status_code == 302
    assert kesimpta.history.count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "bad.yaml",
            KESIMPTA_FILE.read_bytes().replace(b"max_quantity: 1,", b"max_quantity: -1,"),
        ),
        ("bad.yaml", b"policy: [not, a, mapping]"),
        ("bad.json", b"{not json"),
        ("bad.yaml", KESIMPTA_FILE.read_bytes().replace(b"approval_days: 30", b"approval_days: 0")),
        # A misspelt field would otherwise do nothing; it is refused with its path.
        ("bad.yaml", KESIMPTA_FILE.read_bytes().replace(b"auto_approve:", b"auto_aprove:")),
    ],
)
def test_a_bad_upload_shows_the_same_messages_as_load_policy(
    admin_client_policy, tmp_path, name, content
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        call_command("load_policy", str(path))
    command_lines = str(caught.value).splitlines()
    response = upload(admin_client_policy, name, content)
    assert response.status_code == 200
    assert response.context["problems"] == [line.strip() for line in command_lines[1:]]
    assert response.context["not_loaded"] == command_lines[0].replace(str(path), name)
    page = response.content.decode()
    for problem in response.context["problems"]:
        assert problem.split(":")[0] in page
    assert Policy.objects.count() == 0


def test_an_upload_with_a_misspelt_field_names_it_and_the_field_meant(admin_client_policy):
    content = KESIMPTA_FILE.read_bytes().replace(b"auto_approve:", b"auto_aprove:")
    response = upload(admin_client_policy, "kesimpta.yaml", content)
    assert response.context["problems"] == [
        "policy.criteria[0].auto_aprove: is not a field of a criterion (did you mean auto_approve?)"
    ]
    assert Policy.objects.count() == 0


def test_only_policy_admins_upload(client, pharmacist):
    client.force_login(pharmacist)
    assert upload(client, "kesimpta.yaml", KESIMPTA_FILE.read_bytes()).status_code == 302  # login
    assert Policy.objects.count() == 0
    assert ProductNDC.objects.count() == 0
