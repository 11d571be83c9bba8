"""Routes of this layer; each route needs a row in tests/routes/ (the tenant-isolation matrix)."""

from django.urls import URLPattern, URLResolver, path, re_path

from exporters.api import report_views

urlpatterns: list[URLPattern | URLResolver] = [
    # Compliance reports, CBAM communications, report packs and verification (exporters/reports/).
    path("passports/<str:pk>/report.pdf", report_views.PassportReportView.as_view(), name="passport-report-pdf"),
    re_path(
        r"^cbam/(?P<pk>[^/]+)/report\.(?P<fmt>pdf|json|xml)$",
        report_views.CbamReportView.as_view(),
        name="cbam-report",
    ),
    path(
        "cbam/<str:pk>/importer-summary",
        report_views.CbamImporterSummaryView.as_view(),
        name="cbam-importer-summary",
    ),
    path("reports/packs", report_views.ReportPackListView.as_view(), name="report-pack-list"),
    path("reports/packs/<str:pk>", report_views.ReportPackDetailView.as_view(), name="report-pack-detail"),
    path(
        "reports/packs/<str:pk>/download",
        report_views.ReportPackDownloadView.as_view(),
        name="report-pack-download",
    ),
    path("reports/verify", report_views.ReportVerifyView.as_view(), name="report-verify"),
]
