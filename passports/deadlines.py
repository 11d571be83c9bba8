"""Regulatory dates the dashboard counts down to, each with the clause it comes from.

Only dates fixed in the regulations' own text are listed (no dates that depend on a delegated act not yet
adopted). ``categories`` names the passport schema families a date concerns, so the dashboard can say how
many of the organization's products each one touches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    title: str | Promise
    legal: str
    categories: tuple[str, ...]


DEADLINES: tuple[Deadline, ...] = (
    Deadline(
        dt.date(2026, 1, 1),
        _("CBAM definitive period begins: embedded emissions are declared and paid for with certificates"),
        "Regulation (EU) 2023/956, Art. 32 and Art. 36",
        ("cbam-installation", "steel"),
    ),
    Deadline(
        dt.date(2026, 7, 19),
        _("Ban on destroying unsold apparel and footwear (large enterprises)"),
        "Regulation (EU) 2024/1781, Art. 25 and Annex VII",
        ("textile",),
    ),
    Deadline(
        dt.date(2027, 2, 18),
        _("Battery passport mandatory for LMT, industrial (> 2 kWh) and EV batteries"),
        "Regulation (EU) 2023/1542, Art. 77",
        ("battery",),
    ),
    Deadline(
        dt.date(2030, 7, 19),
        _("Ban on destroying unsold apparel and footwear extends to medium-sized enterprises"),
        "Regulation (EU) 2024/1781, Art. 25",
        ("textile",),
    ),
)


@dataclass(frozen=True)
class DeadlineStatus:
    deadline: Deadline
    days: int  # days from today; negative once the date has passed
    product_count: int

    @property
    def in_force(self) -> bool:
        return self.days <= 0


def deadline_statuses(today: dt.date, products_by_category: dict[str, int]) -> list[DeadlineStatus]:
    """Every deadline with its distance from ``today`` and how many products it concerns, upcoming first."""
    rows = [
        DeadlineStatus(
            deadline=deadline,
            days=(deadline.date - today).days,
            product_count=sum(products_by_category.get(category, 0) for category in deadline.categories),
        )
        for deadline in DEADLINES
    ]
    upcoming = sorted((row for row in rows if not row.in_force), key=lambda row: row.days)
    passed = sorted((row for row in rows if row.in_force), key=lambda row: row.days, reverse=True)
    return upcoming + passed
