"""Template helpers of the web pages: optional links, labels in the user's language, query strings.

``maybe_url`` is how a page links to a capability another part of the platform may not ship yet (the PDF
report, the signed credential, the public page): it resolves the URL name if it exists and gives ``""``
otherwise, so the template hides the button instead of failing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def maybe_url(name: str, *args: Any, **kwargs: Any) -> str:
    """The URL of route ``name``, or ``""`` when no such route exists (yet)."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def is_korean() -> bool:
    return (get_language() or "en").startswith("ko")


@register.filter
def localized(obj: Any, field: str) -> Any:
    """``obj.<field>_ko`` in Korean when it is filled in, else ``obj.<field>``."""
    if is_korean():
        korean = getattr(obj, f"{field}_ko", "")
        if korean:
            return korean
    return getattr(obj, field, "")


@register.filter
def tier_label(tier: str) -> str:
    """The access tier of a field (ESPR Art. 9 / Battery Regulation Annex XIII) in words."""
    labels = {
        "public": _("Public"),
        "legitimate_interest": _("Legitimate interest"),
        "authority": _("Authorities"),
    }
    return labels.get(tier, _("Hidden"))


@register.filter
def status_label(status: str) -> str:
    labels = {
        "draft": _("Draft"),
        "published": _("Published"),
        "superseded": _("Superseded"),
        "revoked": _("Revoked"),
    }
    return labels.get(status, status)


@register.filter
def granularity_label(granularity: str) -> str:
    labels = {"model": _("Model"), "batch": _("Batch"), "item": _("Item")}
    return labels.get(granularity, granularity)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination that keeps the filters)."""
    request: HttpRequest | None = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is None:
        return ""
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def amount(value: Any, places: int = 3) -> str:
    """A number for people: at most ``places`` decimals, no trailing zeros, grouped the locale's way."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return "" if value is None else str(value)
    text = f"{round(number, int(places)):f}"
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return number_format(round(number, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)
