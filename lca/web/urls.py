"""Routes of LCA's web pages: footprints (activity data and the computed footprint) and the PACT exchange
(under /pact/); each has an isolation row in tests/routes/web.py or tests/routes/pact.py."""

from django.urls import URLPattern, path

from lca.web import footprints, pact

urlpatterns: list[URLPattern] = [
    # Carbon footprints: a product's activity data, stage by stage, and its footprint
    path("footprints/", footprints.footprint_list, name="footprint-list-page"),
    path("products/<int:pk>/footprint/", footprints.footprint_product, name="footprint-product-page"),
    path(
        "products/<int:pk>/footprint/activities/", footprints.footprint_activity_add, name="footprint-activity-add-page"
    ),
    path(
        "products/<int:pk>/footprint/activities/<int:activity_pk>/delete/",
        footprints.footprint_activity_delete,
        name="footprint-activity-delete-page",
    ),
    # The PACT exchange
    path("pact/", pact.pact_overview, name="pact-page"),
    path("pact/products/<int:pk>/", pact.pact_product, name="pact-product-page"),
    path("pact/footprints/<str:pf_id>/deprecate/", pact.pact_footprint_deprecate_view, name="pact-deprecate-page"),
    path("pact/footprints/<str:pf_id>/v<str:version>.json", pact.pact_footprint_document, name="pact-document-page"),
    path("pact/hosts/", pact.pact_host_add, name="pact-host-add-page"),
    path("pact/hosts/<int:pk>/test/", pact.pact_host_test, name="pact-host-test-page"),
    path("pact/hosts/<int:pk>/pull/", pact.pact_host_pull, name="pact-host-pull-page"),
    path("pact/hosts/<int:pk>/request/", pact.pact_host_request, name="pact-host-request-page"),
]
