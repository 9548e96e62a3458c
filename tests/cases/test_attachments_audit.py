"""Attachments obey size and type limits; ``sanshe audit verify`` finds a tampered timeline."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from core.cases import attachments, service
from core.cases.errors import InvalidData
from core.cli import _register, cli
from core.i18n import use_locale
from core.models.cases import Attachment, CaseEvent
from tests.cases.conftest import RESIDENT_REQUEST

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def new_case(as_user):
    async def run(ctx):
        return (
            await service.create_case(ctx, "resident_request", title="附件", data=RESIDENT_REQUEST, channel="web")
        ).reference

    return as_user("worker", run)


def upload(as_user, reference, name, data):
    async def run(ctx):
        case, definition = await service.get_case(ctx, reference)
        attachment = await attachments.attach(ctx, case, definition, name, data)
        return attachment.name, await attachments.storage_for(ctx).read(attachment.storage_key)

    return as_user("worker", run)


class TestAttachments:
    def test_image_is_stored_and_on_the_timeline(self, world, as_user):
        """A PNG is kept byte for byte, with a path-free name, and appears on the timeline."""
        reference = new_case(as_user)
        name, stored = upload(as_user, reference, "../../照片.png", PNG)
        assert (name, stored) == ("照片.png", PNG)

        async def kinds(ctx):
            case, _ = await service.get_case(ctx, reference)
            return [
                e.kind
                for e in (await ctx.session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id))).scalars()
            ]

        assert as_user("worker", kinds)[-1] == "attachment"

    @pytest.mark.parametrize(
        ("name", "data", "words"),
        [
            ("big.pdf", b"%PDF-" + b"0" * (attachments.MAX_BYTES + 1), "太大"),
            ("tool.exe", b"MZ\x90\x00", "不接受"),
            ("fake.png", b"<html><script>alert(1)</script></html>", "不符"),
            ("empty.txt", b"", "为空"),
        ],
    )
    def test_refusals_are_clear_and_store_nothing(self, world, as_user, name, data, words):
        """Too large, forbidden, disguised or empty files get a clear Chinese message; nothing is stored."""
        reference = new_case(as_user)
        with use_locale("zh_CN"), pytest.raises(InvalidData) as info:
            upload(as_user, reference, name, data)
        assert words in info.value.errors["file"]

        async def count(ctx):
            return len((await ctx.session.execute(select(Attachment))).all())

        assert as_user("worker", count) == 0


def test_audit_verify_reports_a_tampered_event(world, as_user, database_url, monkeypatch, seed):
    """``sanshe audit verify`` exits 0 on intact chains and 1 naming the case and event after tampering."""
    reference = new_case(as_user)
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    _register()
    runner = CliRunner()
    clean = runner.invoke(cli, ["audit", "verify", "--district", "haishu"])
    assert clean.exit_code == 0, clean.output
    assert "0 breaks" in clean.output

    async def tamper(session):
        await session.execute(text('UPDATE case_events SET payload = \'{"title": "x"}\' WHERE seq = 1'))

    seed(tamper)
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert reference in broken.output
    assert "event #1" in broken.output
