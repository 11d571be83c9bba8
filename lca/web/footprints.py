"""Footprint pages: a product's activity data entered stage by stage, with its footprint recomputed and its
chart redrawn after every change (HTMX swaps the editor in place; without scripts the page reloads).

The records and the calculation belong to this app's services and engine (``lca.services``, ``lca.computation``): these
views only collect what a person types and show what the engine returns. Life cycle stages are those of
ISO 14067 / the Battery Regulation (EU) 2023/1542 Annex II: raw material acquisition, production,
distribution, use and end of life; the total excludes biogenic CO2, which is reported apart.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, FloatField, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lca.computation import FootprintError, footprint_compute
from lca.engine.graph import STAGES
from lca.engine.gwp import GASES
from lca.models import ActivityData, EmissionFactor, Footprint
from lca.selectors import activity_list, factor_list, footprint_current
from lca.services import activity_create, activity_delete
from passports.models import Organization, Product
from passports.scoping import get_scoped_or_404
from passports.selectors import passports as passport_selectors
from passports.web.access import can_edit, editor_required, member_required, organization_of


def stage_labels() -> dict[str, str]:
    return {
        "raw_material": _("Raw material acquisition"),
        "production": _("Production"),
        "distribution": _("Distribution"),
        "use": _("Use"),
        "end_of_life": _("End of life"),
        "unassigned": _("Not assigned to a stage"),
    }


class FactorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.region} {obj.year or ''} (per {obj.unit})".replace("  ", " ")


class ActivityForm(forms.Form):
    """One input or emission of a stage: its amount per declared unit and where its emissions come from."""

    stage = forms.ChoiceField(choices=[(stage, stage) for stage in STAGES], widget=forms.HiddenInput)
    process = forms.CharField(label=gettext_lazy("Process or input"), max_length=200)
    amount = forms.DecimalField(label=gettext_lazy("Amount"), min_value=Decimal(0), max_digits=28, decimal_places=12)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=50, help_text=gettext_lazy("e.g. kg, kWh, t.km"))
    factor = FactorChoiceField(
        label=gettext_lazy("Emission factor"), queryset=EmissionFactor.objects.none(), required=False
    )
    gas = forms.ChoiceField(
        label=gettext_lazy("or a direct emission of"),
        choices=[("", "—"), *((gas, gas) for gas in GASES)],
        required=False,
    )
    primary = forms.BooleanField(label=gettext_lazy("Measured (primary) data"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        factor = self.fields["factor"]
        if isinstance(factor, forms.ModelChoiceField):
            factor.queryset = factor_list(org=organization).order_by("name", "region", "-year")


def _chart(by_stage: dict[str, float]) -> dict[str, Any]:
    """Bars of the stage chart (HTML progress bars), scaled to the largest magnitude; credits marked."""
    labels = stage_labels()
    rows = [(stage, float(by_stage.get(stage, 0.0))) for stage in (*STAGES, "unassigned") if stage in by_stage]
    largest = max((abs(value) for _stage, value in rows), default=0.0) or 1.0
    bars = [
        {
            "stage": stage,
            "label": labels.get(stage, stage),
            "value": value,
            "magnitude": abs(value),
            "negative": value < 0,
        }
        for stage, value in rows
    ]
    return {"bars": bars, "largest": largest}


def _editor_context(
    request: HttpRequest, product: Product, *, form: ActivityForm | None = None, error: str = ""
) -> dict[str, Any]:
    org = organization_of(request)
    rows = list(activity_list(org=org).filter(product=product).select_related("upstream_product").order_by("pk"))
    labels = stage_labels()
    stages = []
    for stage in STAGES:
        stage_form = form if form is not None and form.data.get("stage") == stage else None
        stages.append(
            {
                "key": stage,
                "label": labels[stage],
                "rows": [row for row in rows if row.stage == stage],
                "form": stage_form
                or ActivityForm(initial={"stage": stage}, organization=org, auto_id=f"id_{stage}_%s"),
            }
        )
    footprint = footprint_current(product=product)
    return {
        "product": product,
        "stages": stages,
        "footprint": footprint,
        "chart": _chart(footprint.by_stage) if footprint else None,
        "error": error,
        "can_edit": can_edit(request),
        "nav_section": "footprints",
    }


def _render_editor(request: HttpRequest, product: Product, **extra: Any) -> HttpResponse:
    context = _editor_context(request, product, **extra)
    template = "lca/footprints/_editor.html" if getattr(request, "htmx", False) else "lca/footprints/product.html"
    return render(request, template, context)


def _recompute(request: HttpRequest, product: Product) -> str:
    """Recompute after a change; the engine's complaint (naming the row) if it cannot."""
    try:
        footprint_compute(product=product, by=request.user)
    except FootprintError as exc:
        return exc.message
    return ""


@member_required
def footprint_list(request: HttpRequest) -> HttpResponse:
    """Every product with its current footprint and how much activity data it has, in one query per page."""
    org = organization_of(request)
    current = Footprint.objects.filter(product=OuterRef("pk"), is_current=True)
    queryset = (
        passport_selectors.product_list(org=org)
        .annotate(
            footprint_total=Subquery(current.values("total_kg_co2e")[:1], output_field=FloatField()),
            footprint_unit=Subquery(current.values("declared_unit")[:1]),
            footprint_class=Subquery(current.values("battery_performance_class")[:1]),
            footprint_at=Subquery(current.values("computed_at")[:1]),
            activity_count=Count("activity_data", distinct=True),
        )
        .order_by("name", "pk")
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(request, "lca/footprints/list.html", {"page": page, "nav_section": "footprints"})


@member_required
def footprint_product(request: HttpRequest, pk: int) -> HttpResponse:
    product = passport_selectors.product_get(org=organization_of(request), pk=pk)
    return _render_editor(request, product)


@editor_required
@require_POST
def footprint_activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_of(request)
    product = passport_selectors.product_get(org=org, pk=pk)
    stage = request.POST.get("stage", "")
    # One form per stage on the page: the ids carry the stage so that each label finds its own input.
    form = ActivityForm(request.POST, organization=org, auto_id=f"id_{stage if stage in STAGES else 'x'}_%s")
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("stage", "process", "amount", "unit", "primary")}
        fields["factor"] = form.cleaned_data["factor"]
        fields["gas"] = form.cleaned_data["gas"] or ""
        try:
            activity_create(org=org, product=product, **fields)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            error = _recompute(request, product)
            if not getattr(request, "htmx", False):
                messages.success(request, _("Added; the footprint is recomputed."))
                return HttpResponseRedirect(reverse("footprint-product-page", args=[product.pk]))
            return _render_editor(request, product, error=error)
    return _render_editor(request, product, form=form)


@editor_required
@require_POST
def footprint_activity_delete(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    org = organization_of(request)
    product = passport_selectors.product_get(org=org, pk=pk)
    activity = get_scoped_or_404(ActivityData, org, pk=activity_pk, product=product)
    activity_delete(activity=activity)
    error = _recompute(request, product)
    if not getattr(request, "htmx", False):
        return HttpResponseRedirect(reverse("footprint-product-page", args=[product.pk]))
    return _render_editor(request, product, error=error)
