"""Forms of the organization pages: settings, members, API clients (all for owners)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from passports.models import ApiClient, Membership, Organization


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "country", "role", "eori", "lei", "vat", "gln", "kr_brn", "address", "website"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class MemberAddForm(forms.Form):
    """Adds an existing account to the organization, found by user name or e-mail address."""

    who = forms.CharField(label=_("User name or e-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.VIEWER)

    def clean_who(self) -> AbstractBaseUser:
        who = self.cleaned_data["who"].strip()
        users = get_user_model().objects.filter(is_active=True)
        user = users.filter(username=who).first() or users.filter(email__iexact=who).first()
        if user is None:
            raise forms.ValidationError(_("No account has this user name or e-mail address."))
        return user


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


def scope_choices() -> list[tuple[str, Any]]:
    labels = {
        "read": _("Read the organization's data"),
        "write": _("Create and change the organization's data"),
    }
    return [(scope, labels.get(scope, scope)) for scope in ApiClient.SCOPES]


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. the partner system that will call us"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=scope_choices, widget=forms.CheckboxSelectMultiple, initial=["read"]
    )
    outside_party = forms.BooleanField(
        label=_("for an outside party"),
        required=False,
        help_text=_(
            "Handed to a partner that is not on the platform: it reads only what the organization grants it, "
            "never the organization's own data."
        ),
    )


class ApiClientScopesForm(forms.Form):
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=scope_choices, widget=forms.CheckboxSelectMultiple)
