"""API permissions: member of an organization, with read or write rights there."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from passports.tenancy import request_membership, request_organization, request_scopes


class IsOrganizationMember(BasePermission):
    """Reads need the ``read`` scope (every member has it); writes need ``write`` (owners and editors)."""

    message = "You need to belong to an organization with the right role or scope."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request_organization(request) is None:
            return False
        # A view may declare its own need: POST /validate stores nothing, so reading is enough.
        needed = getattr(view, "required_scope", None) or ("read" if request.method in SAFE_METHODS else "write")
        return needed in request_scopes(request)


class IsOrganizationOwner(BasePermission):
    """Managing members and API clients is for owners only."""

    def has_permission(self, request: Request, view: Any) -> bool:
        membership = request_membership(request)
        return membership is not None and membership.can_manage
