"""The forms of the PACT web pages (``lca.web.pact``): publishing a footprint, deprecating it, adding a
supplier host and asking it for footprints. They check what a person typed; the views call the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lca.pact.filters import CPC_URN
from lca.pact.geography import covered, is_subdivision
from lca.pact.mapping import PACT_UNITS
from lca.pact.models import SupplierEndpoint
from passports.models import ApiClient, Organization


class PublishForm(forms.Form):
    """The figures of a footprint as declared to partners; empty total: the engine's current result."""

    total = forms.DecimalField(
        label=gettext_lazy("Footprint (kg CO2e per declared unit, excluding biogenic)"),
        min_value=Decimal(0),
        max_digits=20,
        decimal_places=6,
        required=False,
        help_text=gettext_lazy("Leave empty to publish the computed footprint."),
    )
    declared_unit = forms.ChoiceField(
        label=gettext_lazy("Declared unit"), choices=[(unit, unit) for unit in PACT_UNITS], initial="kg"
    )
    cpc_code = forms.RegexField(
        label=gettext_lazy("UN CPC code"),
        regex=r"^\d{1,5}$",
        required=False,
        help_text=gettext_lazy("Needed for PACT v2 (e.g. 46410 for batteries)."),
    )
    primary_data_share = forms.DecimalField(
        label=gettext_lazy("Primary data share (%)"), min_value=Decimal(0), max_value=Decimal(100), required=False
    )
    subdivision = forms.CharField(
        label=gettext_lazy("Country subdivision (ISO 3166-2)"),
        max_length=6,
        required=False,
        help_text=gettext_lazy("Only when the footprint is for one province or region, e.g. KR-26 for Busan."),
    )

    def clean_subdivision(self) -> str:
        code = str(self.cleaned_data["subdivision"]).strip().upper()
        if code and not is_subdivision(code):
            raise ValidationError(_("Write an ISO 3166-2 code such as KR-26."))
        return code


class DeprecateForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Why"), max_length=300, required=False)


class HostForm(forms.Form):
    """A supplier's PACT host and the credentials it issued us (the secret is stored encrypted)."""

    name = forms.CharField(label=gettext_lazy("Supplier"), max_length=200)
    base_url = forms.URLField(
        label=gettext_lazy("API base URL"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Without /2 or /3."),
    )
    auth_url = forms.URLField(
        label=gettext_lazy("Token URL"),
        max_length=500,
        assume_scheme="https",
        required=False,
        help_text=gettext_lazy("Empty: base URL + /auth/token."),
    )
    client_id = forms.CharField(label=gettext_lazy("Client id"), max_length=200)
    secret = forms.CharField(label=gettext_lazy("Client secret"), max_length=500, widget=forms.PasswordInput)
    spec_version = forms.ChoiceField(
        label=gettext_lazy("PACT version"), choices=SupplierEndpoint.Version.choices, initial="3"
    )
    answers_client = forms.ModelChoiceField(
        label=gettext_lazy("Our API client this supplier answers with"),
        queryset=ApiClient.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Its answers to our requests are accepted only from this client (it needs the write scope)."
        ),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["answers_client"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = ApiClient.objects.filter(organization=organization, revoked_at__isnull=True).order_by(
                "name"
            )


class RequestForm(forms.Form):
    """The criteria of a ``RequestCreated`` event (v3.0 §6.7: the ListFootprints filters); at least one.

    A GTIN may be typed as digits and a CPC code without its URN; each value the filters cannot read is
    named beside its field.
    """

    product_id = forms.CharField(label=gettext_lazy("Product id (URN or GTIN)"), max_length=200, required=False)
    company_id = forms.CharField(label=gettext_lazy("Company id (URN)"), max_length=200, required=False)
    geography = forms.CharField(label=gettext_lazy("Geography (country or region code)"), max_length=10, required=False)
    classification = forms.CharField(
        label=gettext_lazy("Product classification (UN CPC code or URN)"), max_length=200, required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Footprint status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            ("Active", gettext_lazy("Active")),
            ("Deprecated", gettext_lazy("Deprecated")),
        ],
    )
    valid_on = forms.DateField(
        label=gettext_lazy("Valid on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), max_length=500, required=False)

    FILTERS = {
        "product_id": "productId",
        "company_id": "companyId",
        "geography": "geography",
        "classification": "classification",
        "status": "status",
        "valid_on": "validOn",
    }

    def clean_product_id(self) -> str:
        product = str(self.cleaned_data["product_id"]).strip()
        if product.isdigit():
            return f"urn:gtin:{product.zfill(14)}"
        return _urn(product)

    def clean_company_id(self) -> str:
        return _urn(str(self.cleaned_data["company_id"]).strip())

    def clean_classification(self) -> str:
        code = str(self.cleaned_data["classification"]).strip()
        return f"{CPC_URN}{code}" if code.isdigit() else _urn(code)

    def clean_geography(self) -> str:
        place = str(self.cleaned_data["geography"]).strip().upper()
        if place and covered(place) == (frozenset(), frozenset()):
            raise ValidationError(
                _("%(value)s is no ISO 3166 country or subdivision code and no UN M49 region code.") % {"value": place}
            )
        return place

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.criteria():
            raise ValidationError(_("Give at least one criterion: a product id, a company id, a geography..."))
        return cleaned

    def criteria(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for field, name in self.FILTERS.items():
            value = self.cleaned_data.get(field)
            if field == "valid_on" and value:
                found[name] = [f"{value.isoformat()}T00:00:00Z"]
            elif value:
                found[name] = [str(value)]
        return found


def _urn(value: str) -> str:
    if value and not value.lower().startswith("urn:"):
        raise ValidationError(_("Write the id as a URN (urn:…), as PACT exchanges it."))
    return value
