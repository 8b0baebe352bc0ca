"""A service's refusal on a page: beside the field at fault, or a 4xx with its messages,
never a 500."""

import pytest
from django import forms
from django.test import RequestFactory

from priorauth import errors
from priorauth.web.errors import ServiceErrorMiddleware, apply_errors

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


class RequestAndAnswers(forms.Form):
    """A request field and a question's field, named as intake's step 2 names it."""

    member_id = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers-reason"] = forms.CharField(required=False)


def test_answers_errors_go_beside_each_question_and_the_rest_on_the_form():
    form = RequestAndAnswers({})
    assert form.is_valid()
    refused = errors.ServiceError(
        {
            "member_id": "No member with ID M9.",
            "answers": {"reason": "'x' is not one of the answers.", "gone": "No such question."},
        }
    )
    apply_errors(form, refused.errors)
    assert form.errors == {
        "member_id": ["No member with ID M9."],
        "answers-reason": ["'x' is not one of the answers."],
        "__all__": ["No such question."],
    }


def test_answers_refused_as_a_whole_are_the_form_s_error():
    form = RequestAndAnswers({})
    assert form.is_valid()
    apply_errors(form, errors.ServiceError({"answers": errors.ANSWERS_WITHOUT_CRITERION}).errors)
    assert form.non_field_errors() == [errors.ANSWERS_WITHOUT_CRITERION]
    assert "answers-reason" not in form.errors
