"""A service's refusal on a page: a 4xx with its messages, never a 500."""

import pytest
from django.test import RequestFactory

from priorauth import errors
from priorauth.web.errors import ServiceErrorMiddleware

pytestmark = pytest.mark.django_db


def _answer(exception, user):
    request = RequestFactory().get("/queue/")
    request.user = user
    middleware = ServiceErrorMiddleware(lambda request: None)
    return middleware.process_exception(request, exception)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.ServiceError({"reason": "Say why."}), 400),
        (errors.NotFound({"request_id": "No override request with ID 9."}), 404),
        (errors.Conflict({"decision": "Request 9 was already approved."}), 409),
    ],
)
def test_a_refusal_no_view_caught_is_a_page_with_its_status_and_messages(pharmacist, error, status):
    response = _answer(error, pharmacist)
    assert response.status_code == status
    for message in error.messages:
        assert message in response.content.decode()


def test_any_other_exception_is_left_to_django(pharmacist):
    assert _answer(ValueError("boom"), pharmacist) is None
