"""Import paper service slips (纸质服务单) from CSV or XLSX: all rows or none, with row-by-row errors.

Columns (Chinese or English headings): 志愿者/volunteer (username, name or phone of an
approved volunteer), 服务对象/served (optional, a member), 类别/category (key or name),
服务日期/date (YYYY-MM-DD, not in the future), 时长（小时）/hours (hours, e.g. 1.5 — a
number of minutes in this column is refused as a wrong unit), 备注/note.

Every row is checked before anything is written; one bad row and nothing is imported.
A valid file is credited like verified services (rate and yearly cap of the bank), one
transfer per slip keyed by the file's SHA-256 and the row, so the same file imports once.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import TIMEZONE, User, ledger, utcnow
from core.plugin_api import gettext as _
from plugins.time_bank import banks
from plugins.time_bank.models import Bank, Member, MemberStatus, Slip
from plugins.time_bank.web import parse_hours

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("MAX_BYTES", "ImportFailed", "ImportResult", "RowError", "import_slips", "read_rows")

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
HEADINGS = {
    "志愿者": "volunteer",
    "volunteer": "volunteer",
    "服务对象": "served",
    "served": "served",
    "类别": "category",
    "服务类别": "category",
    "category": "category",
    "服务日期": "date",
    "日期": "date",
    "date": "date",
    "时长（小时）": "hours",
    "时长(小时)": "hours",
    "时长": "hours",
    "hours": "hours",
    "备注": "note",
    "note": "note",
}
REQUIRED = ("volunteer", "category", "date", "hours")


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell: the row as numbered in the file (heading = 1), the column, why."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0
    credited: int = 0
    batch: str = ""


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def read_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """The file's rows as ``{column: value}`` by the known headings; ``ImportFailed`` if unreadable."""
    name = filename.lower()
    if len(content) > MAX_BYTES:
        raise ImportFailed([RowError(0, "", _("The file is larger than 2 MB."))])
    try:
        if name.endswith(".xlsx"):
            from openpyxl import load_workbook  # noqa: PLC0415

            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
            table = [list(r) for r in sheet.iter_rows(values_only=True)]
        elif name.endswith(".csv"):
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = content.decode("gb18030")  # Excel on Chinese Windows saves CSV as GBK
            table = list(csv.reader(io.StringIO(text)))
        else:
            raise ImportFailed([RowError(0, "", _("Upload a .csv or .xlsx file."))])
    except ImportFailed:
        raise
    except Exception as exc:
        raise ImportFailed([RowError(0, "", _("The file could not be read: %(why)s", why=type(exc).__name__))]) from exc
    if not table:
        raise ImportFailed([RowError(0, "", _("The file is empty."))])
    keys = [HEADINGS.get(str(h or "").strip().lower(), HEADINGS.get(str(h or "").strip(), "")) for h in table[0]]
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise ImportFailed([RowError(1, c, _("This column is missing.")) for c in missing])
    rows = [
        {k: v for k, v in zip(keys, raw, strict=False) if k}
        for raw in table[1:]
        if any(str(v or "").strip() for v in raw)
    ]
    if len(rows) > MAX_ROWS:
        raise ImportFailed([RowError(0, "", _("At most %(n)s rows per file.", n=MAX_ROWS))])
    return rows


async def _people(session: AsyncSession, bank: Bank) -> dict[str, tuple[Member, User]]:
    """Approved members by username, phone and (unique) display name."""
    found: dict[str, tuple[Member, User]] = {}
    names: dict[str, int] = {}
    query = (
        select(Member, User)
        .join(User, User.id == Member.user_id)
        .where(Member.bank_id == bank.id, Member.status == MemberStatus.APPROVED)
    )
    for member, user in (await session.execute(query)).all():
        for key in {user.username, user.phone, member.phone} - {""}:
            found[key] = (member, user)
        names[user.display_name] = names.get(user.display_name, 0) + 1
        found.setdefault(f"name:{user.display_name}", (member, user))
    return {k: v for k, v in found.items() if not k.startswith("name:") or names[k[5:]] == 1}


def _date(raw: Any) -> tuple[date | None, str]:
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw or "").strip().replace("/", "-"))
        except ValueError:
            return None, _("Write the date as YYYY-MM-DD, e.g. 2026-03-08.")
    if value > datetime.now(TIMEZONE).date():
        return None, _("The date %(date)s is in the future.", date=value.isoformat())
    return value, ""


