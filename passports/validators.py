"""Django field validators for the identifiers organizations, facilities and products carry.

They wrap the plain checks in ``passports.identifiers`` so that forms, the admin, the API and CSV import
all refuse the same malformed values with the same message. Each validator names its check by function
name, so migrations can serialise it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from passports import identifiers


@deconstructible
class IdentifierValidator:
    def __init__(self, check: str, message: Any, code: str) -> None:
        self.check = check
        self.message = message
        self.code = code

    def __call__(self, value: str) -> None:
        if value and not getattr(identifiers, self.check)(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdentifierValidator) and (self.check, self.code) == (other.check, other.code)

    def __hash__(self) -> int:
        return hash((self.check, self.code))


validate_gln = IdentifierValidator(
    "is_valid_gln", _("%(value)s is not a valid GLN (13 digits with a GS1 check digit)."), "gln"
)
validate_gtin = IdentifierValidator(
    "is_valid_gtin", _("%(value)s is not a valid GTIN (8, 12, 13 or 14 digits, check digit)."), "gtin"
)
validate_lei = IdentifierValidator(
    "is_valid_lei", _("%(value)s is not a valid LEI (ISO 17442, 20 characters, MOD 97-10)."), "lei"
)
validate_eori = IdentifierValidator(
    "is_valid_eori", _("%(value)s is not a valid EORI number (country code + up to 15 characters)."), "eori"
)
validate_vat = IdentifierValidator(
    "is_valid_eu_vat", _("%(value)s is not a valid EU VAT number for its country prefix."), "vat"
)
validate_kr_brn = IdentifierValidator(
    "is_valid_kr_brn",
    _("%(value)s is not a valid Korean business registration number (10 digits with check digit)."),
    "kr_brn",
)
validate_unlocode = IdentifierValidator(
    "is_valid_unlocode", _("%(value)s is not a valid UN/LOCODE (e.g. KR PUS)."), "unlocode"
)
validate_cn_code = IdentifierValidator(
    "is_valid_cn_code", _("%(value)s is not an 8-digit Combined Nomenclature code."), "cn_code"
)
