"""The carbon footprint API, hand-checked through HTTP: the self-contained calculation and stored footprints.

Every expected number is worked out in the comment beside it and held to 1e-6 relative.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from lca import services
from lca.api.serializers import GRAPH_EXAMPLE
from lca.models import EmissionFactor, Footprint
from tests.factories import gtin_from
from tests.lca.conftest import REL, make_activity, make_factor, make_line, make_product, make_supplier

pytestmark = pytest.mark.django_db

CALCULATE = "/api/v1/lca/calculate"


def graph(processes: list[dict[str, Any]], fu: str, gwp: str = "AR6", **extra: Any) -> dict[str, Any]:
    return {"gwp": gwp, "functional_unit": {"process": fu, "amount": 1}, "processes": processes, **extra}


def co2(kg: float, gas: str = "CO2_fossil", unit: str = "kg") -> dict[str, Any]:
    return {"gas": gas, "amount": kg, "unit": unit}


# -- POST /lca/calculate --------------------------------------------------------------------------------------


def test_calculate_a_chain_with_a_shared_factor(tenant: Any, login_api: Any) -> None:
    # B: 3 kWh of Korean grid (0.458081 kg CO2e/kWh, shipped dataset) + 0.1 kg CO2 = 1.474243 per kg.
    # A: 2,000 g of B = 2.948486, plus 0.2 kg CO2 = 3.148486.
    body = graph(
        [
            {
                "id": "A",
                "stage": "production",
                "output": {"amount": 1, "unit": "piece"},
                "inputs": [{"process": "B", "amount": 2000, "unit": "g"}],
                "emissions": [co2(0.2)],
            },
            {
                "id": "B",
                "stage": "raw_material",
                "output": {"amount": 1, "unit": "kg"},
                "inputs": [{"factor": "electricity-grid-kr-2021", "amount": 3, "unit": "kWh"}],
                "emissions": [co2(0.1)],
            },
        ],
        "A",
    )
    response = login_api(tenant.viewer).post(CALCULATE, body, format="json")
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["total_kg_co2e"] == pytest.approx(3.148486, rel=REL)
    assert result["by_stage"] == pytest.approx({"production": 0.2, "raw_material": 2.948486}, rel=REL)
    [used] = result["factors_used"]
    assert used["id"] == "electricity-grid-kr-2021" and used["licence"] == "CC-BY-4.0"
    assert used["kg_co2e"] == pytest.approx(2 * 3 * 0.458081, rel=REL)
    assert not Footprint.objects.exists()  # nothing stored


def test_calculate_a_loop(tenant: Any, login_api: Any) -> None:
    # s1 = 1 + 0.5 s2, s2 = 0.2 s1: s1 = 1/0.9, s2 = 0.2/0.9; total = (1 x 1 + 0.2 x 2) / 0.9 = 1.5555...
    body = graph(
        [
            {
                "id": "P1",
                "output": {"amount": 1, "unit": "kg"},
                "inputs": [{"process": "P2", "amount": 0.2, "unit": "kg"}],
                "emissions": [co2(1)],
            },
            {
                "id": "P2",
                "output": {"amount": 1, "unit": "kg"},
                "inputs": [{"process": "P1", "amount": 0.5, "unit": "kg"}],
                "emissions": [co2(2)],
            },
        ],
        "P1",
    )
    response = login_api(tenant.owner).post(CALCULATE, body, format="json")
    assert response.status_code == 200
    assert response.json()["total_kg_co2e"] == pytest.approx(1.4 / 0.9, rel=REL)


def test_calculate_a_battery_per_kwh_and_class(tenant: Any, login_api: Any) -> None:
    # Stages 3,000 + 1,500 + 100 + 400 = 5,000 kg over 75 kWh x 1,000 cycles x 0.9 = 67,500 kWh: 0.0740741, B.
    processes = [
        {"id": f"s{k}", "stage": stage, "output": {"amount": 1, "unit": "piece"}, "emissions": [co2(kg)]}
        for k, (stage, kg) in enumerate(
            [("raw_material", 3000), ("production", 1500), ("distribution", 100), ("end_of_life", 400)]
        )
    ]
    processes.insert(
        0,
        {
            "id": "pack",
            "output": {"amount": 1, "unit": "piece"},
            "inputs": [{"process": f"s{k}", "amount": 1, "unit": "piece"} for k in range(4)],
        },
    )
    body = graph(
        processes, "pack", battery={"rated_energy_kwh": 75, "full_equivalent_cycles": 1000, "usable_fraction": 0.9}
    )
    response = login_api(tenant.owner).post(CALCULATE, body, format="json")
    assert response.status_code == 200, response.content
    battery = response.json()["battery"]
    assert battery["kg_co2e_per_kwh"] == pytest.approx(5000 / 67_500, rel=REL)
    assert battery["total_energy_kwh"] == pytest.approx(67_500, rel=REL)
    assert battery["performance_class"] == "B" and battery["class_boundaries_illustrative"] is True


def test_calculate_ar5_and_ar6(tenant: Any, login_api: Any) -> None:
    # 1 kg each of CH4 fossil, CH4 biogenic, N2O: AR6 29.8 + 27 + 273 = 329.8; AR5 28 + 28 + 265 = 321.
    processes = [
        {
            "id": "A",
            "output": {"amount": 1, "unit": "piece"},
            "emissions": [co2(1, "CH4_fossil"), co2(1, "CH4_biogenic"), co2(1000, "N2O", "g")],
        }
    ]
    client = login_api(tenant.owner)
    assert client.post(CALCULATE, graph(processes, "A", "AR6"), format="json").json()["total_kg_co2e"] == (
        pytest.approx(329.8, rel=REL)
    )
    assert client.post(CALCULATE, graph(processes, "A", "AR5"), format="json").json()["total_kg_co2e"] == (
        pytest.approx(321.0, rel=REL)
    )


def test_calculate_the_documented_example(tenant: Any, login_api: Any) -> None:
    # cathode: 0.002 kg fossil CH4 x 29.8 = 0.0596 per run, 90% allocated to 1 kg of cathode: 0.05364 per kg.
    # cell: 250 g cathode = 0.01341; 0.4 kWh x 0.458081 = 0.1832324; 0.05 m2 separator x 0.8 = 0.04;
    # 0.01 kg CO2: total 0.2466424.
    response = login_api(tenant.owner).post(CALCULATE, GRAPH_EXAMPLE, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["total_kg_co2e"] == pytest.approx(0.2466424, rel=REL)


@pytest.mark.parametrize(
    ("change", "pointer", "process"),
    [
        (
            lambda g: g["processes"][0]["inputs"][1].update(factor="no-such-factor"),
            "/processes/0/inputs/1/factor",
            "cell",
        ),
        (lambda g: g["processes"][0]["inputs"][1].update(unit="kg"), "/processes/0/inputs/1/unit", "cell"),
        (lambda g: g["processes"][0]["inputs"][0].update(process="anode"), "/processes/0/inputs/0/process", "cell"),
        (lambda g: g["processes"][0]["inputs"][0].update(unit="kWh"), "/processes/0/inputs/0/unit", "cell"),
    ],
)
def test_calculate_names_the_exchange_at_fault(
    tenant: Any, login_api: Any, change: Any, pointer: str, process: str
) -> None:
    body = copy.deepcopy(GRAPH_EXAMPLE)
    change(body)
    response = login_api(tenant.owner).post(CALCULATE, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "graph_error"
    [detail] = error["details"]
    assert detail["pointer"] == pointer and detail["process"] == process


def test_calculate_refuses_a_singular_loop(tenant: Any, login_api: Any) -> None:
    body = graph(
        [
            {
                "id": "P1",
                "output": {"amount": 1, "unit": "kg"},
                "inputs": [{"process": "P2", "amount": 2, "unit": "kg"}],
            },
            {
                "id": "P2",
                "output": {"amount": 1, "unit": "kg"},
                "inputs": [{"process": "P1", "amount": 0.5, "unit": "kg"}],
                "emissions": [co2(1)],
            },
        ],
        "P1",
    )
    response = login_api(tenant.owner).post(CALCULATE, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["pointer"].startswith("/processes")


def test_own_factors_resolve_and_win_others_do_not(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    # The caller's own "electricity-grid-kr-2021" (1.0 per kWh) wins over the shared one; another
    # organization's factor is as unknown as a missing one.
    make_factor(tenant.org, "electricity-grid-kr-2021", "kWh", co2_fossil=1.0)
    make_factor(other_tenant.org, "their-secret-grid", "kWh", co2_fossil=1.0)
    body = graph(
        [
            {
                "id": "A",
                "output": {"amount": 1, "unit": "piece"},
                "inputs": [{"factor": "electricity-grid-kr-2021", "amount": 2, "unit": "kWh"}],
            }
        ],
        "A",
    )
    client = login_api(tenant.owner)
    assert client.post(CALCULATE, body, format="json").json()["total_kg_co2e"] == pytest.approx(2.0, rel=REL)
    other = login_api(other_tenant.owner).post(CALCULATE, body, format="json").json()
    assert other["total_kg_co2e"] == pytest.approx(2 * 0.458081, rel=REL)
    body["processes"][0]["inputs"][0]["factor"] = "their-secret-grid"
    assert client.post(CALCULATE, body, format="json").status_code == 400


def test_calculate_needs_a_caller_and_an_object(api: Any, tenant: Any, login_api: Any) -> None:
    assert api.post(CALCULATE, GRAPH_EXAMPLE, format="json").status_code in (401, 403)
    response = login_api(tenant.owner).post(CALCULATE, [1, 2], format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "graph_error"


def test_calculate_is_documented_with_the_engine_example(client: Any) -> None:
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/lca/calculate"]["post"]
    content = operation["requestBody"]["content"]["application/json"]
    assert content["examples"]["BatteryCell"]["value"] == GRAPH_EXAMPLE
    assert "functional_unit" in content["schema"]["properties"]
    assert "/processes/0/inputs/1" in operation["responses"]["400"]["description"]
    assert "allocation" in operation["description"]


# -- stored footprints through the API --------------------------------------------------------------------------


def _post(client: Any, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def new_product(client: Any, name: str, category: str) -> dict[str, Any]:
    """A product made through the products API, with a GTIN whose check digit is right."""
    return _post(
        client, "/api/v1/products/", {"gtin": gtin_from(5000 + next(_numbers)), "name": name, "category": category}
    )


_numbers = itertools.count()


def test_product_footprint_from_rows_entered_through_the_api(tenant: Any, login_api: Any) -> None:
    # Chain: B (per kg) 3 kWh x 0.5 + 0.1 kg CO2 = 1.6; A = 2 kg B on a raw-material line + 0.2 = 3.4.
    client = login_api(tenant.editor)
    factor = _post(
        client,
        "/api/v1/lca/factors/",
        {
            "key": "my-grid",
            "dataset": "our meter data",
            "name": "grid",
            "unit": "kWh",
            "region": "KR",
            "co2_fossil": 0.5,
            "source": "utility bill",
            "licence": "proprietary",
        },
    )
    a = new_product(client, "A", "battery")
    b = new_product(client, "B", "battery")
    _post(client, "/api/v1/lca/profiles/", {"product": b["id"], "declared_unit": "kg"})
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": b["id"],
            "stage": "raw_material",
            "process": "melting",
            "amount": 3,
            "unit": "kWh",
            "factor": factor["id"],
            "primary": True,
            "dq_technology": 1,
            "dq_geography": 1,
            "dq_time": 1,
        },
    )
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": b["id"],
            "stage": "raw_material",
            "process": "melting",
            "amount": 0.1,
            "unit": "kg",
            "gas": "CO2_fossil",
        },
    )
    _post(
        client,
        "/api/v1/lca/bom/",
        {"product": a["id"], "component": b["id"], "quantity": 2, "unit": "kg", "stage": "raw_material"},
    )
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": a["id"],
            "stage": "production",
            "process": "assembly",
            "amount": 0.2,
            "unit": "kg",
            "gas": "CO2_fossil",
        },
    )
    url = f"/api/v1/products/{a['id']}/footprint"
    assert client.get(url).json()["current"] is None
    response = client.post(url, {}, format="json")
    assert response.status_code == 200, response.content
    footprint = response.json()
    assert footprint["total_kg_co2e"] == pytest.approx(3.4, rel=REL)
    assert footprint["by_stage"] == pytest.approx({"raw_material": 3.2, "production": 0.2}, rel=REL)
    # 3.0 of 3.4 kg came from primary data (the metered electricity).
    assert footprint["primary_data_share"] == pytest.approx(3.0 / 3.4, rel=REL)
    assert footprint["factors_used"][0]["factor"] == factor["id"]
    client.post(url, {}, format="json")
    shown = client.get(url).json()
    assert shown["current"]["id"] != footprint["id"] and shown["history_count"] == 2
    assert [entry["is_current"] for entry in shown["history"]] == [True, False]


def test_product_footprint_of_a_loop_and_a_battery_through_the_api(tenant: Any, login_api: Any) -> None:
    # Grid (per kWh) takes 0.1 kWh of itself and emits 0.5 kg CO2: 0.5 / 0.9 per kWh. A 75 kWh pack
    # (1,000 cycles, 0.9 usable) takes 9,000 kWh in production: 5,000 kg -> 5,000 / 67,500 = 0.0740741, B.
    client = login_api(tenant.owner)
    grid = new_product(client, "grid", "energy")
    pack = new_product(client, "pack", "battery")
    _post(client, "/api/v1/lca/profiles/", {"product": grid["id"], "declared_unit": "kWh"})
    _post(
        client,
        "/api/v1/lca/profiles/",
        {
            "product": pack["id"],
            "declared_unit": "piece",
            "rated_energy_kwh": 75,
            "full_equivalent_cycles": 1000,
            "usable_fraction": 0.9,
        },
    )
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": grid["id"],
            "stage": "production",
            "process": "losses",
            "amount": 0.1,
            "unit": "kWh",
            "upstream_product": grid["id"],
        },
    )
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": grid["id"],
            "stage": "production",
            "process": "plant",
            "amount": 0.5,
            "unit": "kg",
            "gas": "CO2_fossil",
        },
    )
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": pack["id"],
            "stage": "production",
            "process": "assembly",
            "amount": 9000,
            "unit": "kWh",
            "upstream_product": grid["id"],
        },
    )
    grid_fp = client.post(f"/api/v1/products/{grid['id']}/footprint", {}, format="json").json()
    assert grid_fp["total_kg_co2e"] == pytest.approx(0.5 / 0.9, rel=REL)
    pack_fp = client.post(f"/api/v1/products/{pack['id']}/footprint", {}, format="json").json()
    assert pack_fp["total_kg_co2e"] == pytest.approx(5000, rel=REL)
    assert pack_fp["battery_kg_co2e_per_kwh"] == pytest.approx(5000 / 67_500, rel=REL)
    assert pack_fp["battery_performance_class"] == "B"


def test_a_row_that_cannot_be_solved_is_named(tenant: Any, login_api: Any) -> None:
    client = login_api(tenant.owner)
    part = new_product(client, "part", "x")
    product = new_product(client, "product", "x")
    _post(client, "/api/v1/lca/profiles/", {"product": part["id"], "declared_unit": "kg"})
    line = _post(
        client, "/api/v1/lca/bom/", {"product": product["id"], "component": part["id"], "quantity": 1, "unit": "m**2"}
    )
    response = client.post(f"/api/v1/products/{product['id']}/footprint", {}, format="json")
    assert response.status_code == 400
    [detail] = response.json()["error"]["details"]
    assert detail["row"] == {"kind": "bom_line", "id": line["id"], "product": product["id"], "field": "unit"}
    assert detail["pointer"].endswith("/unit")


def test_roles_and_organizations(tenant: Any, other_tenant: Any, login_api: Any, bearer_api: Any) -> None:
    product = make_product(tenant.org, "P")
    url = f"/api/v1/products/{product.pk}/footprint"
    assert login_api(tenant.viewer).get(url).status_code == 200
    assert login_api(tenant.viewer).post(url, {}, format="json").status_code == 403
    assert bearer_api(tenant.org, ("read",)).post(url, {}, format="json").status_code == 403
    assert bearer_api(tenant.org, ("read", "write")).post(url, {}, format="json").status_code == 200
    assert login_api(other_tenant.owner).get(url).status_code == 404
    assert login_api(other_tenant.owner).post(url, {}, format="json").status_code == 404
    response = login_api(tenant.viewer).post("/api/v1/lca/activities/", {}, format="json")
    assert response.status_code == 403


# -- factors --------------------------------------------------------------------------------------------------------


def test_factors_list_shared_and_own_and_shared_ones_are_read_only(
    tenant: Any, other_tenant: Any, login_api: Any
) -> None:
    mine = make_factor(tenant.org, "mine")
    theirs = make_factor(other_tenant.org, "theirs")
    client = login_api(tenant.owner)
    listed = client.get("/api/v1/lca/factors/", {"page_size": 500}).json()["results"]
    keys = {row["key"] for row in listed}
    shared_count = EmissionFactor.objects.filter(organization__isnull=True).count()
    assert len(listed) == shared_count + 1 and "mine" in keys and "theirs" not in keys
    assert client.get("/api/v1/lca/factors/", {"shared": "false"}).json()["count"] == 1
    assert client.get(f"/api/v1/lca/factors/{theirs.pk}/").status_code == 404
    shared = EmissionFactor.objects.get(key="electricity-grid-kr-2021", organization__isnull=True)
    assert client.get(f"/api/v1/lca/factors/{shared.pk}/").json()["shared"] is True
    assert client.patch(f"/api/v1/lca/factors/{shared.pk}/", {"co2e_other": 0}, format="json").status_code == 403
    assert client.delete(f"/api/v1/lca/factors/{shared.pk}/").status_code == 403
    assert (
        client.patch(f"/api/v1/lca/factors/{mine.pk}/", {"co2_fossil": 0.7}, format="json").json()["co2_fossil"] == 0.7
    )


def test_a_factor_in_use_cannot_be_deleted(tenant: Any, login_api: Any) -> None:
    client = login_api(tenant.owner)
    factor = make_factor(tenant.org, "grid")
    product = new_product(client, "P", "x")
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": product["id"],
            "stage": "production",
            "process": "x",
            "amount": 1,
            "unit": "kWh",
            "factor": factor.pk,
        },
    )
    response = client.delete(f"/api/v1/lca/factors/{factor.pk}/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "in_use"


def test_changing_an_own_factor_recalculates_in_the_background(
    tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # 2 kWh x 0.5 = 1.0; the factor becomes 0.75: 1.5, stored by a recalculation job (Celery, eager here).
    client = login_api(tenant.owner)
    factor = make_factor(tenant.org, "grid", co2_fossil=0.5)
    product = new_product(client, "P", "x")
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": product["id"],
            "stage": "production",
            "process": "x",
            "amount": 2,
            "unit": "kWh",
            "factor": factor.pk,
        },
    )
    client.post(f"/api/v1/products/{product['id']}/footprint", {}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(f"/api/v1/lca/factors/{factor.pk}/", {"co2_fossil": 0.75}, format="json")
    assert response.status_code == 200
    [job] = client.get("/api/v1/lca/recalculations/").json()["results"]
    assert (job["cause"], job["status"], job["products_total"], job["progress"]) == ("factor", "done", 1, 1.0)
    current = client.get(f"/api/v1/products/{product['id']}/footprint").json()["current"]
    assert current["total_kg_co2e"] == pytest.approx(1.5, rel=REL) and current["trigger"] == "recalculation"


def test_rows_refuse_other_organizations_and_wrong_units(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    theirs = make_product(other_tenant.org, "P")
    mine = make_product(tenant.org, "P")
    grid = make_factor(tenant.org, "grid", "kWh")
    client = login_api(tenant.owner)
    response = client.post(
        "/api/v1/lca/activities/",
        {"product": theirs.pk, "stage": "production", "process": "x", "amount": 1, "unit": "kg", "gas": "CO2_fossil"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]["details"][0]["pointer"] == "/product"
    response = client.post(
        "/api/v1/lca/activities/",
        {"product": mine.pk, "stage": "production", "process": "x", "amount": 1, "unit": "kg", "factor": grid.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["pointer"] == "/unit"
    response = client.post(
        "/api/v1/lca/bom/", {"product": mine.pk, "component": theirs.pk, "quantity": 1, "unit": "piece"}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["details"][0]["pointer"] == "/component"


def test_ask_for_a_recalculation_of_everything(
    tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login_api(tenant.owner)
    product = new_product(client, "P", "x")
    _post(
        client,
        "/api/v1/lca/activities/",
        {
            "product": product["id"],
            "stage": "production",
            "process": "x",
            "amount": 2,
            "unit": "kg",
            "gas": "CO2_fossil",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = _post(client, "/api/v1/lca/recalculations/", {})
    assert (job["cause"], job["status"]) == ("manual", "queued")  # answered before the job runs
    job = client.get(f"/api/v1/lca/recalculations/{job['id']}/").json()
    assert (job["status"], job["products_total"], job["products_changed"]) == ("done", 1, 1)
    assert client.get(f"/api/v1/products/{product['id']}/footprint").json()["current"]["total_kg_co2e"] == 2.0
    response = client.post("/api/v1/lca/recalculations/", {"product_ids": [999_999]}, format="json")
    assert response.status_code == 400


# -- list query counts ------------------------------------------------------------------------------------------


def add_rows(org: Any, count: int) -> None:
    """``count`` products, each with a profile, an activity, a BOM line, a supplier footprint, a footprint."""
    grid = make_factor(org, f"grid-{EmissionFactor.objects.count()}", co2_fossil=0.5)
    previous = None
    for _ in range(count):
        product = make_product(org, "row", unit="kg")
        make_activity(product, "production", 1, "kWh", factor=grid)
        make_supplier(product, 2.0)
        if previous is not None:
            make_line(product, previous, 1, "kg")
        services.footprint_compute(product=product)
        services.recalculation_job_create(org=org, product_ids=[product.pk])
        previous = product


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/lca/activities/",
        "/api/v1/lca/bom/",
        "/api/v1/lca/factors/",
        "/api/v1/lca/supplier-footprints/",
        "/api/v1/lca/profiles/",
        "/api/v1/lca/footprints/",
        "/api/v1/lca/recalculations/",
    ],
)
def test_list_queries_do_not_grow_with_rows(
    url: str, tenant: Any, login_api: Any, django_assert_max_num_queries: Any
) -> None:
    client = login_api(tenant.owner)
    add_rows(tenant.org, 2)
    with django_assert_max_num_queries(8) as few:
        assert client.get(url).status_code == 200
    add_rows(tenant.org, 20)
    with django_assert_max_num_queries(8) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_recalculation_is_asked_for_in_json_only(tenant: Any, login_api: Any) -> None:
    """Every field is optional, so a form body that parses to nothing must not quietly start a full run."""
    client = login_api(tenant.owner)
    response = client.post("/api/v1/lca/recalculations/", {"x": "1"}, format="multipart")
    assert response.status_code == 415
    assert client.post("/api/v1/lca/recalculations/", {}, format="json").status_code == 201
