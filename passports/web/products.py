"""Product pages: the list (search, filters, pages), the product's page with its passports, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from passports.models import Product
from passports.selectors import passports as selectors
from passports.services import passports as services
from passports.web.access import can_edit, editor_required, member_required, organization_of
from passports.web.forms.products import ProductFilterForm, ProductForm
from passports.web.passports import PAGE_SIZE, product_passports


@member_required
def product_list(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    filters = ProductFilterForm(request.GET or None, organization=org)
    queryset = selectors.product_list(org=org).annotate(passport_count=Count("passports"))
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
