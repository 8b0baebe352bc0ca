"""Service errors on pages: beside the form field at fault, or as one 4xx page.

The one place the pages map priorauth.errors.ServiceError to what a person sees
(the API's one place is priorauth/api/errors.py).
"""

from django import forms
from django.shortcuts import render

from priorauth.errors import ServiceError


def apply_errors(form: forms.Form, errors: dict, *, prefix: str = "") -> None:
    """Put {"field": ["message"]} errors (from input checks or a service) on the form.

    A nested {"answers": {"reason": ["message"]}} (a message per question) goes on the
    form field "answers-reason"; a message for no field of the form goes on the form.
    """
    for field, messages in errors.items():
        name = f"{prefix}{field}"
        if isinstance(messages, dict):
            apply_errors(form, messages, prefix=f"{name}-")
            continue
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, str(message))


class ServiceErrorMiddleware:
    """A ServiceError that a page did not show beside its form: a 4xx page with the messages.

    Never a 500 for a refusal: bad input is 400, a missing thing 404, a state that
    forbids the action 409. The API answers its own errors before this is reached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ServiceError):
            return None
        return render(
            request,
            "refused.html",
            {"messages_list": exception.messages, "status_code": exception.status_code},
            status=exception.status_code,
        )
