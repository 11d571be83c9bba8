"""The language a page is shown in, as the validation messages and schema titles name it."""

from __future__ import annotations

from django.utils.translation import get_language


def ui_language() -> str:
    """``"ko"`` on Korean pages, else ``"en"``: the two languages of the schemas' titles and messages."""
    return "ko" if (get_language() or "en").startswith("ko") else "en"
