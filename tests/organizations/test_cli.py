"""The `sanshe orgs` commands: list, check-code, import (dry run and for real, all or nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from core.cli import _register, cli
from tests.organizations.test_import import GOOD, xlsx


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any):
    """Run ``sanshe …`` against the test database; returns the click result."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    if "orgs" not in cli.commands:
        _register()
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_check_code(run):
    """A valid code is confirmed; a typo is refused with the Chinese reason and exit status 2."""
    assert run("orgs", "check-code", "91350100M000100Y43").output.startswith("有效 / valid")
    bad = run("orgs", "check-code", "91350100M000100Y44")
    assert bad.exit_code == 2
    assert "校验码（最后一位）不符" in bad.output


def test_import_dry_run_then_for_real(run, world, tmp_path):
    """A dry run saves nothing; the import saves every row; a file with a bad row saves none."""
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    dry = run("orgs", "import", str(good), "--district", "haishu", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 行都可以导入" in dry.output
    assert "牡丹社区夕阳红舞蹈队" not in run("orgs", "list", "--district", "haishu").output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([*GOOD, {"名称": "平桥社区老年协会", "类型": "备案"}]))
    refused = run("orgs", "import", str(bad), "--district", "haishu")
    assert refused.exit_code == 2
    assert "第 5 行" in refused.output and "平桥社区老年协会" in refused.output
    assert "牡丹社区夕阳红舞蹈队" not in run("orgs", "list", "--district", "haishu").output
    done = run("orgs", "import", str(good), "--district", "haishu")
    assert done.exit_code == 0, done.output
    listed = run("orgs", "list", "--district", "haishu").output
    assert "牡丹社区夕阳红舞蹈队" in listed and "鄞州秘密基金会" not in listed
