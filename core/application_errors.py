"""The one error type services raise when a request breaks a rule of the domain.

A service knows why it refuses (the last owner cannot leave, a published passport cannot be deleted) but
not who asked: the API answers with the error envelope (``core.errors.exception_handler`` maps every
``ApplicationError`` by its ``code`` and ``status``), a web page shows the message beside the form field it
names. So views hold no rules of their own and translate no exceptions one by one.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A refused request: a stable ``code``, the HTTP ``status`` it answers, a ``message`` for people.

    ``field`` is the JSON Pointer (RFC 6901) of the field the refusal concerns, or ``None`` when it concerns the
    request as a whole; ``details`` are extra envelope details (a validation report, say). Subclasses set the
    defaults of one kind of refusal; an instance may override the message.
    """

    code: str = "refused"
    status: int = 400
    message: str | Promise = "The request was refused."
    field: str | None = None

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        self.details = details or []
        super().__init__(str(self.message))

    @property
    def form_field(self) -> str | None:
        """The web form field the refusal concerns: the pointer's first member (``/role`` is ``role``)."""
        if not self.field:
            return None
        return self.field.lstrip("/").split("/", maxsplit=1)[0] or None

    def envelope_details(self) -> list[dict[str, Any]]:
        """What the error envelope lists: the given details, else one naming the field when there is one."""
        if self.details:
            return self.details
        if self.field is None:
            return []
        return [{"pointer": self.field, "code": self.code, "message": str(self.message)}]
