"""What people read on time-bank pages and statements: names and labels, never keys, ids or the wrong language."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from core.models.cases import CaseEvent
from core.testing import login
from plugins.time_bank import accounts, exports
from plugins.time_bank.tests.support import bank_of, post_need, step
from plugins.time_bank.tests.test_accounts import _pay

ME = "/d/haishu/time-bank"
TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.DOTALL)


def _seen(html: str) -> str:
    """The page's visible text (inside <main>), spaces collapsed."""
    main = html.split("<main", 1)[-1].split(">", 1)[-1].split("</main>", 1)[0]
    return " ".join(TAGS.sub(" ", main).split())


def test_hook_case_field_labels(client, world, as_user):
    """A need for 探访 in 平桥时间银行: its case page reads 平桥时间银行 and 探访, never "1"/"visit", no "#id"."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank, category="visit"))
    login(client, "tb-staff")
    text = _seen(client.get(f"/d/haishu/cases/{ref}").text)
    fields = text.split("详细信息", 1)[1].strip()
    assert fields.startswith("时间银行 平桥时间银行"), fields[:80]
    assert "服务类别 探访" in fields
    assert "visit" not in text
    assert not re.search(r"#\d+", text), re.findall(r".{20}#\d+", text)


def test_credited_case_shows_no_transfer_id(client, world, as_user):
    """Once credited, the panel says how much; the ledger transfer's database id is not shown."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank, category="patrol"))
    as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
    as_user("volunteer", lambda ctx: step(ctx, ref, "complete", served_on="2026-01-05", minutes=60))
    as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    login(client, "tb-staff")
    text = _seen(client.get(f"/d/haishu/cases/{ref}").text)
    assert "已计入时间 1 小时 30 分钟" in text  # patrol counts 150 %
    assert "巡查" in text and "patrol" not in text
    assert not re.search(r"#\d+", text)


def test_filed_event_without_a_channel_has_no_empty_brackets(client, world, as_user, seed):
    """A "created" event with no channel recorded (the demo's history) reads 登记了案件（网上）, never （）."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank))

    async def drop_channel(session):
        event = (
            (await session.execute(select(CaseEvent).where(CaseEvent.kind == "created").order_by(CaseEvent.id.desc())))
            .scalars()
            .first()
        )
        event.payload = {k: v for k, v in event.payload.items() if k != "channel"}

    seed(drop_channel)
    login(client, "resident")
    text = _seen(client.get(f"/d/haishu/cases/{ref}").text)
    assert "（）" not in text
    assert "登记了案件（网上）" in text, text[text.find("办理记录") :][:120]


def _lines(world: Any, seed: Any) -> Any:
    async def read(session):
        from core import ledger
        from plugins.time_bank import banks

        bank = await bank_of(session, world.bank)
        account = await banks.account_of(session, bank, world.users["volunteer"])
        from datetime import UTC, datetime, timedelta

        now = datetime.now(UTC)
        return await ledger.statement(session, account_id=account.id, start=now - timedelta(days=1), end=now)

    return seed(read)


def test_statement_prints_category_names_and_chinese_reasons(client, world, seed):
    """A gift made from the English UI and a patrol credit: the statement rows read 转赠家人（母亲）/转赠 and 巡查."""
    _pay(seed, world, "volunteer", 600)

    async def gift_in_english(session):
        from core.i18n import use_locale

        bank = await bank_of(session, world.bank)
        with use_locale("en"):
            await accounts.gift(
                session, bank, world.users["volunteer"], world.users["resident"], 60, key="en", by=None, locale="en"
            )

    seed(gift_in_english)
    statement = _lines(world, seed)
    info = exports.StatementInfo("平桥时间银行", "平桥社工站", "志愿者", "2026", categories={"chat": "陪聊"})
    rows = exports.statement_rows(info, statement)
    assert [(r[1], r[2]) for r in rows] == [("测试服务", "陪聊"), ("转赠家人（母亲）", "转赠")]
    login(client, "volunteer")
    response = client.get(f"{ME}/statement.xlsx?bank={world.bank}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {"陪聊", "转赠", "转赠家人（母亲）"} <= cells
    assert not cells & {"chat", "gift", "Gift to family (母亲)"}
