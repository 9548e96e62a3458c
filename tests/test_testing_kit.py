"""The plugin test kit (core.testing) used on the built-in notices plugin and the core's case types."""

from __future__ import annotations

import pytest

from core.testing import csrf_of

REQUEST = {
    "requester": "张阿姨",
    "phone": "13800138000",
    "category": "environment",
    "description": "楼道垃圾无人清理",
}


@pytest.mark.sanshe_plugins("notices")
class TestClientPerRole:
    def test_worker_client_sees_the_plugin_page(self, sanshe_client_for):
        """A client logged in as a community worker opens the notices page with its publish button."""
        page = sanshe_client_for("community_worker").get("/d/haishu/notices")
        assert page.status_code == 200
        assert "/d/haishu/notices/new" in page.text

    def test_each_role_gets_its_own_session(self, sanshe_client_for):
        """Two clients of different roles stay apart: the resident still may not publish."""
        worker = sanshe_client_for("community_worker")
        resident = sanshe_client_for("resident")
        assert worker.get("/d/haishu/notices/new").status_code == 200
        assert resident.get("/d/haishu/notices/new").status_code == 403

    def test_worker_publishes_through_the_form(self, sanshe_client_for):
        """A post with the page's CSRF token publishes a notice that the list then shows."""
        client = sanshe_client_for("community_worker")
        token = csrf_of(client, "/d/haishu/notices")
        data = {"title": "停水通知", "body": "周五停水。", "_csrf_token": token}
        assert client.post("/d/haishu/notices", data=data, follow_redirects=False).status_code == 303
        assert "停水通知" in client.get("/d/haishu/notices").text


def test_only_the_chosen_plugins_are_installed(sanshe_client_for, sanshe_host):
    """Without any plugin chosen, the notices page does not exist."""
    assert sanshe_host.plugins == []
    assert sanshe_client_for("community_worker").get("/d/haishu/notices").status_code == 404


class TestTransitionHelper:
    @pytest.fixture
    def reference(self, sanshe_factory, sanshe_district):
        return sanshe_factory.case("resident_request", as_user="resident", title="楼道垃圾", data=REQUEST)

    def test_allowed_step_returns_none_and_moves_the_case(self, sanshe_factory, sanshe_transition, reference):
        """A social worker's triage happens: the helper returns None and the case is triaged."""
        done = sanshe_transition(reference, "triage", as_user="social_worker", data={"difficulty": "hard"})
        assert done is None
        assert sanshe_factory.case_state(reference) == "triaged"

    def test_guard_refusal_returns_the_message(self, sanshe_factory, sanshe_transition, reference):
        """Passing a hard request to the community is refused with the guard's own message."""
        sanshe_transition(reference, "triage", as_user="social_worker", data={"difficulty": "hard"})
        reason = sanshe_transition(reference, "to_community", as_user="social_worker")
        assert reason == "只有简单诉求才能交社区办理；需部门或疑难的请选其他路径。"
        assert sanshe_factory.case_state(reference) == "triaged"

    def test_missing_permission_is_a_refusal(self, sanshe_transition, reference):
        """A resident may not triage: the helper says so instead of raising."""
        assert sanshe_transition(reference, "triage", as_user="resident") == "您没有执行此操作的权限。"


@pytest.mark.sanshe_db("postgresql")
@pytest.mark.sanshe_plugins("notices")
def test_postgresql_when_asked(sanshe_backend, sanshe_database_url, sanshe_client_for):
    """With the sanshe_db marker, the app runs on a PostgreSQL database of its own."""
    assert sanshe_backend == "postgresql"
    assert sanshe_database_url.startswith("postgresql+asyncpg://")
    assert sanshe_client_for("resident").get("/d/haishu/notices").status_code == 200


def test_test_sessions_hash_passwords_cheaply_and_production_keeps_argon2_defaults():
    """While the kit is active a password hash uses argon2id's cheapest parameters (a login costs
    microseconds); restoring gives argon2-cffi's recommended parameters back, and a hash made with
    the cheap ones is then due for an upgrade at the next login."""
    from argon2 import PasswordHasher

    from core.auth.passwords import hash_password, needs_rehash, verify_password
    from core.testing.passwords import restore_hashing, use_fast_hashing

    cheap = hash_password("sanshe-demo")
    assert cheap.startswith("$argon2id$") and "m=1024,t=1,p=1" in cheap
    assert verify_password(cheap, "sanshe-demo") and not needs_rehash(cheap)
    restore_hashing()
    try:
        defaults = PasswordHasher()
        assert needs_rehash(cheap)
        assert f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}" in hash_password("x" * 12)
    finally:
        use_fast_hashing()
    assert not needs_rehash(cheap)


def test_a_modules_tests_sharing_a_module_scoped_fixture_stay_on_one_xdist_worker(pytester):
    """Tests using a module-scoped fixture (a live server, a browser) carry an xdist group named after
    their module, so ``--dist loadgroup`` starts that fixture once; the module's other tests are not grouped."""
    pytester.makepyfile(
        test_shared="""
        import pytest

        @pytest.fixture(scope="module")
        def server():
            return "http://127.0.0.1:1"

        def test_one(server):
            pass

        def test_two(server):
            pass

        def test_alone():
            pass
        """
    )
    items, _ = pytester.inline_genitems()
    groups = {item.name: item.get_closest_marker("xdist_group") for item in items}
    assert groups["test_one"].args == ("module:test_shared",)
    assert groups["test_two"].args == ("module:test_shared",)
    assert groups["test_alone"] is None
