"""Bulk imports: the job that reads one uploaded file, its rejected rows, and saved column mappings."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantOwned, Timestamped
from passports.models.tenants import Organization


def import_upload_path(instance: ImportJob, filename: str) -> str:
    """Uploads are stored under the organization and a random name: the original name is kept apart."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"imports/{instance.organization_id}/{uuid.uuid4().hex}.{suffix[:8]}"


class ColumnMapping(TenantOwned, Timestamped):
    """A saved way to read one kind of file: header as it appears → column key (``""`` to ignore it).

    Partners' exports rarely use our headers; an organization saves the mapping once and names it on
    every later upload of the same layout.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="column_mappings")
    kind = models.CharField(_("kind"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("header → column key"), default=dict)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "name"], name="column_mapping_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


class ImportJob(TenantOwned, Timestamped):
    """One uploaded file being imported, observable while it runs and resumable after a crash.

    ``checkpoint`` holds where the last committed chunk ended (``phase``, ``offset``: bytes for CSV, rows
    for XLSX, ``row``: the file's row number). A chunk's rows, its rejected rows and the checkpoint commit
    in one transaction, so after a crash the job resumes exactly after the last committed row. ``lease``
    names the run that may commit: a newer run takes it over, and an older one still alive stops at its
    next commit instead of writing twice.

    ``passports`` are those a committing passport import created or updated (a row it accepted), recorded in
    the same transaction as the rows, so that a whole import can be handed on as one report pack.
    """

    class Mode(models.TextChoices):
        DRY_RUN = "dry_run", _("Dry run (check only)")
        COMMIT = "commit", _("Commit")

    class Policy(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("All rows or nothing")
        VALID_ROWS = "valid_rows", _("Valid rows only")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    file = models.FileField(_("file"), upload_to=import_upload_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    file_format = models.CharField(_("format"), max_length=8, default="csv")
    encoding = models.CharField(_("encoding detected"), max_length=40, blank=True)
    delimiter = models.CharField(_("delimiter detected"), max_length=4, blank=True)
    decimal_separator = models.CharField(_("decimal separator detected"), max_length=1, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.DRY_RUN)
    policy = models.CharField(_("policy"), max_length=16, choices=Policy.choices, default=Policy.ALL_OR_NOTHING)
    mapping = models.ForeignKey(ColumnMapping, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs")
    # Chosen at upload (the upload form is where the person confirms it): once the rows are stored, a bulk job
    # publishes the valid drafts among them (``passports.bulk``).
    publish_on_import = models.BooleanField(_("publish the valid drafts once imported"), default=False)
    mapping_used = models.JSONField(_("mapping as used"), default=dict, blank=True)
    chunk_rows = models.PositiveIntegerField(_("rows per committed chunk"), default=5000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(_("phase"), max_length=10, blank=True)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    rows_created = models.PositiveIntegerField(_("rows created"), default=0)
    rows_updated = models.PositiveIntegerField(_("rows updated"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    committed = models.BooleanField(_("data stored"), default=False)
    passports = models.ManyToManyField(
        "passports.Passport", related_name="import_jobs", blank=True, verbose_name=_("passports imported")
    )
    checkpoint = models.JSONField(_("checkpoint"), default=dict, blank=True)
    preview = models.JSONField(_("first outcomes"), default=list, blank=True)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    error_en = models.TextField(_("error (English)"), blank=True)
    error_ko = models.TextField(_("error (Korean)"), blank=True)
    lease = models.CharField(max_length=32, blank=True)
    runner = models.CharField(_("worker"), max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["organization", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.original_name} ({self.status})"

    @property
    def progress(self) -> float:
        """Share of rows processed, 0 to 1 (1 once done)."""
        if self.status == self.Status.DONE:
            return 1.0
        if not self.rows_total:
            return 0.0
        return min(self.rows_done / self.rows_total, 1.0)

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class ImportRowError(models.Model):
    """One problem with one row of an import: the row, the column, the value and what is wrong with it.

    ``pointer`` is the JSON Pointer of the field in the record the row became (as in validation reports);
    ``column`` is the header as the file wrote it, or the column key when the file has no such column.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=300, blank=True)
    column_key = models.CharField(_("column key"), max_length=300, blank=True)
    value = models.TextField(_("value"), blank=True)
    pointer = models.CharField(_("JSON Pointer"), max_length=300, blank=True)
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    message_en = models.TextField(_("message (English)"))
    message_ko = models.TextField(_("message (Korean)"))

    class Meta:
        ordering = ["job", "row", "pk"]
        verbose_name = _("import row error")
        verbose_name_plural = _("import row errors")
        indexes = [models.Index(fields=["job", "row"])]

    def __str__(self) -> str:
        return f"row {self.row} {self.column}: {self.message_en}"
