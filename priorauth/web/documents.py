"""What the case pages show of a request's documents and internal notes, and the forms that
add them (ADR 0016). The views are attachments.py; this module is what the request's and the
appeal's pages (case.py, appeals.py) read, so neither imports the other."""

from django import forms

from priorauth import roles, selectors, services
from priorauth.uploads import EXTENSIONS, MAX_FILES_PER_UPLOAD, max_bytes

ACCEPT = ",".join([*EXTENSIONS, "application/pdf", "image/png", "image/jpeg"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Any number of files under one name (Django's documented pattern); the checks of
    what they are and how large are the service's (priorauth/uploads.py)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [d for d in data if d]
        return [data] if data else []


def documents_help() -> str:
    megabytes = max_bytes() / (1024 * 1024)
    return (
        f"PDF, PNG or JPEG, up to {megabytes:g} MB each, at most {MAX_FILES_PER_UPLOAD} at a "
        "time: chart notes, lab results, a faxed letter."
    )


class DocumentsForm(forms.Form):
    file = DocumentsField(label="Clinical documents", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = documents_help()

    def files_chosen(self) -> list:
        return self.files.getlist("file") if self.files else []


def case_documents(request, case, appeal=None) -> dict:
    """The documents and (for reviewers and auditors) the notes a case page shows; the
    forms are offered to those who may add to them."""
    user = request.user
    rows = (
        selectors.appeal_attachments(appeal)
        if appeal is not None
        else selectors.request_attachments(case)
    )
    target_open = appeal.is_open if appeal is not None else case.is_open
    reviewer = roles.has_role(user, *roles.REVIEWERS)
    notes = selectors.appeal_notes(appeal) if appeal is not None else selectors.request_notes(case)
    return {
        "attachments": list(rows),
        "may_attach": target_open and services.may_attach(user, case),
        "attach_url_name": "appeal-attachments" if appeal is not None else "request-attachments",
        "attach_target": appeal if appeal is not None else case,
        "documents_help": documents_help(),
        "documents_accept": ACCEPT,
        "notes": list(notes),
        "may_note": reviewer,
        "note_url_name": "appeal-notes" if appeal is not None else "request-notes",
        "note_max_length": services.NOTE_MAX_LENGTH,
    }
