"""The carbon price paid in the country of origin (K-ETS for Korean installations), deducted from CBAM certificates.

Regulation (EU) 2023/956, Art. 9(1): an authorised CBAM declarant may claim a reduction in the number of
CBAM certificates to surrender for the carbon price effectively paid in the country of origin for the
declared embedded emissions, any rebate or other compensation taken into account; Art. 9(2): the claim
needs documentation, certified by an independent person, that the price was paid. The Commission's draft
implementing act on carbon prices paid in third countries (published for consultation on 13 May 2026)
converts the price into euro at a yearly average exchange rate, turns it into certificates at the CBAM
certificate price, and allows the deduction of the price effectively paid only where the embedded
emissions are actual values.

Per good, with its emissions covered by the instrument (``covered_emissions``, t CO2e per tonne of good)
and the share of them covered by free allocation (``free_allocation`` / ``covered_emissions``):

    price effectively paid per t CO2e = allowance price x (1 - free allocation share) - rebate per t CO2e
    paid for the line (KRW)           = quantity x covered emissions x price effectively paid per t CO2e
    paid in EUR                       = paid (KRW) / exchange rate (KRW per EUR)
    certificates deducted             = paid in EUR / CBAM certificate price, at most the gross certificates
    net certificates                  = gross certificates - certificates deducted

Gross certificates are the importer summary's emissions counted for certificates (before the free
allocation adjustment of Art. 31). Plain Python, no Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from exporters.reports.cbam import SummaryError, as_number, decimal

LEGAL_BASIS: Final = (
    "Regulation (EU) 2023/956, Art. 9(1) and (2); conversion and actual-values condition as in the Commission's "
    "draft implementing act on carbon prices paid in third countries (consultation of 13 May 2026)"
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _finite(value: Any) -> bool:
    """A JSON number that arithmetic can use: 1e999 parses to infinity, which no price or rate is."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value: Any) -> bool:
    return _finite(value) and value > 0


def _non_negative(value: Any) -> bool:
    return _finite(value) and value >= 0


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


_BASE = "/carbon_price_paid"
_NOT_ACTUAL = (
    "the price effectively paid is deducted only for embedded emissions from actual values "
    "(draft implementing act on carbon prices paid); this good's are not"
)
_OLD_RATE = (
    "the rate of {rate} is older than the reporting period ({start} on): use a rate of the period the price "
    "was paid in (draft implementing act on carbon prices paid, yearly average rate)"
)
_NO_EVIDENCE = (
    "a carbon price needs evidence that it was paid, certified by an independent person "
    "(Regulation (EU) 2023/956, Art. 9(2))"
)


