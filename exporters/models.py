"""Models of the exporters app. Each part keeps its models in its own section below."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models import Organization, Passport

# ==================================================================================================
# Compliance reports (exporters/reports/): QR codes made at publication, batch report packs
# ==================================================================================================


class PassportQrCode(models.Model):
    """The QR code of a passport's GS1 Digital Link, made once when a version is published.

    Making a symbol costs ~10 ms of pure Python (segno's mask choice), so it is made in the publishing
    transaction and kept: label printing, packs and the public page reuse these bytes. ``uri`` is what the
    symbol encodes; a passport's identifier never changes, but the row says what it was made from.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    passport = models.OneToOneField(Passport, on_delete=models.CASCADE, related_name="qr_code")
    uri = models.CharField(_("encoded URI"), max_length=300)
    svg = models.TextField(_("SVG"))
    png = models.BinaryField(_("PNG"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("passport QR code")
        verbose_name_plural = _("passport QR codes")

    def __str__(self) -> str:
        return self.uri


class ReportPack(models.Model):
    """A ZIP of compliance reports for many passports, built by a Celery task (``exporters.reports.tasks``).

    The selection is frozen at creation (``items``: passport and version ids), so a pack resumed after a
    worker died holds exactly the reports that were asked for, even if a passport is republished meanwhile.
    ``done`` counts the reports already rendered; the ZIP lands under ``MEDIA_ROOT/packs/``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="report_packs")
    # Names the pack's files: unguessable, and unique across databases that share one MEDIA_ROOT.
    key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    lang = models.CharField(_("language"), max_length=5, default="en")
    tier = models.CharField(_("access tier"), max_length=20, default="public")
    source = models.CharField(_("what was selected"), max_length=100, blank=True)
    items = models.JSONField(_("passport and version ids"), default=list)
    total = models.PositiveIntegerField(_("reports in the pack"), default=0)
    done = models.PositiveIntegerField(_("reports rendered"), default=0)
    attempts = models.PositiveIntegerField(_("task runs"), default=0)
    file = models.CharField(_("ZIP file under MEDIA_ROOT"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("ZIP size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256 of the ZIP"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report pack")
        verbose_name_plural = _("report packs")
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"report pack {self.pk} ({self.status}, {self.done}/{self.total})"

    @property
    def progress(self) -> float:
        return round(self.done / self.total, 4) if self.total else 1.0


# ==================================================================================================
# Signing (exporters/services/, exporters/credentials/): organizations' keys, the credential issued
# for each published passport version, and the status lists that revoke or suspend credentials
# ==================================================================================================


class SigningKey(models.Model):
    """One signing key of an organization, published in its did:web document under ``kid``.

    The private half is kept only encrypted (AES-256-GCM under the deployment's key-encryption key, bound to
    ``kid``; see ``exporters.credentials.keys``) and is never shown: not by ``str``, the admin, logs or any endpoint.
    ``current`` signs new credentials (one per organization); ``retired`` keys stay published so what they
    signed keeps verifying for the product's lifetime (ESPR, Regulation (EU) 2024/1781, Art. 10(1)(f));
    ``compromised`` keys are withdrawn from the DID document and their signatures no longer verify.
    """

    class Status(models.TextChoices):
        CURRENT = "current", _("Current")
        RETIRED = "retired", _("Retired")
        COMPROMISED = "compromised", _("Compromised")

    class Alg(models.TextChoices):
        EDDSA = "EdDSA", _("Ed25519 (EdDSA)")
        ES256 = "ES256", _("P-256 (ES256)")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="signing_keys")
    kid = models.CharField(_("key id (DID URL)"), max_length=300, unique=True)
    alg = models.CharField(_("algorithm"), max_length=8, choices=Alg.choices, default=Alg.EDDSA)
    public_jwk = models.JSONField(_("public key (JWK)"))
    thumbprint = models.CharField(_("JWK thumbprint (RFC 7638)"), max_length=64)
    fingerprint = models.CharField(_("fingerprint"), max_length=80)
    encrypted_private_key = models.TextField(_("encrypted private key"), editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CURRENT)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    compromised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization_id", "-created_at", "-pk"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(status="current"), name="signing_key_one_current_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.status})"


class StatusList(models.Model):
    """A W3C Bitstring Status List of one organization for one purpose (revocation or suspension).

    ``bits`` is the raw bitstring (at least 131,072 entries), ``jws`` the signed status list credential served
    at ``url``; both change together, in the transaction that flips a bit. Indexes are handed out at random
    (Bitstring Status List v1.0, section 6.5) and each credential uses its index in the revocation and the
    suspension list of the same ``number``; ``issued`` (kept on the revocation list) counts the indexes in use,
    so a nearly full list is noticed without counting credentials.
    """

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="status_lists")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    number = models.PositiveIntegerField(_("list number"), default=1)
    url = models.CharField(_("URL"), max_length=300, unique=True)
    size = models.PositiveIntegerField(_("entries"))
    bits = models.BinaryField(_("bitstring"))
    issued = models.PositiveIntegerField(_("indexes in use"), default=0)
    credential = models.JSONField(_("status list credential"), default=dict)
    jws = models.TextField(_("signed status list credential"), blank=True)
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, null=True, related_name="status_lists")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["organization_id", "purpose", "number"]
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        constraints = [
            models.UniqueConstraint(fields=["organization", "purpose", "number"], name="status_list_unique_number")
        ]

    def __str__(self) -> str:
        return self.url


class IssuedCredential(models.Model):
    """The verifiable credential issued when a passport version was published (one per version and address).

    ``credential`` is the unsigned UNTP DPP credential, ``jws`` its VC-JOSE compact serialization
    (``application/vc+jwt``) signed with ``signing_key``; ``status_index`` is its entry in the status lists
    numbered ``status_list_number``. A version keeps its credential when it is superseded or revoked: revoking
    sets its bit in the revocation list, it never deletes the credential.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="issued_credentials")
    # Several when the platform's public address moved: each re-issue under the new address adds one, and the
    # earlier ones keep verifying until revoked (services.credentials.credentials_reissue). Newest first.
    version = models.ForeignKey(
        "passports.PassportVersion", on_delete=models.PROTECT, related_name="issued_credentials"
    )
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="credentials")
    credential_id = models.CharField(_("credential id"), max_length=100, unique=True)
    credential = models.JSONField(_("credential"))
    jws = models.TextField(_("signed credential (VC-JOSE compact JWS)"))
    kid = models.CharField(_("key id"), max_length=300)
    status_list_number = models.PositiveIntegerField(_("status list number"), default=1)
    status_index = models.PositiveIntegerField(_("status list index"))
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("issued credential")
        verbose_name_plural = _("issued credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "status_list_number", "status_index"], name="credential_unique_status_index"
            )
        ]

    def __str__(self) -> str:
        return self.credential_id


