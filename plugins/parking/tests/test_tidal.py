"""Tidal sharing: no two allocations of a space overlap (weekly, across midnight, the same-minute hand-over),
also under 10 parallel allocations; tidal cards only under a signed agreement; the district's totals."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from core.testing import csrf_of, login
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.parking.models import TidalSlot
from plugins.parking.tests.support import adopt_convention
from plugins.parking.tidal import overlaps

API = "/api/v1/districts/haishu/parking"
BASE = "/d/haishu/parking"
WORKDAYS = "12345"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# A partner employee's two documents, inline as the API takes them.
DOCUMENTS = {
    "identity_base64": base64.b64encode(PNG).decode(),
    "identity_name": "身份证.png",
    "employer_letter_base64": base64.b64encode(PDF).decode(),
    "employer_letter_name": "在职证明.pdf",
}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("12345", 510, 1020), ("1", 960, 1080), True),  # Mon 16:00–18:00 inside the office window
        (("12345", 510, 1020), ("1234567", 1020, 510), False),  # 17:00–08:30 next morning: the hand-over
        (("12345", 510, 1020), ("5", 1019, 1021), True),  # one minute of Friday
        (("7", 1320, 540), ("1", 510, 600), True),  # Sunday 22:00 → Monday 09:00 meets Monday 08:30
        (("7", 1320, 510), ("1", 510, 600), False),  # … ending at 08:30 sharp: hand-over at the same minute
        (("6", 0, 1440), ("12345", 0, 1440), False),  # Saturday all day vs workdays all day
        (("3", 1380, 60), ("4", 30, 90), True),  # Wednesday night into Thursday 00:30
    ],
)
def test_weekly_windows_overlap_half_open(a, b, expected):
    """Weekly windows are half-open minute-of-week intervals; a window ending at its start's clock crosses midnight."""
    assert overlaps(a, b) is expected
    assert overlaps(b, a) is expected


