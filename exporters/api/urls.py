"""Routes of this layer; each route needs a row in tests/routes/ (the tenant-isolation matrix)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
