"""The public page (no login): calls and, once results are announced, the funded projects and their funders."""

from __future__ import annotations

from sqlalchemy import select

from core.db import for_district
from core.models import District
from plugins.grants.models import Application, Call, Funder
from plugins.grants.seed import seed_grants


def test_anyone_sees_the_funded_projects_but_not_the_rest(client, world, seed):
    """Without logging in: the index lists the page; it shows funded projects with their organization and
    co-funders, never an application that was not funded or is still under review."""

    async def demo(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        await seed_grants(session, district)
        announced = {c.id for c in (await session.execute(select(Call))).scalars() if c.decided_at is not None}
        apps = list((await session.execute(select(Application))).scalars())
        funded = [a.title for a in apps if a.call_id in announced and a.status in ("approved", "closed")]
        hidden = [a.title for a in apps if a.status in ("rejected", "draft", "submitted", "dismissed")]
        funded_ids = {a.id for a in apps if a.title in funded}
        funders = list((await session.execute(select(Funder))).scalars())
        cofunders = [f.name for f in funders if f.application_id in funded_ids]
        return funded, hidden, cofunders

    funded, hidden, cofunders = seed(demo)
    client.cookies.clear()
    index = client.get("/d/haishu/public/")
    assert 'href="/d/haishu/public/grants"' in index.text and "公益创投：项目征集与资助项目" in index.text
    page = client.get("/d/haishu/public/grants")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "资助项目" in page.text
    assert funded and all(title in page.text for title in funded)
    assert hidden and not [title for title in hidden if title in page.text]
    assert cofunders and all(name in page.text for name in cofunders)


def test_public_call_page_shows_rules_and_funded_projects_with_progress(client, world, seed):
    """Without logging in, a call's own page shows its budget, categories, who may apply and how; for the demo
    call with results, its funded projects with funders and the money paid in, never an unfunded one; an
    unknown call is 404."""

    async def demo(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        await seed_grants(session, district)
        call = next(c for c in (await session.execute(select(Call))).scalars() if c.decided_at is not None)
        apps = list((await session.execute(select(Application).where(Application.call_id == call.id))).scalars())
        funded = [a.title for a in apps if a.status in ("approved", "closed")]
        hidden = [a.title for a in apps if a.status in ("rejected", "draft", "submitted", "dismissed")]
        return call.id, call.title, [c.name for c in call.categories], funded, hidden

    call_id, title, categories, funded, hidden = seed(demo)
    client.cookies.clear()
    listing = client.get("/d/haishu/public/grants")
    assert f'href="/d/haishu/public/grants/calls/{call_id}"' in listing.text
    page = client.get(f"/d/haishu/public/grants/calls/{call_id}")
    assert page.status_code == 200 and title in page.text
    assert "如何申报" in page.text and "申报条件" in page.text and "评审标准" in page.text
    assert all(name in page.text for name in categories)
    assert funded and all(t in page.text for t in funded) and "已到账" in page.text
    assert not [t for t in hidden if t in page.text]
    assert client.get("/d/haishu/public/grants/calls/999999").status_code == 404
