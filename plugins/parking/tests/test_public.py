"""The public transparency page (no login): each estate's convention in force and its owners' vote figures."""

from __future__ import annotations

from plugins.parking import conventions
from plugins.parking.models import ParkingEstate
from plugins.parking.seed import seed_parking
from plugins.parking.tests.support import haishu


def test_anyone_reads_the_convention_in_force_and_the_vote(client, world, seed):
    """Without logging in: the public index lists the page; 偃月小区's adopted convention shows with its fees and
    how many of its 461 households took part; an estate without an adopted convention says so."""

    async def run(session):
        district = await haishu(session)
        await session.delete(await session.get(ParkingEstate, world.estate))
        await session.flush()
        await seed_parking(session, district)
        yanyue = min(e.id for e in (await session.execute(ParkingEstate.__table__.select())).all())
        adopted = await conventions.adopted_convention(session, yanyue)
        return adopted.title if adopted else None

    title = seed(run)
    assert title
    client.cookies.clear()
    index = client.get("/d/haishu/public/")
    assert 'href="/d/haishu/public/parking"' in index.text and "停车自管：现行停车公约" in index.text
    page = client.get("/d/haishu/public/parking")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert title in page.text
    assert "/ 461" in page.text  # owners taking part of the frozen electorate
    assert "尚未通过停车公约" in page.text  # 塘桥 shares its spaces by agreement, with no convention of its own