# ==================================================================================================
# Backup copy (exporters/backup/): where each published version's second copy lives, and whether the copy
# was read back and found identical
# ==================================================================================================


class BackupRecord(models.Model):
    """The backup copy of one published passport version in the second store (``exporters.backup``).

    ESPR (Regulation (EU) 2024/1781) Art. 10: a back-up copy of the passport is kept by a service provider apart
    from the economic operator, so the passport outlives its issuer. ``location`` is the store URL and key
    prefix of the copy; ``sha256s`` maps each file written (version record, credential, report) to the SHA-256
    that was read back from the store and compared; ``confirmed_at`` is set only when every file matched.
    ``attempts`` counts replication runs (the task retries with backoff until confirmed).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    version = models.OneToOneField("passports.PassportVersion", on_delete=models.PROTECT, related_name="backup_record")
    location = models.CharField(_("where the copy lives"), max_length=500, blank=True)
    provider = models.CharField(_("who keeps the copy"), max_length=200, blank=True)
    sha256s = models.JSONField(_("SHA-256 of each file, as read back"), default=dict, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("replication runs"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("backup record")
        verbose_name_plural = _("backup records")
        indexes = [models.Index(fields=["organization", "confirmed_at"])]

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "pending"
        return f"backup of version {self.version_id} ({state})"


# ==================================================================================================
# CBAM default values (exporters/reports/cbam_defaults.py): the Commission's table, as loaded
# ==================================================================================================


class CbamDefaultValueTable(models.Model):
    """One loaded copy of the Commission's CBAM default values (Implementing Regulation (EU) 2025/2621, Annex I).

    The file is kept as loaded (``content``, with its ``sha256``) rather than split into rows: it is the
    evidence of which figures a report compared against, each communication names the hash it used, and
    older copies stay so an earlier comparison can be redone. The newest copy is the one reports use; with
    none loaded they use the rows shipped with the code.
    """

    source = models.TextField(_("source"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    content = models.TextField(_("table as loaded (CSV)"))
    row_count = models.PositiveIntegerField(_("lines"))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        verbose_name = _("CBAM default-value table")
        verbose_name_plural = _("CBAM default-value tables")

    def __str__(self) -> str:
        return f"CBAM default values {self.sha256[:12]} ({self.row_count} lines)"
