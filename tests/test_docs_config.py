"""docs/configuration.md documents every ``SANSHE_`` variable, and only real ones."""

from __future__ import annotations

import re

from core.config import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "configuration.md"
READ_RE = re.compile(r"""_env\(\s*["']([A-Z0-9_]+)["']""")
VAR_RE = re.compile(r"\bSANSHE_[A-Z0-9_]+\b")


def _variables_in_code() -> set[str]:
    names = {f"SANSHE_{n}" for n in READ_RE.findall((PROJECT_ROOT / "core" / "config.py").read_text())}
    for path in [*PROJECT_ROOT.glob("tests/**/*.py"), *PROJECT_ROOT.glob("core/**/*.py")]:
        names.update(VAR_RE.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_setting_read_in_config_is_documented():
    """Each ``_env("X")`` in core/config.py appears as ``SANSHE_X`` in docs/configuration.md."""
    documented = set(VAR_RE.findall(DOC.read_text(encoding="utf-8")))
    read = {f"SANSHE_{n}" for n in READ_RE.findall((PROJECT_ROOT / "core" / "config.py").read_text())}
    assert read, "no _env(...) calls found in core/config.py"
    missing = sorted(read - documented)
    assert not missing, f"undocumented in docs/configuration.md: {missing}"
    assert "SANSHE_TEST_BACKENDS" in documented


def test_documented_variables_exist():
    """Every ``SANSHE_`` variable named in docs/configuration.md is read somewhere in the code or tests."""
    documented = set(VAR_RE.findall(DOC.read_text(encoding="utf-8")))
    stale = sorted(documented - _variables_in_code())
    assert not stale, f"docs/configuration.md names variables nothing reads: {stale}"
