"""The estate fund: income and expenses on the core ledger, the approval flow, monthly statements that never change."""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import date

import pytest
from sqlalchemy import select

from core.testing import csrf_of, login
from core.testing.cpu import thread_cpu
from plugins.parking import money, service
from plugins.parking.models_money import StatementImmutable
from plugins.parking.tests.money_support import (
    API,
    add_treasurer_and_agreement,
    auth,
    collect_rent,
    request_expense,
)
from plugins.parking.tests.support import haishu

THIS_MONTH = money.month_of(money.today()).strftime("%Y-%m")
NEXT_MONTH = money.next_month(money.month_of(money.today())).strftime("%Y-%m")


@pytest.fixture
def agreement(world, seed) -> int:
    return seed(lambda s: add_treasurer_and_agreement(s, world))


def test_rent_in_expense_out_publish_once_and_the_month_is_frozen(client, world, agreement):
    """Rent recorded once (a double click returns the same line); an expense requested with its receipt, approved
    by the chair and paid by the treasurer once; the statement reconciles, its SHA-256 is of its content, a second
    publication is 409 and a later fee goes on next month's statement."""
    first = collect_rent(client, world, agreement, THIS_MONTH)
    assert first.status_code == 201, first.text
    again = collect_rent(client, world, agreement, THIS_MONTH)
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["amount_fen"] == 60000 and first.json()["agreement_id"] == agreement

    expense = request_expense(client, world, "patroller", "道闸维修", "200.00")
    assert expense.status_code == 201, expense.text
    assert (expense.json()["status"], expense.json()["approvals_needed"]) == ("requested", 1)
    eid = expense.json()["id"]
    approved = client.post(f"{API}/expenses/{eid}/approve", headers=auth(world, "parking-chair"))
    assert approved.json()["status"] == "approved", approved.text
    paid = client.post(f"{API}/expenses/{eid}/pay", headers=auth(world, "parking-treasurer"))
    assert paid.status_code == 200 and paid.json()["amount_fen"] == -20000, paid.text
    twice = client.post(f"{API}/expenses/{eid}/pay", headers=auth(world, "parking-treasurer"))
    assert twice.status_code == 409 and "已经支付" in twice.json()["detail"]

    fund = client.get(f"{API}/estates/{world.estate}/fund", headers=auth(world, "resident")).json()
    assert fund["balance_fen"] == 40000

    published = client.post(
        f"{API}/estates/{world.estate}/statements", json={"month": THIS_MONTH}, headers=auth(world, "parking-treasurer")
    )
    assert published.status_code == 201, published.text
    body = published.json()
    assert (body["opening_fen"], body["income_fen"], body["expenses_fen"], body["closing_fen"]) == (
        0,
        60000,
        20000,
        40000,
    )
    assert body["sha256"] == hashlib.sha256(body["content"].encode()).hexdigest()
    receipt = next(line["receipt"] for line in body["lines"] if line["source"] == "expense")
    assert receipt == f"/public/parking/estates/{world.estate}/receipts/{eid}"
    repeat = client.post(
        f"{API}/estates/{world.estate}/statements", json={"month": THIS_MONTH}, headers=auth(world, "parking-treasurer")
    )
    assert repeat.status_code == 409 and "已经发布" in repeat.json()["detail"]

    later = collect_rent(client, world, agreement, NEXT_MONTH)
    assert later.json()["month"] == NEXT_MONTH  # this month is published: the fee goes on the next statement
    shown = client.get(f"{API}/estates/{world.estate}/statements/{THIS_MONTH}", headers=auth(world, "resident")).json()
    assert shown["sha256"] == body["sha256"] and shown["closing_fen"] == 40000


def test_two_approvers_above_the_threshold_never_the_requester(client, world, agreement):
    """800 yuan is above 500: the chair's approval is one of two, twice by the chair is refused; the requester (the
    chair) cannot approve their own; a patroller cannot approve at all."""
    big = request_expense(client, world, "patroller", "看门人工资", "800").json()
    assert big["approvals_needed"] == 2
    chair = auth(world, "parking-chair")
    treasurer = auth(world, "parking-treasurer")
    assert client.post(f"{API}/expenses/{big['id']}/approve", headers=chair).json()["status"] == "requested"
    assert client.post(f"{API}/expenses/{big['id']}/approve", headers=chair).status_code == 409
    early = client.post(f"{API}/expenses/{big['id']}/pay", headers=treasurer)
    assert early.status_code == 409 and "批准" in early.json()["detail"]
    done = client.post(f"{API}/expenses/{big['id']}/approve", headers=treasurer).json()
    assert (done["status"], len(done["approvers"])) == ("approved", 2)

    own = request_expense(client, world, "parking-chair", "油漆", "50").json()
    refused = client.post(f"{API}/expenses/{own['id']}/approve", headers=chair)
    assert refused.status_code == 400 and "您申请的" in refused.json()["detail"]
    by_patroller = client.post(f"{API}/expenses/{own['id']}/approve", headers=auth(world, "patroller"))
    assert by_patroller.status_code == 400
    listed = client.get(f"{API}/estates/{world.estate}/expenses", headers=chair).json()
    assert {e["id"]: e["status"] for e in listed} == {big["id"]: "approved", own["id"]: "requested"}


