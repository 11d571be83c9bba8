"""Report pack pages: start a pack of chosen passports or of a whole import, follow it, download its ZIP.

Packs are started from the passports list (checkboxes) and from a committed import's page; both post here,
and the work is done by ``exporters.reports.pack_requests``, as for ``POST /api/v1/reports/packs``. The
pack page polls a small fragment with HTMX every second while the pack is built (and refreshes itself
without scripts), like the import page. Every member reads packs; editors and owners start them. Packs
are looked up within the active organization, so another organization's pack is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from core.ids import MAX_ID
from core.language import ui_language
from exporters.models import ReportPack
from exporters.reports.pack_requests import (
    pack_file_response,
    pack_request,
    pack_resume_if_stalled,
    selection_source,
    source_import_job,
)
from exporters.reports.packs import MAX_PASSPORTS, pack_zip_path
from passports.models import Organization, Passport, PassportVersion
from passports.scoping import get_scoped_or_404, scoped
from passports.web.access import can_edit, editor_required, member_required, organization_of

PAGE_SIZE = 20
PASSPORTS_SHOWN = 200  # a pack may hold thousands; its page lists the first ones, the manifest has them all

LANG_CHOICES = [("en", gettext_lazy("English")), ("ko", gettext_lazy("Korean"))]
TIER_CHOICES = [
    ("public", gettext_lazy("Public")),
    ("legitimate_interest", gettext_lazy("Legitimate interest")),
    ("authority", gettext_lazy("Authorities")),
]


class PassportIdsField(forms.Field):
    """The ids of the ticked passports (``passports`` repeated); whose they are is checked by the service."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(_("Choose passports from the list."), code="invalid") from None


