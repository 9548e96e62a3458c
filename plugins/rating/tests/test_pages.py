"""The star rating's pages as people see them: the phone link, my services, staff, organization, ranking."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from core.testing import csrf_of, login
from plugins.rating import service
from plugins.rating.models import FollowUp, Rating
from plugins.rating.tests.support import delivered

BASE = "/d/haishu/rating"
HTMX = {"HX-Request": "true"}


def _delivery(as_user: Any, world: Any, org: int, person: int, **kw: Any) -> tuple[int, str]:
    async def run(ctx):
        d = await delivered(ctx, org, person, **kw)
        return d.id, service.token_for(ctx, d.id)

    return as_user("worker", run)


def _post(client: Any, path: str, data: dict[str, str], csrf_from: str, **kw: Any) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf_of(client, csrf_from)}, follow_redirects=False, **kw)


class TestPhoneLink:
    def test_anonymous_phone_rates_once_by_token(self, client, world, as_user, seed):
        """No login: the link shows large stars for that service; a 1-star submit thanks the resident, opens a
        follow-up, and the link then only says the service was rated."""
        _id, token = _delivery(as_user, world, world.youth, world.li)
        url = f"{BASE}/r/{token}"
        page = client.get(url)
        assert page.status_code == 200
        assert "评价这次服务" in page.text
        assert "海曙区青少年成长服务中心" in page.text
        assert page.text.count('name="stars"') == 5
        done = _post(client, url, {"stars": "1", "comment": "没有上门", "dim:服务态度": "1"}, url)
        assert done.status_code == 200
        assert "谢谢！您的评价已提交。" in done.text

        async def saved(session):
            r = (await session.execute(select(Rating))).scalar_one()
            fu = (await session.execute(select(FollowUp))).scalar_one()
            return r.stars, r.channel, r.dimensions, fu.rating_id == r.id

        assert seed(saved) == (1, "link", {"服务态度": 1}, True)
        again = client.get(url)
        assert "这次服务已经评价过了。" in again.text
        assert 'name="stars"' not in again.text

    def test_htmx_submit_without_stars_returns_the_form_with_the_error(self, client, world, as_user):
        """An htmx submit with no stars answers 200 with only the form block and the message; nothing saved."""
        _id, token = _delivery(as_user, world, world.youth, world.li)
        url = f"{BASE}/r/{token}"
        answer = _post(client, url, {"comment": "x"}, url, headers=HTMX)
        assert answer.status_code == 200
        assert "请选择 1 到 5 颗星" in answer.text
        assert "<html" not in answer.text

    def test_a_forged_token_is_not_found(self, client, world, as_user):
        """Changing the delivery id in a link gives 404, not another service's form."""
        did, token = _delivery(as_user, world, world.youth, world.li)
        forged = f"{did + 1}-{token.split('-', 1)[1]}"
        assert client.get(f"{BASE}/r/{forged}").status_code == 404
        assert client.get(f"{BASE}/r/not-a-token").status_code == 404


class TestResident:
    def test_my_services_and_rating_from_my_page(self, client, world, as_user):
        """The resident sees the service to rate, rates it on their page, and sees the stars afterwards."""
        did, _token = _delivery(as_user, world, world.youth, world.wang)
        login(client, "resident")
        mine = client.get(f"{BASE}/mine")
        assert "海曙区青少年成长服务中心" in mine.text
        assert "去评价" in mine.text
        rate_url = f"{BASE}/deliveries/{did}/rate"
        assert _post(client, rate_url, {"stars": "4"}, rate_url).status_code == 200
        assert "★★★★☆" in client.get(f"{BASE}/mine").text

    def test_another_residents_service_is_not_found(self, client, world, as_user):
        """A resident cannot open the rating form of someone else's service."""
        did, _token = _delivery(as_user, world, world.youth, world.wang)
        login(client, "other")
        assert client.get(f"{BASE}/deliveries/{did}/rate").status_code == 404


