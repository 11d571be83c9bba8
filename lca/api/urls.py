"""Routes of this layer; each route needs a row in tests/routes/ (the tenant-isolation matrix)."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from lca.api import views

router = SimpleRouter()
# Accept paths with and without the trailing slash, as the passports routes do, so a POST never meets a
# redirect that drops its body.
router.trailing_slash = "/?"
router.register("lca/factors", views.FactorViewSet, basename="lca-factor")
router.register("lca/activities", views.ActivityViewSet, basename="lca-activity")
router.register("lca/bom", views.BomLineViewSet, basename="lca-bom-line")
router.register("lca/supplier-footprints", views.SupplierFootprintViewSet, basename="lca-supplier-footprint")
router.register("lca/profiles", views.ProfileViewSet, basename="lca-profile")
router.register("lca/footprints", views.FootprintViewSet, basename="lca-footprint")
router.register("lca/recalculations", views.RecalculationJobViewSet, basename="lca-recalculation")

urlpatterns: list[URLPattern | URLResolver] = [
    path("lca/calculate", views.CalculateView.as_view(), name="lca-calculate"),
    path("products/<int:pk>/footprint", views.ProductFootprintView.as_view(), name="product-footprint"),
    path("", include(router.urls)),
]
