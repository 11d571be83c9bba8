"""Carbon footprint records: emission factors, activity data, bills of materials, supplier declarations,
the footprints computed from them, and the background jobs that recompute footprints when a factor or a
supplier's declaration changes.

Everything a user enters is stored as entered (amounts as decimals, units as text); the footprint engine
(``lca.engine.footprint``) reads these rows through ``lca.engine.graph_builder`` and never writes them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lca.engine.graph import STAGES
from lca.engine.gwp import GASES, GWP_SETS
from lca.engine.units import UnitError, parse_unit
from passports.models import Organization, Product
from passports.models.base import TenantOwned, Timestamped

STAGE_CHOICES: Final = [(stage, stage.replace("_", " ")) for stage in STAGES]
GAS_CHOICES: Final = [(gas, gas) for gas in GASES]
GWP_CHOICES: Final = [(name, name) for name in GWP_SETS]
NON_NEGATIVE: Final = [MinValueValidator(0)]
RATING: Final = [MinValueValidator(1), MaxValueValidator(3)]

factor_key_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9._-]{0,199}$",
    _("Use lower-case letters, digits, '.', '_' and '-' (e.g. electricity-grid-kr-2021)."),
)


def amount_field(verbose_name: Any, **options: Any) -> models.DecimalField:
    """An amount as entered: 16 integer digits and 12 decimals hold grams of N2O per kWh and tonnes of steel."""
    return models.DecimalField(verbose_name, max_digits=28, decimal_places=12, **options)


def validate_unit(value: str) -> None:
    """A unit pint can read (kg, g, kWh, t.km, m**2, piece...), checked where it is entered."""
    try:
        parse_unit(value)
    except UnitError as exc:
        raise ValidationError(str(exc), code="unit") from exc


class EmissionFactorQuerySet(models.QuerySet["EmissionFactor"]):
    def visible_to(self, org: Organization | None) -> EmissionFactorQuerySet:
        """The shared open datasets plus the organization's own (licensed) factors."""
        if org is None:
            return self.filter(organization__isnull=True)
        return self.filter(Q(organization__isnull=True) | Q(organization=org))


