"""``manage.py seed_demo``: the demo world behind ``make run``.

It lives in ``exporters`` because it spans every app (tenants and passports, footprints, signed
credentials), and ``exporters`` is the one app allowed to read the others.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from exporters.backup.demo import seed_backups
from exporters.demo import seed_signing
from exporters.reports.cbam_demo import deduction_line, seed_cbam
from exporters.reports.demo import seed_report_pack, seed_reports
from lca.demo import seed_lca
from lca.pact.demo import seed_pact
from passports.demo import DEMO_PASSWORD, seed_passports, seed_tenants
from passports.demo_access import seed_access
from passports.demo_bulk import seed_bulk
from passports.imports.demo import seed_imports


class Command(BaseCommand):
    help = (
        "Load a realistic demo world (idempotent): a Korean battery maker and an EU importer, users of each "
        "role, facilities, products and passports. Prints the demo logins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            tenants = seed_tenants()
            passports = seed_passports(tenants)
            seed_lca(tenants.maker)
            seed_pact(tenants)
            seed_reports()
            seed_signing()
            seed_backups()
            seed_imports(tenants)
            seed_report_pack(tenants)
            seed_access(tenants)
            cbam = seed_cbam()
            seed_bulk(tenants)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"  {len(passports.published)} published passports, {len(passports.drafts)} draft(s) to fix")
        self.stdout.write(f"  {tenants.maker.name}: hanbit-owner / hanbit-editor / hanbit-viewer")
        self.stdout.write(f"  {tenants.importer.name}: rheinland-owner / rheinland-editor")
        self.stdout.write("  Marktüberwachung Batterien NRW (demo), a verified authority: msa-inspector")
        if cbam is not None:
            self.stdout.write(
                f"  CBAM: {cbam.default_lines} default-value lines loaded; {cbam.installation}'s actual data saves"
                f" {cbam.certificates_saved:,} certificates on its period's production against"
                f" {cbam.import_year} defaults"
            )
            self.stdout.write(f"  CBAM importer summary (certificates): {deduction_line(cbam.importer_summary)}")
        self.stdout.write(f"  Demo login: hanbit-owner  password: {DEMO_PASSWORD}")
