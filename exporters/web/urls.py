"""Routes of this layer; each route needs a row in tests/routes/ (the tenant-isolation matrix)."""

from django.urls import URLPattern, URLResolver, path, re_path

from exporters.web import addresses, packs, resolver, trust_views

urlpatterns: list[URLPattern | URLResolver] = [
    # GS1 Digital Link resolver (exporters/web/resolver.py): the URIs in our QR codes, and the page they lead to.
    path("01/<path:tail>", resolver.resolve, name="resolver"),
    path("dpp/01/<path:tail>", resolver.passport_page, name="passport-page"),
    path(".well-known/gs1resolver", resolver.resolver_description, name="gs1-resolver-description"),
    path("ns/gs1-linkset-context.jsonld", resolver.linkset_context, name="gs1-linkset-context"),
    # Compressed Digital Links (/AQnY..., /CxAB... with GS1's optimisation codes): one base64url segment of 10 or
    # more characters; a path of ours without its trailing slash is sent on to it (resolver.resolve_compressed).
    re_path(r"^(?P<segment>[A-Za-z0-9_-]{10,})$", resolver.resolve_compressed, name="resolver-compressed"),
    # What verifiers fetch (exporters/web/trust_views.py): did:web documents, status lists, linked data, contexts.
    path("orgs/<slug:slug>/did.json", trust_views.did_document, name="did-document"),
    path("ns/passport/v<int:version>", trust_views.passport_context, name="passport-context"),
    path("orgs/<slug:slug>/status/<str:purpose>", trust_views.status_list, name="status-list"),
    path(
        "orgs/<slug:slug>/status/<str:purpose>/<int:number>",
        trust_views.status_list_numbered,
        name="status-list-numbered",
    ),
    path(
        "orgs/<slug:slug>/credentials/<uuid:credential>/data/<str:tier>.json",
        trust_views.passport_data,
        name="passport-data",
    ),
    # The organization's public address and the re-issue after a move (exporters/web/addresses.py).
    path("organization/public-address/", addresses.public_address_page, name="public-address-page"),
    # Report packs (exporters/web/packs.py): ZIPs of compliance PDFs, built like the API's.
    path("reports/packs/", packs.pack_list, name="report-pack-list-page"),
    path("reports/packs/new/", packs.pack_create, name="report-pack-create-page"),
    path("reports/packs/<int:pk>/", packs.pack_detail, name="report-pack-detail-page"),
    path("reports/packs/<int:pk>/progress/", packs.pack_progress, name="report-pack-progress-page"),
    path("reports/packs/<int:pk>/download/", packs.pack_download, name="report-pack-download-page"),
]