class TestStaff:
    def test_dashboard_record_delivery_and_enter_paper_rating(self, client, world, as_user, seed):
        """Staff record a delivery by hand (resident found by phone), see its link, and enter a paper rating."""
        login(client, "worker")
        dashboard = client.get(BASE)
        assert dashboard.status_code == 200
        assert "星级分布" in dashboard.text
        bad = _post(
            client,
            f"{BASE}/deliveries",
            {"organization_id": str(world.youth), "phone": "139", "title": ""},
            f"{BASE}/deliveries",
        )
        assert bad.status_code == 400
        assert "本区没有这个电话（和姓名）的居民。" in bad.text
        done = _post(
            client,
            f"{BASE}/deliveries",
            {
                "organization_id": str(world.youth),
                "phone": "13805740002",
                "title": "上门理发",
                "delivered_at": "2026-12-01T10:00",
            },
            f"{BASE}/deliveries",
        )
        assert done.status_code == 303
        detail_url = done.headers["location"]
        detail = client.get(detail_url)
        assert "上门理发" in detail.text
        assert "李大爷" in detail.text
        assert "/rating/r/" in detail.text
        did = detail_url.rsplit("/", 1)[1]
        entered = _post(client, f"{BASE}/deliveries/{did}/enter", {"stars": "5", "channel": "phone_survey"}, detail_url)
        assert entered.status_code == 200

        async def saved(session):
            r = (await session.execute(select(Rating))).scalar_one()
            return r.channel, r.entered_by_id

        assert seed(saved) == ("phone_survey", world.users["worker"])

    def test_resident_cannot_open_staff_pages(self, client, world):
        """Residents get 403 on the dashboard and the deliveries page."""
        login(client, "resident")
        assert client.get(BASE).status_code == 403
        assert client.get(f"{BASE}/deliveries").status_code == 403

    def test_export_has_ranking_and_ratings(self, client, world, as_user):
        """The XLSX export has the ranking and the ratings of the period, in Chinese."""

        async def rate(ctx):
            d = await delivered(ctx, world.youth, world.li)
            await service.submit_rating(ctx, d, stars=3, channel="paper", comment="还行")

        as_user("worker", rate)
        login(client, "worker")
        response = client.get(f"{BASE}/export.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["排名", "评价数"]
        assert [c.value for c in book["排名"][2]][1:3] == ["海曙区青少年成长服务中心", 1]
        assert [c.value for c in book["评价数"][2]][2:] == [3, "纸质问卷", "有效", "还行"]


class TestOrganization:
    def test_organization_answers_follow_up_and_appeals(self, client, world, as_user):
        """The organization's leader sees its bad rating's follow-up, answers it, and appeals the rating."""

        async def rate(ctx):
            d = await delivered(ctx, world.elderly, world.li)
            r = await service.submit_rating(ctx, d, stars=1, channel="paper", comment="态度差")
            fu = (await service.follow_ups(ctx.session))[0]
            return r.id, fu.id

        rating_id, fu_id = as_user("worker", rate)
        login(client, "orgstaff")
        own = client.get(f"{BASE}/organizations/{world.elderly}")
        assert own.status_code == 200
        assert "待回访" in own.text
        fu_url = f"{BASE}/follow-ups/{fu_id}"
        missing = _post(client, fu_url, {"contact_note": "电话"}, fu_url, headers=HTMX)
        assert "请填写" in missing.text
        answered = _post(
            client,
            fu_url,
            {"contact_note": "电话联系", "action_taken": "重新上门", "resident_response": "满意"},
            fu_url,
        )
        assert answered.status_code == 303
        assert "已回访" in client.get(fu_url).text
        r_url = f"{BASE}/ratings/{rating_id}"
        _post(client, f"{r_url}/appeal", {"grounds": "malicious", "reason": "与事实不符"}, r_url)
        assert "与事实不符" in client.get(r_url).text

    def test_other_organizations_pages_are_not_found_for_org_staff_without_view(self, client, world, as_user):
        """A resident who is no staff gets 404 on an organization's rating page."""
        login(client, "other")
        assert client.get(f"{BASE}/organizations/{world.elderly}").status_code == 404


class TestRanking:
    def test_public_ranking_without_login(self, client, world, as_user):
        """The ranking page opens without a login: ranked organizations and the insufficient-ratings note."""

        async def rate(ctx):
            for n in range(5):
                d = await delivered(ctx, world.youth, world.li, reference=f"r:{n}")
                await service.submit_rating(ctx, d, stars=5, channel="paper")
            d = await delivered(ctx, world.elderly, world.li, reference="r:x")
            await service.submit_rating(ctx, d, stars=4, channel="paper")

        as_user("worker", rate)
        page = client.get(f"{BASE}/ranking")
        assert page.status_code == 200
        assert "公开排名" in page.text
        row = re.search(r"<td>1</td>\s*<td>([^<]+)</td>", page.text)
        assert row is not None
        assert row.group(1) == "海曙区青少年成长服务中心"
        assert "评价数不足" in page.text
        fragment = client.get(f"{BASE}/ranking", headers=HTMX)
        assert "<html" not in fragment.text
        assert "公开排名" in fragment.text
        index = client.get("/d/haishu/public/")  # the district's public index lists it (public_pages hook)
        assert f'href="{BASE}/ranking"' in index.text and "星级评价：公开排名" in index.text

    def test_ranking_of_a_disabled_district_is_not_found(self, client, world, seed):
        """Where the plugin is off, the public page is 404 like any other of its pages."""

        async def off(session):
            from core.models import District
            from core.plugins import PluginHost
            from core.services.enablement import disable_plugin

            district = (await session.execute(select(District).where(District.code == "yinzhou"))).scalar_one()
            await disable_plugin(session, district, PluginHost.load(None, entry_points=False), "rating")

        seed(off)
        assert client.get("/d/yinzhou/rating/ranking").status_code == 404
        assert client.get("/d/nowhere/rating/ranking").status_code == 404
