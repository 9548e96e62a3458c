"""Limits that depend on a sum hold when many requests arrive at once (a real server, parallel clients).

Each test sends 8–16 requests at the same moment through :func:`core.testing.races.fire`
and checks the rule on what was stored, and that no request answered 5xx.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from core import ledger
from core.i18n import TIMEZONE
from core.models.ledger import LedgerTransfer
from core.testing.browser import serve
from core.testing.races import Call, fire, logged_in
from plugins.time_bank import banks
from plugins.time_bank.tests.support import balance, bank_of, post_need, step
from plugins.time_bank.tests.test_accounts import _pay

TODAY = datetime.now(TIMEZONE).date().isoformat()


def _statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def test_parallel_confirmations_never_pass_the_yearly_cap(app, as_user, world, seed):
    """Cap 100 h; 13 services of 10 h confirmed at once: 100 h credited in all (not 130 h), every answer 201."""

    async def cap(session):
        await banks.update_rules(session, await bank_of(session, world.bank), banks.BankRules(yearly_cap=6_000))

    seed(cap)
    refs = []
    for _ in range(13):
        ref = as_user("resident", lambda ctx: post_need(ctx, world.bank))
        as_user("volunteer", lambda ctx, ref=ref: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
        as_user("volunteer", lambda ctx, ref=ref: step(ctx, ref, "complete", served_on=TODAY, minutes=600))
        refs.append(ref)
    calls = [
        Call(
            "POST",
            f"/api/v1/districts/haishu/time-bank/services/{ref}/actions",
            json={"action": "confirm"},
            token=world.tokens["resident"],
        )
        for ref in refs
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert _statuses(responses) == [201] * 13, [r.text[:300] for r in responses if r.status_code != 201]

    async def earned(session):
        bank = await bank_of(session, world.bank)
        return await banks.earned_in_year(session, bank, world.users["volunteer"], datetime.now(TIMEZONE))

    assert seed(earned) == 6_000
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 6_000
    assert seed(ledger.verify) == []


def test_parallel_gifts_never_pass_the_yearly_gift_limit(app, world, seed):
    """Gift limit 20 h; 16 gifts of 2 h sent at once by the giver's 16 sessions: 10 given, 6 refused with the limit."""

    async def rules(session):
        await banks.update_rules(session, await bank_of(session, world.bank), banks.BankRules(gift_yearly_max=1_200))

    seed(rules)
    _pay(seed, world, "volunteer", 3_000)
    with serve(app) as url:
        clients = [logged_in(url, "volunteer", csrf_path="/d/haishu/time-bank") for _ in range(16)]
        try:
            calls = [
                Call(
                    "POST",
                    "/d/haishu/time-bank/gift",
                    data={"bank": str(world.bank), "to": str(world.users["resident"]), "hours": "2"},
                    client=client,
                    csrf=True,
                )
                for client in clients
            ]
            responses = fire(url, calls)
            pages = [client.get("/d/haishu/time-bank").text for client in clients]
        finally:
            for client in clients:
                client.close()
    assert _statuses(responses) == [303] * 16, [r.text[:300] for r in responses if r.status_code != 303]
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 1_200
    refused = [page for page in pages if "每年最多转赠" in page or "at most" in page]
    assert len(refused) == 6, [p[:200] for p in pages]

    async def given(session):
        query = (
            select(func.count())
            .select_from(LedgerTransfer)
            .where(LedgerTransfer.idempotency_key.startswith("time_bank:gift:"))
        )
        return (await session.execute(query)).scalar_one()

    assert seed(given) == 10


def test_parallel_sign_ups_never_overfill_an_activity(app, world, seed):
    """An activity with 3 places; 10 volunteers sign up at once: 3 signed up, 7 told the places are taken."""
    from datetime import timedelta

    from core.auth.tokens import create_token
    from core.models import District
    from core.testing.factories import make_user
    from plugins.time_bank import activities
    from plugins.time_bank.models import Signup
    from plugins.time_bank.tests.support import _member

    async def prepare(session):
        bank = await bank_of(session, world.bank)
        haishu = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        tokens = []
        for i in range(10):
            user = await make_user(session, f"helper{i}", district=haishu, roles=("volunteer",))
            await _member(session, bank, user, is_volunteer=True)
            token, _ = await create_token(session, user, haishu.id, "races")
            tokens.append(token)
        activity = await activities.create_activity(
            session,
            bank,
            title="社区大扫除",
            category="patrol",
            starts_at=datetime.now(TIMEZONE) + timedelta(days=2),
            minutes=120,
            capacity=3,
            by=None,
        )
        return activity.id, tokens

    activity_id, tokens = seed(prepare)
    path = f"/api/v1/districts/haishu/time-bank/activities/{activity_id}/signup"
    with serve(app) as url:
        responses = fire(url, [Call("POST", path, token=token) for token in tokens])
    assert _statuses(responses).count(200) == 3, [r.text[:200] for r in responses]
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert sum("名额已满" in r.text or "places are taken" in r.text for r in responses) == 7

    async def signed(session):
        query = select(func.count()).select_from(Signup).where(Signup.activity_id == activity_id)
        return (await session.execute(query)).scalar_one()

    assert seed(signed) == 3


def test_parallel_redemptions_never_overdraw_and_never_fail(app, world, seed):
    """5 h on the account; 8 sessions redeem a 1-hour haircut at once: 5 redeemed, 3 told the balance is too low.

    Before, on SQLite most of them answered 500 "database is locked".
    """
    _pay(seed, world, "resident", 300)
    with serve(app) as url:
        clients = [logged_in(url, "resident", csrf_path="/d/haishu/time-bank") for _ in range(8)]
        try:
            calls = [
                Call("POST", "/d/haishu/time-bank/redeem", data={"item": str(world.haircut_item)}, client=c, csrf=True)
                for c in clients
            ]
            responses = fire(url, calls)
            pages = [client.get("/d/haishu/time-bank").text for client in clients]
        finally:
            for client in clients:
                client.close()
    assert _statuses(responses) == [303] * 8, [r.text[:300] for r in responses if r.status_code != 303]
    assert sum("余额不足" in page for page in pages) == 3
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 0
    assert seed(ledger.verify) == []
