"""The import pages: upload a CSV or XLSX file, map its columns, dry-run it, commit it, watch it run.

The work is done by ``passports.imports`` (the same services as ``POST /api/v1/imports/``): these pages
choose the kind and the options, stage a file whose header needs a column mapping while the person maps
it, and show a job's progress. The job page polls a small fragment with HTMX every second while the job
runs (and refreshes itself without scripts); rejected rows are listed in the user's language and the full
report is the API's CSV (``errors.csv``), safe to open in a spreadsheet.

A dry run stores nothing but its report; "Import these rows" on a clean dry run starts a committing job on
the very same file.
"""

from __future__ import annotations

import codecs
import csv
import io
import secrets
from pathlib import Path
from typing import IO, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.language import ui_language
from core.uploads import accepts_uploads
from passports.imports.formats import (
    SAMPLE_BYTES,
    FormatError,
    check_text,
    detect_encoding,
    file_type,
    is_blank,
    is_comment,
    sniff_delimiter,
)
from passports.imports.inspection import xlsx_sample_rows
from passports.imports.kinds import kinds
from passports.imports.limits import check_xlsx_container, limits_from
from passports.imports.mapping import column_mapping_create
from passports.imports.services import ImportRejectedError, import_job_create
from passports.imports.workbook import error_workbook
from passports.models import ColumnMapping, ImportJob, Organization
from passports.scoping import get_scoped_or_404, scoped
from passports.web.access import can_edit, editor_required, member_required, organization_of

STAGING_KEY = "import_staging"
ROW_ERRORS_SHOWN = 50
MISSING_FACILITIES_SHOWN = 10
# Why an upload goes to the mapping step instead of back to the form: its columns are not ours.
NEEDS_MAPPING = {"unknown_columns", "duplicate_columns", "missing_key_column"}


def kind_choices() -> list[tuple[str, str]]:
    korean = ui_language() == "ko"
    return [(kind.name, kind.title_ko if korean else kind.title_en) for kind in kinds().values()]


class MappingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.kind}: {obj.name}"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=kind_choices)
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy(
            "UTF-8, CP949 (EUC-KR) or UTF-16 CSV, or an Excel workbook; the first row names the columns."
        ),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.DRY_RUN,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("A dry run checks every row and stores nothing; you can import the rows afterwards."),
    )
    policy = forms.ChoiceField(
        label=gettext_lazy("When some rows have errors"),
        choices=ImportJob.Policy.choices,
        initial=ImportJob.Policy.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish the valid passports once imported"),
        required=False,
        help_text=gettext_lazy(
            "Passport files with mode Commit: every imported draft that validates is signed and published by a bulk "
            "job; the others stay drafts and are listed with their errors. Ticking this is your confirmation."
        ),
    )
    mapping = MappingChoiceField(
        label=gettext_lazy("Saved column mapping"),
        queryset=ColumnMapping.objects.none(),
        required=False,
        empty_label=gettext_lazy("None: the columns are named as in our template"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping = self.fields["mapping"]
        if isinstance(mapping, forms.ModelChoiceField):
            mapping.queryset = scoped(ColumnMapping, organization).order_by("kind", "name")


# --------------------------------------------------------------------------------------------------
# Upload and list


@accepts_uploads(setting="IMPORT_MAX_UPLOAD_BYTES", default=256 * 1024 * 1024)
@member_required
def import_list(request: HttpRequest) -> HttpResponse:
    """GET: recent jobs and the upload form. POST (editors): upload, then the job or the mapping step."""
    org = organization_of(request)
    form = UploadForm(organization=org)
    if request.method == "POST":
        if not can_edit(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES, organization=org)
        if form.is_valid():
            return _upload(request, org, form)
    jobs = Paginator(scoped(ImportJob.objects.select_related("created_by"), org).order_by("-created_at", "-pk"), 20)
    korean = ui_language() == "ko"
    context = {
        "form": form,
        "page": jobs.get_page(request.GET.get("page")),
        "kinds": [(kind.name, kind.title_ko if korean else kind.title_en) for kind in kinds().values()],
        "can_edit": can_edit(request),
        "nav_section": "imports",
    }
    return render(request, "passports/imports/list.html", context)


def _upload(request: HttpRequest, org: Organization, form: UploadForm) -> HttpResponse:
    data = form.cleaned_data
    upload = data["file"]
    try:
        job = import_job_create(
            org=org,
            by=request.user,
            upload=upload,
            kind=data["kind"],
            mode=data["mode"],
            policy=data["policy"],
            mapping=data["mapping"],
            publish=data["publish"],
        )
    except ImportRejectedError as exc:
        if exc.code in NEEDS_MAPPING:
            token = _stage(request, upload, data)
            messages.info(request, exc.message_ko if ui_language() == "ko" else exc.message_en)
            return HttpResponseRedirect(reverse("import-mapping-page") + f"?token={token}")
        form.add_error("file", exc.message_ko if ui_language() == "ko" else exc.message_en)
        jobs = Paginator(scoped(ImportJob, org).order_by("-created_at", "-pk"), 20)
        context = {"form": form, "page": jobs.get_page(1), "can_edit": True, "nav_section": "imports"}
        return render(request, "passports/imports/list.html", context, status=exc.status)
    return HttpResponseRedirect(reverse("import-detail-page", args=[job.pk]))


# --------------------------------------------------------------------------------------------------
# Mapping columns of a staged upload


def _stage(request: HttpRequest, upload: Any, data: dict[str, Any]) -> str:
    """Keep an upload whose columns need mapping, for this person only, until the mapping is saved."""
    token = secrets.token_urlsafe(16)
    suffix = Path(str(upload.name)).suffix.lower()[:8] or ".csv"
    upload.seek(0)
    path = default_storage.save(f"imports/staging/{organization_of(request).pk}/{token}{suffix}", upload)
    staged = request.session.get(STAGING_KEY, {})
    staged[token] = {
        "path": path,
        "name": Path(str(upload.name)).name,
        "kind": data["kind"],
        "mode": data["mode"],
        "policy": data["policy"],
        "publish": bool(data.get("publish")),
        "org": organization_of(request).pk,
    }
    request.session[STAGING_KEY] = staged
    return token


def _staged(request: HttpRequest, token: str) -> dict[str, Any]:
    entry = request.session.get(STAGING_KEY, {}).get(token)
    if not entry or entry.get("org") != organization_of(request).pk:
        raise Http404
    return dict(entry)


def file_header(handle: IO[bytes], name: str) -> list[str]:
    """The header row of a CSV or XLSX file (its first row that is neither blank nor a comment)."""
    head = handle.read(SAMPLE_BYTES + 1)
    handle.seek(0)
    rows: Any
    if file_type(head[:64], name) == "xlsx":
        check_xlsx_container(handle, limits_from(settings))
        # Read in a bounded child process, not in this web worker (issue 21, item 7).
        rows = xlsx_sample_rows(handle, 50)
    else:
        complete = len(head) <= SAMPLE_BYTES
        sample = head[:SAMPLE_BYTES]
        encoding = detect_encoding(sample, complete=complete)
        text = codecs.getincrementaldecoder(encoding.name)(errors="replace").decode(
            sample[encoding.bom :], final=complete
        )
        check_text(text)
        rows = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text, complete=complete))
    for cells in rows:
        if not (is_blank(cells) or is_comment(cells)):
            return ["" if cell is None else str(cell).strip() for cell in cells]
    return []


