"""The organization page: its settings and its members. Owners only; the last owner cannot leave.

An editor may change products and passports but not who belongs to the organization; a viewer changes
nothing. Both get 403 here, checked on the server (``owner_required``), whatever the page shows them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passports.models import Membership, Organization
from passports.scoping import get_scoped_or_404
from passports.selectors import tenants as tenant_selectors
from passports.services.invitations import invitation_answer, invitation_create, invitations_for, invitations_open
from passports.services.tenants import LastOwnerError, membership_change
from passports.web.access import organization_of, owner_required
from passports.web.forms.organization import MemberAddForm, MemberRoleForm, OrganizationForm


def _page(request: HttpRequest, org: Organization, **forms: object) -> HttpResponse:
    context = {
        "org_form": OrganizationForm(instance=org),
        "add_form": MemberAddForm(),
        "invitations": invitations_open(org=org).select_related("invited_by"),
        "members": tenant_selectors.membership_list(org=org),
        "roles": Membership.Role.choices,
        "nav_section": "organization",
        **forms,
    }
    return render(request, "passports/organization/settings.html", context)


@owner_required
def organization_settings(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    if request.method == "POST":
        form = OrganizationForm(request.POST, instance=org)
        if form.is_valid():
            form.save()
            messages.success(request, _("Organization details saved."))
            return HttpResponseRedirect(reverse("organization-page"))
        return _page(request, org, org_form=form)
    return _page(request, org)


@owner_required
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    """Records an invitation; the same message whether or not an account has the name (nothing to probe)."""
    org = organization_of(request)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _page(request, org, add_form=form)
    who = form.cleaned_data["who"]
    invitation_create(org=org, who=who, role=form.cleaned_data["role"], by=request.user)
    messages.success(
        request,
        _(
            "Invitation recorded for “%(who)s”. If an account has this user name or e-mail address, its holder "
            "sees the invitation on their Invitations page and joins when they accept it."
        )
        % {"who": who},
    )
    return HttpResponseRedirect(reverse("organization-page"))


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's open invitations, whatever organization they belong to (or none yet)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required: a signed-in account of Django's user model
    return render(request, "passports/organization/invitations.html", {"invitations": invitations_for(user)})


@login_required
@require_POST
def invitation_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    accept = request.POST.get("_action") == "accept"
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required: a signed-in account of Django's user model
    invitation = invitation_answer(pk=pk, user=user, accept=accept)
    if accept:
        messages.success(request, _("You joined %(org)s.") % {"org": invitation.organization.name})
    else:
        messages.info(request, _("Invitation declined."))
    return HttpResponseRedirect(reverse("invitation-list-page"))


@owner_required
@require_POST
def member_update(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_of(request)
    membership = get_scoped_or_404(Membership.objects.select_related("user"), org, pk=pk)
    remove = request.POST.get("_action") == "remove"
    form = MemberRoleForm(request.POST)
    if not remove and not form.is_valid():
        messages.error(request, _("Choose a role."))
        return HttpResponseRedirect(reverse("organization-page"))
    try:
        membership_change(membership=membership, role=None if remove else form.cleaned_data["role"])
    except LastOwnerError as exc:
        messages.error(request, str(exc.message))
    else:
        name = membership.user.get_username()
        if remove:
            messages.success(request, _("%(name)s was removed.") % {"name": name})
        else:
            role = Membership.Role(form.cleaned_data["role"]).label
            messages.success(request, _("%(name)s is now %(role)s.") % {"name": name, "role": role})
    return HttpResponseRedirect(reverse("organization-page"))