def test_the_fund_never_goes_negative_and_bad_receipts_are_refused(client, world, agreement):
    """An approved 500-yuan expense with 0 in the fund is refused (409, with the balance), nothing paid; a receipt
    that is not a photo or a PDF is refused and no expense is recorded; a resident may not request."""
    eid = request_expense(client, world, "patroller", "道闸电机", "500").json()["id"]
    client.post(f"{API}/expenses/{eid}/approve", headers=auth(world, "parking-chair"))
    refused = client.post(f"{API}/expenses/{eid}/pay", headers=auth(world, "parking-treasurer"))
    assert refused.status_code == 409 and "为负" in refused.json()["detail"]
    assert client.get(f"{API}/expenses/{eid}", headers=auth(world, "parking-chair")).json()["status"] == "approved"

    text = client.post(
        f"{API}/estates/{world.estate}/expenses",
        data={"title": "油漆", "category": "paint", "amount_yuan": "30"},
        files={"receipt": ("receipt.png", b"not an image", "image/png")},
        headers=auth(world, "patroller"),
    )
    assert text.status_code == 400 and "PDF" in text.json()["detail"]
    resident = request_expense(client, world, "resident", "油漆", "30")
    assert resident.status_code == 400
    assert len(client.get(f"{API}/estates/{world.estate}/expenses", headers=auth(world, "parking-chair")).json()) == 1


def test_statements_chain_month_to_month_and_a_correction_is_a_later_reversal(world, agreement, seed):
    """Three months back to this one: each opening is the previous closing, the last closing is the ledger's
    balance; a fee of the first month corrected today is a reversal on this month's statement and the first
    month's published statement stays as it was; a statement row cannot be updated; months are published in
    order and not before they begin."""
    treasurer = world.users["parking-treasurer"]
    current = money.month_of(money.today())
    m3 = money.previous_month(current)
    m2 = money.previous_month(m3)
    m1 = money.previous_month(m2)

    async def run(session):
        await haishu(session)
        estate = await service.estate_or_404(session, world.estate)
        await money.ensure_fund(session, estate, first_month=m1)

        async def rent(month: date):
            data = {"source": "tidal", "agreement_id": agreement, "period": month.strftime("%Y-%m")}
            return await money.record_income(session, estate, data, by=treasurer, on=month.replace(day=5))

        def publish(month: date, on: date | None):
            return money.publish(session, estate, month, by=treasurer, estate_name="偃月小区", on=on)

        first = await rent(m1)
        with pytest.raises(service.Conflict, match=m1.strftime("%Y-%m")):
            await publish(m2, m3)  # the first month first
        published = await publish(m1, m2)
        kept = (published.content, published.sha256)
        await rent(m2)
        await publish(m2, m3)
        await publish(m3, current)  # nothing moved: opening = closing
        reversal = await money.reverse_line(session, first, estate, reason="重复收取", by=treasurer)
        await publish(current, None)
        with pytest.raises(service.Conflict):
            await publish(money.next_month(current), None)  # has not begun
        rows = sorted(await money.statements(session, estate.id), key=lambda s: s.month)
        figures = [(r.opening, r.income, r.expenses, r.closing) for r in rows]
        stored = (rows[0].content, rows[0].sha256)
        balance = await money.balance(session, await money.ensure_fund(session, estate))
        with pytest.raises(StatementImmutable):
            async with session.begin_nested():
                rows[0].closing = 1
                await session.flush()
        return figures, balance, (reversal.month, reversal.source), kept, stored

    figures, balance, reversal, kept, stored = seed(run)
    assert figures == [
        (0, 60000, 0, 60000),
        (60000, 60000, 0, 120000),
        (120000, 0, 0, 120000),
        (120000, 0, 60000, 60000),
    ]
    assert all(a[3] == b[0] for a, b in itertools.pairwise(figures))  # closing = next month's opening
    assert balance == figures[-1][3] == 60000  # the last closing is the ledger's balance
    assert reversal == (current, "reversal")
    assert stored == kept  # the first month's statement is as it was published
    assert hashlib.sha256(stored[0].encode()).hexdigest() == stored[1]


