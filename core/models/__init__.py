"""The core's tables. Plugins declare theirs in their own ``models.py``."""

from __future__ import annotations

from core.models.auth import ApiToken, LoginAttempt, WebSession
from core.models.cases import Attachment, Case, CaseCounter, CaseEvent, CaseRead, CaseTypeVersion, SavedQueue
from core.models.deliveries import ServiceDelivery
from core.models.district import District, OrgUnit, OrgUnitKind
from core.models.idempotency import IdempotencyKey
from core.models.jobs import CaseMigrationJob
from core.models.ledger import LedgerAccount, LedgerPosting, LedgerTransfer
from core.models.notifications import Notification, NotificationPreference
from core.models.organizations import Organization, OrganizationArea, OrganizationField, OrganizationMember
from core.models.plugin import DistrictPlugin
from core.models.rbac import PolicyRule, Role
from core.models.residents import Household, HouseholdMember, Person, SensitiveAccess, Vehicle
from core.models.storage import StoredChunk
from core.models.tasks import CaseTask
from core.models.user import Membership, User
from core.models.votes import Vote, VoteBallot, VoteElector, VoteHandCount, VoteParticipation
from core.models.workdays import ScheduledJobLease, ScheduledJobRun, WorkdayOverride

__all__ = (
    "ApiToken",
    "Attachment",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseMigrationJob",
    "CaseRead",
    "CaseTask",
    "CaseTypeVersion",
    "District",
    "DistrictPlugin",
    "Household",
    "HouseholdMember",
    "IdempotencyKey",
    "LedgerAccount",
    "LedgerPosting",
    "LedgerTransfer",
    "LoginAttempt",
    "Membership",
    "Notification",
    "NotificationPreference",
    "OrgUnit",
    "OrgUnitKind",
    "Organization",
    "OrganizationArea",
    "OrganizationField",
    "OrganizationMember",
    "Person",
    "PolicyRule",
    "Role",
    "SavedQueue",
    "ScheduledJobLease",
    "ScheduledJobRun",
    "SensitiveAccess",
    "ServiceDelivery",
    "StoredChunk",
    "User",
    "Vehicle",
    "Vote",
    "VoteBallot",
    "VoteElector",
    "VoteHandCount",
    "VoteParticipation",
    "WebSession",
    "WorkdayOverride",
)
