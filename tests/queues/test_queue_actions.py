"""Working cases from the queue: claim and assign a row, bulk transitions with a result per row, saved queues."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.cases import service
from core.models import User
from core.models.cases import Case, SavedQueue
from core.testing import csrf_of
from tests.queues.conftest import HTMX, htmx, make_casework, make_requests


def token(client):
    """The CSRF token the queue page hands out."""
    return csrf_of(client, "/d/haishu/cases")


def state_of(seed, reference):
    async def run(session):
        case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
        return case.state, case.assignee_id

    return seed(run)


def user_id(seed, username):
    async def run(session):
        return (await session.execute(select(User.id).where(User.username == username))).scalar_one()

    return seed(run)


def test_claim_from_the_row(as_user, world, logged_in, seed):
    """Claim gives the row to the user and says so; a second claimer is told who took it."""
    (ref,) = make_requests(as_user, 1)
    client = logged_in("worker")
    response = client.post(
        "/d/haishu/queues/act", data={"ref": ref, "action": "claim", "_csrf_token": token(client)}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<tr id="case-')
    assert 'role="status">' in response.text
    assert "已认领，办理人：worker。" in response.text and "已完成" not in response.text
    assert state_of(seed, ref)[1] == user_id(seed, "worker")
    client = logged_in("social")
    refused = client.post(
        "/d/haishu/queues/act", data={"ref": ref, "action": "claim", "_csrf_token": token(client)}, headers=HTMX
    )
    assert 'class="row-message error"' in refused.text
    assert "worker" in refused.text
    assert state_of(seed, ref)[1] == user_id(seed, "worker")


def test_fragment_addresses_opened_as_pages_go_to_the_queue(as_user, world, logged_in):
    """The sidebar counts, a row's menu and the bulk bar are htmx fragments: a browser opening one gets the queue."""
    (ref,) = make_requests(as_user, 1)
    client = logged_in("worker")
    for path in ("/queues/counts", f"/queues/menu?ref={ref}", f"/queues/bulk-steps?ref={ref}"):
        response = client.get(f"/d/haishu{path}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/d/haishu/cases", path
    assert 'id="main"' in client.get("/d/haishu/queues/menu").text  # followed: the whole queue page


def test_assign_from_the_row_menu(as_user, world, logged_in, seed):
    """The row menu offers the district's staff (never residents: their names are not for others to see);
    assigning one shows them in the row and says so."""
    (ref,) = make_requests(as_user, 1)
    client = logged_in("worker")
    menu = client.get(f"/d/haishu/queues/menu?ref={ref}", headers=htmx("")).text
    assert ">social<" in menu and ">resident<" not in menu and ">resident2<" not in menu
    assert ">resident<" not in client.get("/d/haishu/cases").text
    social = user_id(seed, "social")
    assert f'<option value="{social}"' in menu
    assert f"/cases/{ref}?step=return_for_info#case-actions" in menu  # a step with a reason opens its form
    row = client.post(
        "/d/haishu/queues/act",
        data={"ref": ref, "action": "assign", "assignee": str(social), "_csrf_token": token(client)},
        headers=htmx("", "http://testserver.local/d/haishu/cases?col=reference&col=assignee"),
    ).text
    assert re.search(r'class="col-assignee">\s*social', row)
    assert "已分配给 social。" in row
    assert 'class="col-title"' not in row  # the row keeps the page's columns
    assert state_of(seed, ref)[1] == social


def test_row_action_without_htmx_redirects_with_a_notice(as_user, world, logged_in):
    """Without JavaScript, a row action goes back to the queue, which shows what happened."""
    (ref,) = make_requests(as_user, 1)
    client = logged_in("worker")
    response = client.post(
        "/d/haishu/queues/act",
        data={"ref": ref, "action": "claim", "_csrf_token": token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert f"{ref}: " in client.get(response.headers["location"]).text


def triage(as_user, reference, difficulty):
    async def run(ctx):
        case, definition = await service.get_case(ctx, reference)
        await service.perform_transition(
            ctx, case, definition, "triage", data={"category": "environment", "difficulty": difficulty}
        )

    as_user("social", run)


def test_bulk_step_is_all_or_nothing_and_names_each_refused_row(as_user, world, logged_in, seed):
    """One row the step does not fit (a guard, a case the user cannot see) refuses the whole bulk step:
    nothing changes and each refused row says why; without them the step moves every row."""
    simple, hard = make_requests(as_user, 2)
    triage(as_user, simple, "simple")
    triage(as_user, hard, "hard")
    hidden = make_casework(as_user, "social2", world["mudan"])
    client = logged_in("social")
    page = client.get("/d/haishu/cases?state=triaged").text
    assert '<option value="transition:to_community">' in page
    response = client.post(
        "/d/haishu/queues/bulk",
        data={"ref": [simple, hard, hidden], "action": "transition:to_community", "_csrf_token": token(client)},
        headers=htmx("queue-bulk-result"),
    )
    assert "HX-Trigger" not in response.headers
    assert "没有做任何更改：所选 3 件中有 2 件不能执行这个操作。" in response.text
    results = dict(re.findall(r"<td>([A-Z]+-\d{4}-\d{6})</td>\s*<td>(.*?)</td>", response.text, re.S))
    assert simple not in results, response.text
    assert "只有简单诉求才能交社区办理" in results.get(hard, ""), response.text
    assert "无权查看" in results[hidden]
    assert state_of(seed, simple)[0] == "triaged" and state_of(seed, hard)[0] == "triaged"
    plain = client.post(
        "/d/haishu/queues/bulk",
        data={"ref": [simple, hard], "action": "transition:to_community", "_csrf_token": token(client)},
    )
    assert plain.status_code == 400 and "没有做任何更改" in plain.text
    done = client.post(
        "/d/haishu/queues/bulk",
        data={"ref": [simple], "action": "transition:to_community", "_csrf_token": token(client)},
        headers=htmx("queue-bulk-result"),
    )
    assert done.headers["HX-Trigger"] == "queue-refresh" and "共 1 项，已完成 1 项。" in done.text
    assert state_of(seed, simple)[0] == "community_handling"


def test_bulk_bar_offers_only_the_steps_every_ticked_row_can_take(as_user, world, logged_in):
    """A triaged request offers 交社区办理; ticked together with a new one (which cannot take it) it is gone."""
    fresh, triaged = make_requests(as_user, 2)
    triage(as_user, triaged, "simple")
    client = logged_in("social")
    one = client.get(f"/d/haishu/queues/bulk-steps?ref={triaged}", headers=htmx("queue-bulk-steps")).text
    assert one.lstrip().startswith('<span id="queue-bulk-steps"')
    assert 'value="transition:to_community"' in one and 'value="assign"' in one
    both = client.get(f"/d/haishu/queues/bulk-steps?ref={triaged}&ref={fresh}", headers=htmx("queue-bulk-steps"))
    assert "transition:to_community" not in both.text and 'value="assign"' in both.text


def test_bulk_assign(as_user, world, logged_in, seed):
    """Bulk assign gives every selected case to the chosen member."""
    refs = make_requests(as_user, 3)
    social = user_id(seed, "social")
    client = logged_in("worker")
    client.post(
        "/d/haishu/queues/bulk",
        data={"ref": refs, "action": "assign", "assignee": str(social), "_csrf_token": token(client)},
        headers=htmx("queue-bulk-result"),
    )
    assert {state_of(seed, r)[1] for r in refs} == {social}


def test_bulk_without_selection(world, logged_in):
    """Applying a bulk action to nothing asks for a selection."""
    client = logged_in("worker")
    response = client.post(
        "/d/haishu/queues/bulk",
        data={"action": "assign", "_csrf_token": token(client)},
        headers=htmx("queue-bulk-result"),
    )
    assert "请先选择个案。" in response.text


def test_personal_saved_queue_shows_only_for_its_owner(as_user, world, logged_in):
    """A saved queue appears in its owner's sidebar with its filters; colleagues do not see it."""
    make_requests(as_user, 1, channel="walk_in")
    client = logged_in("worker")
    response = client.post(
        "/d/haishu/queues/saved",
        data={"name": "我的来访件", "query": "channel=walk_in&col=reference", "_csrf_token": token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/d/haishu/cases?queue=q")  # the saved queue opens, by a shareable link
    page = client.get(location).text
    assert "我的来访件" in page
    assert f'href="{location}"' in page
    assert '<th scope="col" class="col-reference"' in page and 'class="col-title"' not in page
    assert "我的来访件" not in logged_in("social").get("/d/haishu/cases").text


def test_shared_queue_needs_a_district_admin(world, logged_in, seed):
    """Only a district admin may share a queue; everyone then sees it, and it can be removed again."""
    client = logged_in("worker")
    refused = client.post(
        "/d/haishu/queues/saved",
        data={"name": "全区超期", "query": "scope=overdue", "shared": "1", "_csrf_token": token(client)},
    )
    assert refused.status_code == 403
    client = logged_in("dadmin")
    client.post(
        "/d/haishu/queues/saved",
        data={"name": "全区超期", "query": "scope=overdue", "shared": "1", "_csrf_token": token(client)},
    )
    assert "全区超期" in logged_in("social").get("/d/haishu/cases").text

    async def saved(session):
        return (await session.execute(select(SavedQueue.id, SavedQueue.owner_id))).all()

    [(queue_id, owner)] = seed(saved)
    assert owner is None
    client = logged_in("worker")
    assert (
        client.post("/d/haishu/queues/saved/delete", data={"id": queue_id, "_csrf_token": token(client)}).status_code
        == 403
    )
    client = logged_in("dadmin")
    client.post("/d/haishu/queues/saved/delete", data={"id": queue_id, "_csrf_token": token(client)})
    assert seed(saved) == []


def test_htmx_blocks(as_user, world, logged_in):
    """The same URL gives the whole page, the main area, or the table, as the htmx target asks."""
    make_requests(as_user, 1)
    client = logged_in("worker")
    full = client.get("/d/haishu/cases")
    assert "<html" in full.text and 'src="/static/queue.js?v=' in full.text
    assert "HX-Request" in full.headers["vary"]
    main = client.get("/d/haishu/cases?scope=mine", headers=htmx("queue-main")).text
    assert main.lstrip().startswith('<section id="queue-main"') and "<html" not in main
    assert '<option value="mine" selected>' in main
    table = client.get("/d/haishu/cases?scope=all&open=open&channel=phone&sort=-updated", headers=htmx("queue-table"))
    assert table.text.lstrip().startswith('<div id="queue-table"')
    assert table.headers["HX-Push-Url"] == "/d/haishu/cases?channel=phone"  # the short link of this filter state
    restore = client.get("/d/haishu/cases", headers={**htmx("queue-table"), "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text
