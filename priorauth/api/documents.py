"""API v1: documents attached to a request or an appeal, and reviewers' internal notes
(ADR 0016). Writes through services.attachments and services.notes; the documents of a
request or an appeal are listed in its own representation (serializers.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import parsers, status
from rest_framework.response import Response

from priorauth import inputs, selectors, services
from priorauth.audit import record_phi_access

from . import permissions
from .document_serializers import AttachmentSerializer, NoteSerializer
from .idempotency import idempotent
from .schema import CONFLICT, NOT_FOUND
from .views import BaseAPIView, _found


class _DocumentUpload(BaseAPIView):
    permission_classes = [permissions.IntakeOrReviewer]
    # Files only: a JSON body is 415, as the schema says.
    parser_classes = [parsers.MultiPartParser]

    def _files(self, request) -> list:
        return request.FILES.getlist("file")

    def _created(self, added) -> Response:
        body = AttachmentSerializer(added, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)


_UPLOAD_SCHEMA = extend_schema(
    request={"multipart/form-data": inputs.DocumentUploadInput},
    responses={
        201: AttachmentSerializer(many=True),
        404: NOT_FOUND,
        409: CONFLICT,
    },
    description=(
        "Attach documents (PDF, PNG, JPEG) while the request or appeal is open: the intake "
        "user who filed the request, a clinical pharmacist or a physician reviewer. A file "
        "whose content is not what its name and type say, or too large, is a 400 on `file` "
        "and nothing is stored. A decided request is 409: send documents with its appeal."
    ),
)


class RequestAttachmentsView(_DocumentUpload):
    @_UPLOAD_SCHEMA
    @idempotent
    def post(self, request, request_id: int):
        added = services.request_attachments_add(
            request_id=request_id, files=self._files(request), by=request.user
        )
        return self._created(added)


class AppealAttachmentsView(_DocumentUpload):
    @_UPLOAD_SCHEMA
    @idempotent
    def post(self, request, appeal_id: int):
        added = services.appeal_attachments_add(
            appeal_id=appeal_id, files=self._files(request), by=request.user
        )
        return self._created(added)


class _Notes(BaseAPIView):
    """Reviewers read and write notes; auditors read them; intake never sees them."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AppealReviewer()]
        return [permissions.ReviewerOrAuditor()]


_NOTES_GET = extend_schema(
    responses={200: NoteSerializer(many=True), 404: NOT_FOUND},
    description="The internal notes, oldest first (a read of the member, logged).",
)
_NOTES_POST = extend_schema(
    request=inputs.NoteInput,
    responses={201: NoteSerializer, 404: NOT_FOUND},
    description="Add an internal note (clinical pharmacists and physician reviewers).",
)


def _text(request) -> str:
    text = request.data.get("text", "") if hasattr(request.data, "get") else ""
    return text if isinstance(text, str) else ""


class RequestNotesView(_Notes):
    @_NOTES_GET
    def get(self, request, request_id: int):
        case = _found(selectors.case_request(request_id), "override request")
        record_phi_access(request, case.member, "api notes read")
        notes = selectors.request_notes(case)
        return Response(NoteSerializer(notes, many=True).data)

    @_NOTES_POST
    @idempotent
    def post(self, request, request_id: int):
        note = services.note_add(request_id=request_id, text=_text(request), by=request.user)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class AppealNotesView(_Notes):
    @_NOTES_GET
    def get(self, request, appeal_id: int):
        appeal = _found(selectors.appeal_case(appeal_id), "appeal")
        record_phi_access(request, appeal.member, "api notes read")
        notes = selectors.appeal_notes(appeal)
        return Response(NoteSerializer(notes, many=True).data)

    @_NOTES_POST
    @idempotent
    def post(self, request, appeal_id: int):
        note = services.note_add(appeal_id=appeal_id, text=_text(request), by=request.user)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
