"""``sanshe db`` applies, shows and reverts the migrations; ``sanshe run`` serves where it is told."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from core.cli import db, run
from core.plugins.migrations import heads


def _cli() -> click.Group:
    group = click.Group("sanshe")
    db.register(group)
    run.register(group)
    return group


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """Point the command line at a var directory of the test (and away from the developer's)."""
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SANSHE_PLUGINS", raising=False)
    monkeypatch.delenv("SANSHE_DATABASE_URL", raising=False)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(_cli(), list(args), catch_exceptions=False)


def test_current_prints_each_owners_revision(database_url, cli_env, monkeypatch):
    """``sanshe db current`` prints the core's and every plugin's revision, marked as head."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    result = invoke("db", "current")
    assert result.exit_code == 0, result.output
    for key, revisions in heads().items():
        line = next(line for line in result.output.splitlines() if line.split()[0] == key)
        assert revisions[0] in line
        assert "(head)" in line


def test_upgrade_creates_the_default_sqlite_database(cli_env):
    """With no SANSHE_DATABASE_URL, ``sanshe db upgrade`` creates var/sanshe.db and migrates it to head."""
    result = invoke("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert (cli_env / "var" / "sanshe.db").is_file()
    assert "database is up to date" in result.output
    assert f"{heads()['core'][0]} (head)" in invoke("db", "current").output


def test_downgrade_to_base_then_upgrade(empty_database_url, cli_env, monkeypatch):
    """``sanshe db downgrade base`` un-migrates everything; ``current`` says so; ``upgrade`` brings it back."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", empty_database_url)
    assert invoke("db", "upgrade").exit_code == 0
    result = invoke("db", "downgrade", "base")
    assert result.exit_code == 0, result.output
    assert "not migrated" in invoke("db", "current").output
    assert "upgrade needed" not in invoke("db", "upgrade").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("db", "downgrade", "no-such-revision"), "migration failed"),
        (("db", "downgrade", "base", "--plugin", "no-such-plugin"), "no migrations for 'no-such-plugin'"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(database_url, cli_env, monkeypatch, args, message):
    """A wrong revision or plugin key exits with status 2 and says what is wrong, in Chinese and English."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "错误" in result.output


def test_run_serves_where_the_environment_says(cli_env, monkeypatch):
    """``sanshe run`` starts uvicorn on the app factory at SANSHE_HOST:SANSHE_PORT with SANSHE_WORKERS."""
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setenv("SANSHE_HOST", "127.0.0.1")
    monkeypatch.setenv("SANSHE_PORT", "8123")
    monkeypatch.setenv("SANSHE_WORKERS", "3")
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/" in result.output
    app, kw = calls[0]
    assert app == "core.app:create_app"
    assert kw["factory"] is True
    assert (kw["host"], kw["port"], kw["workers"]) == ("127.0.0.1", 8123, 3)


def test_run_options_override_the_environment(cli_env, monkeypatch):
    """``--port`` and ``--workers`` win over SANSHE_PORT and SANSHE_WORKERS."""
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))
    monkeypatch.setenv("SANSHE_PORT", "8123")
    result = invoke("run", "--port", "9001", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert (calls[0]["port"], calls[0]["workers"]) == (9001, 2)


def test_run_proxy_headers_from_the_environment_and_options(cli_env, monkeypatch):
    """Proxy headers are off by default; SANSHE_PROXY_HEADERS / SANSHE_FORWARDED_ALLOW_IPS turn them on for the
    balancer's address, and ``--no-proxy-headers`` / ``--forwarded-allow-ips`` win over them."""
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))
    assert invoke("run").exit_code == 0
    assert (calls[-1]["proxy_headers"], calls[-1]["forwarded_allow_ips"]) == (False, "127.0.0.1")
    monkeypatch.setenv("SANSHE_PROXY_HEADERS", "1")
    monkeypatch.setenv("SANSHE_FORWARDED_ALLOW_IPS", "10.0.0.5,10.0.1.0/24")
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert "X-Forwarded-For trusted from: 10.0.0.5,10.0.1.0/24" in result.output
    assert (calls[-1]["proxy_headers"], calls[-1]["forwarded_allow_ips"]) == (True, "10.0.0.5,10.0.1.0/24")
    assert invoke("run", "--no-proxy-headers").exit_code == 0
    assert calls[-1]["proxy_headers"] is False
    assert invoke("run", "--forwarded-allow-ips", "192.0.2.1").exit_code == 0
    assert (calls[-1]["proxy_headers"], calls[-1]["forwarded_allow_ips"]) == (True, "192.0.2.1")
