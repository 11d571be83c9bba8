"""A service's refusal (``ApplicationError``) answers the API in the one envelope, with its own code and status."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.application_errors import ApplicationError


class _TooLateError(ApplicationError):
    code, status, field = "too_late", 409, "/deadline/0"
    message = _("Not found.")


class _Refusing(APIView):
    authentication_classes = ()
    permission_classes = ()
    error: ApplicationError = _TooLateError()

    def post(self, request: Request) -> Response:
        raise self.error


def _answer(error: ApplicationError, **headers: Any) -> Any:
    view = _Refusing.as_view(error=error)
    return view(APIRequestFactory().post("/api/v1/refusing", {}, format="json", **headers))


def test_a_refusal_answers_with_its_code_status_and_the_field_it_concerns() -> None:
    response = _answer(_TooLateError())
    assert response.status_code == 409
    assert response.data == {
        "error": {
            "code": "too_late",
            "message": "Not found.",
            "details": [{"pointer": "/deadline/0", "code": "too_late", "message": "Not found."}],
        }
    }


def test_a_refusal_without_a_field_lists_no_details_and_may_carry_its_own_message() -> None:
    response = _answer(ApplicationError("No more today."))
    assert (response.status_code, response.data) == (
        400,
        {"error": {"code": "refused", "message": "No more today.", "details": []}},
    )


def test_a_translated_message_follows_the_request_language() -> None:
    with override("ko"):
        response = _answer(_TooLateError())
    assert response.data["error"]["message"] != "Not found."


def test_the_form_field_is_the_pointers_first_member() -> None:
    assert _TooLateError().form_field == "deadline"
    assert ApplicationError().form_field is None
