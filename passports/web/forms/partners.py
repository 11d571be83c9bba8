"""Forms of "Partners and access": a new grant, and the access log's filters."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passports.models import AccessLogEntry, ApiClient, Grant, Organization, Passport, PassportSchema, Product
from passports.selectors.access import find_grantee


def _rights() -> list[tuple[str, Any]]:
    labels = {
        "legitimate_interest": _("Passport fields for a legitimate interest (Battery Regulation Annex XIII)"),
        "pact_footprints": _("Product carbon footprints (PACT exchange)"),
    }
    return [(right, labels.get(right, right)) for right in Grant.RIGHTS]


class GrantForm(forms.Form):
    grantee = forms.CharField(
        label=_("Partner"),
        max_length=120,
        help_text=_("The partner organization's platform name (slug), EORI, LEI or VAT number, or an API client ID."),
    )
    rights = forms.MultipleChoiceField(label=_("May read"), choices=_rights, widget=forms.CheckboxSelectMultiple)
    scope = forms.ChoiceField(label=_("Covers"), choices=Grant.Scope.choices, initial=Grant.Scope.ALL)
    category = forms.ChoiceField(label=_("Category"), required=False)
    products = forms.ModelMultipleChoiceField(label=_("Products"), queryset=Product.objects.none(), required=False)
    passports = forms.ModelMultipleChoiceField(label=_("Passports"), queryset=Passport.objects.none(), required=False)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the partner needs this access; both of you see it."),
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Blank: until you revoke it."),
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        categories = sorted(set(PassportSchema.objects.values_list("category", flat=True)))
        self.fields["category"].choices = [("", "—"), *[(c, c) for c in categories]]  # type: ignore[attr-defined]
        self.fields["products"].queryset = Product.objects.filter(organization=org).order_by("name")  # type: ignore[attr-defined]
        self.fields["passports"].queryset = (  # type: ignore[attr-defined]
            Passport.objects.filter(organization=org).select_related("product").order_by("identifier")
        )
        self.fields["passports"].label_from_instance = lambda p: p.identifier  # type: ignore[attr-defined]

    def clean_grantee(self) -> Organization | ApiClient:
        found = find_grantee(self.cleaned_data["grantee"])
        if found is None:
            raise forms.ValidationError(_("No organization or active API client on the platform has this name or ID."))
        return found

    def grant_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``grant_create`` (which checks them all again)."""
        data = self.cleaned_data
        grantee = data["grantee"]
        expires = data.get("expires_on")
        return {
            "grantee_organization": grantee if isinstance(grantee, Organization) else None,
            "grantee_client": grantee if isinstance(grantee, ApiClient) else None,
            "rights": data["rights"],
            "scope": data["scope"],
            "category": data.get("category") or "",
            "products": list(data.get("products") or []),
            "passports": list(data.get("passports") or []),
            "purpose": data["purpose"],
            "expires_at": timezone.make_aware(datetime.combine(expires, time.max)) if expires else None,
        }


class AccessLogFilterForm(forms.Form):
    passport = forms.IntegerField(label=_("Passport"), required=False, min_value=1)
    reader = forms.IntegerField(label=_("Partner organization"), required=False, min_value=1)
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        choices=[("", "—"), ("legitimate_interest", _("Legitimate interest")), ("authority", _("Authorities"))],
    )
    output = forms.ChoiceField(label=_("Output"), required=False, choices=[("", "—"), *AccessLogEntry.Output.choices])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
