"""The translated labels of the registry's choices (kinds, types, statuses, fields, member roles)."""

from __future__ import annotations

from core.i18n import gettext as _
from core.models.organizations import MemberRole, OrgKind, OrgStatus, RegisteredType

__all__ = (
    "SERVICE_FIELDS",
    "field_label",
    "field_options",
    "kind_label",
    "kind_options",
    "role_label",
    "role_options",
    "status_label",
    "status_options",
    "type_label",
    "type_options",
)

# Service fields (服务领域), in the order forms list them.
SERVICE_FIELDS: tuple[str, ...] = (
    "elderly",
    "youth",
    "children",
    "disability",
    "poverty",
    "health",
    "education",
    "culture",
    "environment",
    "governance",
    "volunteering",
    "legal",
    "other",
)


def _field_labels() -> dict[str, str]:
    return {
        "elderly": _("Elderly care"),
        "youth": _("Youth"),
        "children": _("Children and families"),
        "disability": _("Disability support"),
        "poverty": _("Relief and assistance"),
        "health": _("Health"),
        "education": _("Education"),
        "culture": _("Culture and sports"),
        "environment": _("Environmental protection"),
        "governance": _("Community governance"),
        "volunteering": _("Volunteering"),
        "legal": _("Legal aid and mediation"),
        "other": _("Other"),
    }


def field_label(key: str) -> str:
    """The translated name of a service field."""
    return _field_labels().get(key, key)


def field_options() -> list[tuple[str, str]]:
    """(key, label) of every service field, for a form."""
    labels = _field_labels()
    return [(k, labels[k]) for k in SERVICE_FIELDS]


def _kinds() -> dict[OrgKind, str]:
    return {
        OrgKind.INFORMAL: _("Community group (not filed)"),
        OrgKind.FILED: _("Filed with the authorities"),
        OrgKind.REGISTERED: _("Registered"),
    }


def kind_label(kind: OrgKind | str) -> str:
    """The translated name of an organization kind."""
    return _kinds().get(OrgKind(kind), str(kind))


def kind_options() -> list[tuple[str, str]]:
    """(value, label) of every kind."""
    return [(k.value, v) for k, v in _kinds().items()]


def _types() -> dict[RegisteredType, str]:
    return {
        RegisteredType.SOCIAL_GROUP: _("Social group"),
        RegisteredType.SOCIAL_SERVICE: _("Social service agency (private non-enterprise unit)"),
        RegisteredType.FOUNDATION: _("Foundation"),
    }


def type_label(value: RegisteredType | str | None) -> str:
    """The translated name of a registered type ("" for none)."""
    return _types().get(RegisteredType(value), str(value)) if value else ""


def type_options() -> list[tuple[str, str]]:
    """(value, label) of every registered type."""
    return [(k.value, v) for k, v in _types().items()]


def _statuses() -> dict[OrgStatus, str]:
    return {
        OrgStatus.ACTIVE: _("In operation"),
        OrgStatus.SUSPENDED: _("Suspended"),
        OrgStatus.DEREGISTERED: _("Deregistered"),
        OrgStatus.REVOKED: _("Registration revoked"),
    }


def status_label(value: OrgStatus | str) -> str:
    """The translated name of a status."""
    return _statuses().get(OrgStatus(value), str(value))


def status_options() -> list[tuple[str, str]]:
    """(value, label) of every status."""
    return [(k.value, v) for k, v in _statuses().items()]


def _roles() -> dict[MemberRole, str]:
    return {
        MemberRole.LEADER: _("Person in charge"),
        MemberRole.STAFF: _("Staff"),
        MemberRole.MEMBER: _("Member"),
    }


def role_label(value: MemberRole | str) -> str:
    """The translated name of a member role."""
    return _roles().get(MemberRole(value), str(value))


def role_options() -> list[tuple[str, str]]:
    """(value, label) of every member role."""
    return [(k.value, v) for k, v in _roles().items()]
