"""The demo seed (fast, idempotent, what the tour needs) and the plugin's Chinese catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from sqlalchemy import event, select

from core.db import utcnow
from core.testing.cpu import thread_cpu
from plugins.parking import conventions, permits, service, tidal
from plugins.parking.models import ParkingEstate
from plugins.parking.seed import seed_parking
from plugins.parking.tests.support import haishu

CATALOG = Path(__file__).resolve().parents[1] / "locale" / "zh_CN" / "LC_MESSAGES" / "parking.po"


def test_demo_seed_is_fast_and_gives_yanyue_its_convention_cards_and_waiting_list(world, seed):
    """偃月小区 (already under self-governance in the test world is removed first): 461 households, 60 spaces,
    the convention adopted by the owners, 50 first cars issued, the rest waiting; a second run adds nothing."""

    async def run(session):
        district = await haishu(session)
        await session.delete(await session.get(ParkingEstate, world.estate))
        await session.flush()
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            try:
                added = await seed_parking(session, district)
            finally:
                event.remove(engine, "before_cursor_execute", count)
        elapsed = cpu.seconds, len(statements)
        estate = (await session.execute(select(ParkingEstate).order_by(ParkingEstate.id))).scalars().first()
        view = await service.estate_view(session, estate, "zh_CN")
        adopted = await conventions.adopted_convention(session, estate.id)
        counts = await permits.counts(session, estate.id)
        again = await seed_parking(session, district)
        totals = await tidal.totals(session, utcnow().date())
        return added, elapsed, view, adopted, counts, again, totals

    added, elapsed, view, adopted, counts, again, totals = seed(run)
    assert (totals.sites, totals.spaces) == (30, 1700)  # 塘桥's tidal sharing
    cpu, statements = elapsed
    # Bulk statements, not one per household: the count does not grow with the 461 households.
    assert statements < 80, f"the parking demo seed ran {statements} SQL statements"
    assert cpu < 2.0, f"the parking demo seed took {cpu:.2f} s of CPU"
    assert (view.households, view.spaces, view.pool, view.pool_used) == (461, 60, 50, 50)
    assert added == 461 - 6
    assert adopted is not None and adopted.status == "adopted"
    assert counts == {"issued": 50, "waiting": 10}
    assert again == 0


def test_every_message_is_translated():
    """Every message id of the zh_CN catalog has a translation."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated, f"untranslated in {CATALOG.name}: {untranslated}"
    assert len(list(catalog)) > 100