def test_treasurer_pays_and_publishes_on_the_page_and_residents_read_it_without_login(client, world, agreement, seed):
    """The treasurer sees the expense waiting on the fund page, pays it and publishes; the resident reads the
    statement on their own page; anyone reads it on the public page without logging in, with its SHA-256 and
    the receipt; a draft is not public."""

    async def prepare(session):
        await haishu(session)
        estate = await service.estate_or_404(session, world.estate)
        data = {"source": "tidal", "agreement_id": agreement}
        await money.record_income(session, estate, data, by=world.users["parking-treasurer"])
        stored = type("Stored", (), {"key": "demo/test-receipt", "sha256": ""})()

        async def store(_: bytes):
            return stored

        row = await money.request_expense(
            session,
            estate,
            {"title": "重划车位线", "category": "paint", "amount_yuan": "120"},
            ("r.pdf", b"%PDF-1.4 test"),
            store,
            by=world.users["patroller"],
        )
        await money.approve(session, row, estate, by=world.users["parking-chair"])
        return row.id

    eid = seed(prepare)
    public_url = f"/d/haishu/public/parking/estates/{world.estate}/statements/{THIS_MONTH}"
    assert client.get(public_url).status_code == 404  # a draft is not public

    login(client, "parking-treasurer")
    url = f"/d/haishu/parking/estates/{world.estate}/money"
    page = client.get(url)
    assert page.status_code == 200
    assert "重划车位线" in page.text and "已批准待支付" in page.text and "从基金支付" in page.text
    token = csrf_of(client, url)
    paid = client.post(f"/d/haishu/parking/expenses/{eid}/pay", data={"_csrf_token": token}, follow_redirects=False)
    assert paid.status_code == 303
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "已支付" in fragment.text
    published = client.post(
        f"/d/haishu/parking/estates/{world.estate}/money/publish",
        data={"_csrf_token": token, "month": THIS_MONTH},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert "收支表已发布" in client.get(url).text
    client.post("/logout", data={"_csrf_token": csrf_of(client, url)})

    login(client, "resident")
    mine = client.get("/d/haishu/parking/mine/statements").text
    assert "偃月小区" in mine and "+600.00 元" in mine and "−120.00 元" in mine
    client.post("/logout", data={"_csrf_token": csrf_of(client, "/d/haishu/parking")})

    listing = client.get("/d/haishu/public/parking")
    assert listing.status_code == 200 and THIS_MONTH in listing.text
    statement = client.get(public_url)
    assert statement.status_code == 200
    assert "期初余额" in statement.text and "期末余额" in statement.text and "480.00 元" in statement.text
    assert "支出：重划车位线" in statement.text and not re.search(r"#\d", statement.text)  # no database ids

    async def stored_hash(session):
        await haishu(session)
        row = await money.published(session, world.estate, money.month_of(money.today()))
        return row.sha256 if row else ""

    assert seed(stored_hash) in statement.text
    receipt = client.get(f"/d/haishu/public/parking/estates/{world.estate}/receipts/{eid}")
    assert receipt.status_code == 200 and receipt.headers["content-type"] == "application/pdf"


def test_demo_seed_publishes_twelve_reconciling_months_quickly(world, agreement, seed):
    """东大街西里's demo: 12 published months whose closings chain and end at the ledger balance, this month's
    expenses waiting; quick (about a second of CPU at most); a second run adds nothing."""
    from plugins.parking.models import ParkingEstate
    from plugins.parking.seed_money import seed_money

    async def run(session):
        district = await haishu(session)
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            await seed_money(session, district)
        cpu = cpu.seconds
        await seed_money(session, district)
        estates = list((await session.execute(select(ParkingEstate).order_by(ParkingEstate.id))).scalars())
        estate = estates[-1]
        rows = sorted(await money.statements(session, estate.id), key=lambda s: s.month)
        balance = await money.balance(session, await money.ensure_fund(session, estate))
        draft = await money.statement_draft(session, estate, money.month_of(money.today()))
        waiting = [e.status for e in await money.expenses(session, estate.id, ("requested", "approved"))]
        return cpu, len(estates), [(r.opening, r.closing) for r in rows], balance, draft.closing, sorted(waiting)

    cpu, estates, chain, balance, closing, waiting = seed(run)
    assert estates == 2  # 偃月小区 and 东大街西里, once
    assert len(chain) == 12 and chain[0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chain))
    assert closing == balance and balance > chain[-1][1]  # this month's fees are in, nothing paid yet
    assert waiting == ["approved", "requested"]
    # About 0.6–1.2 s of CPU on the shared 2-core CI machine, most of it compiling each query shape once.
    assert cpu < 1.5, f"the money demo seed took {cpu:.2f} s of CPU"
