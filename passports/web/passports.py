"""Passport pages: the list, a passport's page with its downloads, the editor, publishing and the history.

The editor is generated from the passport's schema (``passports.web.schema_forms``). Saving stores the
draft whatever its state (drafts may be incomplete) and shows every validation issue beside its field;
publishing needs a clean report, which the service checks again. Batch and item passports are edited on
their effective data (the model passport's data with their overrides) and only what differs from the
model passport is stored (RFC 7396 merge patch, ``passports.overrides``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.counts import row_count
from core.keyset import Cursor, keyset_page
from core.language import ui_language
from passports.models import Passport, PassportVersion, Product
from passports.overrides import diff_overrides
from passports.roles import member_may
from passports.selectors import passports as selectors
from passports.services import passports as services
from passports.services.identity import locked_fields
from passports.tenancy import request_membership
from passports.validation import Issue, validate
from passports.validation.pointers import field_titles
from passports.web.access import can_edit, editor_required, member_required, organization_of, role_required
from passports.web.diffs import field_changes, leaves
from passports.web.form_html import render_section
from passports.web.forms.passports import PassportCreateForm, PassportFilterForm, RevokeForm
from passports.web.prefill import maker_facts, product_prefill
from passports.web.schema_forms import build_form, parse_form

PAGE_SIZE = 25


def passports_with_draft_errors(queryset: QuerySet[Passport]) -> QuerySet[Passport]:
    """Each passport with its draft's error count, in the same query (no query per row)."""
    drafts = PassportVersion.objects.filter(passport=OuterRef("pk"), status=PassportVersion.Status.DRAFT)
    return queryset.annotate(
        draft_errors=Subquery(drafts.values("error_count")[:1], output_field=IntegerField()),
        draft_number=Subquery(drafts.values("number")[:1], output_field=IntegerField()),
    )


@member_required
def passport_list(request: HttpRequest) -> HttpResponse:
    org = organization_of(request)
    filters = PassportFilterForm(request.GET or None)
    wanted: dict[str, Any] = {}
    if filters.is_valid():
        data = filters.cleaned_data
        wanted = {
            "search": data["q"],
            "status": data["status"],
            "schema": data["schema"],
            "granularity": data["granularity"],
        }
    matching = selectors.passport_list(org=org, filters=wanted)
    # Keyset pages (core.keyset): a deep page costs what the first does; a stale or foreign cursor starts over.
    try:
        cursor = Cursor.decode(request.GET["cursor"]) if request.GET.get("cursor") else None
    except ValueError:
        cursor = None
    page = keyset_page(passports_with_draft_errors(matching), size=PAGE_SIZE, cursor=cursor)
    context = {
        "page": page,
        "total": row_count(matching),
        "filters": filters,
        "nav_section": "passports",
        "can_edit": can_edit(request),
        "can_revoke": member_may(request_membership(request), "passport.revoke"),
        # "Select every page" posts the filters, so the bulk job takes exactly what the list shows.
        "bulk_filters": [(name, request.GET.get(name, "")) for name in ("q", "status", "schema", "granularity")],
    }
    return render(request, "passports/passports/list.html", context)


def _passport(request: HttpRequest, pk: int) -> Passport:
    return selectors.passport_get(org=organization_of(request), pk=pk)


