"""The bank's rules page: staff edit categories, rates, limits, cap, expiry, gifts and incentives from the browser."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import ledger
from core.testing import csrf_of, login
from plugins.time_bank import banks
from plugins.time_bank.models import Bank, Category

TB = "/d/haishu/time-bank"


def _rules(world: Any) -> str:
    return f"{TB}/banks/{world.bank}/rules"


def _state(seed: Any, bank_id: int, user_id: int) -> dict[str, Any]:
    async def load(session: Any) -> dict[str, Any]:
        bank = (await session.execute(select(Bank).where(Bank.id == bank_id))).scalar_one()
        cats = (await session.execute(select(Category).where(Category.bank_id == bank_id))).scalars()
        account = await ledger.get_account(
            session, district_id=bank.district_id, owner_ref=banks.member_ref(bank_id, user_id), unit="minutes"
        )
        assert account is not None
        return {
            "limits": (bank.min_balance, bank.max_balance, bank.yearly_cap, bank.expiry_months, bank.gift_yearly_max),
            "incentives": list(bank.incentives),
            "cats": {c.key: (c.active, c.rate_percent, c.name_zh) for c in cats},
            "account": (account.min_balance, account.max_balance),
        }

    return seed(load)


def _form(**changes: Any) -> dict[str, Any]:
    """The form as the page fills it for the test bank (no limits, rates as in support.CATEGORIES)."""
    form: dict[str, Any] = {
        "min_balance": "0",
        "max_balance": "",
        "yearly_cap": "",
        "expiry_months": "",
        "gift_yearly_max": "",
        "inc_count": "2",
    }
    for key, rate in (
        ("chat", "1"),
        ("visit", "1"),
        ("meals", "1"),
        ("patrol", "1.5"),
        ("haircut", "2"),
        ("consult", "0"),
    ):
        form[f"rate_{key}"] = rate
        form[f"counted_{key}"] = "on"
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    token = csrf_of(client, path)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def test_staff_open_the_rules_filled_from_the_bank(client, world):
    """The bank's staff find the page from the console; it shows each category with its rate and the limits."""
    login(client, "tb-staff")
    assert f'href="{_rules(world)}"' in client.get(f"{TB}/banks/{world.bank}").text
    response = client.get(_rules(world))
    assert response.status_code == 200
    page = response.text
    assert "规则 · 平桥时间银行" in page and 'name="_csrf_token"' in page
    assert "巡查" in page and 'name="rate_patrol" inputmode="decimal" value="1.5"' in page
    assert 'name="counted_chat"' in page and 'id="tb-min_balance" type="text" name="min_balance" value="0"' in page
    assert "激励规则" in page and 'name="inc_count" value="2"' in page


def test_staff_save_the_rules(client, world, seed):
    """Every rule saved through update_rules: limits in minutes, rates, a category off, a new one, an incentive."""
    login(client, "tb-staff")
    data = _form(
        min_balance="-2",
        max_balance="100",
        yearly_cap="200",
        expiry_months="12",
        gift_yearly_max="10",
        rate_patrol="2",
        counted_consult=None,
        new_name_zh="维修",
        new_name_en="Repairs",
        new_key="repair",
        new_rate="1.5",
        inc_name_0="百小时徽章",
        inc_threshold_0="100",
        inc_bonus_0="5",
        inc_period_0="ever",
    )
    response = _post(client, _rules(world), data)
    assert response.status_code == 303, response.text
    page = client.get(_rules(world)).text
    assert "平桥时间银行 的规则已保存。" in page and 'value="百小时徽章"' in page
    state = _state(seed, world.bank, world.users["volunteer"])
    assert state["limits"] == (-120, 6000, 12000, 12, 600)
    assert state["account"] == (-120, 6000)
    assert state["incentives"] == [
        {"key": "rule_1", "name": "百小时徽章", "threshold": 6000, "bonus": 300, "period": "ever"}
    ]
    assert state["cats"]["patrol"] == (True, 200, "巡查")
    assert state["cats"]["consult"] == (False, 0, "咨询")
    assert state["cats"]["repair"] == (True, 150, "维修")
    # Saved again as shown: the incentive keeps its key (badges already given are not given twice).
    assert (
        _post(
            client,
            _rules(world),
            {**data, "new_name_zh": "", "new_key": "", "inc_key_0": "rule_1", "rate_repair": "1.5"},
        ).status_code
        == 303
    )
    assert _state(seed, world.bank, world.users["volunteer"])["incentives"][0]["key"] == "rule_1"


def test_bad_rules_change_nothing_and_say_why_by_each_field(client, world, seed):
    """Wrong fields come back (400) with Chinese messages next to them and what was typed; the bank is unchanged."""
    login(client, "tb-staff")
    before = _state(seed, world.bank, world.users["volunteer"])
    data = _form(
        min_balance="-1",
        max_balance="0",
        yearly_cap="abc",
        expiry_months="0",
        rate_patrol="九十",
        inc_name_0="",
        inc_threshold_0="10",
        new_key="chat",
        new_name_zh="重复",
    )
    response = _post(client, _rules(world), data)
    assert response.status_code == 400
    page = response.text
    assert "请修改标出的字段；尚未保存任何内容。" in page
    assert 'id="tb-max_balance-error"' in page and "最高余额必须大于零且大于最低余额。" in page
    assert 'id="tb-yearly_cap-error"' in page and "请输入小时数，例如 1.5。" in page
    assert 'id="tb-expiry_months-error"' in page and "请输入 1 到 120 之间的整月数" in page
    assert 'id="tb-rate_patrol-error"' in page and 'value="九十"' in page
    assert 'id="tb-inc_name_0-error"' in page and 'value="10"' in page
    assert 'id="tb-new_key-error"' in page and 'value="重复"' in page
    assert _state(seed, world.bank, world.users["volunteer"]) == before
    none_counted = {k: v for k, v in _form().items() if not k.startswith("counted_")}
    response = _post(client, _rules(world), none_counted)
    assert response.status_code == 400 and "至少要有一个计入的服务类别。" in response.text
    assert _state(seed, world.bank, world.users["volunteer"]) == before


def test_htmx_errors_come_back_as_the_page_block(client, world):
    """With htmx the form comes back as the content block (200, htmx swaps no 4xx) with the messages."""
    login(client, "tb-staff")
    token = csrf_of(client, _rules(world))
    response = client.post(
        _rules(world),
        data={**_form(expiry_months="x"), "_csrf_token": token},
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="tb-expiry_months-error"' in response.text


def test_who_may_edit_the_rules(client, world, seed):
    """This bank's staff and district admins may; another bank's staff, volunteers 403; another district 404."""
    before = _state(seed, world.bank, world.users["volunteer"])
    for name in ("tb-staff2", "volunteer"):
        client.cookies.clear()
        login(client, name)
        assert client.get(_rules(world)).status_code == 403
        token = csrf_of(client, TB)
        response = client.post(_rules(world), data={**_form(min_balance="-5"), "_csrf_token": token})
        assert response.status_code == 403
    client.cookies.clear()
    login(client, "yz-staff")
    assert client.get(f"/d/yinzhou/time-bank/banks/{world.bank}/rules").status_code == 404
    assert _state(seed, world.bank, world.users["volunteer"]) == before
    client.cookies.clear()
    login(client, "district-admin")
    assert client.get(_rules(world)).status_code == 200
    assert _post(client, _rules(world), _form(yearly_cap="300")).status_code == 303
    assert _state(seed, world.bank, world.users["volunteer"])["limits"][2] == 300 * 60
    client.cookies.clear()
    assert client.get(_rules(world), follow_redirects=False).status_code == 303
