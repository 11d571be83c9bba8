"""The bulk-operation pages: start a job from a selection, confirm it, watch it run, read what it refused.

A selection comes from the passport list (ticked rows, or every passport the filters match across all pages), the
readiness cockpit (every product its filters match), an import (its passports), or a model passport's page (new
item passports from serial numbers). Starting a job only stores it, pending; the job's page says what it will do
(how many will be signed now, how many would be refused) and nothing is signed before "Confirm". The work is
``passports.services.bulk``, as for ``/api/v1/bulk-jobs/``; the job page polls its progress fragment with HTMX.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.ids import MAX_ID
from core.language import ui_language
from passports.models import BulkJob, BulkJobItem, ImportJob, Passport, PassportVersion
from passports.roles import member_may
from passports.scoping import get_scoped_or_404, scoped
from passports.selectors import passports as selectors
from passports.selectors import readiness as cockpit
from passports.services import bulk
from passports.tenancy import request_membership
from passports.web.access import can_edit, editor_required, member_required, organization_of

ITEMS_SHOWN = 50
PREVIEW_SHOWN = 10


class SelectionForm(forms.Form):
    """What the list, the cockpit or an import page posts: the operation and one way of selecting."""

    operation = forms.ChoiceField(
        choices=[(value, label) for value, label in BulkJob.Operation.choices if value != "create_items"]
    )
    policy = forms.ChoiceField(choices=BulkJob.Policy.choices, required=False)
    passports = forms.TypedMultipleChoiceField(coerce=int, required=False)
    all_matching = forms.BooleanField(required=False)
    q = forms.CharField(required=False, max_length=100)
    status = forms.CharField(required=False, max_length=10)
    schema = forms.CharField(required=False, max_length=60)
    granularity = forms.CharField(required=False, max_length=5)
    import_job = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    cockpit = forms.CharField(required=False, max_length=1000)
    reason = forms.CharField(required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service refuses those of other organizations, naming them.
        self.fields["passports"].choices = [(value, value) for value in self.data.getlist("passports", [])]  # type: ignore[attr-defined]


class ItemsForm(forms.Form):
    """New item passports under a model passport: a list of serial numbers, or a numbered range."""

    serials = forms.CharField(
        label=gettext_lazy("Serial numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One per line (commas also separate). Leave empty to use the range below."),
    )
    serial_prefix = forms.CharField(label=gettext_lazy("Prefix"), required=False, max_length=20)
    first = forms.IntegerField(label=gettext_lazy("From"), required=False, min_value=0)
    last = forms.IntegerField(label=gettext_lazy("To"), required=False, min_value=0)
    width = forms.IntegerField(
        label=gettext_lazy("Digits"),
        required=False,
        min_value=0,
        max_value=20,
        help_text=gettext_lazy("Zero-padded to this many digits: 4 makes SN-0001."),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Also publish them (each is signed; you confirm on the next page)"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ranged = data.get("first") is not None or data.get("last") is not None
        if bool((data.get("serials") or "").strip()) == ranged:
            raise forms.ValidationError(_("Give either a list of serial numbers or a range (from and to)."))
        if ranged and (data.get("first") is None or data.get("last") is None):
            raise forms.ValidationError(_("A range needs both its first and its last number."))
        return data


def _message(exc: bulk.BulkRequestError) -> str:
    return exc.message_ko if ui_language() == "ko" else exc.message_en


def _may_revoke(request: HttpRequest) -> bool:
    return member_may(request_membership(request), "passport.revoke")


def _selection(request: HttpRequest, form: SelectionForm) -> bulk.Selection:
    """The selection the form names: ticked ids, the list's filters, an import, or the cockpit's filters."""
    org = organization_of(request)
    data = form.cleaned_data
    if data["import_job"]:
        job = get_scoped_or_404(ImportJob.objects.all(), org, pk=data["import_job"])
        return bulk.Selection(import_job=job, source=job.original_name)
    if data["cockpit"]:
        families = cockpit.schema_families()
        try:
            filters = cockpit.Filters.parse(QueryDict(data["cockpit"]), families)
        except cockpit.FilterError as exc:
            raise bulk.BulkRequestError(exc.field, "bad_filter", str(exc), str(exc)) from exc
        products = cockpit.cockpit_products(org=org, filters=filters, families=families)
        return bulk.Selection(products=products, source=_("Readiness cockpit"))
    if data["all_matching"]:
        wanted = {"search": data["q"], "status": data["status"], "schema": data["schema"]}
        wanted["granularity"] = data["granularity"]
        return bulk.Selection(passports=selectors.passport_list(org=org, filters=wanted), source=_("Passport list"))
    return bulk.Selection(passport_ids=data["passports"], source=_("Passport list"))


@member_required
def bulk_list(request: HttpRequest) -> HttpResponse:
    """The organization's bulk jobs, newest first."""
    return _list(request)


