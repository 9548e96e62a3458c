"""Plates are whole only for the car's own household and the people who run the estate; anyone else sees them masked
(浙B·10***) — on the public statement and its exports, in the published content behind the hash, and in a resident's
own reports of other people's cars (page and API)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from core.testing import login
from plugins.parking import money
from plugins.parking.plates import mask_plate
from plugins.parking.tests.money_support import API, add_treasurer_and_agreement, auth
from plugins.parking.tests.patrol_support import PLATE, prepare
from plugins.parking.tests.patrol_support import PNG as PNG_BASE64

BASE = "/d/haishu/parking"
THIS_MONTH = money.month_of(money.today()).strftime("%Y-%m")
MASKED = "浙B·10***"


def test_mask_keeps_province_letter_and_two_characters():
    """The province, the letter and two characters stay; new-energy plates hide one more; short input stays short."""
    assert mask_plate("浙B10001") == MASKED
    assert mask_plate("浙BD12345") == "浙B·D1****"
    assert mask_plate("浙B") == "浙B" and mask_plate("") == ""


def test_a_card_fee_on_the_published_statement_never_shows_the_whole_plate(client, world, seed):
    """The treasurer records the resident's card fee and publishes the month: the public page, its XLSX, the API's
    published content and the resident's statement page show 浙B·10***; the committee's card list and the owner's own
    page show 浙B10001 whole."""
    from litestar.testing import TestClient

    permit = prepare(seed, world)
    seed(lambda s: add_treasurer_and_agreement(s, world))
    fee = client.post(
        f"{API}/estates/{world.estate}/fund/income",
        json={"source": "permit", "permit_id": permit, "period": THIS_MONTH, "amount_yuan": "300"},
        headers=auth(world, "parking-treasurer"),
    )
    assert fee.status_code == 201, fee.text
    published = client.post(
        f"{API}/estates/{world.estate}/statements", json={"month": THIS_MONTH}, headers=auth(world, "parking-treasurer")
    )
    assert published.status_code == 201, published.text
    assert MASKED in published.text and PLATE not in published.text

    public = client.get(f"/d/haishu/public/parking/estates/{world.estate}/statements/{THIS_MONTH}")
    assert public.status_code == 200 and MASKED in public.text and PLATE not in public.text
    sheet = load_workbook(
        io.BytesIO(
            client.get(
                f"/d/haishu/public/parking/estates/{world.estate}/statements/{THIS_MONTH}/statement.xlsx"
            ).content
        )
    ).active
    cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert MASKED in cells and PLATE not in cells

    with TestClient(app=client.app) as owner:
        login(owner, "resident")
        statement = owner.get(f"{BASE}/mine/statements")
        assert statement.status_code == 200 and MASKED in statement.text and PLATE not in statement.text
        assert PLATE in owner.get(f"{BASE}/mine").text
    with TestClient(app=client.app) as chair:
        login(chair, "parking-chair")
        assert PLATE in chair.get(f"{BASE}/estates/{world.estate}/permits").text


def test_a_residents_report_of_another_car_shows_it_masked_to_the_reporter(client, world, seed):
    """The reporter's list (page and API) masks the other household's plate; the patrollers' list shows it whole."""
    from litestar.testing import TestClient

    prepare(seed, world)
    body = {"estate_id": world.estate, "plate": "浙B20001", "place": "P-02"}
    sent = client.post(
        f"{API}/car-reports",
        json={**body, "photo_name": "car.png", "photo_base64": PNG_BASE64},
        headers=auth(world, "resident"),
    )
    assert sent.status_code == 201 and sent.json()["plate"] == "浙B·20***", sent.text
    mine = client.get(f"{API}/car-reports/mine", headers=auth(world, "resident")).json()
    assert [r["plate"] for r in mine] == ["浙B·20***"]
    listed = client.get(f"{API}/estates/{world.estate}/car-reports", headers=auth(world, "patroller")).json()
    assert [r["plate"] for r in listed] == ["浙B20001"]
    with TestClient(app=client.app) as reporter:
        login(reporter, "resident")
        page = reporter.get(f"{BASE}/mine/report").text
        assert "浙B·20***" in page and "浙B20001" not in page
