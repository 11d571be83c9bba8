"""Who may see and do what on the web pages, checked on the server for every request.

Roles come from the person's membership in the active organization (``passports.tenancy``): viewers read,
editors also write products and passports, owners also manage the organization, its members and its API
clients. Anonymous visitors are sent to the login page; a logged-in person without the role gets 403.
Objects are always fetched through the organization-scoped selectors, so another organization's object is
a 404 whatever the role.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from passports.models import Membership, Organization
from passports.roles import member_may
from passports.tenancy import request_membership

View = Callable[..., HttpResponseBase]  # pages, and files streamed from disk (FileResponse)


def _requiring(check: Callable[[Membership], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            membership = request_membership(request)
            if membership is None or not check(membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


member_required = _requiring(lambda membership: True)
editor_required = _requiring(lambda membership: membership.can_edit)
owner_required = _requiring(lambda membership: membership.can_manage)


def role_required(action: str) -> Callable[[View], View]:
    """The role ``passports.roles.ACTION_ROLES`` declares for ``action``, the same table the API reads."""
    return _requiring(lambda membership: member_may(membership, action))


def organization_of(request: HttpRequest) -> Organization:
    """The active organization of a request that passed one of the decorators above."""
    membership = request_membership(request)
    if membership is None:
        raise PermissionDenied
    return membership.organization


def can_edit(request: HttpRequest) -> bool:
    membership = request_membership(request)
    return membership is not None and membership.can_edit
