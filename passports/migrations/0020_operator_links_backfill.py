from django.db import migrations
from django.db.models import Q

# Passports published before 0018 have no operator links: link them now, by the rule publishing applies
# (passports.services.operators): the operator sections of the published version's effective data, an
# identifier held by exactly one active organization other than the owner. Publishing named the operator; this
# only applies what that publication said. The pure parts are imported (no model code): they do not change
# with the schema of the tables.
from passports.documents import effective_data
from passports.services.operators import named_operator_identifiers


def _effective(version, versions):
    base = versions.get(version.base_version_id) if version.base_version_id else None
    return effective_data(version.data, _effective(base, versions) if base is not None else None)


def link_published(apps, schema_editor):
    Organization = apps.get_model("passports", "Organization")
    PassportVersion = apps.get_model("passports", "PassportVersion")
    OperatorLink = apps.get_model("passports", "OperatorLink")
    published = list(PassportVersion.objects.filter(status="published").select_related("passport"))
    if not published:
        return
    bases = {v.base_version_id for v in published if v.base_version_id}
    versions = {v.pk: v for v in PassportVersion.objects.filter(pk__in=bases)}
    versions.update({v.pk: v for v in published})
    for version in published:
        passport = version.passport
        linked = set(OperatorLink.objects.filter(passport=passport).values_list("operator_id", flat=True))
        for pointer, identifier in named_operator_identifiers(_effective(version, versions)):
            holders = list(
                Organization.objects.filter(is_active=True)
                .filter(Q(eori__iexact=identifier) | Q(lei__iexact=identifier) | Q(vat__iexact=identifier) | Q(gln=identifier))
                .values_list("pk", flat=True)[:2]
            )
            if len(holders) != 1 or holders[0] == passport.organization_id or holders[0] in linked:
                continue
            OperatorLink.objects.create(
                organization_id=passport.organization_id,
                passport=passport,
                operator_id=holders[0],
                identifier=identifier,
                named_at=pointer,
                version_number=version.number,
            )
            linked.add(holders[0])


class Migration(migrations.Migration):
    dependencies = [("passports", "0019_access_log_append_only")]

    operations = [migrations.RunPython(link_published, migrations.RunPython.noop)]
