"""Web pages of the PACT exchange (under /pact/); each has an isolation row in tests/routes/pact.py."""

from django.urls import URLPattern, path

from lca.pact import web

urlpatterns: list[URLPattern] = [
    path("pact/", web.pact_overview, name="pact-page"),
    path("pact/products/<int:pk>/", web.pact_product, name="pact-product-page"),
    path("pact/footprints/<str:pf_id>/deprecate/", web.pact_footprint_deprecate_view, name="pact-deprecate-page"),
    path("pact/footprints/<str:pf_id>/v<str:version>.json", web.pact_footprint_document, name="pact-document-page"),
    path("pact/hosts/", web.pact_host_add, name="pact-host-add-page"),
    path("pact/hosts/<int:pk>/test/", web.pact_host_test, name="pact-host-test-page"),
    path("pact/hosts/<int:pk>/pull/", web.pact_host_pull, name="pact-host-pull-page"),
    path("pact/hosts/<int:pk>/request/", web.pact_host_request, name="pact-host-request-page"),
]
