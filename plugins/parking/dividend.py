"""The surplus dividend (结余分红): owners vote on it, the treasurer pays it, every household gets its share.

A dividend is proposed by the committee (or staff) with its total and how it is split, and
put straight to the owners' vote through ``core.votes`` — the same Civil Code art. 278
ordinary-matter thresholds and the same frozen electorate (one household one vote,
weighted by floor area) as a convention. Only once the vote is closed and passed may the
treasurer pay it, under the fund's lock (:func:`plugins.parking.money.lock_fund`), and
never beyond the fund's balance. Paying writes one ledger transfer (fund → paid out), one
fund line (source ``dividend``: money out on the month's statement) and one share per
household of the vote's frozen electorate.

The split is exact in fen: each household's quota is ``total × weight / Σ weights``
(the weight is its floor area, or 1 for equal shares); every household gets the floor of
its quota and the fen left over go one each to the households with the largest fractional
remainders (ties: the lower household number first) — the largest-remainder (Hamilton)
method. So the shares always sum to the ledger entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import NotFound, is_english, ledger, residents, utcnow, votes
from core.plugin_api import gettext as _
from plugins.parking import conventions, money, service
from plugins.parking.models import ParkingEstate
from plugins.parking.models_dividend import DIVIDEND_METHODS, Dividend, DividendShare
from plugins.parking.models_money import FundLine
from plugins.parking.service import Conflict, Refused

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "cast",
    "close",
    "dividend_or_404",
    "dividends",
    "method_label",
    "pay",
    "propose",
    "shares",
    "split",
    "status_label",
    "tally",
)

PROPOSERS = ("chair", "treasurer", "member")


def method_label(method: str) -> str:
    """How a dividend is split, as people say it."""
    return {
        "area": _("In proportion to floor area"),
        "equal": _("Equal shares per household"),
    }.get(method, method)


def status_label(status: str) -> str:
    """A dividend's state as people say it."""
    return {
        "voting": _("Owners voting"),
        "adopted": _("Adopted, to be paid"),
        "rejected": _("Not adopted"),
        "paid": _("Paid"),
    }.get(status, status)


