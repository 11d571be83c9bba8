"""The product form and the product list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passports.models import Facility, Organization, PassportSchema, Product
from passports.web.forms import set_choices


def category_choices() -> list[tuple[str, str]]:
    """The passport schema families a product can follow, named by their schema titles."""
    seen: dict[str, str] = {}
    for category, title in PassportSchema.objects.order_by("category", "-version").values_list("category", "title"):
        seen.setdefault(category, f"{title} ({category})")
    return sorted(seen.items(), key=lambda item: item[1])


class ProductForm(forms.ModelForm):
    """A product model or type; the facility list holds only the organization's own facilities."""

    category = forms.ChoiceField(label=_("Passport category"), choices=())

    class Meta:
        model = Product
        fields = [
            "name",
            "name_ko",
            "gtin",
            "category",
            "cn_code",
            "brand",
            "model_name",
            "facility",
            "expected_lifetime_years",
            "description",
            "description_ko",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_ko": forms.Textarea(attrs={"rows": 3}),
            "gtin": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "cn_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        # The product belongs to the organization before model validation runs, so unique checks see it.
        self.instance.organization = organization
        choices = category_choices()
        current = self.instance.category if self.instance.pk else ""
        if current and current not in dict(choices):
            choices.append((current, current))
        set_choices(self.fields["category"], [("", _("— choose —")), *choices])
        facility = self.fields["facility"]
        assert isinstance(facility, forms.ModelChoiceField)  # noqa: S101  # a ModelForm makes FKs model choices
        facility.queryset = Facility.objects.for_org(organization).order_by("name")

    def clean_gtin(self) -> str:
        gtin = self.cleaned_data["gtin"].strip()
        duplicates = Product.objects.for_org(self.organization).filter(gtin=gtin).exclude(pk=self.instance.pk or 0)
        if duplicates.exists():
            raise forms.ValidationError(_("Another product of your organization has this GTIN."))
        return gtin


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    facility = forms.ModelChoiceField(label=_("Facility"), required=False, queryset=Facility.objects.none())

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["category"], [("", _("All categories")), *category_choices()])
        facility = self.fields["facility"]
        assert isinstance(facility, forms.ModelChoiceField)  # noqa: S101  # declared just above
        facility.queryset = Facility.objects.for_org(organization).order_by("name")
        facility.empty_label = _("All facilities")
