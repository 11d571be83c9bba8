from django.urls import include, path
from rest_framework.routers import SimpleRouter

from passports.api import views

router = SimpleRouter(trailing_slash=True)
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("members", views.MembershipViewSet, basename="membership")

urlpatterns = [
    path("organization/", views.CurrentOrganizationView.as_view(), name="organization-current"),
    path("", include(router.urls)),
]
