"""Which routes take file uploads, and how large: every other route's body is held to the small limit.

Django bounds form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams multipart *files* to temporary files
with no bound, on any route that reads ``request.POST``: a 300 MB body sent to a login form was written to
disk before the view could refuse it. So the body limit (``config/bodylimits.py``) is small everywhere, and a
view that takes files says so with ``accepts_uploads``, naming the setting that holds its own ceiling. The
mark sits on the view, beside the code that reads the upload, so a new upload view cannot be forgotten in a
list elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from django.conf import settings

V = TypeVar("V")
_MARK: Final = "accepts_uploads_up_to"


def accepts_uploads(*, setting: str, default: int) -> Callable[[V], V]:
    """Mark a view function or class as taking multipart uploads up to ``settings.<setting>`` bytes."""

    def mark(view: V) -> V:
        setattr(view, _MARK, (setting, default))
        return view

    return mark


def upload_limit(view: Any) -> int | None:
    """The upload ceiling of a resolved view (function, Django ``view_class`` or DRF ``cls``), if it has one."""
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "cls", None)):
        marked = getattr(candidate, _MARK, None)
        if marked is not None:
            setting, default = marked
            return int(getattr(settings, setting, default))
    return None
