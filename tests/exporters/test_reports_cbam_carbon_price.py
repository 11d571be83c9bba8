"""Tests for exporters/reports/cbam_carbon_price.py: the K-ETS price paid deducted from CBAM certificates.

Worked example (the demo claim of exporters/reports/cbam_demo.py, figures with their sources there): the
Hando Steel hot-rolled coil declares K-ETS coverage of 2.0885 t CO2e per tonne, 2.03 of it freely allocated
(share 2.03 / 2.0885 = 0.971989); KAU25 at KRW 8,580 per t CO2e; ECB rate KRW 1,519.92 per EUR; CBAM
certificate price EUR 75.36. For 1,000 t of coil:
    paid = 1,000 x 2.0885 x 8,580 x (1 - 2.03 / 2.0885) = 1,000 x (2.0885 - 2.03) x 8,580 = KRW 501,930
    in EUR = 501,930 / 1,519.92 = 330.234486; certificates deducted = 330.234486 / 75.36 = 4.382092
    gross (direct only, Regulation (EU) 2023/956 Annex II) = 1,000 x 2.0885 = 2,088.5; net = 2,084.117908.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from django.core.management import call_command

from exporters.reports.cbam import SummaryError, importer_summary
from exporters.reports.cbam_carbon_price import carbon_price_deduction, check_carbon_price
from exporters.reports.cbam_demo import DEMO_CARBON_PRICE
from passports.services.passports import passport_publish
from tests.exporters.test_reports_cbam import _document
from tests.factories import ProductFactory, example_data, make_passport

QUANTITIES = [{"cn_code": "72083800", "quantity": 1000}, {"cn_code": "72071210", "quantity": 250}]


def _claim(**changes: Any) -> dict[str, Any]:
    claim = copy.deepcopy(DEMO_CARBON_PRICE)
    claim.update(changes)
    return claim


def _deduction(claim: dict[str, Any], document: dict[str, Any] | None = None) -> dict[str, Any]:
    document = document or _document()
    return carbon_price_deduction(document, importer_summary(document, QUANTITIES), claim)


def test_k_ets_deduction_by_hand() -> None:
    result = _deduction(_claim())
    coil, slab = result["lines"]
    assert coil["free_allocation_share"] == 0.971989
    assert coil["carbon_price_paid"] == {"KRW": 501930, "EUR": 330.234486}
    assert (coil["gross_certificates"], coil["certificates_deducted"]) == (2088.5, 4.382092)
    assert coil["net_certificates"] == 2084.117908
    # Slabs declare no carbon price: nothing deducted, 250 x 1.95 = 487.5 certificates stay.
    assert (slab["certificates_deducted"], slab["net_certificates"]) == (0, 487.5)
    totals = result["totals"]
    # Gross 2,088.5 + 487.5 = 2,576 certificates x EUR 75.36 = EUR 194,127.36 x 1,519.92 = KRW 295,058,057.0112.
    assert totals["gross_certificates"] == 2576
    assert totals["gross"] == {"EUR": 194127.36, "KRW": 295058057.0112}
    # The deduction in money is the price paid: EUR 330.234486 = KRW 501,930.
    assert totals["deduction"] == {"EUR": 330.234486, "KRW": 501930}
    assert totals["net_certificates"] == 2571.617908
    assert totals["net"]["EUR"] == 193797.125514  # 194,127.36 - 330.234486
    assert result["exchange_rate"]["quote"] == "KRW per EUR"
    assert "Art. 9" in result["legal_basis"]


def test_rebate_and_share_lower_the_price_and_the_deduction_never_exceeds_gross() -> None:
    # Rebate of KRW 100 per t CO2e on the share-reduced price 8,580 x 0.028011 = 240.330381: 140.330381 paid,
    # x 2.0885 x 1,000 = KRW 293,080.0 (501,930 - 208,850).
    rebated = _deduction(_claim(rebate_per_tonne=100))
    assert rebated["lines"][0]["carbon_price_paid"]["KRW"] == 293080
    # No free allocation and a very high price: KRW 2e6 x 2.0885 x 1,000 / 1,519.92 / 75.36 = 36,468 > 2,088.5.
    capped = _deduction(_claim(free_allocation_share=0, allowance_price=2_000_000))
    assert capped["lines"][0]["certificates_deducted"] == 2088.5
    assert capped["lines"][0]["net_certificates"] == 0


@pytest.mark.parametrize(
    ("changes", "pointer", "rule"),
    [
        ({"evidence": []}, "/carbon_price_paid/evidence", "Art. 9(2)"),
        (
            {"exchange_rate": {"rate": 1450.0, "date": "2024-12-31", "source": "ECB"}},
            "/carbon_price_paid/exchange_rate/date",
            "older than the reporting period",
        ),
        (
            {"exchange_rate": {"rate": 0, "date": "2025-02-28", "source": ""}},
            "/carbon_price_paid/exchange_rate/rate",
            "above zero",
        ),
        ({"allowance_price": -1}, "/carbon_price_paid/allowance_price", "above zero"),
        ({"allowance_price": float("inf")}, "/carbon_price_paid/allowance_price", "above zero"),
        ({"currency": "won"}, "/carbon_price_paid/currency", "ISO 4217"),
        ({"free_allocation_share": 1.5}, "/carbon_price_paid/free_allocation_share", "between 0 and 1"),
        ({"evidence": [{"title": "statement", "sha256": "xyz"}]}, "/carbon_price_paid/evidence/0/sha256", "SHA-256"),
        ({"cbam_certificate_price": None}, "/carbon_price_paid/cbam_certificate_price", "EUR"),
    ],
)
def test_bad_claims_name_the_field_and_the_rule(changes: dict[str, Any], pointer: str, rule: str) -> None:
    problems = check_carbon_price(_claim(**changes), {"start_date": "2025-01-01", "end_date": "2025-12-31"})
    assert any(where == pointer and rule in message for where, message in problems), problems
    with pytest.raises(SummaryError):
        _deduction(_claim(**changes))


def test_price_paid_is_deducted_only_for_actual_values() -> None:
    document = _document()
    document["goods"][0]["direct_emissions_method"] = "default_value"
    with pytest.raises(SummaryError) as caught:
        _deduction(_claim(), document)
    assert [pointer for pointer, _ in caught.value.problems] == ["/quantities/0"]


@pytest.mark.django_db
def test_importer_summary_api_deducts_or_names_the_bad_field(tenant: Any, login_api: Any) -> None:
    product = ProductFactory(organization=tenant.org, category="cbam-installation")
    data = example_data("cbam-installation", which=1)  # the bf-bof steel works
    passport = make_passport(tenant.org, category="cbam-installation", data=data, product=product)
    passport_publish(passport=passport)
    client = login_api(tenant.owner)
    url = f"/api/v1/cbam/{passport.pk}/importer-summary"
    response = client.post(url, {"quantities": QUANTITIES, "carbon_price_paid": _claim()}, format="json")
    assert response.status_code == 200, response.content
    totals = response.json()["carbon_price_deduction"]["totals"]
    assert (totals["gross_certificates"], totals["certificates_deducted"]) == (2576, 4.382092)
    old_rate = _claim(exchange_rate={"rate": 1450.0, "date": "2024-06-28", "source": "ECB"}, evidence=[])
    refused = client.post(url, {"quantities": QUANTITIES, "carbon_price_paid": old_rate}, format="json")
    assert refused.status_code == 400
    pointers = [detail["pointer"] for detail in refused.json()["error"]["details"]]
    assert "/~1carbon_price_paid~1exchange_rate~1date" in pointers
    assert "/~1carbon_price_paid~1evidence" in pointers
    not_object = client.post(url, {"quantities": QUANTITIES, "carbon_price_paid": [1]}, format="json")
    assert not_object.status_code == 400


@pytest.mark.django_db
def test_seed_demo_shows_the_importer_summary_with_the_k_ets_deduction() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "1,432,300 certificates" in text  # the default-value comparison of the steel works
    assert "gross 2,576 (EUR 194,127.36, KRW 295,058,057.0112)" in text
    assert "K-ETS deduction 4.382092 (EUR 330.234486, KRW 501,930)" in text
    assert "net 2,571.617908" in text
