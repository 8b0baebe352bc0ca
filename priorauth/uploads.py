"""What an uploaded clinical document is, by its content: the checks both the pages and the
API make before anything is stored (docs/decisions/0016-attachments-and-notes.md).

A document is accepted only when its first bytes say PDF, PNG or JPEG, and its name's
extension and its declared content type say the same thing. A renamed program or a web
page called "chart.pdf" is refused by what it is, not by what it claims. The name a
person sees is sanitised here; the name it is stored under is a random key (services).

Pure: no database, no storage. Messages name the file as sanitised, never a path.
"""

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
# First bytes of each accepted type: "%PDF-", PNG's 8-byte signature, JPEG's SOI + a marker.
SIGNATURES = ((PDF, b"%PDF-"), (PNG, b"\x89PNG\r\n\x1a\n"), (JPEG, b"\xff\xd8\xff"))
SNIFF_BYTES = max(len(signature) for _, signature in SIGNATURES)
EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
TYPE_NAMES = {PDF: "a PDF", PNG: "a PNG image", JPEG: "a JPEG image"}
# Other spellings of the same types that browsers and tools send.
TYPE_ALIASES = {"application/x-pdf": PDF, "image/jpg": JPEG, "image/pjpeg": JPEG}
# The longest name shown (extension included); longer names are cut before the extension.
MAX_NAME_LENGTH = 100
# Files in one upload (a page's multiple-file input); the API takes one per POST.
MAX_FILES_PER_UPLOAD = 5
# Room in a multipart body for its boundaries, part headers and the other form fields.
MULTIPART_OVERHEAD = 1024 * 1024

NOT_A_DOCUMENT = "{name}: the content is not a PDF, PNG or JPEG image, whatever its name says."
WRONG_EXTENSION = "{name}: the content is {actual}, but the name ends in {extension}."
NO_EXTENSION = "{name}: the name has no extension; a PDF ends in .pdf, an image in .png or .jpg."
WRONG_DECLARED_TYPE = "{name}: sent as {declared}, but the content is {actual}."
TOO_LARGE = "{name}: {size} is larger than {limit}, the most accepted for one document."
EMPTY = "{name}: the file is empty."
NO_FILE = "Choose a PDF, PNG or JPEG file to upload."
TOO_MANY = f"Upload at most {MAX_FILES_PER_UPLOAD} documents at a time."


@dataclass(frozen=True)
class CheckedDocument:
    """An upload that passed every check: its display name and its content type."""

    upload: object  # Django's UploadedFile (or any File with .name, .size, .read, .seek)
    filename: str
    content_type: str


def max_bytes() -> int:
    return settings.PRIORAUTH_ATTACHMENT_MAX_BYTES


def multipart_body_limit() -> int:
    """The largest body carrying files that is read at all (a bigger one is 413 unread): the
    most documents one upload takes, each at the limit, and the form around them. A file a
    little over the limit still gets its field message."""
    return max_bytes() * MAX_FILES_PER_UPLOAD + MULTIPART_OVERHEAD


def display_name(raw: str | None) -> str:
    """The name shown for a file: no directories (either slash), Unicode in one form, only
    letters, digits, "-", "_" and "." (Django's get_valid_filename), no leading dots, at
    most MAX_NAME_LENGTH characters with the extension kept; "document" when nothing is left.
    """
    base = (raw or "").replace("\\", "/").split("/")[-1]
    base = unicodedata.normalize("NFC", base)
    try:
        name = get_valid_filename(base).lstrip(".")
    except SuspiciousFileOperation:  # nothing, ".", or ".." was left
        name = ""
    suffix = PurePosixPath(name).suffix if name else ""
    if len(suffix) > 10:  # not an extension anyone meant: part of the name
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    stem = stem[: MAX_NAME_LENGTH - len(suffix)].rstrip("._-") or "document"
    return stem + suffix


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove, or None."""
    return next((kind for kind, signature in SIGNATURES if head.startswith(signature)), None)


def _declared(content_type: str | None) -> str:
    bare = (content_type or "").split(";")[0].strip().lower()
    return TYPE_ALIASES.get(bare, bare)


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def problem(upload) -> tuple[str | None, str]:
    """(the first thing wrong with one upload or None, its display name)."""
    name = display_name(getattr(upload, "name", ""))
    limit = max_bytes()
    if not upload.size:
        return EMPTY.format(name=name), name
    if upload.size > limit:
        size, most = filesizeformat(upload.size), filesizeformat(limit)
        return TOO_LARGE.format(name=name, size=size, limit=most), name
    actual = sniff(_head(upload))
    if actual is None:
        return NOT_A_DOCUMENT.format(name=name), name
    extension = PurePosixPath(name).suffix.lower()
    if not extension:
        return NO_EXTENSION.format(name=name), name
    if EXTENSIONS.get(extension) != actual:
        return WRONG_EXTENSION.format(
            name=name, actual=TYPE_NAMES[actual], extension=extension
        ), name
    declared = _declared(getattr(upload, "content_type", ""))
    if declared != actual:
        return WRONG_DECLARED_TYPE.format(
            name=name, declared=declared or "no type", actual=TYPE_NAMES[actual]
        ), name
    return None, name


def check_documents(uploads: list) -> tuple[list[CheckedDocument], list[str]]:
    """Every upload checked: (the documents, every message); a document is stored only when
    there are no messages at all, so one bad file changes nothing."""
    if not uploads:
        return [], [NO_FILE]
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        return [], [TOO_MANY]
    documents, messages = [], []
    for upload in uploads:
        message, name = problem(upload)
        if message:
            messages.append(message)
        else:
            documents.append(CheckedDocument(upload, name, sniff(_head(upload))))
    return documents, messages