def column_choices(kind_name: str) -> list[tuple[str, str]]:
    """Every column of a kind as (dotted key, title path in the user's language)."""
    kind = kinds()[kind_name]
    language = ui_language()
    choices = []
    for path, _leaf in kind.tree.leaves():
        key = ".".join(str(step) for step in path if step is not None)
        choices.append((key, f"{kind.tree.header(path, language)} ({key})"))
    return choices


@editor_required
def import_mapping(request: HttpRequest) -> HttpResponse:
    """Map each column of a staged file to one of the kind's columns (or ignore it), save, and import."""
    token = request.GET.get("token", "") or request.POST.get("token", "")
    entry = _staged(request, token)
    org = organization_of(request)
    kind = kinds()[entry["kind"]]
    with default_storage.open(entry["path"], "rb") as handle:
        try:
            header = file_header(handle, entry["name"])
        except FormatError as exc:
            messages.error(request, exc.message_ko if ui_language() == "ko" else exc.message_en)
            return HttpResponseRedirect(reverse("import-list-page"))
    choices = column_choices(entry["kind"])
    rows = []
    errors: list[str] = []
    for index, cell in enumerate(header):
        if not cell:
            continue
        resolved = kind.tree.resolve(cell)
        chosen = request.POST.get(f"column-{index}", resolved.key if resolved else "")
        rows.append({"index": index, "header": cell, "chosen": chosen, "known": resolved is not None})
    name = request.POST.get("name", "").strip() or entry["name"]
    if request.method == "POST":
        mapping = {row["header"]: row["chosen"] for row in rows}
        try:
            saved = column_mapping_create(org=org, kind=entry["kind"], name=name[:100], mapping=mapping)
        except ValidationError as exc:
            errors = exc.messages
        else:
            return _import_staged(request, entry, token, saved)
    korean = ui_language() == "ko"
    context = {
        "token": token,
        "entry": entry,
        "kind_title": kind.title_ko if korean else kind.title_en,
        "rows": rows,
        "choices": choices,
        "name": name,
        "errors": errors,
        "nav_section": "imports",
    }
    return render(request, "passports/imports/mapping.html", context)


