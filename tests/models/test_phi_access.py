"""The PHI access log names a member in every entry but a report download (§5, §11)."""

import pytest
from django.db import IntegrityError, transaction

from priorauth import services
from priorauth.models import REPORT_DOWNLOAD, PHIAccess

pytestmark = pytest.mark.django_db


def test_only_a_report_download_may_name_no_member(auditor):
    with transaction.atomic(), pytest.raises(IntegrityError):
        PHIAccess.objects.create(user=auditor, member=None, action="member view", path="/x/")
    entry = services.phi_report_download_record(
        user=auditor, path="/reports/decisions.csv?from=2026-11-02&to=2026-11-08", remote_addr=None
    )
    assert (entry.member, entry.action) == (None, REPORT_DOWNLOAD)
    assert PHIAccess.objects.count() == 1


def test_a_report_download_entry_is_append_only_like_any_other(auditor):
    entry = services.phi_report_download_record(user=auditor, path="/r/", remote_addr=None)
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert str(entry) == f"{auditor.pk} {REPORT_DOWNLOAD} (/r/)"
