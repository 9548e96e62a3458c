"""Static files are downloaded once: versioned links kept a year, others revalidated with a 304 (core.web.static)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from core.web.static import STATIC_DIR, StaticUrls


def _linked(html: str, name: str) -> str:
    found = re.search(rf'(?:href|src)="(/static/[^"]*{re.escape(name)}\?v=[0-9a-f]{{12}})"', html)
    assert found, f"{name} is not linked with a version"
    return found.group(1)


def test_a_page_links_its_files_with_a_version_kept_a_year(client):
    html = client.get("/login").text
    for name in ("pico.min.css", "app.css", "htmx.min.js", "app.js"):
        response = client.get(_linked(html, name))
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.content


def test_a_current_copy_is_answered_304_without_the_file(client):
    url = _linked(client.get("/login").text, "app.css")
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert "content-length" not in again.headers or again.headers["content-length"] == "0"
    stale = client.get(url, headers={"If-None-Match": '"some-older-version"'})
    assert stale.status_code == 200
    assert stale.content == first.content


def test_an_unversioned_link_is_revalidated_every_time(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert client.get("/static/app.css", headers={"If-None-Match": f"W/{response.headers['etag']}"}).status_code == 304


def test_the_version_follows_the_content_and_unknown_paths_stay_as_written(tmp_path):
    plugin_dir = tmp_path / "static"
    plugin_dir.mkdir()
    css = plugin_dir / "canteen.css"
    css.write_text("a { color: red }")
    host = SimpleNamespace(installed={"canteen": SimpleNamespace(key="canteen", static_dir=plugin_dir)})
    static_url = StaticUrls(host)  # type: ignore[arg-type]

    first = static_url("/static/plugins/canteen/canteen.css")
    assert re.fullmatch(r"/static/plugins/canteen/canteen\.css\?v=[0-9a-f]{12}", first)
    assert static_url("/static/plugins/canteen/canteen.css") == first
    css.write_text("a { color: blue }")
    assert static_url("/static/plugins/canteen/canteen.css") != first

    assert static_url("/static/plugins/canteen/missing.css") == "/static/plugins/canteen/missing.css"
    assert static_url("/static/plugins/canteen/../../etc/passwd") == "/static/plugins/canteen/../../etc/passwd"
    assert static_url("/static/app.css").startswith("/static/app.css?v=")
    assert (STATIC_DIR / "app.css").is_file()
