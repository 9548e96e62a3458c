"""What the time bank's API returns (dataclasses, so OpenAPI describes them). Amounts in minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.plugin_api import Case, LedgerAccount, StatementLine
    from plugins.time_bank.models import Activity, Bank, CatalogueItem, Category, Member, Offer, Service

__all__ = (
    "AccountOut",
    "ActivityOut",
    "BankOut",
    "CatalogueOut",
    "CategoryOut",
    "LineOut",
    "MemberOut",
    "MovementOut",
    "OfferOut",
    "ServiceOut",
    "StatementOut",
)


@dataclass(frozen=True)
class CategoryOut:
    key: str
    name_zh: str
    name_en: str
    rate_percent: int


@dataclass(frozen=True)
class BankOut:
    """A bank and its rules; ``None`` means no limit."""

    id: int
    name: str
    organization: str
    organization_id: int | None  # in the organizations registry; None: run by an organization outside it
    categories: list[CategoryOut]
    min_balance: int
    max_balance: int | None
    yearly_cap: int | None
    expiry_months: int | None
    gift_yearly_max: int | None
    incentives: list[dict[str, Any]]

    @classmethod
    def of(cls, bank: Bank, categories: dict[str, Category]) -> BankOut:
        return cls(
            id=bank.id,
            name=bank.name,
            organization=bank.organization,
            organization_id=bank.organization_id,
            categories=[CategoryOut(c.key, c.name_zh, c.name_en, c.rate_percent) for c in categories.values()],
            min_balance=bank.min_balance,
            max_balance=bank.max_balance,
            yearly_cap=bank.yearly_cap,
            expiry_months=bank.expiry_months,
            gift_yearly_max=bank.gift_yearly_max,
            incentives=list(bank.incentives),
        )


@dataclass(frozen=True)
class ServiceOut:
    """A need and its service: the case's reference and state, who, how long, what was credited."""

    reference: str
    title: str
    state: str
    bank_id: int
    category: str
    served_user_id: int
    volunteer_user_id: int | None
    wanted_on: date | None
    served_on: date | None
    minutes: int | None
    credited_minutes: int | None
    transfer_id: int | None
    description: str
    created_at: datetime

    @classmethod
    def of(cls, row: Service, case: Case) -> ServiceOut:
        return cls(
            reference=case.reference,
            title=case.title,
            state=case.state,
            bank_id=row.bank_id,
            category=row.category,
            served_user_id=row.served_user_id,
            volunteer_user_id=row.volunteer_user_id,
            wanted_on=row.wanted_on,
            served_on=row.served_on,
            minutes=row.minutes,
            credited_minutes=row.credited_minutes,
            transfer_id=row.transfer_id,
            description=str(case.data.get("description", "")),
            created_at=case.created_at,
        )


@dataclass(frozen=True)
class OfferOut:
    id: int
    bank_id: int
    user_id: int
    category: str
    area_id: int | None
    availability: list[str]
    description: str

    @classmethod
    def of(cls, offer: Offer) -> OfferOut:
        return cls(
            id=offer.id,
            bank_id=offer.bank_id,
            user_id=offer.user_id,
            category=offer.category,
            area_id=offer.area_id,
            availability=list(offer.availability or []),
            description=offer.description,
        )


@dataclass(frozen=True)
class ActivityOut:
    id: int
    bank_id: int
    title: str
    category: str
    starts_at: datetime
    minutes: int
    capacity: int
    place: str
    status: str
    transfer_id: int | None

    @classmethod
    def of(cls, a: Activity) -> ActivityOut:
        return cls(
            id=a.id,
            bank_id=a.bank_id,
            title=a.title,
            category=a.category,
            starts_at=a.starts_at,
            minutes=a.minutes,
            capacity=a.capacity,
            place=a.place,
            status=a.status,
            transfer_id=a.transfer_id,
        )


@dataclass(frozen=True)
class AccountOut:
    """A member's account in a bank; ``balance`` in minutes, ``balance_text`` as people read it."""

    id: int
    bank_id: int
    owner_ref: str
    name: str
    balance: int
    balance_text: str
    min_balance: int | None
    max_balance: int | None

    @classmethod
    def of(cls, bank: Bank, account: LedgerAccount) -> AccountOut:
        from core.plugin_api import format_amount  # noqa: PLC0415

        return cls(
            id=account.id,
            bank_id=bank.id,
            owner_ref=account.owner_ref,
            name=account.name,
            balance=account.balance,
            balance_text=format_amount(account.balance, "minutes"),
            min_balance=account.min_balance,
            max_balance=account.max_balance,
        )


@dataclass(frozen=True)
class LineOut:
    transfer_id: int
    effective_at: datetime
    amount: int
    balance: int
    reason: str
    category: str
    link: str
    reverses_id: int | None

    @classmethod
    def of(cls, line: StatementLine) -> LineOut:
        return cls(
            transfer_id=line.transfer_id,
            effective_at=line.effective_at,
            amount=line.amount,
            balance=line.balance,
            reason=line.reason,
            category=line.category,
            link=line.link,
            reverses_id=line.reverses_id,
        )


@dataclass(frozen=True)
class StatementOut:
    """``opening + Σ lines.amount == closing`` for ``[start, end)``."""

    account: AccountOut
    start: datetime
    end: datetime
    opening: int
    closing: int
    lines: list[LineOut]


@dataclass(frozen=True)
class MemberOut:
    """A membership or an application: ``status`` applied / approved / rejected / left; balance in minutes."""

    id: int
    bank_id: int
    user_id: int
    name: str
    status: str
    is_volunteer: bool
    is_resident: bool
    is_staff: bool
    skills: list[str]
    areas: list[int]
    availability: list[str]
    balance: int | None

    @classmethod
    def of(cls, member: Member, name: str, balance: int | None = None) -> MemberOut:
        return cls(
            id=member.id,
            bank_id=member.bank_id,
            user_id=member.user_id,
            name=name,
            status=member.status,
            is_volunteer=member.is_volunteer,
            is_resident=member.is_resident,
            is_staff=member.is_staff,
            skills=list(member.skills or []),
            areas=list(member.areas or []),
            availability=list(member.availability or []),
            balance=balance,
        )


@dataclass(frozen=True)
class CatalogueOut:
    """A catalogue service members spend hours on; ``price`` in minutes."""

    id: int
    bank_id: int
    name: str
    category: str
    price: int
    description: str

    @classmethod
    def of(cls, item: CatalogueItem) -> CatalogueOut:
        return cls(item.id, item.bank_id, item.name, item.category, item.price, item.description)


@dataclass(frozen=True)
class MovementOut:
    """Hours moved by a redemption or a gift: the amount (minutes), the reason, the balance left."""

    bank_id: int
    amount: int
    reason: str
    balance: int
    balance_text: str
