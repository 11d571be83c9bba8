"""What publishing and revoking a passport version do beyond ``passports``, in the order they do it.

``passports`` publishes (validates, freezes the data and its hash, supersedes the previous version, records the
audit event) and then runs the steps installed through its one hook, ``passports.services.publication``; this
module is that list, installed by ``ExportersConfig.ready()``. All of it runs inside the publishing transaction,
so it happens with the publication or not at all:

1. **sign**: issue the version's W3C credential (``credential_issue``); at revocation set its status bit. ESPR
   (Regulation (EU) 2024/1781) Art. 9-10: passport data must be authentic and tamper-evident, so no published
   version exists without its credential, and a signing failure rolls the publication back.
2. **drop cached answers**: the resolver's kept public answers for the GTIN go once the change commits
   (``exporters.resolver.public_cache``).
3. **back up**: queue a copy of the version, and of the version it superseded (whose stored status would
   otherwise still say "published"), through the outbox (``exporters.backup.tasks``).
4. **draw the QR code**: the data carrier (ESPR Art. 9(2)(b)) is made once, at the first publication, and stored
   (``exporters.resolver.carriers``).

Changes that are not publications but show on public pages (a product's name, the issuer, its keys) drop the
cached answers through ``exporters.receivers``.
"""

from __future__ import annotations

from exporters.backup.tasks import replicate_after_commit
from exporters.resolver.carriers import qr_code_for
from exporters.resolver.public_cache import invalidate_passport
from exporters.services.credentials import credential_issue, credential_revoke
from passports.models import PassportVersion
from passports.services.publication import PublicationStep, publication_steps_set


def _sign(version: PassportVersion, superseded: PassportVersion | None) -> None:
    credential_issue(version=version)


def _revoke_credential(version: PassportVersion) -> None:
    credential_revoke(version=version)


def _drop_cached_answers(version: PassportVersion, superseded: PassportVersion | None = None) -> None:
    invalidate_passport(version.passport)


def _back_up(version: PassportVersion, superseded: PassportVersion | None = None) -> None:
    replicate_after_commit(version.pk, *([superseded.pk] if superseded is not None else []))


def _draw_qr_code(version: PassportVersion, superseded: PassportVersion | None) -> None:
    qr_code_for(version.passport)


#: The steps, in the order they run; the names let a benchmark leave one out.
PUBLICATION_STEPS: tuple[PublicationStep, ...] = (
    PublicationStep("sign", published=_sign, revoked=_revoke_credential),
    PublicationStep("drop_cached_answers", published=_drop_cached_answers, revoked=_drop_cached_answers),
    PublicationStep("back_up", published=_back_up, revoked=_back_up),
    PublicationStep("draw_qr_code", published=_draw_qr_code),
)


def publication_steps_install() -> None:
    """Hand the steps to ``passports`` (called once, from ``ExportersConfig.ready()``)."""
    publication_steps_set(PUBLICATION_STEPS)
