"""Events of a version's life that ``passports``' own records listen to (audit, retention, named operators).

``passport_published`` is sent inside the publishing transaction: a receiver that fails rolls the publication
back. What other apps do at publication (sign, back up, draw the QR code) is not hung on these signals but run
as ordered steps through ``passports.services.publication``, so that flow reads in one place.
"""

from django.dispatch import Signal

# sender=PassportVersion class; kwargs: version (the newly published one), superseded (or None), by (user).
passport_published = Signal()
# sender=PassportVersion class; kwargs: version, reason, by.
passport_revoked = Signal()
