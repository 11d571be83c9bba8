"""Routes of this layer; each route needs a row in tests/routes/ (the tenant-isolation matrix)."""

from django.urls import URLPattern, URLResolver, path, re_path

from exporters.api import report_views, signing_views

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
    # Signed passports (exporters/api/signing_views.py): public verification, QR codes, exports, keys.
    path("verify", signing_views.VerifyView.as_view(), name="credential-verify"),
    path("passports/<str:pk>/qr.svg", signing_views.PassportQrSvgView.as_view(), name="passport-qr-svg"),
    path("passports/<str:pk>/qr.png", signing_views.PassportQrPngView.as_view(), name="passport-qr-png"),
    path("passports/<str:pk>/export", signing_views.PassportExportView.as_view(), name="passport-export"),
    path(
        "passports/<str:pk>/versions/<int:number>/suspension",
        signing_views.VersionSuspensionView.as_view(),
        name="passport-version-suspension",
    ),
    path("signing-keys", signing_views.SigningKeyListView.as_view(), name="signing-key-list"),
]
