"""The 一窗受理 page, as people in the district see it."""

from __future__ import annotations

from core.testing import csrf_of

URL = "/d/haishu/one_window"
HTMX = {"HX-Request": "true"}


def _add(client, data, **kw):
    return client.post(URL, data={**data, "_csrf_token": csrf_of(client, URL)}, follow_redirects=False, **kw)


class TestPage:
    def test_worker_sees_the_page_and_its_title(self, sanshe_client_for):
        """A community worker opens the page: its title, an empty list and the form to add."""
        page = sanshe_client_for("community_worker").get(URL)
        assert page.status_code == 200
        assert "<h1>一窗受理</h1>" in page.text
        assert "暂无内容" in page.text
        assert 'name="title"' in page.text

    def test_page_is_linked_from_the_navigation(self, sanshe_client_for):
        """The dashboard's navigation links to the page."""
        dashboard = sanshe_client_for("resident").get("/d/haishu/")
        assert f'href="{URL}"' in dashboard.text

    def test_district_setting_is_shown(self, sanshe_client_for, sanshe_factory):
        """The district's ``intro`` setting appears at the top of the page."""
        sanshe_factory.enable("one_window", settings={"intro": "每周三下午开放"})
        assert "每周三下午开放" in sanshe_client_for("resident").get(URL).text


class TestAdd:
    def test_htmx_post_returns_the_updated_list(self, sanshe_client_for):
        """Adding through htmx answers with the list block only, the new item in it, and saves it."""
        client = sanshe_client_for("community_worker")
        response = _add(client, {"title": "第一条", "note": "测试备注"}, headers=HTMX)
        assert response.status_code == 200
        assert "第一条" in response.text
        assert "<html" not in response.text
        assert "第一条" in client.get(URL).text

    def test_plain_post_redirects_to_the_page(self, sanshe_client_for):
        """Without htmx, a saved item answers 303 back to the page."""
        response = _add(sanshe_client_for("community_worker"), {"title": "第二条"})
        assert response.status_code == 303
        assert response.headers["location"] == URL

    def test_empty_title_is_refused_next_to_the_field(self, sanshe_client_for):
        """An empty title comes back with the message by the field and the note still typed in."""
        response = _add(sanshe_client_for("community_worker"), {"title": " ", "note": "保留我的输入"})
        assert response.status_code == 400
        assert "请填写标题" in response.text
        assert "保留我的输入" in response.text

    def test_markup_is_shown_as_text(self, sanshe_client_for):
        """HTML typed into an item is escaped, never run."""
        client = sanshe_client_for("community_worker")
        _add(client, {"title": "<script>alert(1)</script>"})
        page = client.get(URL).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;" in page


class TestAccess:
    def test_resident_reads_but_may_not_add(self, sanshe_client_for):
        """A resident sees the page without the form, and posting answers 403."""
        client = sanshe_client_for("resident")
        page = client.get(URL)
        assert page.status_code == 200
        assert 'name="title"' not in page.text
        assert _add(client, {"title": "居民添加"}).status_code == 403

    def test_anonymous_visitor_is_sent_to_the_login_page(self, sanshe_client, sanshe_district):
        """Without logging in, the page is not shown."""
        response = sanshe_client.get(URL, follow_redirects=False)
        assert response.status_code in (302, 303, 401)
        assert "一窗受理" not in response.text

    def test_district_without_the_plugin_answers_404(self, sanshe_client_for, sanshe_factory):
        """In a district where the plugin is not enabled, its page does not exist."""
        sanshe_factory.district("yinzhou", "鄞州区", plugins=())
        client = sanshe_client_for("community_worker", district="yinzhou")
        assert client.get("/d/yinzhou/one_window").status_code == 404

    def test_items_of_another_district_are_never_shown(self, sanshe_client_for, sanshe_factory):
        """An item added in 鄞州区 does not appear in 海曙区."""
        sanshe_factory.district("yinzhou", "鄞州区")
        yinzhou = sanshe_client_for("community_worker", district="yinzhou")
        token = csrf_of(yinzhou, "/d/yinzhou/one_window")
        yinzhou.post("/d/yinzhou/one_window", data={"title": "鄞州的条目", "_csrf_token": token})
        assert "鄞州的条目" not in sanshe_client_for("community_worker").get(URL).text