def _list(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    org = organization_of(request)
    jobs = scoped(BulkJob.objects.select_related("created_by"), org).order_by("-created_at", "-pk")
    context = {
        "page": Paginator(jobs, 20).get_page(request.GET.get("page")),
        "error": error,
        "nav_section": "passports",
    }
    return render(request, "passports/bulk/list.html", context, status=status)


@editor_required
@require_POST
def bulk_create(request: HttpRequest) -> HttpResponse:
    """Store a pending job over the posted selection and show it for confirmation (400 naming what is wrong)."""
    form = SelectionForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return _list(request, f"{field}: {' '.join(str(e) for e in errors)}", status=400)
    operation = form.cleaned_data["operation"]
    if operation == BulkJob.Operation.REVOKE and not _may_revoke(request):
        raise PermissionDenied
    try:
        job = bulk.bulk_job_create(
            org=organization_of(request),
            by=request.user,
            operation=operation,
            policy=form.cleaned_data["policy"] or BulkJob.Policy.VALID_ONLY,
            selection=_selection(request, form),
            reason=form.cleaned_data["reason"],
        )
    except bulk.BulkRequestError as exc:
        return _list(request, _message(exc), status=400)
    return HttpResponseRedirect(reverse("bulk-detail-page", args=[job.pk]))


@editor_required
def bulk_items_create(request: HttpRequest, pk: int) -> HttpResponse:
    """New item passports under a model passport, from serial numbers; stored pending, confirmed next."""
    org = organization_of(request)
    model = selectors.passport_get(org=org, pk=pk)
    form = ItemsForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["serials"].strip():
                    serials = bulk.serials_from_text(data["serials"])
                else:
                    serials = bulk.serials_from_range(
                        prefix=data["serial_prefix"], first=data["first"], last=data["last"], width=data["width"] or 0
                    )
                job = bulk.bulk_job_create(
                    org=org,
                    by=request.user,
                    operation=BulkJob.Operation.CREATE_ITEMS,
                    parent=model,
                    serials=serials,
                    publish_created=data["publish"],
                )
            except bulk.BulkRequestError as exc:
                error = _message(exc)
            else:
                return HttpResponseRedirect(reverse("bulk-detail-page", args=[job.pk]))
    context = {
        "passport": model,
        "form": form,
        "error": error,
        "published": model.versions.filter(status=PassportVersion.Status.PUBLISHED).first(),
        "nav_section": "passports",
    }
    return render(request, "passports/bulk/items.html", context, status=status)


def _job(request: HttpRequest, pk: int) -> BulkJob:
    return get_scoped_or_404(
        BulkJob.objects.select_related("created_by", "confirmed_by", "parent", "import_job"),
        organization_of(request),
        pk=pk,
    )


def _job_context(request: HttpRequest, job: BulkJob) -> dict[str, Any]:
    korean = ui_language() == "ko"
    refused = list(job.items.filter(outcome=BulkJobItem.Outcome.REFUSED).order_by("position")[:ITEMS_SHOWN])
    context: dict[str, Any] = {
        "job": job,
        "percent": round(job.progress * 100),
        "error_message": job.error_ko if korean else job.error_en,
        "refused": [{"item": item, "message": item.message_ko if korean else item.message_en} for item in refused],
        "can_confirm": job.status == BulkJob.Status.PENDING
        and can_edit(request)
        and (job.operation != BulkJob.Operation.REVOKE or _may_revoke(request)),
        "nav_section": "passports",
    }
    if job.status == BulkJob.Status.PENDING:
        context.update(_preview(job))
    return context


def _preview(job: BulkJob) -> dict[str, Any]:
    """What confirming will do, counted now: for a publication, how many drafts validate (each is then signed)."""
    if job.operation == BulkJob.Operation.CREATE_ITEMS:
        return {"preview": job.targets[:PREVIEW_SHOWN]}
    ids = job.targets
    shown = Passport.objects.filter(pk__in=ids[:PREVIEW_SHOWN]).select_related("product")
    order = {pk: index for index, pk in enumerate(ids[:PREVIEW_SHOWN])}
    context: dict[str, Any] = {"preview": sorted(shown, key=lambda p: order[p.pk])}
    if job.operation == BulkJob.Operation.PUBLISH:
        drafts = PassportVersion.objects.filter(passport_id__in=ids, status=PassportVersion.Status.DRAFT)
        context["valid_now"] = drafts.filter(error_count=0).count()
        context["invalid_now"] = job.total - context["valid_now"]
    return context


@member_required
def bulk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "passports/bulk/detail.html", _job_context(request, job))


@member_required
def bulk_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the job page that changes while it runs (polled by HTMX)."""
    job = _job(request, pk)
    return render(request, "passports/bulk/_progress.html", _job_context(request, job))


@editor_required
@require_POST
def bulk_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation: only now is the job queued, and its items signed as it runs."""
    job = _job(request, pk)
    if job.operation == BulkJob.Operation.REVOKE and not _may_revoke(request):
        raise PermissionDenied
    try:
        bulk.bulk_job_confirm(job=job, by=request.user)
    except bulk.BulkRequestError as exc:
        messages.error(request, _message(exc))
    return HttpResponseRedirect(reverse("bulk-detail-page", args=[job.pk]))


@editor_required
@require_POST
def bulk_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        bulk.bulk_job_cancel(job=job, by=request.user)
    except bulk.BulkRequestError as exc:
        messages.error(request, _message(exc))
    return HttpResponseRedirect(reverse("bulk-detail-page", args=[job.pk]))
