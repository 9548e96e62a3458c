"""The notices pages: reading, publishing, editing and deleting, as people see them."""

from __future__ import annotations

from typing import Any

from core.testing import csrf_of, login
from plugins.notices.tests.support import set_notices_settings, titles

LIST = "/d/haishu/notices"
HTMX = {"HX-Request": "true"}


def _post(client: Any, path: str, data: dict[str, str], **kw: Any) -> Any:
    token = csrf_of(client, LIST)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False, **kw)


class TestList:
    def test_resident_reads_published_notices_pinned_first(self, client, world):
        """A resident sees the published notices, the pinned one first, and no publishing button."""
        login(client, "resident")
        page = client.get(LIST)
        assert page.status_code == 200
        assert page.text.index("偃月小区停车议事会通知") < page.text.index("垃圾分类宣传周")
        assert "平桥社区" in page.text
        assert "下月体检安排" not in page.text
        assert "鄞州区内部通知" not in page.text
        assert "/d/haishu/notices/new" not in page.text

    def test_worker_also_sees_scheduled_notices(self, client, world):
        """A community worker sees notices scheduled for later, marked as such, and the publishing button."""
        login(client, "worker")
        page = client.get(LIST)
        assert "下月体检安排" in page.text
        assert "定时发布" in page.text
        assert "/d/haishu/notices/new" in page.text

    def test_htmx_request_gets_only_the_content_block(self, client, world):
        """An htmx request gets the list without the page around it; a normal load gets the whole page."""
        login(client, "resident")
        fragment = client.get(LIST, headers=HTMX)
        assert "垃圾分类宣传周" in fragment.text
        assert "<html" not in fragment.text
        assert "<html" in client.get(LIST).text

    def test_resident_cannot_open_scheduled_notice(self, client, world):
        """A notice scheduled for later answers 404 to readers until it is published."""
        login(client, "resident")
        assert client.get(f"{LIST}/{world.notices['scheduled']}").status_code == 404

    def test_other_districts_notice_is_not_found(self, client, world):
        """A notice of another district answers 404, never its content."""
        login(client, "worker")
        response = client.get(f"{LIST}/{world.notices['yinzhou']}")
        assert response.status_code == 404
        assert "鄞州区内部通知" not in response.text
        assert client.get("/d/yinzhou/notices").status_code == 404


class TestCreate:
    def test_worker_publishes_a_notice(self, client, world, seed):
        """A community worker fills the form and lands on the new notice."""
        login(client, "worker")
        form = client.get(f"{LIST}/new")
        assert form.status_code == 200
        assert "平桥社区" in form.text
        data = {"title": "电梯停运通知", "body": "3 号楼电梯周三检修。", "org_unit_id": str(world.mudan)}
        response = _post(client, LIST, data)
        assert response.status_code == 303
        notice = client.get(response.headers["location"])
        assert "电梯停运通知" in notice.text
        assert "牡丹社区" in notice.text
        assert "电梯停运通知" in seed(lambda s: titles(s, "haishu"))

    def test_htmx_post_redirects_the_browser(self, client, world):
        """Through htmx, a saved notice answers with HX-Redirect to the notice."""
        login(client, "worker")
        response = _post(client, LIST, {"title": "停水通知", "body": "周五停水。"}, headers=HTMX)
        assert response.status_code == 200
        assert response.headers["HX-Redirect"].startswith("/d/haishu/notices/")

    def test_errors_are_shown_next_to_fields_and_input_is_kept(self, client, world, seed):
        """An empty title comes back as the form with the error by the field and the text still typed in."""
        login(client, "worker")
        response = _post(client, LIST, {"title": "  ", "body": "保留我的输入"}, headers=HTMX)
        assert response.status_code == 200
        assert 'id="notice-title-error"' in response.text
        assert "请填写标题" in response.text
        assert "保留我的输入" in response.text
        assert "<html" not in response.text
        assert len(seed(lambda s: titles(s, "haishu"))) == 3

    def test_errors_work_without_htmx(self, client, world):
        """Without htmx, the whole page comes back with status 400 and the errors by the fields."""
        login(client, "worker")
        response = _post(client, LIST, {"title": "好标题", "body": "", "published_at": "明天"})
        assert response.status_code == 400
        assert "<html" in response.text
        assert "请填写公告内容" in response.text
        assert 'id="notice-published-at-error"' in response.text
        assert 'value="好标题"' in response.text

    def test_title_too_long_is_refused(self, client, world):
        """A title over 200 characters is refused with its length given."""
        login(client, "worker")
        response = _post(client, LIST, {"title": "长" * 201, "body": "x"})
        assert response.status_code == 400
        assert "201" in response.text

    def test_community_of_another_district_is_refused(self, client, world, seed):
        """Choosing another district's community is refused and nothing is saved."""
        login(client, "worker")
        response = _post(client, LIST, {"title": "越界", "body": "x", "org_unit_id": str(world.baihe)})
        assert response.status_code == 400
        assert 'id="notice-org-unit-error"' in response.text
        assert "越界" not in seed(lambda s: titles(s, "haishu"))
        assert "越界" not in seed(lambda s: titles(s, "yinzhou"))

    def test_pinning_beyond_the_district_limit_is_refused(self, client, world, seed):
        """With max_pinned 1 and one notice pinned, pinning another is refused with the limit named."""
        seed(lambda s: set_notices_settings(s, "haishu", max_pinned=1))
        login(client, "worker")
        response = _post(client, LIST, {"title": "再置顶一条", "body": "x", "pinned": "on"})
        assert response.status_code == 400
        assert 'id="notice-pinned-error"' in response.text
        assert "最多只能置顶 1 条" in response.text

    def test_resident_may_not_publish(self, client, world, seed):
        """A resident gets 403 on the form and on posting, and nothing is saved."""
        login(client, "resident")
        assert client.get(f"{LIST}/new").status_code == 403
        assert _post(client, LIST, {"title": "居民发的", "body": "x"}).status_code == 403
        assert "居民发的" not in seed(lambda s: titles(s, "haishu"))

    def test_html_in_a_notice_is_escaped(self, client, world):
        """Markup typed into a notice is shown as text, never run."""
        login(client, "worker")
        response = _post(client, LIST, {"title": "<script>alert(1)</script>", "body": "<b>x</b>"})
        page = client.get(response.headers["location"])
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;" in page.text