def _price_problems(paid: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not _positive(paid.get("allowance_price")):
        problems.append((f"{_BASE}/allowance_price", "the allowance price paid per t CO2e must be above zero"))
    if not _CURRENCY.match(str(paid.get("currency", ""))):
        problems.append((f"{_BASE}/currency", "an ISO 4217 currency code is needed (KRW for the K-ETS)"))
    if not _non_negative(paid.get("rebate_per_tonne", 0)):
        problems.append((f"{_BASE}/rebate_per_tonne", "a rebate per t CO2e of zero or more is needed"))
    share = paid.get("free_allocation_share")
    if share is not None and not (_non_negative(share) and share <= 1):
        problems.append((f"{_BASE}/free_allocation_share", "a share between 0 and 1 is needed"))
    if not _positive(paid.get("cbam_certificate_price")):
        problems.append((f"{_BASE}/cbam_certificate_price", "the CBAM certificate price in EUR must be above zero"))
    return problems


def _rate_problems(rate: Mapping[str, Any], currency: str, period_start: date | None) -> list[tuple[str, str]]:
    where = f"{_BASE}/exchange_rate"
    problems: list[tuple[str, str]] = []
    if not _positive(rate.get("rate")):
        problems.append((f"{where}/rate", f"the rate ({currency or 'currency'} per EUR) must be above zero"))
    if not str(rate.get("source", "")).strip():
        problems.append((f"{where}/source", "name where the rate was published (e.g. the ECB)"))
    rate_date = _date(rate.get("date"))
    if rate_date is None:
        problems.append((f"{where}/date", "the date the rate applies to is needed (YYYY-MM-DD)"))
    elif period_start is not None and rate_date < period_start:
        problems.append((f"{where}/date", _OLD_RATE.format(rate=rate_date, start=period_start)))
    return problems


def _evidence_problems(evidence: Any) -> list[tuple[str, str]]:
    if not isinstance(evidence, list) or not evidence:
        return [(f"{_BASE}/evidence", _NO_EVIDENCE)]
    problems: list[tuple[str, str]] = []
    for number, item in enumerate(evidence):
        where = f"{_BASE}/evidence/{number}"
        if not isinstance(item, Mapping) or not str(item.get("title", "")).strip():
            problems.append((f"{where}/title", "each document needs a title"))
        elif not (_SHA256.match(str(item.get("sha256", ""))) or str(item.get("url", "")).startswith("https://")):
            problems.append((f"{where}/sha256", "give the document's SHA-256 (64 hex digits) or an https URL"))
    return problems


def check_carbon_price(paid: Mapping[str, Any], reporting_period: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every problem of a carbon-price claim as (JSON Pointer, message naming the rule); empty when usable."""
    rate = paid.get("exchange_rate")
    return (
        _price_problems(paid)
        + _rate_problems(
            rate if isinstance(rate, Mapping) else {},
            str(paid.get("currency", "")),
            _date(reporting_period.get("start_date")),
        )
        + _evidence_problems(paid.get("evidence"))
    )


def _covering_price(good: Mapping[str, Any], country: str) -> Mapping[str, Any] | None:
    for price in good.get("carbon_price_due") or []:
        if price.get("country") == country and price.get("covered_emissions"):
            return price
    return None


def carbon_price_deduction(
    document: Mapping[str, Any], summary: Mapping[str, Any], paid: Mapping[str, Any]
) -> dict[str, Any]:
    """Gross certificates, the deduction for the carbon price paid and net certificates, in EUR and the
    price's currency, line by line of ``summary`` (from ``cbam.importer_summary`` of ``document``).

    Raises SummaryError naming every problem (field and rule) of the claim.
    """
    problems = check_carbon_price(paid, document["reporting_period"])
    country = str(document["installation"]["address"]["address_country"])
    goods = document["goods"]
    for number, line in enumerate(summary["lines"]):
        good = goods[line["good"] - 1]
        if _covering_price(good, country) and good.get("direct_emissions_method") != "actual_monitored":
            problems.append((f"/quantities/{number}", _NOT_ACTUAL))
    if problems:
        raise SummaryError(problems)
    currency = str(paid["currency"])
    allowance = decimal(paid["allowance_price"])
    rebate = decimal(paid.get("rebate_per_tonne", 0))
    rate = decimal(paid["exchange_rate"]["rate"])
    certificate_price = decimal(paid["cbam_certificate_price"])
    totals = {"gross": Decimal(0), "deducted": Decimal(0), "paid_local": Decimal(0)}
    lines: list[dict[str, Any]] = []
    for line in summary["lines"]:
        good = goods[line["good"] - 1]
        gross = decimal(line["counted_for_certificates"])
        price = _covering_price(good, country)
        entry: dict[str, Any] = {
            "good": line["good"],
            "cn_code": line["cn_code"],
            "gross_certificates": as_number(gross),
        }
        deducted = Decimal(0)
        if price is not None:
            covered = decimal(price["covered_emissions"])
            if paid.get("free_allocation_share") is not None:
                share = decimal(paid["free_allocation_share"])
            else:
                share = min(decimal(price.get("free_allocation", 0)) / covered, Decimal(1))
            per_tonne_co2e = max(allowance * (1 - share) - rebate, Decimal(0))
            paid_local = decimal(line["quantity"]) * covered * per_tonne_co2e
            paid_eur = paid_local / rate
            deducted = min(paid_eur / certificate_price, gross)
            totals["paid_local"] += paid_local
            entry |= {
                "instrument_name": price["instrument_name"],
                "covered_emissions_per_unit": price["covered_emissions"],
                "free_allocation_share": as_number(share),
                "price_effectively_paid_per_tonne_co2e": as_number(per_tonne_co2e),
                "carbon_price_paid": {currency: as_number(paid_local), "EUR": as_number(paid_eur)},
            }
        totals["gross"] += gross
        totals["deducted"] += deducted
        entry |= {"certificates_deducted": as_number(deducted), "net_certificates": as_number(gross - deducted)}
        lines.append(entry)

    def money(certificates: Decimal) -> dict[str, float | int]:
        eur = certificates * certificate_price
        return {"EUR": as_number(eur), currency: as_number(eur * rate)}

    net = totals["gross"] - totals["deducted"]
    return {
        "legal_basis": LEGAL_BASIS,
        "instrument": paid.get("instrument_name", ""),
        "allowance_price": {"amount": paid["allowance_price"], "currency": currency, "per": "t CO2e"},
        "rebate_per_tonne": paid.get("rebate_per_tonne", 0),
        "exchange_rate": dict(paid["exchange_rate"]) | {"quote": f"{currency} per EUR"},
        "cbam_certificate_price": {
            "EUR": paid["cbam_certificate_price"],
            "source": paid.get("cbam_certificate_price_source", ""),
        },
        "evidence": [dict(item) for item in paid["evidence"]],
        "lines": lines,
        "totals": {
            "gross_certificates": as_number(totals["gross"]),
            "certificates_deducted": as_number(totals["deducted"]),
            "net_certificates": as_number(net),
            "gross": money(totals["gross"]),
            "deduction": money(totals["deducted"]),
            "net": money(net),
            "carbon_price_paid": {
                currency: as_number(totals["paid_local"]),
                "EUR": as_number(totals["paid_local"] / rate),
            },
        },
        "note": "Certificates before the free allocation adjustment (Regulation (EU) 2023/956, Art. 31).",
    }
