"""The passports app's models, one module per concern."""

from passports.models.clients import ApiClient
from passports.models.tenants import Facility, Membership, Organization

__all__ = ["ApiClient", "Facility", "Membership", "Organization"]
