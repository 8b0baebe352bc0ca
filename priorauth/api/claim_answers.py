"""The answer to a point-of-service claim, rendered without building a serializer per claim."""

from functools import cache

from .serializers import ClaimSerializer


def claim_data(claim) -> dict:
    """`ClaimSerializer(claim).data`, from one serializer built once per process.

    The answer to every point-of-service claim: DRF deep-copies a serializer's declared
    fields into each new instance, and that copy cost more than turning the claim into
    JSON (issue 14's profile). Representation keeps nothing on the serializer, so one
    instance serves every request and thread; tests/api/test_claim_answers.py checks the
    two agree on every kind of claim.
    """
    return _claim_serializer().to_representation(claim)


@cache
def _claim_serializer() -> ClaimSerializer:
    return ClaimSerializer()