@member_required
def passport_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A passport at a glance: status, versions, item passports, downloads."""
    passport = _passport(request, pk)
    versions = list(selectors.version_list(passport=passport).select_related("created_by", "published_by"))
    current = next((v for v in versions if v.status == PassportVersion.Status.DRAFT), versions[0] if versions else None)
    published = next((v for v in versions if v.status == PassportVersion.Status.PUBLISHED), None)
    children = passport.children.select_related("product").order_by("lot", "serial")
    children_total = row_count(children)  # a model passport may have a million items: counted up to a bound
    membership = request_membership(request)
    context = {
        "passport": passport,
        "versions": versions,
        "current": current,
        "published": published,
        "children": children[:20],
        "children_count": children_total.value,
        "children_count_exact": children_total.exact,
        "nav_section": "passports",
        "can_edit": can_edit(request),
        "can_manage": membership is not None and membership.can_manage,
        "revoke_form": RevokeForm(initial={"version": published.number}) if published else None,
        # The identifier is an absolute GS1 Digital Link URI under the platform's base URL; its path is the
        # public page on whatever host serves this page.
        "public_path": urlsplit(passport.identifier).path,
        "operator_links": passport.operator_links.select_related("operator"),
        "can_manage_access": member_may(membership, "grant.manage"),
    }
    return render(request, "passports/passports/detail.html", context)


@editor_required
def passport_create(request: HttpRequest, product_pk: int) -> HttpResponse:
    """A new passport for a product; a model passport starts with what the product record knows."""
    org = organization_of(request)
    product = selectors.product_get(org=org, pk=product_pk)
    form = PassportCreateForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        schema = form.cleaned_data["schema"]
        granularity = form.cleaned_data["granularity"]
        data: dict[str, Any] = {}
        if granularity == Passport.Granularity.MODEL:
            try:
                identifier = services.passport_identifier(
                    product=product,
                    lot=form.cleaned_data["lot"].strip(),
                    serial=form.cleaned_data["serial"].strip(),
                    base_url=settings.PLATFORM_BASE_URL,
                )
            except ValueError:  # a lot or serial GS1 refuses: passport_create names it below
                identifier = ""
            data = product_prefill(
                schema.document,
                {
                    "gtin": product.gtin,
                    "cn_code": product.cn_code,
                    "product_name": product.name,
                    "battery_model": product.model_name or product.name,
                    **maker_facts(organization=org, facility=product.facility, identifier=identifier),
                },
            )
        try:
            passport = services.passport_create(
                org=org,
                product=product,
                granularity=granularity,
                schema=schema,
                data=data,
                lot=form.cleaned_data["lot"].strip(),
                serial=form.cleaned_data["serial"].strip(),
                by=request.user,
                base_url=settings.PLATFORM_BASE_URL,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Passport created. Fill it in, then publish it."))
            return HttpResponseRedirect(reverse("passport-edit-page", args=[passport.pk]))
    return render(
        request,
        "passports/passports/create.html",
        {"form": form, "product": product, "nav_section": "products"},
    )


# --------------------------------------------------------------------------------------------------
# The editor


def _form_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.POST.lists() for value in values]


def _base_data(version: PassportVersion) -> dict[str, Any] | None:
    base = version.base_version
    return selectors.effective_data_of(base) if base is not None else None


def _render_editor(
    request: HttpRequest,
    passport: Passport,
    version: PassportVersion,
    *,
    data: dict[str, Any],
    issues: list[Issue],
    own: dict[str, Any] | None = None,
    checked_unsaved: bool = False,
    conflict: bool = False,
    status: int = 200,
) -> HttpResponse:
    base = _base_data(version)
    editable = version.is_editable and can_edit(request)
    tree = build_form(
        version.schema.document,
        data,
        issues=issues,
        lang=ui_language(),
        base=base,
        own=own if own is not None else version.data,
        locked=locked_fields(version.schema.category, identifier=passport.identifier),
    )
    context = {
        "passport": passport,
        "version": version,
        "tree": tree,
        # Written out in Python, not through template includes: see passports.web.form_html.
        "sections_html": [render_section(section) for section in tree.sections],
        "editable": editable,
        "can_edit": can_edit(request),
        "inherits": base is not None,
        "override_count": sum(1 for _leaf in leaves(version.data)) if base is not None and version.data else 0,
        "checked_unsaved": checked_unsaved,
        "conflict": conflict,
        "publishable": version.is_editable and version.error_count == 0 and not conflict,
        "parent_unpublished": version.is_editable and selectors.model_passport_unpublished(passport),
        "schema_title": _schema_title(version),
        "nav_section": "passports",
    }
    # "Check for errors" swaps only the editor in place (HTMX); a plain POST or GET gets the whole page.
    template = (
        "passports/passports/_editor.html" if getattr(request, "htmx", False) else "passports/passports/edit.html"
    )
    return render(request, template, context, status=status)


def _schema_title(version: PassportVersion) -> str:
    document = version.schema.document
    title = document.get("x-title-ko") if ui_language() == "ko" else None
    return str(title or document.get("title") or version.schema.key)


@member_required
def passport_edit(request: HttpRequest, pk: int) -> HttpResponse:  # noqa: PLR0911  # one page per way a save ends
    """GET: the form with the saved draft's report. POST: ``_action=validate`` checks what was typed without
    storing it; anything else saves the draft (with the ETag the form was rendered with) and reloads it."""
    passport = _passport(request, pk)
    version = selectors.current_version(passport)
    if version is None:
        raise Http404
    if request.method != "POST":
        return _render_editor(
            request,
            passport,
            version,
            data=selectors.effective_data_of(version),
            issues=selectors.validation_report(version),
        )
    if not can_edit(request):
        raise PermissionDenied
    if not version.is_editable:
        messages.error(request, _("Published versions never change. Start a new version to make changes."))
        return HttpResponseRedirect(reverse("passport-edit-page", args=[passport.pk]))
    typed = parse_form(version.schema.document, _form_pairs(request))
    base = _base_data(version)
    own = diff_overrides(base, typed) if base is not None else typed
    if request.POST.get("_action") == "validate":
        issues = validate(version.schema.document, typed)
        return _render_editor(request, passport, version, data=typed, own=own, issues=issues, checked_unsaved=True)
    try:
        saved = services.passport_draft_update(
            version=version, data=own, if_match=request.POST.get("etag"), by=request.user
        )
    except (services.PreconditionFailedError, services.PreconditionRequiredError):
        # Someone saved in between: keep everything this person typed on the page, and say what happened.
        issues = validate(version.schema.document, typed)
        return _render_editor(request, passport, version, data=typed, own=own, issues=issues, conflict=True, status=409)
    except services.NotEditableError:
        messages.error(request, _("This version was published meanwhile; start a new version to change it."))
        return HttpResponseRedirect(reverse("passport-edit-page", args=[passport.pk]))
    except ValidationError as exc:
        # An identifier that names another passport (passports.services.identity): nothing saved, all kept.
        for message in exc.messages:
            messages.error(request, message)
        issues = validate(version.schema.document, typed)
        return _render_editor(request, passport, version, data=typed, own=own, issues=issues, status=400)
    if saved.error_count:
        messages.warning(
            request,
            ngettext(
                "Draft saved. %(count)d error is left to fix before you can publish.",
                "Draft saved. %(count)d errors are left to fix before you can publish.",
                saved.error_count,
            )
            % {"count": saved.error_count},
        )
    else:
        messages.success(request, _("Draft saved. It validates: you can publish it now."))
    return HttpResponseRedirect(reverse("passport-edit-page", args=[passport.pk]))


@editor_required
@require_POST
def passport_publish(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _passport(request, pk)
    try:
        version = services.passport_publish(
            passport=passport, by=request.user, publish_parent=request.POST.get("publish_parent") == "1"
        )
    except services.ParentNotPublishedError:
        messages.error(
            request,
            _(
                "Not published: the model passport this one inherits from has no published version, and a published "
                "passport may only inherit published data. Publish the model passport first, or both together."
            ),
        )
        return HttpResponseRedirect(reverse("passport-edit-page", args=[passport.pk]))
    except services.PublishRefusedError as exc:
        if exc.passport is not None and exc.passport.pk != passport.pk:
            messages.error(request, _("Not published: the model passport's draft has errors; fix it first."))
            return HttpResponseRedirect(reverse("passport-edit-page", args=[exc.passport.pk]))
        messages.error(
            request,
            ngettext(
                "Not published: %(count)d error must be fixed first.",
                "Not published: %(count)d errors must be fixed first.",
                len(exc.issues),
            )
            % {"count": len(exc.issues)},
        )
        return HttpResponseRedirect(reverse("passport-edit-page", args=[passport.pk]))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("passport-detail-page", args=[passport.pk]))
    messages.success(request, _("Version %(number)d is published.") % {"number": version.number})
    return HttpResponseRedirect(reverse("passport-detail-page", args=[passport.pk]))


@editor_required
@require_POST
def passport_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _passport(request, pk)
    try:
        version = services.passport_version_new(passport=passport, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(number)d is a new draft.") % {"number": version.number})
    return HttpResponseRedirect(reverse("passport-edit-page", args=[passport.pk]))


@role_required("passport.revoke")
@require_POST
def passport_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraws the published version (owners only: the public page then says it is revoked)."""
    passport = _passport(request, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to revoke the passport."))
        return HttpResponseRedirect(reverse("passport-detail-page", args=[passport.pk]))
    version = selectors.version_get(passport=passport, number=form.cleaned_data["version"])
    try:
        services.passport_revoke(version=version, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(number)d is revoked.") % {"number": version.number})
    return HttpResponseRedirect(reverse("passport-detail-page", args=[passport.pk]))


@member_required
def passport_json(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's effective data as a JSON file (``?version=N``; the current version by default)."""
    passport = _passport(request, pk)
    number = request.GET.get("version")
    version = selectors.version_get(passport=passport, number=number) if number else selectors.current_version(passport)
    if version is None:
        raise Http404
    body = json.dumps(selectors.effective_data_of(version), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"passport-{passport.product.gtin}-{passport.pk}-v{version.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --------------------------------------------------------------------------------------------------
# History


@member_required
def passport_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version, and the field-by-field difference between any two (``?a=1&b=3``)."""
    passport = _passport(request, pk)
    versions = list(
        selectors.version_list(passport=passport).select_related("created_by", "published_by", "base_version")
    )
    by_number = {version.number: version for version in versions}
    numbers = sorted(by_number)
    older, newer = _pair(request, numbers)
    changes: list[dict[str, Any]] = []
    if older is not None and newer is not None:
        old, new = by_number[older], by_number[newer]
        schema = new.schema.document
        lang = ui_language()
        cache: dict[int, dict[str, Any]] = {}
        for change in field_changes(_effective(old, cache), _effective(new, cache)):
            title_en, title_ko = field_titles(schema, change.path)
            section_en, section_ko = field_titles(schema, change.path[:1])
            changes.append(
                {
                    "pointer": change.pointer,
                    "title": title_ko if lang == "ko" else title_en,
                    "section": section_ko if lang == "ko" else section_en,
                    "kind": change.kind,
                    "old": _shown(change.old),
                    "new": _shown(change.new),
                }
            )
    return render(
        request,
        "passports/passports/history.html",
        {
            "passport": passport,
            "versions": versions,
            "older": older,
            "newer": newer,
            "changes": changes,
            "nav_section": "passports",
        },
    )


def _pair(request: HttpRequest, numbers: list[int]) -> tuple[int | None, int | None]:
    """The two versions to compare: as asked, else the latest two."""

    def number(name: str) -> int | None:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in numbers else None

    older, newer = number("a"), number("b")
    if older is None and newer is None and len(numbers) >= 2:
        older, newer = numbers[-2], numbers[-1]
    if older is not None and newer is not None and older > newer:
        older, newer = newer, older
    return older, newer


def _effective(version: PassportVersion, cache: dict[int, dict[str, Any]]) -> dict[str, Any]:
    if version.pk not in cache:
        cache[version.pk] = selectors.effective_data_of(version)
    return cache[version.pk]


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# A product's page lists its first item passports; all of them are in the passport list, searched by GTIN.
PRODUCT_PAGE_ITEMS = 25


def product_passports(product: Product) -> list[Passport]:
    """A product's model and batch passports and its first item passports, for its page, with their draft
    error counts in the same queries: a product may have a million item passports, and its page shows a few.
    Both are ranges of the (product, granularity, lot, serial) unique index."""
    passports = passports_with_draft_errors(
        Passport.objects.for_org(product.organization).filter(product=product).select_related("schema")
    ).order_by("granularity", "lot", "serial")
    items = Passport.Granularity.ITEM
    return [
        *passports.filter(granularity__in=[Passport.Granularity.MODEL, Passport.Granularity.BATCH])[:PAGE_SIZE],
        *passports.filter(granularity=items)[:PRODUCT_PAGE_ITEMS],
    ]