class PackForm(forms.Form):
    """What the passports list and the import page send: passports or an import, a language, a tier."""

    passports = PassportIdsField(label=gettext_lazy("Passports"), required=False)
    import_job = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    lang = forms.ChoiceField(label=gettext_lazy("Language of the reports"), choices=LANG_CHOICES)
    tier = forms.ChoiceField(
        label=gettext_lazy("Access tier"),
        choices=TIER_CHOICES,
        initial="public",
        help_text=gettext_lazy("The reports show the fields of this tier and of the tiers below it."),
    )
    drafts = forms.ChoiceField(
        label=gettext_lazy("Drafts"),
        choices=[
            ("include", gettext_lazy("Include drafts, each marked 'not a compliance document'")),
            ("exclude", gettext_lazy("Published versions only")),
        ],
        initial="include",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("passports") or []
        job = data.get("import_job")
        if chosen and job:
            raise ValidationError(_("Pack either the chosen passports or an import, not both."))
        if not chosen and not job and "passports" not in self.errors:
            self.add_error("passports", _("Select at least one passport."))
        if len(chosen) > MAX_PASSPORTS:
            self.add_error(
                "passports",
                _("A pack holds at most %(max)s passports; split the selection.") % {"max": MAX_PASSPORTS},
            )
        return data


def describe(pack: ReportPack) -> ReportPack:
    """Give the pack what its pages show: what was packed, in the reader's language, and the import."""
    job = source_import_job(pack.source)
    pack.import_job_id = job  # type: ignore[attr-defined]  # shown beside the pack, not stored
    if job is not None:
        pack.source_label = _("Import %(number)s") % {"number": job}  # type: ignore[attr-defined]
    elif pack.source == selection_source(pack.total):
        pack.source_label = ngettext(  # type: ignore[attr-defined]
            "%(count)s selected passport", "%(count)s selected passports", pack.total
        ) % {"count": pack.total}
    else:
        pack.source_label = pack.source  # type: ignore[attr-defined]
    return pack


# --------------------------------------------------------------------------------------------------
# The list and starting a pack


@member_required
@require_safe
def pack_list(request: HttpRequest) -> HttpResponse:
    """The organization's packs, newest first (their item lists stay in the database)."""
    org = organization_of(request)
    packs = scoped(ReportPack.objects.select_related("created_by").defer("items"), org).order_by("-created_at", "-pk")
    page = Paginator(packs, PAGE_SIZE).get_page(request.GET.get("page"))
    for pack in page:
        describe(pack)
    context = {"page": page, "can_edit": can_edit(request), "nav_section": "packs"}
    return render(request, "exporters/packs/list.html", context)


@editor_required
@require_POST
def pack_create(request: HttpRequest) -> HttpResponse:
    """Start a pack and go to its page; a form that does not hold shows again with its errors."""
    org = organization_of(request)
    form = PackForm(request.POST, initial={"lang": ui_language()})
    if form.is_valid():
        data = form.cleaned_data
        job = data["import_job"]
        try:
            pack = pack_request(
                org=org,
                passport_ids=None if job else data["passports"],
                import_job_id=job,
                lang=data["lang"],
                tier=data["tier"],
                by=request.user,
                include_drafts=data.get("drafts") != "exclude",
            )
        except ValueError as exc:
            if "draft" in str(exc):
                form.add_error("drafts", _("Every chosen passport is a draft: include drafts or publish them first."))
            elif job:
                form.add_error(None, _("This import stored no passports, so there is nothing to pack."))
            else:
                form.add_error(None, _("The pack could not be started: %(reason)s") % {"reason": exc})
        else:
            note = _("The PDF pack is being built. This page follows it; you can leave and come back.")
            messages.success(request, note)
            return HttpResponseRedirect(reverse("report-pack-detail-page", args=[pack.pk]))
    chosen = form.cleaned_data.get("passports") or []
    selected = scoped(Passport.objects.select_related("product"), org).filter(pk__in=chosen).order_by("pk")
    context = {"form": form, "selected": selected, "nav_section": "packs"}
    return render(request, "exporters/packs/create.html", context, status=400)


# --------------------------------------------------------------------------------------------------
# A pack


def _pack(request: HttpRequest, pk: int) -> ReportPack:
    pack = get_scoped_or_404(ReportPack.objects.select_related("created_by"), organization_of(request), pk=pk)
    return describe(pack_resume_if_stalled(pack))


def _progress_context(pack: ReportPack) -> dict[str, Any]:
    finished = pack.status in (ReportPack.Status.DONE, ReportPack.Status.FAILED)
    return {
        "pack": pack,
        "percent": round(pack.progress * 100) if finished or pack.total else 0,
        "finished": finished,
        "ready": pack.status == ReportPack.Status.DONE and pack_zip_path(pack) is not None,
        "nav_section": "packs",
    }


def included_passports(org: Organization, pack: ReportPack) -> list[dict[str, Any]]:
    """The first ``PASSPORTS_SHOWN`` reports of the pack with their passports and versions (two queries)."""
    items = pack.items[:PASSPORTS_SHOWN]
    passports = scoped(Passport.objects.select_related("product"), org).in_bulk([item["passport"] for item in items])
    numbers = dict(
        scoped(PassportVersion, org).filter(pk__in=[item["version"] for item in items]).values_list("pk", "number")
    )
    return [
        {"passport": passports.get(item["passport"]), "version": numbers.get(item["version"]), "file": item["file"]}
        for item in items
    ]


@member_required
@require_safe
def pack_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack(request, pk)
    context = _progress_context(pack) | {
        "included": included_passports(organization_of(request), pack),
        "more": max(pack.total - PASSPORTS_SHOWN, 0),
    }
    return render(request, "exporters/packs/detail.html", context)


@member_required
@require_safe
def pack_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the pack page that changes while it is built (polled by HTMX)."""
    return render(request, "exporters/packs/_progress.html", _progress_context(_pack(request, pk)))


@member_required
@require_safe
def pack_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The ZIP, served as the API serves it; before it is ready, the pack page says where it stands."""
    pack = _pack(request, pk)
    response = pack_file_response(pack)
    if response is None:
        messages.info(request, _("The pack is not ready to download."))
        return HttpResponseRedirect(reverse("report-pack-detail-page", args=[pack.pk]))
    return response
