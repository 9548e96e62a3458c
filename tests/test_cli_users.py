"""`sanshe users …`: create, list, set-password, token, tokens, revoke-token."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.auth.passwords import verify_password
from core.cli import users as users_cli
from core.models import District, Membership, User
from core.testing import login
from core.testing.factories import PASSWORD, make_district, make_org_unit, make_user
from tests.test_tokens import fresh_client

GOOD = "river-lantern-42"


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    """A ``sanshe`` group with the users commands, pointed at the test database."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SANSHE_SECRET_KEY", "test-secret")
    group = click.Group("sanshe")
    users_cli.register(group)
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None):
        return runner.invoke(group, ["users", *args], input=stdin)

    return run


@pytest.fixture
def haishu(seed):
    """haishu with the community 平桥社区 and a worker; jiangbei with nobody."""

    async def data(session):
        from core.models import OrgUnitKind

        district = await make_district(session)
        await make_district(session, "jiangbei", "江北区")
        await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY)
        await make_user(session, "worker", district=district, roles=("community_worker",))

    seed(data)


def _get(seed, username):
    async def get(session):
        return (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()

    return seed(get)


def _memberships(seed, username):
    async def get(session):
        rows = await session.execute(
            select(District.code, Membership.role_key)
            .join(Membership, Membership.district_id == District.id)
            .join(User, User.id == Membership.user_id)
            .where(User.username == username)
        )
        return sorted(tuple(r) for r in rows)

    return seed(get)


def _policy_version(seed, code="haishu"):
    async def get(session):
        return (await session.execute(select(District.policy_version).where(District.code == code))).scalar_one()

    return seed(get)


@pytest.mark.parametrize("command", ["create", "list", "set-password", "token", "tokens", "revoke-token"])
def test_every_command_has_help(cli, command):
    """``sanshe users COMMAND --help`` explains the command and exits 0."""
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_create_with_role_from_stdin(cli, haishu, seed):
    """Creating a user with a role stores an argon2 hash, the membership, and reloads the district's policies."""
    before = _policy_version(seed)
    result = cli(
        "create",
        "wang",
        "--password-stdin",
        "--display-name",
        "王芳",
        "--district",
        "haishu",
        "--role",
        "social_worker",
        "--org-unit",
        "pingqiao",
        stdin=GOOD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "已创建用户 wang" in result.output
    user = _get(seed, "wang")
    assert user.display_name == "王芳"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, GOOD)
    assert _memberships(seed, "wang") == [("haishu", "social_worker")]
    assert _policy_version(seed) > before


def test_created_user_can_log_in(cli, haishu, client):
    """A user made on the command line logs in through the web form."""
    assert cli("create", "li", "--password", GOOD, "--district", "haishu", "--role", "volunteer").exit_code == 0
    login(client, "li", GOOD)
    assert "志愿者" in client.get("/me").text


def test_create_prompts_for_the_password_twice(cli, haishu, seed):
    """Without a password option the password is asked for, hidden, and must be typed twice."""
    result = cli("create", "zhao", stdin=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output
    assert verify_password(_get(seed, "zhao").password_hash, GOOD)


def test_create_platform_admin(cli, haishu, seed):
    """``--platform-admin`` makes an account that spans every district."""
    assert cli("create", "root", "--password", GOOD, "--platform-admin").exit_code == 0
    assert _get(seed, "root").is_platform_admin


def test_duplicate_username_is_refused(cli, haishu, seed):
    """Creating an existing username (in any letter case) fails with a Chinese-first message and changes nothing."""
    before = _get(seed, "worker").password_hash
    result = cli("create", "Worker", "--password", GOOD)
    assert result.exit_code == 2
    assert "用户名 'Worker' 已存在" in result.output
    assert "already taken" in result.output
    assert _get(seed, "worker").password_hash == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--district", "nowhere", "--role", "volunteer"], "没有代码为 'nowhere' 的区"),
        (["--district", "haishu", "--role", "wizard"], "haishu 没有角色 'wizard'"),
        (["--district", "haishu", "--role", "volunteer", "--org-unit", "moon"], "haishu 没有代码为 'moon' 的组织"),
        (["--district", "haishu"], "--district 与 --role 须一起使用"),
        (["--org-unit", "pingqiao"], "--org-unit 需要 --district 与 --role"),
    ],
    ids=["unknown-district", "unknown-role", "unknown-unit", "district-without-role", "unit-without-district"],
)
def test_bad_input_is_refused_and_creates_nothing(cli, haishu, seed, args, expected):
    """Unknown district, role or org unit, or options that do not fit, stop with a clear message; no user is made."""
    result = cli("create", "zhou", "--password", GOOD, *args)
    assert result.exit_code == 2
    assert "错误 / error: " in result.output
    assert expected in result.output
    assert _get(seed, "zhou") is None


