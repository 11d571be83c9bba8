"""The regulations a passport schema answers to, named the way a compliance manager names them.

A schema's root ``x-legal`` cites its act first (``Regulation (EU) 2023/1542, Art. 77-78 and Annex XIII``);
the act decides the regulation column a product falls in on the readiness cockpit. Acts we do not know yet
still get a column, named by the act itself, so a new schema never disappears from the cockpit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from passports.fieldmodel import split_clause


@dataclass(frozen=True)
class Regulation:
    key: str
    act: str
    name: str | Promise


KNOWN: tuple[Regulation, ...] = (
    Regulation("batteries", "Regulation (EU) 2023/1542", _("Battery Regulation (Annex XIII)")),
    Regulation("espr", "Regulation (EU) 2024/1781", _("ESPR product passport")),
    Regulation("cbam", "Regulation (EU) 2023/956", _("CBAM installation data")),
)
_BY_ACT = {regulation.act: regulation for regulation in KNOWN}


def regulation_of(document: Mapping[str, Any]) -> Regulation:
    """The regulation of a schema document, from the act its root ``x-legal`` cites first."""
    legal = document.get("x-legal")
    act = split_clause(legal)[0].split(";")[0].strip() if isinstance(legal, str) else ""
    known = _BY_ACT.get(act)
    if known is not None:
        return known
    return Regulation(act or "other", act, act or _("Other"))
