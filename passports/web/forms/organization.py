"""Forms of the organization pages: settings, members, API clients (all for owners)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passports.models import ApiClient, Membership, Organization


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "country", "role", "eori", "lei", "vat", "gln", "kr_brn", "address", "website"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class MemberAddForm(forms.Form):
    """Invites a person by user name or e-mail address. It never looks the name up: the answer is the same
    whether or not an account has it (issue 21), and the person joins only by accepting."""

    who = forms.CharField(label=_("User name or e-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.VIEWER)

    def clean_who(self) -> str:
        who = str(self.cleaned_data["who"]).strip()
        if not who:
            raise forms.ValidationError(_("Enter a user name or e-mail address."))
        return who


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
