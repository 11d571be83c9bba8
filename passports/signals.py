"""Signals other apps listen to, so that ``passports`` never imports them.

``passport_published`` is sent inside the publishing transaction: a receiver that fails (signing, say)
rolls the publication back, so no published version exists without what must accompany it.
"""

from django.dispatch import Signal

# sender=PassportVersion class; kwargs: version (the newly published one), superseded (or None), by (user).
passport_published = Signal()
# sender=PassportVersion class; kwargs: version, reason, by.
passport_revoked = Signal()