def test_weak_password_is_refused(cli, haishu, seed):
    """A weak password stops the command with the reason in Chinese and English."""
    result = cli("create", "zhou", "--password", "short")
    assert result.exit_code == 2
    assert "密码至少需要 8 个字符。 / The password must have at least 8 characters." in result.output
    assert _get(seed, "zhou") is None


def test_invalid_username_is_refused(cli, haishu, seed):
    """A username with spaces or Chinese characters is refused before asking for a password."""
    result = cli("create", "王 芳", stdin=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 2
    assert "用户名 '王 芳' 无效" in result.output
    assert "密码 / password" not in result.output


def test_list_shows_users_and_roles(cli, haishu):
    """``users list`` prints each account with its roles."""
    cli("create", "root", "--password", GOOD, "--platform-admin")
    result = cli("list")
    assert result.exit_code == 0
    assert "worker" in result.output and "haishu:community_worker" in result.output
    assert "root" in result.output


def test_list_by_district(cli, haishu):
    """``users list --district`` shows only that district's members; an unknown district is an error."""
    cli("create", "root", "--password", GOOD, "--platform-admin")
    result = cli("list", "--district", "haishu")
    assert "worker" in result.output
    assert "root" not in result.output
    assert "没有用户" in cli("list", "--district", "jiangbei").output
    assert cli("list", "--district", "nowhere").exit_code == 2


def test_set_password_ends_all_sessions(cli, haishu, client, seed):
    """``users set-password`` changes the password and logs the user out everywhere."""
    browser = client
    login(browser, "worker")
    result = cli("set-password", "worker", "--password-stdin", stdin=GOOD + "\n")
    assert result.exit_code == 0, result.output
    assert "结束了 1 个会话" in result.output
    assert browser.get("/me", follow_redirects=False).status_code == 303
    assert verify_password(_get(seed, "worker").password_hash, GOOD)


def test_set_password_prompt_must_match(cli, haishu, seed):
    """At the prompt the two entries must match; a mismatch asks again."""
    result = cli("set-password", "worker", stdin=f"{GOOD}\nother-value-99\n{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert verify_password(_get(seed, "worker").password_hash, GOOD)


def test_set_password_refuses_unknown_user_and_weak_password(cli, haishu, seed):
    """An unknown user or a weak password is an error and the stored password stays."""
    unknown = cli("set-password", "nobody", "--password-stdin", stdin=GOOD + "\n")
    assert unknown.exit_code == 2
    assert "没有用户名为 'nobody' 的用户" in unknown.output
    weak = cli("set-password", "worker", "--password-stdin", stdin="worker123\n")
    assert weak.exit_code == 2
    assert "密码不能包含用户名。" in weak.output
    assert verify_password(_get(seed, "worker").password_hash, PASSWORD)


def test_token_lifecycle(cli, haishu, settings):
    """A token printed once by ``users token`` works for the API, is listed by prefix, and stops after revoke."""
    made = cli("token", "worker", "--district", "haishu", "--name", "呼叫中心")
    assert made.exit_code == 0, made.output
    raw = made.stdout.strip().splitlines()[0]
    assert raw.startswith("sst_")
    with fresh_client(settings) as program:
        assert program.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    listed = cli("tokens", "worker")
    assert listed.exit_code == 0
    assert "呼叫中心" in listed.output and raw[:10] in listed.output
    assert raw not in listed.output
    token_id = listed.output.strip().splitlines()[-1].split()[0]
    revoked = cli("revoke-token", token_id)
    assert revoked.exit_code == 0
    assert f"已撤销令牌 {token_id}" in revoked.output
    with fresh_client(settings) as program:
        assert program.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    again = cli("revoke-token", token_id)
    assert again.exit_code == 0
    assert "早已撤销" in again.output


def test_token_refuses_bad_input(cli, haishu):
    """Tokens need a known user, a district where the user has a role, a name; revoke needs a known id."""
    assert "没有用户名为 'nobody'" in cli("token", "nobody", "--district", "haishu", "--name", "x").output
    outsider = cli("token", "worker", "--district", "jiangbei", "--name", "x")
    assert outsider.exit_code == 2
    assert "worker 在 jiangbei 没有角色" in outsider.output
    assert cli("token", "worker", "--district", "haishu", "--name", " ").exit_code == 2
    missing = cli("revoke-token", "999")
    assert missing.exit_code == 2
    assert "没有 ID 为 999 的令牌" in missing.output
    assert "没有令牌" in cli("tokens", "worker").output
