"""URL map: web pages, the admin, the API under /api/v1/, OAuth2 token endpoint, probes."""

from csp.decorators import csp_update
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from config.health import healthz, readyz
from config.oauth import ThrottledTokenView
from core.errors import api_not_found

# Swagger UI and Redoc style their pages with inline styles; scripts stay 'self' only.
docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})

api_v1 = [
    path("", include("passports.api.urls")),
    path("", include("lca.api.urls")),
    path("", include("exporters.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("auth/token", ThrottledTokenView.as_view(), name="oauth2-token"),
    path("api/v1/", include(api_v1)),
    path("", include("lca.pact.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema/swagger-ui/", docs_csp(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("api/schema/redoc/", docs_csp(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("lca.web.urls")),
    path("", include("exporters.web.urls")),
    path("", include("passports.web.urls")),
]


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """API paths answer 404 in the API's error envelope; pages get the HTML page."""
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return page_not_found(request, exception)