def _import_staged(request: HttpRequest, entry: dict[str, Any], token: str, mapping: ColumnMapping) -> HttpResponse:
    org = organization_of(request)
    try:
        with default_storage.open(entry["path"], "rb") as handle:
            upload = File(handle, name=entry["name"])
            job = import_job_create(
                org=org,
                by=request.user,
                upload=upload,
                kind=entry["kind"],
                mode=entry["mode"],
                policy=entry["policy"],
                mapping=mapping,
                publish=bool(entry.get("publish")),
            )
    except ImportRejectedError as exc:
        messages.error(request, exc.message_ko if ui_language() == "ko" else exc.message_en)
        return HttpResponseRedirect(reverse("import-mapping-page") + f"?token={token}")
    default_storage.delete(entry["path"])
    staged = request.session.get(STAGING_KEY, {})
    staged.pop(token, None)
    request.session[STAGING_KEY] = staged
    messages.success(
        request, _("Column mapping “%(name)s” saved; it is offered for your next uploads.") % {"name": mapping.name}
    )
    return HttpResponseRedirect(reverse("import-detail-page", args=[job.pk]))


# --------------------------------------------------------------------------------------------------
# A job


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_scoped_or_404(ImportJob.objects.select_related("created_by", "mapping"), organization_of(request), pk=pk)


def _job_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    korean = ui_language() == "ko"
    kind = kinds().get(job.kind)
    row_errors = list(job.row_errors.order_by("row", "pk")[:ROW_ERRORS_SHOWN]) if job.rows_rejected else []
    return {
        "job": job,
        "kind_title": (kind.title_ko if korean else kind.title_en) if kind else job.kind,
        "percent": round(job.progress * 100),
        "row_errors": [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message_ko if korean else e.message_en}
            for e in row_errors
        ],
        "error_message": job.error_ko if korean else job.error_en,
        # GLNs the file names that are no facility yet: each links to the facility form, GLN filled in.
        "missing_facilities": (
            list(
                job.row_errors.filter(rule="unknown_facility")
                .order_by("value")
                .values_list("value", flat=True)
                .distinct()[:MISSING_FACILITIES_SHOWN]
            )
            if job.rows_rejected and can_edit(request)
            else []
        ),
        "can_commit": (
            can_edit(request)
            and job.status == ImportJob.Status.DONE
            and job.mode == ImportJob.Mode.DRY_RUN
            and (job.rows_created + job.rows_updated) > 0
        ),
        # A report pack of the passports the import stored (built by exporters, behind an optional link).
        "can_pack": (
            can_edit(request) and job.status == ImportJob.Status.DONE and job.committed and job.passports.exists()
        ),
        # Publish the valid drafts this import stored, as a bulk job confirmed on its own page.
        "can_publish": (
            can_edit(request)
            and job.status == ImportJob.Status.DONE
            and job.committed
            and job.passports.filter(versions__status="draft").exists()
        ),
        "bulk_jobs": list(job.bulk_jobs.order_by("-created_at")[:3]),
        "nav_section": "imports",
    }


@member_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "passports/imports/detail.html", _job_context(request, job))


@member_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the job page that changes while it runs (polled by HTMX)."""
    job = _job(request, pk)
    return render(request, "passports/imports/_progress.html", _job_context(request, job))


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@member_required
def import_errors_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The error workbook of a finished job: the uploaded rows, an error column and the bad cells marked,
    in the user's language, to fix and upload again (``?rows=rejected`` for the rejected rows only)."""
    job = _job(request, pk)
    if not job.is_finished:
        raise Http404
    rows = request.GET.get("rows") if request.GET.get("rows") in ("all", "rejected") else None
    response = HttpResponse(error_workbook(job, language=ui_language(), rows=rows), content_type=XLSX_TYPE)
    stem = Path(job.original_name).stem[:80] or "import"
    response["Content-Disposition"] = f'attachment; filename="{_ascii(stem)}-{job.pk}-errors.xlsx"'
    return response


def _ascii(text: str) -> str:
    """A file name safe in a header without encoding rules: letters, digits, dot, dash and underscore."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in text)


@editor_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the rows a dry run checked: a committing job on the same stored file (only the valid rows when
    the dry run rejected some, since that is what the button offers)."""
    job = _job(request, pk)
    if job.mode != ImportJob.Mode.DRY_RUN or job.status != ImportJob.Status.DONE:
        messages.error(request, _("Only a finished dry run can be imported."))
        return HttpResponseRedirect(reverse("import-detail-page", args=[job.pk]))
    try:
        with job.file.open("rb") as handle:
            committed = import_job_create(
                org=job.organization,
                by=request.user,
                upload=File(handle, name=job.original_name),
                kind=job.kind,
                mode=ImportJob.Mode.COMMIT,
                # The person saw the rejected rows and chose to import the others.
                policy=ImportJob.Policy.VALID_ROWS if job.rows_rejected else job.policy,
                mapping=job.mapping,
                publish=request.POST.get("publish") == "1",
            )
    except ImportRejectedError as exc:
        messages.error(request, exc.message_ko if ui_language() == "ko" else exc.message_en)
        return HttpResponseRedirect(reverse("import-detail-page", args=[job.pk]))
    return HttpResponseRedirect(reverse("import-detail-page", args=[committed.pk]))