def _auth(world, user="worker"):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _space(client, world, code="T-05"):
    response = client.post(
        f"{API}/estates/{world.estate}/spaces", json={"code": code, "kind": "tidal"}, headers=_auth(world)
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _agreement(client, world, partner="光大厦", spaces=30):
    body = {
        "partner": partner,
        "space_count": spaces,
        "days": WORKDAYS,
        "start": "08:30",
        "end": "17:00",
        "price_fen": 30000,
        "term_from": "2026-01-01",
        "term_to": "2027-12-31",
    }
    response = client.post(f"{API}/estates/{world.estate}/agreements", json=body, headers=_auth(world))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _allocate(client, world, space, holder, days, start, end, agreement=None):
    body = {
        "space_id": space,
        "holder": holder,
        "days": days,
        "start": start,
        "end": end,
        "valid_from": "2026-12-01",
        "valid_to": "2027-11-30",
        "agreement_id": agreement,
    }
    return client.post(f"{API}/estates/{world.estate}/allocations", json=body, headers=_auth(world))


def test_office_worker_gets_a_card_only_after_signing_and_residents_share_the_space_by_night(client, world, seed):
    """P2: no card before signing (409); signed → card Mon–Fri 08:30–17:00; a resident's 16:00–18:00 on T-05 is
    refused, 17:00–08:30 is accepted (the hand-over), a Sunday night to 09:00 is refused."""
    seed(lambda s: adopt_convention(s, world))
    space = _space(client, world)
    agreement = _agreement(client, world)
    employee = {"holder_name": "周晓", "plate": "沪A12345", **DOCUMENTS}
    early = client.post(f"{API}/agreements/{agreement}/permits", json=employee, headers=_auth(world))
    assert early.status_code == 409
    assert "协议尚未签署" in early.json()["detail"]
    assert _allocate(client, world, space, "光大厦", WORKDAYS, "08:30", "17:00", agreement).status_code == 409
    signed = client.post(
        f"{API}/agreements/{agreement}/sign", json={"signatories": "李国华；光大厦 王经理"}, headers=_auth(world)
    )
    assert signed.json()["status"] == "signed"
    card = client.post(f"{API}/agreements/{agreement}/permits", json=employee, headers=_auth(world))
    assert card.status_code == 201, card.text
    assert (card.json()["kind"], card.json()["days"], card.json()["start"], card.json()["end"]) == (
        "tidal",
        WORKDAYS,
        "08:30",
        "17:00",
    )
    assert _allocate(client, world, space, "光大厦", WORKDAYS, "08:30", "17:00", agreement).status_code == 201
    clash = _allocate(client, world, space, "王美华", "1", "16:00", "18:00")
    assert clash.status_code == 409
    assert "已分配给 光大厦" in clash.json()["detail"]
    assert _allocate(client, world, space, "王美华", "1234567", "17:00", "08:30").status_code == 201
    assert _allocate(client, world, space, "李建国", "7", "22:00", "09:00").status_code == 409
    listed = client.get(f"{API}/estates/{world.estate}/allocations", headers=_auth(world)).json()
    assert [(a["holder"], a["start"], a["end"]) for a in listed] == [
        ("光大厦", "08:30", "17:00"),
        ("王美华", "17:00", "08:30"),
    ]


def test_a_refusal_names_the_holder_of_that_space_not_of_another(client, world):
    """T-05 by day to 光大厦 and T-06 by day to 塘桥大厦: a clash on T-06 names 塘桥大厦, on T-05 光大厦; a space of
    another estate or none at all is a 400 on the space."""
    first, second = _space(client, world, "T-05"), _space(client, world, "T-06")
    assert _allocate(client, world, first, "光大厦", WORKDAYS, "08:30", "17:00").status_code == 201
    assert _allocate(client, world, second, "塘桥大厦", WORKDAYS, "08:30", "17:00").status_code == 201
    on_second = _allocate(client, world, second, "王美华", "3", "12:00", "13:00")
    assert on_second.status_code == 409
    assert "车位 T-06 在该时段已分配给 塘桥大厦" in on_second.json()["detail"]
    on_first = _allocate(client, world, first, "王美华", "3", "12:00", "13:00")
    assert "车位 T-05 在该时段已分配给 光大厦" in on_first.json()["detail"]
    missing = _allocate(client, world, 999_999, "王美华", "3", "12:00", "13:00")
    assert missing.status_code == 400
    assert "space_id" in missing.text


def test_ten_parallel_allocations_of_one_space_give_it_once(app, client, world):
    """10 allocations of T-05 for the same workday window at once: one 201, nine 409, none 5xx."""
    space = _space(client, world)
    calls = [
        Call(
            "POST",
            f"{API}/estates/{world.estate}/allocations",
            json={
                "space_id": space,
                "holder": f"住户{i}",
                "days": WORKDAYS,
                "start": "08:30",
                "end": "17:00",
                "valid_from": "2026-12-01",
                "valid_to": "2027-11-30",
            },
            token=world.tokens["worker"],
        )
        for i in range(10)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9, [r.text[:200] for r in responses]


def test_twenty_parallel_allocations_of_one_space_give_exactly_the_non_overlapping_ones(app, client, world):
    """Five day windows (08:30–17:00) and five night windows (17:00–08:30 the next morning), each asked for twice at
    once on one space: each window is given once — ten 201 and ten 409 — and the hand-overs at 08:30 and at 17:00
    of the same minute all stand."""
    space = _space(client, world)
    windows = [(day, "08:30", "17:00") for day in "12345"] + [(day, "17:00", "08:30") for day in "12345"]
    calls = [
        Call(
            "POST",
            f"{API}/estates/{world.estate}/allocations",
            json={
                "space_id": space,
                "holder": f"住户{n}-{days}{start}",
                "days": days,
                "start": start,
                "end": end,
                "valid_from": "2026-12-01",
                "valid_to": "2027-11-30",
            },
            token=world.tokens["worker"],
        )
        for days, start, end in windows
        for n in (1, 2)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [201] * 10 + [409] * 10, [r.text[:200] for r in responses]
    assert all(sorted(statuses[k : k + 2]) == [201, 409] for k in range(0, 20, 2)), statuses
    listed = client.get(f"{API}/estates/{world.estate}/allocations", headers=_auth(world)).json()
    assert sorted((a["days"], a["start"], a["end"]) for a in listed) == sorted(windows)


@pytest.mark.postgres_only
def test_the_database_refuses_an_overlapping_slot_written_past_the_application(client, world, seed):
    """On PostgreSQL the exclusion constraint itself refuses a second slot of a space sharing a minute and a day
    (written directly, not through ``allocate``), and accepts one that starts at the minute the first one ends."""
    space = _space(client, world)
    first = _allocate(client, world, space, "光大厦", WORKDAYS, "08:30", "17:00")
    assert first.status_code == 201, first.text
    later = _allocate(client, world, space, "王美华", "1234567", "17:00", "08:30")
    assert later.status_code == 201, later.text
    january = {"allocation_id": later.json()["id"], "space_id": space}
    january |= {"valid_from": date(2027, 1, 1), "valid_to": date(2027, 1, 31)}

    async def write(session, begin, end):
        await session.execute(insert(TidalSlot).values(**january, begin_minute=begin, end_minute=end))

    with pytest.raises(IntegrityError, match="parking_tidal_slot_no_overlap"):
        seed(lambda s: write(s, 960, 1080))  # Monday 16:00–18:00: inside the office's window
    seed(lambda s: write(s, 8640 + 510, 8640 + 600))  # Sunday 08:30–10:00: from the minute the night ends
    assert _allocate(client, world, space, "李建国", "7", "09:00", "09:30").status_code == 409


def test_district_totals_count_signed_agreements_and_drop_a_terminated_one(client, world, seed):
    """P5: two signed agreements (30 + 20 spaces) and a draft: 2 sites, 50 spaces; terminating one revokes its cards
    and releases its allocations: the other partner then gets the space at those hours."""
    seed(lambda s: adopt_convention(s, world))
    first, second = _agreement(client, world, "光大厦", 30), _agreement(client, world, "塘桥大厦", 20)
    _agreement(client, world, "草拟中的公司", 99)
    for agreement in (first, second):
        client.post(f"{API}/agreements/{agreement}/sign", json={"signatories": "双方"}, headers=_auth(world))
    card = client.post(
        f"{API}/agreements/{first}/permits",
        json={"holder_name": "周晓", "plate": "沪A12345", **DOCUMENTS},
        headers=_auth(world),
    ).json()
    totals = client.get(f"{API}/tidal-totals", headers=_auth(world, "resident")).json()
    assert totals == {"sites": 2, "spaces": 50, "estates": 1}
    space = _space(client, world)
    assert _allocate(client, world, space, "光大厦", WORKDAYS, "08:30", "17:00", first).status_code == 201
    assert _allocate(client, world, space, "塘桥大厦", WORKDAYS, "09:00", "12:00", second).status_code == 409
    assert client.post(f"{API}/agreements/{first}/terminate", headers=_auth(world)).json()["status"] == "terminated"
    assert _allocate(client, world, space, "塘桥大厦", WORKDAYS, "09:00", "12:00", second).status_code == 201
    assert client.get(f"{API}/tidal-totals", headers=_auth(world)).json() == {"sites": 1, "spaces": 20, "estates": 1}
    permits = client.get(f"{API}/estates/{world.estate}/permits", headers=_auth(world)).json()
    assert [(p["id"], p["status"]) for p in permits] == [(card["id"], "revoked")]


def _signed_agreement(client, world, seed):
    seed(lambda s: adopt_convention(s, world))
    agreement = _agreement(client, world)
    client.post(f"{API}/agreements/{agreement}/sign", json={"signatories": "双方"}, headers=_auth(world))
    return agreement


def test_api_tidal_card_needs_both_documents_and_the_committee_reads_them(client, world, seed):
    """P2 through the API: without the employer's letter 400 and no card; with both documents 201; the committee
    gets each document back as it was sent, a resident does not."""
    agreement = _signed_agreement(client, world, seed)
    body = {"holder_name": "周晓", "plate": "沪A12345", **DOCUMENTS}
    short = client.post(
        f"{API}/agreements/{agreement}/permits",
        json={k: v for k, v in body.items() if not k.startswith("employer_letter")},
        headers=_auth(world),
    )
    assert short.status_code == 400
    assert "请上传单位证明" in short.json()["detail"]
    assert client.get(f"{API}/estates/{world.estate}/permits", headers=_auth(world)).json() == []
    card = client.post(f"{API}/agreements/{agreement}/permits", json=body, headers=_auth(world))
    assert card.status_code == 201, card.text
    letter = client.get(f"{API}/permits/{card.json()['id']}/documents/employer_letter", headers=_auth(world))
    assert (letter.status_code, letter.content) == (200, PDF)
    assert letter.headers["content-disposition"].endswith(".pdf")
    identity = client.get(f"{API}/permits/{card.json()['id']}/documents/identity", headers=_auth(world))
    assert identity.content == PNG
    assert identity.headers["content-disposition"].endswith(".png")
    denied = client.get(f"{API}/permits/{card.json()['id']}/documents/identity", headers=_auth(world, "resident"))
    assert denied.status_code == 403


def test_property_window_enters_a_tidal_card_with_documents_on_the_page(client, world, seed):
    """P2 on the page: the worker at the property window enters 周晓's application under 光大厦's signed agreement
    with a photo of the ID and the employer's letter; the tidal page lists the card with both documents. Without
    the letter the form comes back with the error and no card is made."""
    agreement = _signed_agreement(client, world, seed)
    login(client, "worker")
    page = f"{BASE}/estates/{world.estate}/tidal"
    fields = {"agreement_id": str(agreement), "holder_name": "周晓", "plate": "沪A12345"}
    missing = client.post(
        f"{BASE}/estates/{world.estate}/tidal-cards",
        data={**fields, "_csrf_token": csrf_of(client, page)},
        files={"identity": ("id.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert missing.status_code == 400
    assert '<small id="pk-k-letter-error" class="field-error">请上传：JPEG、PNG 照片或 PDF。</small>' in missing.text
    assert "还没有潮汐停车卡" in missing.text
    entered = client.post(
        f"{BASE}/estates/{world.estate}/tidal-cards",
        data={**fields, "_csrf_token": csrf_of(client, page)},
        files={"identity": ("id.png", PNG, "image/png"), "employer_letter": ("letter.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert entered.status_code in (302, 303), entered.text[:500]
    shown = client.get(page).text
    assert "周晓" in shown and "沪A12345" in shown and "光大厦" in shown
    card = client.get(f"{API}/estates/{world.estate}/permits", headers=_auth(world)).json()[0]
    assert f"/parking/permits/{card['id']}/documents/identity" in shown
    assert f"/parking/permits/{card['id']}/documents/employer_letter" in shown
    letter = client.get(f"{BASE}/permits/{card['id']}/documents/employer_letter")
    assert (letter.headers["content-type"], letter.content) == ("application/pdf", PDF)