async def _check(
    session: AsyncSession, bank: Bank, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    people = await _people(session, bank)
    cats = await banks.categories(session, bank.id)
    by_name = {c.name_zh: k for k, c in cats.items()} | {c.name_en.lower(): k for k, c in cats.items() if c.name_en}
    clean, errors = [], []
    for number, row in enumerate(rows, start=2):
        who = str(row.get("volunteer") or "").strip()
        volunteer = people.get(who) or people.get(f"name:{who}")
        if volunteer is None or not volunteer[0].is_volunteer:
            errors.append(
                RowError(
                    number,
                    "volunteer",
                    _("Unknown member «%(name)s»: not an approved volunteer of this bank.", name=who),
                )
            )
        served_raw = str(row.get("served") or "").strip()
        served = (people.get(served_raw) or people.get(f"name:{served_raw}")) if served_raw else None
        if served_raw and served is None:
            errors.append(RowError(number, "served", _("Unknown member «%(name)s».", name=served_raw)))
        raw_cat = str(row.get("category") or "").strip()
        category = raw_cat if raw_cat in cats else by_name.get(raw_cat) or by_name.get(raw_cat.lower())
        if category is None:
            errors.append(RowError(number, "category", _("Unknown category «%(name)s».", name=raw_cat)))
        served_on, why = _date(row.get("date"))
        if served_on is None:
            errors.append(RowError(number, "date", why))
        minutes, why = parse_hours(row.get("hours"))
        if minutes is None:
            errors.append(RowError(number, "hours", why))
        clean.append(
            {
                "row": number,
                "volunteer": volunteer[1].id if volunteer else 0,
                "served": served[1].id if served else None,
                "category": category,
                "served_on": served_on,
                "minutes": minutes,
                "note": str(row.get("note") or "")[:200],
            }
        )
    return clean, errors


async def import_slips(
    session: AsyncSession, bank: Bank, filename: str, content: bytes, *, by: int | None
) -> ImportResult:
    """Check every row, then credit them all in the caller's transaction; ``errors`` set means nothing was written."""
    batch = hashlib.sha256(content).hexdigest()[:32]
    try:
        rows = read_rows(filename, content)
    except ImportFailed as failed:
        return ImportResult(errors=failed.errors, batch=batch)
    clean, errors = await _check(session, bank, rows)
    done = (await session.execute(select(Slip.id).where(Slip.bank_id == bank.id, Slip.batch == batch))).first()
    if done:
        errors.insert(0, RowError(0, "", _("This file was imported before; nothing was imported again.")))
    if errors:
        return ImportResult(errors=errors, batch=batch)
    cats = await banks.categories(session, bank.id)
    pool = await banks.pool_account(session, bank)
    result = ImportResult(batch=batch)
    for item in clean:
        when = min(utcnow(), datetime.combine(item["served_on"], time(12, 0), tzinfo=TIMEZONE))
        amount = banks.credit_amount(item["minutes"], cats[item["category"]].rate_percent)
        if bank.yearly_cap is not None:
            amount = min(
                amount, max(0, bank.yearly_cap - await banks.earned_in_year(session, bank, item["volunteer"], when))
            )
        slip = Slip(
            district_id=bank.district_id,
            bank_id=bank.id,
            batch=batch,
            row=item["row"],
            volunteer_user_id=item["volunteer"],
            served_user_id=item["served"],
            category=item["category"],
            served_on=item["served_on"],
            minutes=item["minutes"],
            credited_minutes=amount,
            imported_by_id=by,
        )
        if amount > 0:
            account = await banks.account_of(session, bank, item["volunteer"])
            try:
                transfer = await ledger.move(
                    session,
                    district_id=bank.district_id,
                    from_account=pool.id,
                    to_account=account.id,
                    amount=amount,
                    reason=f"{cats[item['category']].name_zh} · 纸质服务单 {filename} 第 {item['row']} 行"[:500],
                    category=item["category"],
                    link=f"time_bank:slip:{batch}:{item['row']}",
                    idempotency_key=f"{banks.EARN_PREFIX}slip:{bank.id}:{batch}:{item['row']}",
                    created_by_id=by,
                    effective_at=when,
                )
            except ledger.LedgerError as exc:
                raise ImportFailed([RowError(item["row"], "hours", exc.zh)]) from exc
            slip.transfer_id = transfer.id
        session.add(slip)
        result.imported += 1
        result.credited += amount
    await session.flush()
    return result
