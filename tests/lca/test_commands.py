"""``manage.py load_emission_factors``: all or nothing, errors by row and column, private and shared datasets."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from lca.models import EmissionFactor

pytestmark = pytest.mark.django_db

HEADER = (
    "id,dataset,name,activity,unit,region,year,co2_fossil,ch4_fossil,ch4_biogenic,n2o,co2e_other,source,source_url,"
    "licence"
)


def write(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "factors.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


GOOD = "licensed-steel,Licensed DB 2025,Hot-rolled coil,steel,t,KR,2025,1.9,0.001,0,0.00002,0,Licensed DB v3,https://example.test/db,proprietary"
GOOD_2 = "licensed-grid,Licensed DB 2025,Grid KR,electricity,kWh,KR,2025,0.42,0,0,0,0,Licensed DB v3,,proprietary"
BAD_UNIT = "bad-unit,Licensed DB 2025,Bad,steel,parsecs of joy,KR,2025,1,0,0,0,0,Licensed DB v3,,proprietary"
BAD_LICENCE = "no-licence,Licensed DB 2025,No licence,steel,kg,KR,2025,1,0,0,0,0,Licensed DB v3,,"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_emission_factors", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_loads_an_organizations_private_dataset(tmp_path: Path, tenant: Any) -> None:
    out, _ = run(write(tmp_path, GOOD, GOOD_2), "--org", tenant.org.slug)
    assert "2 added" in out
    steel = EmissionFactor.objects.get(organization=tenant.org, key="licensed-steel")
    assert (steel.unit, steel.co2_fossil, steel.n2o, steel.licence) == (
        "t",
        Decimal("1.9"),
        Decimal("0.00002"),
        "proprietary",
    )
    assert not EmissionFactor.objects.filter(organization__isnull=True, key="licensed-steel").exists()


def test_one_bad_row_stores_nothing_and_every_error_names_row_and_column(tmp_path: Path, tenant: Any) -> None:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command(
            "load_emission_factors",
            write(tmp_path, GOOD, BAD_UNIT, BAD_LICENCE),
            "--org",
            tenant.org.slug,
            stdout=out,
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert any("row 3" in line and "'unit'" in line for line in lines)
    assert any("row 4" in line and "'licence'" in line for line in lines)
    assert not EmissionFactor.objects.filter(organization=tenant.org).exists()


def test_valid_rows_stores_the_good_ones_and_lists_the_others(tmp_path: Path, tenant: Any) -> None:
    out, err = run(write(tmp_path, GOOD, BAD_UNIT, GOOD_2), "--org", tenant.org.slug, "--valid-rows")
    assert "2 added" in out and "1 row(s) left out" in out
    assert "row 3" in err and "'unit'" in err
    assert set(EmissionFactor.objects.filter(organization=tenant.org).values_list("key", flat=True)) == {
        "licensed-steel",
        "licensed-grid",
    }


def test_a_row_the_model_refuses_is_named_too(tmp_path: Path, tenant: Any) -> None:
    # The CSV reader accepts any http(s) address; the model also limits its length.
    long_url = "https://example.test/" + "x" * 600
    row = GOOD_2.replace(",,proprietary", f",{long_url},proprietary")
    with pytest.raises(CommandError):
        call_command(
            "load_emission_factors",
            write(tmp_path, GOOD, row),
            "--org",
            tenant.org.slug,
            stdout=StringIO(),
            stderr=(err := StringIO()),
        )
    assert "row 3" in err.getvalue() and "source_url" in err.getvalue()
    assert not EmissionFactor.objects.filter(organization=tenant.org).exists()


def test_dataset_name_and_updates(tmp_path: Path, tenant: Any) -> None:
    path = write(tmp_path, GOOD)
    run(path, "--org", tenant.org.slug, "--dataset", "Our licensed set")
    assert EmissionFactor.objects.get(key="licensed-steel", organization=tenant.org).dataset == "Our licensed set"
    out, _ = run(path, "--org", tenant.org.slug, "--dataset", "Our licensed set")
    assert "0 added, 0 updated, 1 unchanged" in out
    out, _ = run(
        write(tmp_path, GOOD.replace(",1.9,", ",2.1,")), "--org", tenant.org.slug, "--dataset", "Our licensed set"
    )
    assert "1 updated" in out
    assert EmissionFactor.objects.get(key="licensed-steel", organization=tenant.org).co2_fossil == Decimal("2.1")


def test_shared_dataset_without_org(tmp_path: Path) -> None:
    run(write(tmp_path, GOOD))
    assert EmissionFactor.objects.get(key="licensed-steel").organization is None


def test_unknown_org_missing_file_and_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No organization"):
        run(write(tmp_path, GOOD), "--org", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.csv"))
    path = tmp_path / "short.csv"
    path.write_text("id,name\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_emission_factors", str(path), stdout=StringIO(), stderr=(err := StringIO()))
    assert "row 1" in err.getvalue() and "'licence'" in err.getvalue()


def test_help_explains_the_columns_and_the_rule(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        call_command("load_emission_factors", "--help")
    text = capsys.readouterr().out
    for words in ("--org SLUG", "--dataset NAME", "--valid-rows", "co2e_other", "nothing is stored", "row number"):
        assert words in text
