"""Every API error is a 4xx with field-level messages: {"field": ["message", ...]}."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from priorauth.errors import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response(exc.errors, status=exc.status_code)
    return drf_exception_handler(exc, context)
