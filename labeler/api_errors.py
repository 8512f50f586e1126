"""Every API error is JSON {"error": "<sentence>", "detail": ...} with a 4xx code."""

import logging

from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from labeler.errors import UserError
from labeler.working_state import AnnotationNotFound, VersionConflict, WorkingStateUnavailable

logger = logging.getLogger(__name__)


def json_exception_handler(exc, context):
    if isinstance(exc, UserError):
        return _error(exc.message, exc.detail, exc.status_code)
    if isinstance(exc, VersionConflict):
        from labeler.serializers import file_state_data

        return _error(
            "This label was changed by someone else; the current labels are attached. "
            "Apply your change to them and try again.",
            {"annotation": exc.annotation_id, "current": file_state_data(exc.state)},
            status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, AnnotationNotFound):
        return _error(f"Annotation {exc.annotation_id} does not exist.", None, 404)
    if isinstance(exc, WorkingStateUnavailable):
        logger.error("working state unavailable: %s", exc)
        return _error(
            "The label store is unreachable; nothing was changed. Try again in a moment.",
            None,
            status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    if isinstance(exc, Http404):
        return _error("Not found.", None, 404)
    response = exception_handler(exc, context)
    if response is None:
        return None
    return _error(_message(exc), response.data, response.status_code, response)


def _message(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "Invalid input: " + first_problem(exc.detail)
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        return str(detail) if not isinstance(detail, dict | list) else first_problem(detail)
    return str(exc)


def first_problem(detail, path="") -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            where = key if key != "non_field_errors" else ""
            return first_problem(value, f"{path}.{where}".strip(".") if where else path)
    if isinstance(detail, list) and detail:
        return first_problem(detail[0], path)
    return f"{path}: {detail}" if path else str(detail)


def _error(message, detail, status_code, response=None):
    body = {"error": message, "detail": detail}
    if response is not None:
        response.data = body
        return response
    return Response(body, status=status_code)


def json_not_found(request, exception=None):
    return JsonResponse({"error": "Not found.", "detail": None}, status=404)


def json_server_error(request):
    return JsonResponse(
        {"error": "Something went wrong on the server; it has been logged.", "detail": None},
        status=500,
    )
