"""Product pages: the list (search, filters, pages), the product's page with its passports, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.counts import row_count, row_counts
from passports.models import Passport, Product
from passports.selectors import passports as selectors
from passports.services import passports as services
from passports.web.access import can_edit, editor_required, member_required, organization_of
from passports.web.forms.products import ProductFilterForm, ProductForm
from passports.web.passports import PAGE_SIZE, product_passports

# A product's passport count in the list is exact up to here and "more than" above.
PASSPORTS_COUNTED_UP_TO = 1000


@member_required
def product_list(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    filters = ProductFilterForm(request.GET or None, organization=org)
    queryset = selectors.product_list(org=org)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            term = data["q"].strip()
            queryset = queryset.filter(
                Q(name__icontains=term)
                | Q(name_ko__icontains=term)
                | Q(gtin__icontains=term)
                | Q(model_name__icontains=term)
                | Q(brand__icontains=term)
                | Q(cn_code__icontains=term)
            )
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["facility"]:
            queryset = queryset.filter(facility=data["facility"])
    page = Paginator(queryset.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # Each product's passports counted up to a bound, all in one query: a GROUP BY over the join counted
    # every passport of the organization (a million item passports) to label 25 rows.
    counts = (
        row_counts(
            {str(product.pk): Passport.objects.filter(product=product) for product in page},
            exact_up_to=PASSPORTS_COUNTED_UP_TO,
            estimate=False,
        )
        if page.object_list
        else {}
    )
    for product in page:
        product.passport_count = counts[str(product.pk)]  # type: ignore[attr-defined]  # a figure for the template
    return render(
        request,
        "passports/products/list.html",
        {"page": page, "filters": filters, "can_edit": can_edit(request), "nav_section": "products"},
    )


@member_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(org=organization_of(request), pk=pk)
    return render(
        request,
        "passports/products/detail.html",
        {
            "product": product,
            "passports": product_passports(product),
            "passport_total": row_count(Passport.objects.filter(product=product)),
            "can_edit": can_edit(request),
            "nav_section": "products",
        },
    )


def _save(request: HttpRequest, form: ProductForm, product: Product | None) -> Product | None:
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        if product is None:
            return services.product_create(org=organization_of(request), **fields)
        return services.product_update(product=product, **fields)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return None


@editor_required
def product_create(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    initial = {"category": request.GET.get("category", "")}
    form = ProductForm(request.POST or None, organization=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        product = _save(request, form, None)
        if product is not None:
            messages.success(request, _("Product created. Next: create its passport."))
            return HttpResponseRedirect(reverse("product-detail-page", args=[product.pk]))
    return render(request, "passports/products/form.html", {"form": form, "product": None, "nav_section": "products"})


@editor_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_of(request)
    product = selectors.product_get(org=org, pk=pk)
    form = ProductForm(request.POST or None, instance=product, organization=org)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, selectors.product_get(org=org, pk=pk))
        if saved is not None:
            messages.success(request, _("Product saved."))
            return HttpResponseRedirect(reverse("product-detail-page", args=[saved.pk]))
    return render(
        request, "passports/products/form.html", {"form": form, "product": product, "nav_section": "products"}
    )
