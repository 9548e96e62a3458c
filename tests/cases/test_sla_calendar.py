"""A case's SLA clock counts on its district's working-day calendar, the district's days off included."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.cases import service
from core.db import utcnow
from core.i18n import TIMEZONE
from core.models import District
from core.workdays import set_override
from tests.cases.test_service import new_request


def test_district_days_off_push_the_due_time(world, as_user, seed):
    """With the next 20 days declared off in 海曙区, a new 8-working-hour request is due only after them."""
    today = utcnow().astimezone(TIMEZONE).date()

    async def days_off(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for i in range(21):
            await set_override(session, district, today + timedelta(days=i), working=False, note="测试停工")

    seed(days_off)
    reference = new_request(as_user)

    async def due(ctx):
        case, _ = await service.get_case(ctx, reference)
        return case.due_at

    due_at = as_user("worker", due)
    assert due_at is not None
    assert due_at.astimezone(TIMEZONE).date() > today + timedelta(days=20)
