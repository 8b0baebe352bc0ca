"""What API v1 answers about documents and internal notes (ADR 0016)."""

from rest_framework import serializers

from priorauth.models import Attachment, DocumentType, Note


class AttachmentSerializer(serializers.ModelSerializer):
    """A document's facts; its content is read on the case pages (each read logged)."""

    content_type = serializers.ChoiceField(
        choices=DocumentType.choices, help_text="What the content proved to be."
    )
    size = serializers.IntegerField(min_value=1, help_text="Bytes.")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    appeal_id = serializers.IntegerField(
        allow_null=True, help_text="The appeal it was sent with; null: sent with the request."
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "filename",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
            "appeal_id",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    author_name = serializers.CharField(
        source="author.get_full_name", help_text="The author's full name; empty if none is set."
    )
    appeal_id = serializers.IntegerField(
        allow_null=True, help_text="The appeal it is about; null: about the request."
    )

    class Meta:
        model = Note
        fields = ["id", "author", "author_name", "text", "created_at", "appeal_id"]
        read_only_fields = fields
