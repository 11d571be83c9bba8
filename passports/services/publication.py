"""The one hook through which publishing and revoking reach what sits above ``passports``.

Publishing a version must also sign it, draw its QR code, back it up and drop the public answers that showed the
old one; all of that lives in ``exporters``, which ``passports`` may not import. So ``passports`` keeps an ordered
list of steps here, and the app that owns them installs the whole list once, at ``ready()``
(``exporters.services.publication`` writes that list, so the flow reads top to bottom in one module).

``passport_publish`` and ``passport_revoke`` run the steps inside their own transaction, after the version has
changed: a step that fails rolls the publication back, so no published version exists without its credential,
and no revoked version whose credential still reads as active. Web, API, import and bulk jobs all publish through
those two services, so they all run the same steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from passports.models import PassportVersion


@dataclass(frozen=True)
class PublicationStep:
    """One named step: what it does when a version is published and when one is revoked (either may be absent).

    ``published`` gets the newly published version and the one it superseded (or ``None``).
    """

    name: str
    published: Callable[[PassportVersion, PassportVersion | None], None] | None = None
    revoked: Callable[[PassportVersion], None] | None = None


_steps: list[PublicationStep] = []


def publication_steps_set(steps: Sequence[PublicationStep]) -> None:
    """Install the ordered steps, replacing any installed before (one owner writes the whole list)."""
    names = [step.name for step in steps]
    if len(set(names)) != len(names):
        raise ValueError(f"publication step names must be unique: {names}")
    _steps[:] = steps


def publication_steps() -> tuple[PublicationStep, ...]:
    """The installed steps, in the order they run."""
    return tuple(_steps)


def publication_steps_run_published(*, version: PassportVersion, superseded: PassportVersion | None) -> None:
    """Run every step's ``published`` part, in order (inside the publishing transaction)."""
    for step in _steps:
        if step.published is not None:
            step.published(version, superseded)


def publication_steps_run_revoked(*, version: PassportVersion) -> None:
    """Run every step's ``revoked`` part, in order (inside the revoking transaction)."""
    for step in _steps:
        if step.revoked is not None:
            step.revoked(version)
