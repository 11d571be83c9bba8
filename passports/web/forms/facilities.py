"""The facility form: where an organization makes its products (the ESPR facility, the CBAM installation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passports.models import Facility, Organization


class FacilityForm(forms.ModelForm):
    """A facility of ``organization``; its GLN must be new within the organization (as the database says)."""

    class Meta:
        model = Facility
        fields = ["name", "country", "address", "gln", "unlocode", "other_id", "latitude", "longitude"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "gln": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "country": forms.TextInput(attrs={"autocomplete": "country", "maxlength": 2}),
        }
        help_texts = {
            "country": _("Two-letter ISO 3166 code, e.g. KR"),
            "gln": _("13-digit GS1 Global Location Number; imports name the facility by it"),
            "unlocode": _("e.g. KR PUS"),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()

    def clean_gln(self) -> str:
        gln = str(self.cleaned_data["gln"]).strip()
        taken = Facility.objects.for_org(self.organization).filter(gln=gln).exclude(pk=self.instance.pk or 0)
        if gln and taken.exists():
            raise forms.ValidationError(_("Another facility of your organization has this GLN."))
        return gln
