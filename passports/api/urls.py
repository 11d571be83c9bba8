from django.urls import include, path
from rest_framework.routers import SimpleRouter

from passports.api import access_views, audit_views, bulk_views, passport_views, readiness_views, registry_views, views
from passports.api.import_views import ColumnMappingViewSet, ImportJobViewSet, ImportTemplateView

router = SimpleRouter()
# The API documents its paths without the slash (``/passports/{id}/publish``) and DRF's default keeps it;
# accept both so neither style of client meets a redirect that drops its POST body.
router.trailing_slash = "/?"
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("members", views.MembershipViewSet, basename="membership")
router.register("company-prefixes", views.CompanyPrefixViewSet, basename="company-prefix")
router.register("products", passport_views.ProductViewSet, basename="product")
router.register("passports", passport_views.PassportViewSet, basename="passport")
router.register("imports/mappings", ColumnMappingViewSet, basename="import-mapping")
router.register("imports", ImportJobViewSet, basename="import")
router.register("bulk-jobs", bulk_views.BulkJobViewSet, basename="bulk-job")
router.register("grants", access_views.GrantViewSet, basename="grant")
router.register("access-requests", access_views.AccessRequestViewSet, basename="access-request")

urlpatterns = [
    path("organization/", views.CurrentOrganizationView.as_view(), name="organization-current"),
    path("validate", passport_views.ValidateView.as_view(), name="validate"),
    path("schemas/", passport_views.SchemaListView.as_view(), name="schema-list"),
    path("schemas/<slug:category>/<str:version>", passport_views.SchemaDetailView.as_view(), name="schema-detail"),
    path("imports/templates/<slug:kind>.<str:fmt>", ImportTemplateView.as_view(), name="import-template"),
    path("audit/", audit_views.AuditEventListView.as_view(), name="audit-list"),
    path("access-log/", access_views.AccessLogListView.as_view(), name="access-log-list"),
    path("operator-links/", access_views.OperatorLinkListView.as_view(), name="operator-link-list"),
    path("audit/export.csv", audit_views.AuditExportView.as_view(), {"fmt": "csv"}, name="audit-export-csv"),
    path("audit/export.jsonl", audit_views.AuditExportView.as_view(), {"fmt": "jsonl"}, name="audit-export-jsonl"),
    path("readiness/", readiness_views.ReadinessView.as_view(), name="readiness"),
    path("passports/<str:pk>/conformance", readiness_views.ConformanceView.as_view(), name="passport-conformance"),
    path("passports/<str:pk>/registry-record", registry_views.RegistryRecordView.as_view(), name="registry-record"),
    path("registry/records.csv", registry_views.RegistryRecordsView.as_view(), {"fmt": "csv"}, name="registry-csv"),
    path("registry/records.json", registry_views.RegistryRecordsView.as_view(), {"fmt": "json"}, name="registry-json"),
    path("", include(router.urls)),
]