def split(total: int, weights: Sequence[tuple[int, Decimal | int]]) -> dict[int, int]:
    """``total`` fen split over ``(key, weight)`` by largest remainder: the shares sum to ``total`` exactly.

    Ties in the remainder go to the lower key first. Zero weights get nothing (all zero: equal shares).
    """
    if not weights:
        return {}
    exact = [(key, Fraction(Decimal(str(weight)))) for key, weight in weights]
    whole = sum((w for _k, w in exact), Fraction(0))
    if whole <= 0:
        exact = [(key, Fraction(1)) for key, _w in exact]
        whole = Fraction(len(exact))
    quotas = {key: Fraction(total) * w / whole for key, w in exact}
    shares = {key: int(q.numerator // q.denominator) for key, q in quotas.items()}
    left = total - sum(shares.values())
    order = sorted(quotas, key=lambda key: (-(quotas[key] - shares[key]), key))
    for key in order[:left]:
        shares[key] += 1
    return shares


def clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """The proposal's title, total (yuan → fen) and method, or :class:`Refused` with the fields in error."""
    errors: dict[str, str] = {}
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        errors["title"] = _("Enter a title (up to 200 characters).")
    amount = 0
    try:
        amount = money._amount(data.get("amount_yuan"), _("Total to distribute"))
    except Refused:
        errors["amount_yuan"] = _("An amount in yuan above 0, e.g. 4610.00.")
    method = str(data.get("method") or "area")
    if method not in DIVIDEND_METHODS:
        errors["method"] = _("Choose how the dividend is split.")
    if errors:
        raise Refused("分红提案有误，未保存", "The dividend was not proposed.", errors=errors)
    return {"title": title, "amount_fen": amount, "method": method}


async def dividends(session: AsyncSession, estate_id: int) -> list[Dividend]:
    """The estate's dividends, newest first."""
    query = select(Dividend).where(Dividend.parking_estate_id == estate_id).order_by(Dividend.id.desc())
    return list((await session.execute(query)).scalars())


async def dividend_or_404(session: AsyncSession, dividend_id: int) -> tuple[Dividend, ParkingEstate]:
    row = await session.get(Dividend, dividend_id)
    if row is None or row.district_id != session.info.get("district_id", row.district_id):
        raise NotFound(_("Not found."))
    return row, await service.estate_or_404(session, row.parking_estate_id)


async def propose(
    session: AsyncSession,
    estate: ParkingEstate,
    data: Mapping[str, Any],
    *,
    by: int | None,
    staff: bool = False,
    days: int = 14,
) -> Dividend:
    """The committee proposes a dividend; it goes to the owners' vote at once (electorate frozen now)."""
    if not staff and await service.committee_role(session, estate.id, by, money.today()) not in PROPOSERS:
        raise Refused(_("Only the estate's parking committee or community staff may do this."))
    values = clean(data)
    voters = await conventions.electorate(session, estate)
    if not voters:
        raise Conflict(
            "住户登记中没有登记了面积的业主，无法表决",
            "The households register has no owners with floor areas: there is no one to vote.",
        )
    row = Dividend(district_id=estate.district_id, parking_estate_id=estate.id, created_by=by, **values)
    session.add(row)
    await session.flush()
    start = utcnow()
    try:
        vote = await votes.create_vote(
            session,
            district_id=estate.district_id,
            subject_ref=f"parking_dividend:{row.id}",
            title=f"结余分红：{row.title}"[:300],
            method="for_against_abstain",
            options=None,
            rules=votes.Rules.owners_ordinary(),
            secrecy="named",
            opens_at=start,
            closes_at=start + timedelta(days=days),
            created_by_id=by,
        )
        await votes.open_vote(session, vote.id, voters)
    except votes.VoteError as exc:
        raise Refused(exc.zh, exc.en) from exc
    row.vote_id = vote.id
    await session.flush()
    return row


async def cast(
    session: AsyncSession,
    dividend: Dividend,
    household_id: int,
    choice: str,
    *,
    channel: str = "online",
    entered_by: int | None = None,
) -> votes.BallotReceipt:
    """A household's ballot on the dividend: online by the owner, or entered by the committee/staff."""
    if dividend.status != "voting" or dividend.vote_id is None:
        raise Conflict("该分红不在表决中", "This dividend is not being voted on.")
    if channel != "online" and channel not in conventions.STAFF_CHANNELS:
        raise Refused("请选择投票方式", "Choose how the ballot came in.", errors={"channel": _("Choose a channel.")})
    if choice not in ("for", "against", "abstain"):
        raise Refused("请选择同意、反对或弃权", "Choose for, against or abstain.", errors={"choice": _("Choose.")})
    try:
        return await votes.cast_ballot(
            session,
            dividend.vote_id,
            voter_ref=conventions.household_ref(household_id),
            choice=choice,
            channel=channel,
            entered_by_id=None if channel == "online" else entered_by,
        )
    except votes.AlreadyVoted as exc:
        raise Conflict("这一户已经投过票", "This household has already voted.") from exc
    except votes.VoteError as exc:
        raise Refused(exc.zh, exc.en) from exc


async def tally(session: AsyncSession, dividend: Dividend) -> conventions.Tally | None:
    if dividend.vote_id is None:
        return None
    result = await votes.results(session, dividend.vote_id)
    return conventions.Tally(result, list(await votes.named_ballots(session, dividend.vote_id)))


async def close(session: AsyncSession, dividend: Dividend) -> votes.VoteResult:
    """Close the vote and count: adopted if the owners passed it, else not adopted."""
    if dividend.status != "voting" or dividend.vote_id is None:
        raise Conflict("该分红不在表决中", "This dividend is not being voted on.")
    try:
        result = await votes.close_vote(session, dividend.vote_id)
    except votes.VoteError as exc:
        raise Refused(exc.zh, exc.en) from exc
    dividend.status = "adopted" if result.outcome == votes.Outcome.PASSED else "rejected"
    dividend.decided_at = utcnow()
    await session.flush()
    return result


async def _adopted_by_owners(session: AsyncSession, dividend: Dividend) -> bool:
    """The dividend's own vote is closed and passed (checked on the vote itself, not only our status)."""
    if dividend.vote_id is None:
        return False
    vote = await votes.get_vote(session, dividend.vote_id)
    return vote.status == "closed" and vote.outcome == votes.Outcome.PASSED.value


def _household_id(voter_ref: str) -> int | None:
    kind, _sep, raw = voter_ref.partition(":")
    return int(raw) if kind == "household" and raw.isdigit() else None


async def pay(
    session: AsyncSession,
    dividend: Dividend,
    estate: ParkingEstate,
    *,
    by: int | None,
    on: date | None = None,
    locale: str = "zh",
) -> FundLine:
    """The treasurer pays an adopted dividend: once, within the fund's balance, one share per household."""
    if await service.committee_role(session, estate.id, by, on or money.today()) != "treasurer":
        raise Refused(_("Only the committee's treasurer pays a dividend."))
    fund = await money.lock_fund(session, estate)
    await session.refresh(dividend)
    if dividend.status == "paid":
        raise Conflict(_("This dividend has already been paid."))
    if dividend.status != "adopted" or not await _adopted_by_owners(session, dividend):
        raise Conflict(_("A dividend is paid only after the owners' vote adopted it."))
    have = await money.balance(session, fund)
    lang = "en" if is_english(locale) else "zh"
    if dividend.amount_fen > have:
        raise Conflict(
            _(
                "The fund holds %(have)s: a dividend of %(amount)s would make it negative.",
                have=ledger.format_amount(have, "fen", lang),
                amount=ledger.format_amount(dividend.amount_fen, "fen", lang),
            )
        )
    assert dividend.vote_id is not None
    electorate = await votes.electorate(session, dividend.vote_id)
    keyed = [
        (i, v) for i, v in enumerate(sorted(electorate, key=lambda v: (_household_id(v.voter_ref) or 0, v.voter_ref)))
    ]
    weights = [(i, v.weight if dividend.method == "area" else 1) for i, v in keyed]
    amounts = split(dividend.amount_fen, weights)
    what = _("Dividend to %(n)s households adopted by the owners: %(title)s", n=len(keyed), title=dividend.title)
    try:
        transfer = await ledger.move(
            session,
            district_id=estate.district_id,
            from_account=fund.account_id,
            to_account=fund.payees_account_id,
            amount=dividend.amount_fen,
            reason=what,
            category="parking_dividend",
            link=f"/parking/dividends/{dividend.id}",
            idempotency_key=f"parking:{estate.id}:dividend:{dividend.id}",
            created_by_id=by,
            effective_at=money.effective_at(on),
        )
    except ledger.LimitExceeded:
        raise Conflict(_("The fund does not hold enough for this dividend.")) from None
    line = await money._add_line(
        session,
        estate,
        ref=f"dividend:{dividend.id}",
        source="dividend",
        amount=-dividend.amount_fen,
        description=what,
        transfer=transfer,
        by=by,
        day=on,
    )
    addresses = {o.household_id: o.address for o in await residents.estate_owners(session, estate.estate_id)}
    for i, voter in keyed:
        household = _household_id(voter.voter_ref)
        session.add(
            DividendShare(
                district_id=estate.district_id,
                dividend_id=dividend.id,
                household_id=household,
                voter_ref=voter.voter_ref,
                address=addresses.get(household or 0, "")[:200],
                area=Decimal(str(voter.weight)),
                amount_fen=amounts[i],
            )
        )
    dividend.status = "paid"
    dividend.fund_line_id = line.id
    dividend.paid_by = by
    dividend.paid_at = transfer.effective_at
    await session.flush()
    return line


async def shares(session: AsyncSession, dividend_id: int) -> list[DividendShare]:
    """A paid dividend's shares, by household."""
    query = select(DividendShare).where(DividendShare.dividend_id == dividend_id).order_by(DividendShare.id)
    return list((await session.execute(query)).scalars())
