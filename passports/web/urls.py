"""Routes of the web pages; each has a row in tests/routes/web.py (the tenant-isolation matrix)."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path

from passports.web import (
    bulk,
    cbam,
    clients,
    dashboard,
    facilities,
    imports,
    members,
    partners,
    passports,
    products,
    readiness,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", dashboard.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organization/switch/", dashboard.switch_organization, name="organization-switch"),
    path("facilities/", dashboard.facility_list, name="facility-list-page"),
    path("facilities/new/", facilities.facility_create, name="facility-create-page"),
    path("facilities/<int:pk>/edit/", facilities.facility_edit, name="facility-edit-page"),
    # Products
    path("products/", products.product_list, name="product-list-page"),
    path("products/new/", products.product_create, name="product-create-page"),
    path("products/<int:pk>/", products.product_detail, name="product-detail-page"),
    path("products/<int:pk>/edit/", products.product_edit, name="product-edit-page"),
    path("products/<int:product_pk>/passports/new/", passports.passport_create, name="passport-create-page"),
    # Passports
    path("passports/", passports.passport_list, name="passport-list-page"),
    path("passports/<int:pk>/", passports.passport_detail, name="passport-detail-page"),
    path("passports/<int:pk>/edit/", passports.passport_edit, name="passport-edit-page"),
    path("passports/<int:pk>/publish/", passports.passport_publish, name="passport-publish-page"),
    path("passports/<int:pk>/new-version/", passports.passport_new_version, name="passport-new-version-page"),
    path("passports/<int:pk>/revoke/", passports.passport_revoke, name="passport-revoke-page"),
    path("passports/<int:pk>/history/", passports.passport_history, name="passport-history-page"),
    path("passports/<int:pk>/data.json", passports.passport_json, name="passport-json-page"),
    # Bulk operations (the work is done by passports.services.bulk, as for the API)
    path("bulk/", bulk.bulk_list, name="bulk-list-page"),
    path("bulk/new/", bulk.bulk_create, name="bulk-create-page"),
    path("bulk/<int:pk>/", bulk.bulk_detail, name="bulk-detail-page"),
    path("bulk/<int:pk>/progress/", bulk.bulk_progress, name="bulk-progress-page"),
    path("bulk/<int:pk>/confirm/", bulk.bulk_confirm, name="bulk-confirm-page"),
    path("bulk/<int:pk>/cancel/", bulk.bulk_cancel, name="bulk-cancel-page"),
    path("passports/<int:pk>/items/new/", bulk.bulk_items_create, name="bulk-items-page"),
    # CBAM installation data, edited with the passport editor
    path("cbam/", cbam.cbam_overview, name="cbam-page"),
    path("readiness/", readiness.readiness_cockpit, name="readiness-page"),
    path("passports/<int:pk>/conformance/", readiness.passport_conformance, name="passport-conformance-page"),
    path(
        "passports/<int:pk>/conformance.csv", readiness.passport_conformance_csv, name="passport-conformance-csv-page"
    ),
    # Bulk imports (the work is done by passports.imports, as for the API)
    path("imports/", imports.import_list, name="import-list-page"),
    path("imports/mapping/", imports.import_mapping, name="import-mapping-page"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail-page"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import-progress-page"),
    path("imports/<int:pk>/commit/", imports.import_commit, name="import-commit-page"),
    path("imports/<int:pk>/errors.xlsx", imports.import_errors_xlsx, name="import-errors-xlsx-page"),
    # The organization, its members and API clients: owners only
    path("organization/", members.organization_settings, name="organization-page"),
    path("organization/members/add/", members.member_add, name="member-add-page"),
    path("invitations/", members.invitation_list, name="invitation-list-page"),
    path("invitations/<int:pk>/answer/", members.invitation_answer_view, name="invitation-answer-page"),
    path("organization/members/<int:pk>/", members.member_update, name="member-update-page"),
    path("organization/api-clients/", clients.api_client_list, name="api-client-list-page"),
    path("organization/api-clients/<int:pk>/", clients.api_client_update, name="api-client-update-page"),
    # Partners and access: grants given and received, the access log
    path("partners/", partners.partners, name="partners-page"),
    path("partners/grants/<int:pk>/revoke/", partners.grant_revoke_page, name="grant-revoke-page"),
    path("partners/access-log/", partners.access_log_page, name="access-log-page"),
    path("passports/<int:pk>/operators/match/", partners.operator_links_match_page, name="operator-links-match-page"),
    path("partners/requests/new/", partners.access_request_new, name="access-request-new-page"),
    path("partners/requests/<int:pk>/answer/", partners.access_request_answer, name="access-request-answer-page"),
]
