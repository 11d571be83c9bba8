"""Forms around passports: creating one, filtering the list, revoking a version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passports.models import Passport, PassportSchema, Product
from passports.web.forms import set_choices


class PassportCreateForm(forms.Form):
    """A new passport of a product: which schema, which granularity, and for batches and items their codes."""

    schema = forms.ModelChoiceField(label=_("Schema"), queryset=PassportSchema.objects.none(), empty_label=None)
    granularity = forms.ChoiceField(
        label=_("Granularity"),
        choices=Passport.Granularity.choices,
        initial=Passport.Granularity.MODEL,
        help_text=_("A model passport describes the product type; batch and item passports inherit from it."),
    )
    lot = forms.CharField(label=_("Lot / batch number"), max_length=20, required=False)
    serial = forms.CharField(label=_("Serial number"), max_length=20, required=False)

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = self.fields["schema"]
        assert isinstance(schema, forms.ModelChoiceField)  # noqa: S101  # declared just above
        # The product's own category first; every registered schema stays available.
        same = list(PassportSchema.objects.filter(category=product.category).order_by("-version"))
        schema.queryset = PassportSchema.objects.order_by("category", "-version")
        if same:
            self.fields["schema"].initial = same[0].pk


class PassportFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("draft", _("Draft")),
            ("published", _("Published")),
            ("revoked", _("Revoked")),
        ],
    )
    schema = forms.ChoiceField(label=_("Schema"), required=False, choices=())
    granularity = forms.ChoiceField(
        label=_("Granularity"), required=False, choices=[("", _("Any granularity")), *Passport.Granularity.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = PassportSchema.objects.order_by("category").values_list("category", flat=True).distinct()
        set_choices(self.fields["schema"], [("", _("Any schema")), *((c, c) for c in categories)])


class RevokeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Shown on the public page beside the revoked version."),
    )
