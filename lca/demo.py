"""Demo data of carbon footprints for ``manage.py seed_demo``: the EV battery pack's supply chain.

The Korean maker's 96 kWh pack is modelled from its cells, the cells from their materials, and the cathode
active material from the maker's own Pohang works; purchased materials carry their suppliers' declared
footprints (PACT). Activity amounts are plausible for an NMC811 pack but invented for the demo, and so are
the supplier figures (their ``source`` says so); the emission factors are the shipped, cited open dataset.
Running it twice changes nothing: rows are only added where a product has none, and a footprint is only
stored when its inputs changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lca import services
from lca.models import ActivityData, BomLine, EmissionFactor, Footprint, SupplierFootprint
from passports import identifiers
from passports.models import Organization, Product

PACK_GTIN = "8801234000017"
DEMO_SOURCE = "Demo supplier PCF (illustrative figures, not a real declaration)"

# (key, name, declared unit, supplier kg CO2e per unit or None when made in-house, supplier)
COMPONENTS = [
    ("cell", "HBE-C90 NMC811 prismatic cell, 90 Ah", "piece", None, ""),
    ("cathode", "NCM811 cathode active material", "kg", None, ""),
    ("pcam", "NCM811 precursor (pCAM)", "kg", "9.8", "Gyeongbuk Precursor Co. (demo)"),
    ("lioh", "Lithium hydroxide monohydrate, battery grade", "kg", "8.5", "Andes Lithium S.A. (demo)"),
    ("graphite", "Spherical graphite anode material", "kg", "4.9", "Jeonbuk Carbon Materials (demo)"),
    ("electrolyte", "LiPF6 electrolyte", "kg", "6.2", "Ulsan Electrolyte Co. (demo)"),
    ("separator", "PE separator film, 12 um", "m**2", "0.9", "Film Tech Co. (demo)"),
    ("copper", "Copper foil, 6 um", "kg", "5.6", "Iksan Copper Foil (demo)"),
]

# product key -> [(component key, quantity, unit, stage; "" carries the component's own stages over)]
BOM = {
    "pack": [("cell", "288", "piece", "")],
    "cell": [
        ("cathode", "0.55", "kg", "raw_material"),
        ("graphite", "0.36", "kg", "raw_material"),
        ("electrolyte", "0.16", "kg", "raw_material"),
        ("separator", "0.95", "m**2", "raw_material"),
        ("copper", "0.09", "kg", "raw_material"),
    ],
    "cathode": [("pcam", "1.02", "kg", "raw_material"), ("lioh", "0.45", "kg", "raw_material")],
}

MEASURED = {"primary": True, "dq_technology": 1, "dq_geography": 1, "dq_time": 1}
AVERAGE = {"dq_technology": 2, "dq_geography": 3, "dq_time": 2}
# product key -> [(stage, process, amount, unit, factor key, flags)]
ACTIVITIES: dict[str, list[tuple[str, str, str, str, str, dict[str, Any]]]] = {
    "pack": [
        ("raw_material", "aluminium housing", "38", "kg", "material-aluminium-cans-foil-primary", AVERAGE),
        ("raw_material", "steel brackets", "12", "kg", "material-metals-construction-primary", AVERAGE),
        ("raw_material", "PP covers", "6", "kg", "material-pp-primary", AVERAGE),
        ("production", "pack assembly, Ochang", "180", "kWh", "electricity-grid-kr-2021", MEASURED),
        (
            "distribution",
            "sea freight Busan - Rotterdam",
            "12400",
            "t.km",
            "freight-sea-container-ship-average",
            AVERAGE,
        ),
        (
            "distribution",
            "truck Rotterdam - Duesseldorf",
            "341",
            "t.km",
            "freight-road-hgv-diesel-average-laden",
            AVERAGE,
        ),
        ("end_of_life", "truck to the recycler", "186", "t.km", "freight-road-hgv-diesel-average-laden", AVERAGE),
    ],
    "cell": [
        ("raw_material", "aluminium can and foil", "0.075", "kg", "material-aluminium-cans-foil-primary", AVERAGE),
        ("production", "electrode coating, formation, Ochang", "11.8", "kWh", "electricity-grid-kr-2021", MEASURED),
        ("production", "electrode drying", "0.004", "MMBtu", "fuel-natural-gas-hhv", MEASURED),
    ],
    "cathode": [
        ("production", "calcination, Pohang", "6.5", "kWh", "electricity-grid-kr-2021", MEASURED),
        (
            "production",
            "kiln firing, Pohang",
            "0.012",
            "MMBtu",
            "fuel-natural-gas-hhv",
            {"primary": True, "dq_technology": 1, "dq_geography": 1, "dq_time": 2},
        ),
    ],
}


@dataclass
class DemoFootprints:
    pack: Product
    footprint: Footprint | None
    products: dict[str, Product]


def _gtin(n: int) -> str:
    body = f"8801234{n:05d}"
    return body + str(identifiers.gs1_check_digit(body))


def _products(maker: Organization) -> dict[str, Product]:
    pack = Product.objects.filter(organization=maker, gtin=PACK_GTIN).first()
    if pack is None:
        pack = Product.objects.create(
            organization=maker,
            gtin=PACK_GTIN,
            category="battery",
            cn_code="85076000",
            name="HBE-P96 NMC811 96 kWh EV battery pack",
        )
    products = {"pack": pack}
    for n, (key, name, _unit, _kg, _partner) in enumerate(COMPONENTS, start=100):
        products[key], _ = Product.objects.get_or_create(
            organization=maker, gtin=_gtin(n), defaults={"name": name, "category": "component"}
        )
    return products


def _declarations(maker: Organization, products: dict[str, Product]) -> None:
    for key, _name, unit, kg, partner in COMPONENTS:
        product = products[key]
        if unit != "piece" and not hasattr(product, "footprint_profile"):
            services.profile_create(org=maker, product=product, declared_unit=unit)
        if kg is None or SupplierFootprint.objects.filter(component=product).exists():
            continue
        services.supplier_footprint_create(
            org=maker,
            component=product,
            kg_co2e_per_unit=Decimal(kg),
            declared_unit=unit,
            source=DEMO_SOURCE,
            partner=partner,
            valid_from=date(2026, 1, 1),
            schedule=False,
        )


def _rows(maker: Organization, products: dict[str, Product]) -> None:
    factors = {factor.key: factor for factor in EmissionFactor.objects.filter(organization__isnull=True)}
    for key, lines in BOM.items():
        if BomLine.objects.filter(product=products[key]).exists():
            continue
        for component, quantity, unit, stage in lines:
            services.bom_line_create(
                org=maker,
                product=products[key],
                component=products[component],
                quantity=Decimal(quantity),
                unit=unit,
                stage=stage,
            )
    for key, activities in ACTIVITIES.items():
        if ActivityData.objects.filter(product=products[key]).exists():
            continue
        for stage, process, amount, unit, factor, flags in activities:
            services.activity_create(
                org=maker,
                product=products[key],
                stage=stage,
                process=process,
                amount=Decimal(amount),
                unit=unit,
                factor=factors[factor],
                **flags,
            )


def seed_lca(maker: Organization) -> DemoFootprints:
    """Factors, the pack's supply chain and its computed footprint (per kWh and class from its profile)."""
    services.shared_factors_sync()
    products = _products(maker)
    if not hasattr(products["pack"], "footprint_profile"):
        # Rated energy and expected cycles as the pack's passport declares them (96 kWh, 1,500 cycles).
        services.profile_create(
            org=maker,
            product=products["pack"],
            declared_unit="piece",
            rated_energy_kwh=Decimal(96),
            full_equivalent_cycles=Decimal(1500),
        )
    _declarations(maker, products)
    _rows(maker, products)
    services.footprints_recompute(
        org=maker,
        product_ids=[products[key].pk for key in ("cathode", "cell", "pack")],
        trigger=Footprint.Trigger.REQUEST,
    )
    current = Footprint.objects.filter(product=products["pack"], is_current=True).first()
    return DemoFootprints(pack=products["pack"], footprint=current, products=products)
