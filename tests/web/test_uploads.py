"""What an uploaded document is, by its content; what it is called (priorauth/uploads.py)."""

import pytest

from priorauth import uploads
from tests.support.documents import EXE, HTML, jpeg_bytes, pdf_bytes, png_bytes, upload


@pytest.mark.parametrize(
    ("name", "content", "declared", "kind"),
    [
        ("chart.pdf", pdf_bytes(), "application/pdf", "application/pdf"),
        ("scan.png", png_bytes(), "image/png", "image/png"),
        ("photo.jpg", jpeg_bytes(), "image/jpeg", "image/jpeg"),
        ("photo.JPEG", jpeg_bytes(), "image/pjpeg", "image/jpeg"),  # an old browser's type
    ],
)
def test_each_accepted_type_passes_and_is_named_by_its_content(name, content, declared, kind):
    (document,), problems = uploads.check_documents([upload(name, content, declared)])
    assert problems == []
    assert (document.filename, document.content_type) == (name, kind)


@pytest.mark.parametrize(
    ("name", "content", "declared", "message"),
    [
        # A program renamed to look like a PDF: its bytes say otherwise.
        ("labs.pdf", EXE, "application/pdf", uploads.NOT_A_DOCUMENT.format(name="labs.pdf")),
        ("labs.exe", EXE, "application/octet-stream", "labs.exe: the content is not a PDF"),
        # A web page disguised as a PDF.
        ("note.pdf", HTML, "application/pdf", "note.pdf: the content is not a PDF"),
        # A real PDF under an image's name, or declared as something else.
        ("scan.png", pdf_bytes(), "image/png", "the content is a PDF, but the name ends in .png"),
        ("chart.pdf", pdf_bytes(), "text/html", "sent as text/html, but the content is a PDF"),
        ("chart", pdf_bytes(), "application/pdf", "chart: the name has no extension"),
        ("empty.pdf", b"", "application/pdf", "empty.pdf: the file is empty."),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_by_name(name, content, declared, message):
    documents, problems = uploads.check_documents([upload(name, content, declared)])
    assert documents == []
    assert len(problems) == 1 and message in problems[0]


def test_a_file_over_the_limit_is_refused_with_both_sizes(settings):
    settings.PRIORAUTH_ATTACHMENT_MAX_BYTES = 1024
    big = upload("big.pdf", pdf_bytes() + b"0" * 1024, "application/pdf")
    documents, problems = uploads.check_documents([big])
    assert documents == []
    assert problems[0].startswith("big.pdf: 1.") and "larger than 1.0\xa0KB" in problems[0]


def test_every_bad_file_of_an_upload_is_named_and_none_is_kept():
    good = upload("good.pdf", pdf_bytes(), "application/pdf")
    documents, problems = uploads.check_documents(
        [good, upload("a.pdf", HTML, "application/pdf"), upload("b.png", EXE, "image/png")]
    )
    assert len(documents) == 1 and [p.split(":")[0] for p in problems] == ["a.pdf", "b.png"]


def test_no_file_and_too_many_files_are_refused():
    assert uploads.check_documents([]) == ([], [uploads.NO_FILE])
    six = [upload(f"{i}.pdf", pdf_bytes(), "application/pdf") for i in range(6)]
    assert uploads.check_documents(six) == ([], [uploads.TOO_MANY])


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("/var/www/chart.pdf", "chart.pdf"),
        ("..", "document"),
        ("", "document"),
        (".hidden.pdf", "hidden.pdf"),
        ("Röntgen befund (2).pdf", "Röntgen_befund_2.pdf"),
        ("Ro\u0308ntgen.pdf", "Röntgen.pdf"),  # decomposed: one form, NFC
        ("chart<script>.pdf", "chartscript.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("扫描.png", "扫描.png"),
    ],
)
def test_names_are_sanitised_for_display(raw, shown):
    assert uploads.display_name(raw) == shown


def test_a_long_name_is_cut_before_its_extension():
    shown = uploads.display_name("x" * 300 + ".pdf")
    assert len(shown) == uploads.MAX_NAME_LENGTH and shown.endswith("x.pdf")