class TestEditDelete:
    def test_admin_edits_a_notice(self, client, world):
        """The edit form shows the notice; saving changes what readers see."""
        login(client, "district-admin")
        notice = f"{LIST}/{world.notices['sorting']}"
        form = client.get(f"{notice}/edit")
        assert 'value="垃圾分类宣传周"' in form.text
        response = _post(client, notice, {"title": "垃圾分类宣传周（延长一周）", "body": "延长至月底。"})
        assert response.status_code == 303
        assert "垃圾分类宣传周（延长一周）" in client.get(notice).text

    def test_already_pinned_notice_stays_editable_over_the_limit(self, client, world, seed):
        """Lowering max_pinned does not block editing a notice that is already pinned."""
        seed(lambda s: set_notices_settings(s, "haishu", max_pinned=0))
        login(client, "worker")
        notice = f"{LIST}/{world.notices['parking']}"
        data = {"title": "偃月小区停车议事会通知（改期）", "body": "改到周日。", "pinned": "on"}
        response = _post(client, notice, data)
        assert response.status_code == 303

    def test_admin_deletes_a_notice(self, client, world, seed):
        """Deleting a notice removes it from the list."""
        login(client, "district-admin")
        response = _post(client, f"{LIST}/{world.notices['sorting']}/delete", {})
        assert response.status_code == 303
        assert "垃圾分类宣传周" not in client.get(LIST).text
        assert "垃圾分类宣传周" not in seed(lambda s: titles(s, "haishu"))

    def test_resident_may_not_edit_or_delete(self, client, world, seed):
        """A resident gets 403 on edit and delete, and the notice stays."""
        login(client, "resident")
        notice = f"{LIST}/{world.notices['sorting']}"
        assert client.get(f"{notice}/edit").status_code == 403
        assert _post(client, f"{notice}/delete", {}).status_code == 403
        assert "垃圾分类宣传周" in seed(lambda s: titles(s, "haishu"))

    def test_other_districts_notice_cannot_be_deleted(self, client, world, seed):
        """Deleting another district's notice through this district's URL answers 404 and keeps it."""
        login(client, "worker")
        assert _post(client, f"{LIST}/{world.notices['yinzhou']}/delete", {}).status_code == 404
        assert "鄞州区内部通知" in seed(lambda s: titles(s, "yinzhou"))


class TestDashboard:
    def test_dashboard_shows_latest_notices(self, client, world):
        """The dashboard lists the latest published notices with a link to all of them."""
        login(client, "resident")
        page = client.get("/d/haishu/")
        assert "垃圾分类宣传周" in page.text
        assert 'href="/d/haishu/notices"' in page.text

    def test_dashboard_widget_can_be_switched_off(self, client, world, seed):
        """With show_on_dashboard off, the dashboard no longer shows notices."""
        seed(lambda s: set_notices_settings(s, "haishu", show_on_dashboard=False))
        login(client, "resident")
        assert "垃圾分类宣传周" not in client.get("/d/haishu/").text


def test_a_notice_marked_public_is_read_without_login(client, world):
    """The worker ticks 公开 on a notice: anyone reads it at /d/haishu/public/notices; unmarked ones stay inside."""
    login(client, "worker")
    response = _post(client, LIST, {"title": "停水通知", "body": "明天 9:00-12:00 偃月小区停水。", "is_public": "on"})
    assert response.status_code == 303, response.text
    assert "公开" in client.get(response.headers["location"]).text
    client.cookies.clear()
    public = client.get("/d/haishu/public/notices")
    assert public.status_code == 200 and "停水通知" in public.text and "明天 9:00-12:00" in public.text
    assert "垃圾分类宣传周" not in public.text and "下月体检安排" not in public.text
    assert "停水通知" not in client.get("/d/yinzhou/public/notices").text
    assert 'href="/d/haishu/public/notices"' in client.get("/d/haishu/public/").text
