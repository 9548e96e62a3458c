"""Grade evaluation (社会组织等级评估, 1A–5A): bands per jurisdiction, publicity, validity, certificate (R5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.refusal import Refusal
from core.testing import csrf_of, login
from plugins.rating import service

CHANHE = "5A:900,4A:800,3A:700,2A:600,1A:0"  # 洛阳瀍河 2025
ANQING = "5A:951,4A:901,3A:851,2A:801,1A:0"  # 安庆/怀宁 2021


def test_bands_per_jurisdiction_and_validity():
    """R5: 905 points is 5A under 洛阳瀍河's bands and 4A under 安庆's; announced in 2026 → valid
    2027-01-01 to 2031-12-31; malformed bands are refused."""
    assert service.grade_for(905, service.parse_bands(CHANHE)) == "5A"
    assert service.grade_for(905, service.parse_bands(ANQING)) == "4A"
    assert service.grade_for(800, service.parse_bands(ANQING)) == "1A"
    assert service.validity(date(2026, 12, 20)) == (date(2027, 1, 1), date(2031, 12, 31))
    with pytest.raises(Refusal):
        service.parse_bands("5A=900")


def test_publicity_objection_confirmation_and_certificate(client, world, as_user, seed):
    """A result goes to publicity with the district's bands (安庆 here: 905 → 4A); an objection is kept
    and answered; it cannot be announced before publicity ends; announced after, it is valid five years
    from 1 January, and it shows on the organization's profile, its certificate is a PDF; bad input on the
    page is refused."""
    from sqlalchemy import select

    from core.models import District
    from core.plugins import PluginHost
    from core.services.enablement import enable_plugin

    async def bands(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        host = PluginHost.load(None, entry_points=False)
        await enable_plugin(session, district, host, "rating", settings={"grade_bands": ANQING})

    seed(bands)
    today = service.local_today()

    async def record(ctx):
        g = await service.record_grade(ctx, organization_id=world.youth, year=today.year, total=905)
        objection = await service.object_to_grade(ctx, g, "附加分证明材料不全")
        with pytest.raises(Refusal):
            await service.confirm_grade(ctx, g, today=today)
        await service.answer_objection(ctx, objection, "已补充获奖证书")
        await service.confirm_grade(ctx, g, today=g.publicity_until + timedelta(days=1))
        return g.id, g.grade, g.objections, g.valid_from, g.valid_until

    gid, grade, objections, start, end = as_user("worker", record)
    assert (grade, objections) == ("4A", "附加分证明材料不全")
    announced = today + timedelta(days=8)
    assert (start, end) == (date(announced.year + 1, 1, 1), date(announced.year + 5, 12, 31))

    async def duplicate(ctx):
        with pytest.raises(Refusal) as again:
            await service.record_grade(ctx, organization_id=world.youth, year=today.year, total=700)
        return again.value.zh

    assert as_user("worker", duplicate) == "该组织这一年度已有评估结果"
    login(client, "worker")
    page = client.get("/d/haishu/rating/grades")
    assert "4A" in page.text
    assert "有效期" in page.text
    profile = client.get(f"/d/haishu/organizations/{world.youth}")
    assert "星级评价" in profile.text
    assert "<strong>4A</strong>" in profile.text
    pdf = client.get(f"/d/haishu/rating/grades/{gid}/certificate.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    bad = client.post(
        "/d/haishu/rating/grades",
        data={
            "organization_id": str(world.elderly),
            "year": "2026",
            "total": "abc",
            "_csrf_token": csrf_of(client, "/d/haishu/rating/grades"),
        },
    )
    assert bad.status_code == 400
    assert "请选择组织并填写年度和总分" in bad.text or "请填写整数" in bad.text
