from django.urls import include, path
from rest_framework.routers import SimpleRouter

from passports.api import passport_views, views
from passports.api.import_views import ColumnMappingViewSet, ImportJobViewSet, ImportTemplateView

router = SimpleRouter()
# The API documents its paths without the slash (``/passports/{id}/publish``) and DRF's default keeps it;
# accept both so neither style of client meets a redirect that drops its POST body.
router.trailing_slash = "/?"
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("members", views.MembershipViewSet, basename="membership")
router.register("products", passport_views.ProductViewSet, basename="product")
router.register("passports", passport_views.PassportViewSet, basename="passport")
router.register("imports/mappings", ColumnMappingViewSet, basename="import-mapping")
router.register("imports", ImportJobViewSet, basename="import")

urlpatterns = [
    path("organization/", views.CurrentOrganizationView.as_view(), name="organization-current"),
    path("validate", passport_views.ValidateView.as_view(), name="validate"),
    path("schemas/", passport_views.SchemaListView.as_view(), name="schema-list"),
    path("schemas/<slug:category>/<str:version>", passport_views.SchemaDetailView.as_view(), name="schema-detail"),
    path("imports/templates/<slug:kind>.<str:fmt>", ImportTemplateView.as_view(), name="import-template"),
    path("", include(router.urls)),
]