class EmissionFactor(Timestamped):
    """kg of each greenhouse gas emitted per one ``unit`` of an activity, with its source and licence.

    ``organization`` NULL marks the shared open dataset every tenant can use (loaded from
    ``lca/data/emission_factors.csv`` at migrate time); a factor with an organization belongs to that
    organization's licensed dataset and is visible to it alone. ``key`` is the id a process graph uses;
    an organization's key may repeat a shared key, and its own factor then wins in its graphs.
    ``co2e_other`` holds amounts a source gives only as kg CO2e; it is added whatever the GWP set.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="emission_factors"
    )
    key = models.CharField(_("id"), max_length=200, validators=[factor_key_validator])
    dataset = models.CharField(_("dataset"), max_length=200)
    name = models.CharField(_("name"), max_length=300)
    activity = models.CharField(_("activity"), max_length=100, blank=True)
    unit = models.CharField(_("per unit"), max_length=50, validators=[validate_unit])
    region = models.CharField(_("region"), max_length=50)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    co2_fossil = amount_field(_("CO2 fossil (kg)"), default=0, validators=NON_NEGATIVE)
    co2_biogenic = amount_field(_("CO2 biogenic (kg, negative for uptake)"), default=0)
    co2_luc = amount_field(_("CO2 land-use change (kg)"), default=0, validators=NON_NEGATIVE)
    ch4_fossil = amount_field(_("CH4 fossil (kg)"), default=0, validators=NON_NEGATIVE)
    ch4_biogenic = amount_field(_("CH4 biogenic (kg)"), default=0, validators=NON_NEGATIVE)
    n2o = amount_field(_("N2O (kg)"), default=0, validators=NON_NEGATIVE)
    co2e_other = amount_field(_("other, as CO2e (kg)"), default=0, validators=NON_NEGATIVE)
    source = models.CharField(_("source"), max_length=500)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)

    objects = EmissionFactorQuerySet.as_manager()

    GAS_FIELDS: Final = ("co2_fossil", "co2_biogenic", "co2_luc", "ch4_fossil", "ch4_biogenic", "n2o", "co2e_other")

    class Meta:
        ordering = ["key", "pk"]
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"], condition=Q(organization__isnull=False), name="factor_unique_key_org"
            ),
            models.UniqueConstraint(
                fields=["key"], condition=Q(organization__isnull=True), name="factor_unique_key_shared"
            ),
            # Every factor names where its numbers come from and under which terms they may be used.
            models.CheckConstraint(condition=~Q(source="") & ~Q(licence=""), name="factor_names_source_and_licence"),
            models.CheckConstraint(
                condition=Q(
                    co2_fossil__gte=0,
                    co2_luc__gte=0,
                    ch4_fossil__gte=0,
                    ch4_biogenic__gte=0,
                    n2o__gte=0,
                    co2e_other__gte=0,
                ),
                name="factor_emissions_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["dataset"]), models.Index(fields=["organization", "key"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.unit})"

    @property
    def is_shared(self) -> bool:
        return self.organization_id is None


class ActivityData(TenantOwned, Timestamped):
    """One input or emission of a product's life cycle, per one declared unit of the product.

    Exactly one of: an emission ``factor`` (2 kWh of grid electricity), an ``upstream_product`` of the same
    organization whose own footprint counts (0.25 kg of cathode made in-house), or a direct emission of a
    ``gas`` (0.01 kg CO2 from a process). ``primary`` marks measured, company-specific data; the three data
    quality ratings (1 best, 3 worst) rate technology, geography and time representativeness.
    """

    # No index of its own: the (organization, product) index below serves every lookup by organization, and
    # each index is upkeep on every row the import copies in (issue 19: index upkeep bounds the COPY rate).
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="activity_data")
    stage = models.CharField(_("lifecycle stage"), max_length=20, choices=STAGE_CHOICES)
    process = models.CharField(_("process"), max_length=200, help_text=_("e.g. cell formation, calcination"))
    amount = amount_field(_("amount per declared unit"), validators=NON_NEGATIVE)
    unit = models.CharField(_("unit"), max_length=50, validators=[validate_unit])
    factor = models.ForeignKey(
        EmissionFactor, on_delete=models.PROTECT, null=True, blank=True, related_name="activity_data"
    )
    upstream_product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="consumed_by_activities"
    )
    gas = models.CharField(_("direct emission of"), max_length=20, choices=GAS_CHOICES, blank=True)
    primary = models.BooleanField(_("primary data"), default=False)
    dq_technology = models.PositiveSmallIntegerField(_("technology rating"), null=True, blank=True, validators=RATING)
    dq_geography = models.PositiveSmallIntegerField(_("geography rating"), null=True, blank=True, validators=RATING)
    dq_time = models.PositiveSmallIntegerField(_("time rating"), null=True, blank=True, validators=RATING)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["product_id", "stage", "pk"]
        verbose_name = _("activity data")
        verbose_name_plural = _("activity data")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(factor__isnull=False, upstream_product__isnull=True, gas="")
                    | Q(factor__isnull=True, upstream_product__isnull=False, gas="")
                    | (Q(factor__isnull=True, upstream_product__isnull=True) & ~Q(gas=""))
                ),
                name="activity_one_source",
            ),
            models.CheckConstraint(
                condition=Q(dq_technology__isnull=True, dq_geography__isnull=True, dq_time__isnull=True)
                # NULL BETWEEN 1 AND 3 is unknown, which a CHECK lets pass: the second branch says not null too.
                | Q(
                    dq_technology__isnull=False,
                    dq_geography__isnull=False,
                    dq_time__isnull=False,
                    dq_technology__range=(1, 3),
                    dq_geography__range=(1, 3),
                    dq_time__range=(1, 3),
                ),
                name="activity_dq_all_or_none",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="activity_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "product"])]  # the factor's foreign key has its own

    def __str__(self) -> str:
        return f"{self.product_id} {self.stage}: {self.process} {self.amount} {self.unit}"

    @property
    def dq(self) -> tuple[int, int, int] | None:
        if self.dq_technology is None or self.dq_geography is None or self.dq_time is None:
            return None
        return (self.dq_technology, self.dq_geography, self.dq_time)


class BomLine(TenantOwned, Timestamped):
    """A component in the bill of materials: ``quantity`` ``unit`` of ``component`` per declared unit of
    ``product``.

    ``stage`` is the product's lifecycle stage the component's whole footprint counts in (a cathode bought
    for a cell: raw material acquisition and pre-processing). Left blank, the component's own split by
    stage is carried over instead (a cell in a battery pack keeps its raw-material and production parts).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="bom_lines")
    component = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="used_in_bom_lines")
    quantity = amount_field(_("quantity per declared unit"), validators=NON_NEGATIVE)
    unit = models.CharField(_("unit"), max_length=50, validators=[validate_unit])
    stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=STAGE_CHOICES,
        blank=True,
        default="raw_material",
        help_text=_("Blank: keep the component's own split by lifecycle stage."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["product_id", "pk"]
        verbose_name = _("bill of materials line")
        verbose_name_plural = _("bill of materials lines")
        constraints = [
            models.CheckConstraint(condition=~Q(product=models.F("component")), name="bom_not_its_own_component"),
            models.UniqueConstraint(fields=["product", "component", "stage"], name="bom_unique_component_stage"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="bom_quantity_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "component"])]

    def __str__(self) -> str:
        return f"{self.product_id} <- {self.quantity} {self.unit} of {self.component_id}"


class SupplierFootprint(TenantOwned, Timestamped):
    """A supplier's declared footprint of a component: kg CO2e per ``declared_unit`` (PACT ``pCfExcludingBiogenic``).

    Used for a component the organization has no activity data or bill of materials for. ``source`` says
    where the number comes from (a PACT ProductFootprint id and the partner that sent it, an EPD); the one
    valid today with the latest ``valid_from`` counts. ``gwp`` is the set the supplier characterised with:
    a footprint computed with another set refuses it rather than mixing the two.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    component = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="supplier_footprints")
    kg_co2e_per_unit = amount_field(_("kg CO2e per declared unit"), validators=NON_NEGATIVE)
    declared_unit = models.CharField(_("declared unit"), max_length=50, validators=[validate_unit])
    biogenic_co2_kg_per_unit = amount_field(_("biogenic CO2 (kg) per declared unit"), default=0)
    luc_kg_co2e_per_unit = amount_field(
        _("land-use change kg CO2e per declared unit (included in the total)"), default=0, validators=NON_NEGATIVE
    )
    gwp = models.CharField(_("GWP set"), max_length=5, choices=GWP_CHOICES, default="AR6")
    primary = models.BooleanField(
        _("supplier-specific data"), default=True, help_text=_("Counts as primary data in the buyer's footprint.")
    )
    source = models.CharField(_("source"), max_length=300)
    partner = models.CharField(_("supplier"), max_length=200, blank=True)
    pact_id = models.CharField(_("PACT footprint id"), max_length=200, blank=True, db_index=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["component_id", "-valid_from", "-pk"]
        verbose_name = _("supplier footprint")
        verbose_name_plural = _("supplier footprints")
        constraints = [
            models.CheckConstraint(
                condition=Q(luc_kg_co2e_per_unit__lte=models.F("kg_co2e_per_unit")), name="supplier_luc_within_total"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="supplier_valid_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organization", "component"])]

    def __str__(self) -> str:
        return f"{self.component_id}: {self.kg_co2e_per_unit} kg CO2e/{self.declared_unit} ({self.source})"

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class FootprintProfile(TenantOwned, Timestamped):
    """How a product's footprint is declared: the declared unit its amounts are per, the GWP set, and for
    batteries the service-life energy of Regulation (EU) 2023/1542 Art. 7 and Annex II.

    Without a profile a product is declared per piece (per the supplier's declared unit when only a
    supplier footprint is known), with IPCC AR6 values and no per-kWh figure.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="footprint_profile")
    declared_unit = models.CharField(_("declared unit"), max_length=50, default="piece", validators=[validate_unit])
    gwp = models.CharField(_("GWP set"), max_length=5, choices=GWP_CHOICES, default="AR6")
    rated_energy_kwh = models.DecimalField(
        _("rated energy (kWh)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        max_digits=16,
        decimal_places=6,
    )
    full_equivalent_cycles = models.DecimalField(
        _("expected full equivalent cycles"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        max_digits=16,
        decimal_places=6,
    )
    usable_fraction = models.DecimalField(
        _("usable fraction of rated energy"),
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        max_digits=7,
        decimal_places=6,
    )

    class Meta:
        ordering = ["product_id"]
        verbose_name = _("footprint profile")
        verbose_name_plural = _("footprint profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(usable_fraction__gt=0, usable_fraction__lte=1), name="profile_usable_fraction_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} per {self.declared_unit} ({self.gwp})"

    @property
    def battery_energy_known(self) -> bool:
        return bool(self.rated_energy_kwh) and bool(self.full_equivalent_cycles)


class RecalculationJob(TenantOwned, Timestamped):
    """Recomputing the stored footprints of one organization that depend on changed factors or supplier
    footprints, observable while it runs and resumable after a crash.

    ``product_ids`` is fixed when the job starts (every product whose current footprint depends on the
    change, through the bill of materials and upstream products); ``products_done`` counts how many of
    them are committed, and each batch commits its footprints together with that count.
    """

    class Cause(models.TextChoices):
        FACTOR = "factor", _("Emission factor changed")
        SUPPLIER_FOOTPRINT = "supplier_footprint", _("Supplier footprint changed")
        MANUAL = "manual", _("Requested")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    factor_ids = models.JSONField(_("changed factors"), default=list, blank=True)
    component_ids = models.JSONField(_("components with changed supplier footprints"), default=list, blank=True)
    requested_product_ids = models.JSONField(_("products asked for"), null=True, blank=True)
    product_ids = models.JSONField(_("products to recompute"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    products_total = models.PositiveIntegerField(_("products"), default=0)
    products_done = models.PositiveIntegerField(_("products processed"), default=0)
    products_changed = models.PositiveIntegerField(_("footprints stored"), default=0)
    products_unchanged = models.PositiveIntegerField(_("footprints unchanged"), default=0)
    products_failed = models.PositiveIntegerField(_("products failed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    runner = models.CharField(_("worker"), max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("footprint recalculation")
        verbose_name_plural = _("footprint recalculations")
        indexes = [models.Index(fields=["organization", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"recalculation {self.pk} ({self.cause}, {self.status})"

    @property
    def progress(self) -> float:
        """Share of products processed, 0 to 1."""
        if self.status == self.Status.DONE:
            return 1.0
        return self.products_done / self.products_total if self.products_total else 0.0


class Footprint(TenantOwned):
    """A product's footprint as computed at ``computed_at``: one row per calculation, the newest current.

    Totals are kg CO2e per declared unit, excluding biogenic CO2 (which is reported apart). ``factors_used``
    names every emission factor and supplier declaration that contributed, with source and licence, so a
    declared number can be traced to its data. ``input_hash`` fingerprints everything the result depends
    on (activity data, bills of materials, factor values, supplier declarations of the whole supply chain,
    GWP set): an unchanged hash means an unchanged footprint, which lets recalculation skip it.
    """

    class Trigger(models.TextChoices):
        REQUEST = "request", _("Requested")
        RECALCULATION = "recalculation", _("Recalculated after a change")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="footprints")
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices, default=Trigger.REQUEST)
    job = models.ForeignKey(
        RecalculationJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="footprints"
    )
    is_current = models.BooleanField(_("current"), default=True)
    gwp = models.CharField(_("GWP set"), max_length=5, choices=GWP_CHOICES)
    declared_unit = models.CharField(_("declared unit"), max_length=50)
    total_kg_co2e = models.FloatField(_("total (kg CO2e, excluding biogenic CO2)"))
    total_including_biogenic = models.FloatField(_("total including biogenic CO2 (kg CO2e)"))
    biogenic_co2_kg = models.FloatField(_("biogenic CO2 (kg)"), default=0)
    by_stage = models.JSONField(_("by lifecycle stage"), default=dict)
    by_gas = models.JSONField(_("by gas"), default=dict)
    primary_data_share = models.FloatField(_("primary data share"), null=True, blank=True)
    data_quality = models.JSONField(_("data quality"), default=dict)
    factors_used = models.JSONField(_("factors used"), default=list)
    result = models.JSONField(_("full result"), default=dict)
    battery_kg_co2e_per_kwh = models.FloatField(_("battery kg CO2e per kWh"), null=True, blank=True)
    battery_performance_class = models.CharField(_("performance class"), max_length=4, blank=True)
    battery = models.JSONField(_("battery declaration"), null=True, blank=True)
    gaps = models.JSONField(_("data gaps"), default=list, blank=True)
    input_hash = models.CharField(_("input hash"), max_length=64)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = _("footprint")
        verbose_name_plural = _("footprints")
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(is_current=True), name="footprint_one_current"),
        ]
        indexes = [
            models.Index(fields=["product", "-computed_at"]),
            models.Index(fields=["organization", "is_current"]),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.total_kg_co2e:g} kg CO2e/{self.declared_unit} ({self.computed_at:%Y-%m-%d})"


from lca.pact.models import *  # noqa: F403,E402  # PACT models live in their own module
