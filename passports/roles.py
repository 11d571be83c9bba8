"""Which role each sensitive action needs: declared once, read by the web pages and the API alike.

The web used to reserve revoking a passport to owners while the API let editors do it (and suspend a
credential): two rules for one action. Each action named here has one required role; ``member_may`` answers
for a person's membership, ``RoleForAction`` is the DRF permission that applies the same table. An API client
acts with what its owner gave it: the ``write`` scope stands for the role of the owner who made it.
"""

from __future__ import annotations

from typing import Any, Final

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from passports.models import Membership
from passports.tenancy import request_membership, request_organization, request_scopes

OWNER, EDITOR, VIEWER = Membership.Role.OWNER, Membership.Role.EDITOR, Membership.Role.VIEWER
_RANK: Final[dict[str, int]] = {str(VIEWER): 0, str(EDITOR): 1, str(OWNER): 2}

#: action -> the least role that may do it.
ACTION_ROLES: Final[dict[str, str]] = {
    "passport.revoke": str(OWNER),
    "credential.suspend": str(OWNER),
    "grant.manage": str(OWNER),
    "access_request.answer": str(OWNER),
}


def member_may(membership: Membership | None, action: str) -> bool:
    """Whether a person with ``membership`` may do ``action`` (an unknown action is refused to everyone)."""
    needed = ACTION_ROLES.get(action)
    if membership is None or needed is None:
        return False
    return _RANK.get(str(membership.role), -1) >= _RANK[str(needed)]


class RoleForAction(BasePermission):
    """DRF permission reading ``view.role_action`` (or ``view.role_actions[view.action]``) from `ACTION_ROLES`."""

    message = "Your role in the organization does not allow this action."

    def has_permission(self, request: Request, view: Any) -> bool:
        by_action = getattr(view, "role_actions", {})
        action = getattr(view, "role_action", None) or by_action.get(getattr(view, "action", None))
        if action is None:
            return True
        if request_organization(request) is None:
            return False
        if getattr(request.user, "client", None) is not None:  # an API client: its owner's write scope
            return "write" in request_scopes(request)
        return member_may(request_membership(request), action)
