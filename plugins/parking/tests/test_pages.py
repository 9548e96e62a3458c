"""The parking pages as people see them: the owner votes online, staff enter paper ballots, cards from the phone."""

from __future__ import annotations

from core.testing import csrf_of, login
from plugins.parking.tests.support import adopt_convention

BASE = "/d/haishu/parking"
HTMX = {"HX-Request": "true"}


def _post(client, url: str, data: dict, page: str | None = None, **kw):
    token = csrf_of(client, page or url.rsplit("/", 1)[0])
    return client.post(url, data={**data, "_csrf_token": token}, follow_redirects=False, **kw)


def test_worker_drafts_a_convention_puts_it_to_the_vote_and_the_owner_votes_online(client, world):
    """A worker drafts and opens the vote; the owner votes for their flat on the page; staff enter a paper ballot."""
    login(client, "worker")
    estate_url = f"{BASE}/estates/{world.estate}"
    page = client.get(estate_url)
    assert page.status_code == 200
    assert "偃月小区" in page.text and "P-01" in page.text and "周主任" in page.text
    drafted = _post(
        client,
        f"{estate_url}/conventions",
        {"title": "偃月小区停车公约", "body": "一户一车优先。", "first_car_yuan": "0", "second_car_yuan": "50.00"},
        page=estate_url,
    )
    assert drafted.status_code == 303
    convention_url = drafted.headers["location"]
    opened = _post(client, f"{convention_url}/vote", {})
    assert opened.status_code == 303
    page = client.get(convention_url).text
    assert "业主表决中" in page and "0 / 6" in page
    entered = _post(
        client,
        f"{convention_url}/ballot",
        {"household_id": str(world.households[1]), "choice": "against", "channel": "door_to_door"},
        page=convention_url,
    )
    assert entered.status_code == 303
    client.get("/logout")
    owner = login(client, "resident")
    page = owner.get(convention_url).text
    assert "我的投票" in page
    voted = _post(
        owner,
        f"{convention_url}/ballot",
        {"household_id": str(world.households[0]), "choice": "for", "channel": "online"},
        page=convention_url,
    )
    assert voted.status_code == 303
    page = owner.get(convention_url).text
    assert "2</strong> / 6" in page
    assert "我的投票" not in page  # the household has voted: no second ballot form


def test_resident_cannot_vote_for_a_neighbour_or_enter_paper_ballots(client, world, seed):
    """Another household's ballot (403), and a paper ballot from a resident (403): nothing is counted."""
    seed(lambda s: adopt_convention(s, world))
    owner = login(client, "resident")
    url = f"{BASE}/estates/{world.estate}"
    login(client, "worker")
    drafted = _post(client, f"{url}/conventions", {"title": "第二版", "body": "修订"}, page=url)
    _post(client, f"{drafted.headers['location']}/vote", {})
    client.get("/logout")
    owner = login(client, "resident")
    ballot = f"{drafted.headers['location']}/ballot"
    page = drafted.headers["location"]
    assert (
        _post(owner, ballot, {"household_id": str(world.households[1]), "choice": "for"}, page=page).status_code == 403
    )
    paper = {"household_id": str(world.households[1]), "choice": "for", "channel": "paper"}
    assert _post(owner, ballot, paper, page=page).status_code == 403
    assert "0</strong> / 6" in owner.get(page).text


def test_resident_applies_on_the_phone_page_and_sees_the_card(client, world, seed):
    """The resident picks a car of their household; the card shows as applied; the committee issues it."""
    seed(lambda s: adopt_convention(s, world))
    login(client, "resident")
    page = client.get(f"{BASE}/mine")
    assert page.status_code == 200
    assert "浙B10001" in page.text  # the household's cars are offered
    household = f"{world.estate}:{world.households[0]}"
    applied = _post(client, f"{BASE}/mine", {"household": household, "plate": "浙B10001"})
    assert applied.status_code == 303
    page = client.get(f"{BASE}/mine").text
    assert "浙B10001" in page and "已申请" in page
    client.get("/logout")
    login(client, "parking-chair")
    permits_url = f"{BASE}/estates/{world.estate}/permits"
    listing = client.get(permits_url).text
    assert "浙B10001" in listing and "批准" in listing
    permit_id = listing.split('id="permit-')[1].split('"')[0]
    assert _post(client, f"{BASE}/permits/{permit_id}/approve", {}, page=permits_url).status_code == 303
    assert _post(client, f"{BASE}/permits/{permit_id}/issue", {}, page=permits_url).status_code == 303
    assert "P-0001" in client.get(permits_url).text


def test_bad_input_comes_back_next_to_the_field_and_nothing_is_saved(client, world, seed):
    """A plate not registered to the household: 400 with the message by the field; htmx gets the block with 200."""
    seed(lambda s: adopt_convention(s, world))
    login(client, "worker")
    url = f"{BASE}/estates/{world.estate}/permits"
    data = {"household_id": str(world.households[0]), "plate": "浙A99999"}
    refused = _post(client, url, data)
    assert refused.status_code == 400
    assert "未登记在这一户名下" in refused.text or "该车牌未登记在这一户名下" in refused.text
    assert 'value="浙A99999"' in refused.text
    fragment = _post(client, url, data, headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "暂无停车卡" in client.get(url).text


def test_applying_before_adoption_says_why(client, world):
    """Before the owners adopt a convention the window's form refuses with the reason (409)."""
    login(client, "worker")
    url = f"{BASE}/estates/{world.estate}/permits"
    assert "尚未有经业主表决通过的停车公约" in client.get(url).text
    refused = _post(client, url, {"household_id": str(world.households[0]), "plate": "浙B10001"})
    assert refused.status_code == 409
    assert "尚未经业主表决通过" in refused.text


def test_committee_pages_are_closed_to_residents_and_patrollers(client, world):
    """A resident and a patroller get 403 on the cards page and the whitelist; the estate page they may read."""
    for user in ("resident", "patroller"):
        login(client, user)
        assert client.get(f"{BASE}/estates/{world.estate}/permits").status_code == 403
        assert client.get(f"{BASE}/estates/{world.estate}/whitelist.csv").status_code == 403
        assert client.get(f"{BASE}/estates/{world.estate}").status_code == 200
        client.get("/logout")


def test_worker_puts_an_estate_under_self_governance_and_adds_spaces(client, world):
    """银月小区 is added; a space code twice is refused next to the field."""
    login(client, "worker")
    page = client.get(BASE)
    assert "银月小区" in page.text
    estate_id = page.text.split('<option value="')[2].split('"')[0]
    added = _post(client, f"{BASE}/estates", {"estate_id": estate_id}, page=BASE)
    assert added.status_code == 303
    url = added.headers["location"]
    assert _post(client, f"{url}/spaces", {"code": "b-01", "kind": "fixed"}, page=url).status_code == 303
    twice = _post(client, f"{url}/spaces", {"code": "B-01", "kind": "pool"}, page=url)
    assert twice.status_code == 409
    assert "编号已被本小区使用" in twice.text
    assert client.get(url).text.count("B-01") == 1
