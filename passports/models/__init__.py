"""The passports app's models, one module per concern."""

from passports.models.access_log import AccessLogEntry
from passports.models.access_requests import AccessRequest
from passports.models.audit import AuditChainHead, AuditEvent
from passports.models.authorities import AuthorityStatus
from passports.models.bulk import BulkJob, BulkJobItem
from passports.models.clients import ApiClient
from passports.models.grants import Grant
from passports.models.idempotency import IdempotencyKey
from passports.models.imports import ColumnMapping, ImportJob, ImportRowError
from passports.models.invitations import Invitation
from passports.models.operators import OperatorLink
from passports.models.outbox import OutboxMessage
from passports.models.passports import Passport, PassportVersion
from passports.models.prefixes import CompanyPrefix
from passports.models.products import Product
from passports.models.schemas import PassportSchema
from passports.models.tenants import Facility, Membership, Organization

__all__ = [
    "AccessLogEntry",
    "AccessRequest",
    "ApiClient",
    "AuditChainHead",
    "AuditEvent",
    "AuthorityStatus",
    "BulkJob",
    "BulkJobItem",
    "ColumnMapping",
    "CompanyPrefix",
    "Facility",
    "Grant",
    "IdempotencyKey",
    "ImportJob",
    "ImportRowError",
    "Invitation",
    "Membership",
    "OperatorLink",
    "Organization",
    "OutboxMessage",
    "Passport",
    "PassportSchema",
    "PassportVersion",
    "Product",
]
