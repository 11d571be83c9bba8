"""PACT host routes at the site root (``/2/...`` and ``/3/...`` as the specifications fix them, not under
``/api/v1``); each has an isolation row in tests/routes/pact.py."""

from django.urls import URLPattern, path

from lca.pact import views

urlpatterns: list[URLPattern] = [
    path("2/footprints", views.footprints_v2, name="pact-v2-footprints"),
    path("2/footprints/<str:pf_id>", views.footprint_v2, name="pact-v2-footprint"),
    path("2/events", views.events_v2, name="pact-v2-events"),
    path("3/footprints", views.footprints_v3, name="pact-v3-footprints"),
    path("3/footprints/<str:pf_id>", views.footprint_v3, name="pact-v3-footprint"),
    path("3/events", views.events_v3, name="pact-v3-events"),
    path(".well-known/openid-configuration", views.openid_configuration, name="pact-openid-configuration"),
]
