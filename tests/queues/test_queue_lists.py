"""The queue page's lists and counts: scopes, filters in the URL, keyset pages, search, record rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qsl

from litestar.datastructures import MultiDict
from sqlalchemy import select, update

from core.cases import service
from core.cases.queues import Filters, count_cases, list_cases
from core.db import utcnow
from core.models import User
from core.models.cases import Case
from core.web.queue_view import DEFAULT_COLUMNS, columns_from, queue_query
from tests.queues.conftest import htmx, make_casework, make_requests

REF_RE = re.compile(r'<tr id="case-\d+" data-href="/d/haishu/cases/([A-Z]+-\d{4}-\d{6})"')
COUNT_RE = re.compile(r'data-count="([\w.]+)">([^<]*)<')


def refs_in(html: str) -> list[str]:
    """The references of the table rows in a page or fragment, top to bottom."""
    return REF_RE.findall(html)


def counts_in(html: str) -> dict[str, str]:
    """Sidebar queue key → the count it shows."""
    return dict(COUNT_RE.findall(html))


def user_id(seed, username):
    async def run(session):
        return (await session.execute(select(User.id).where(User.username == username))).scalar_one()

    return seed(run)


def set_case(seed, reference, **values):
    async def run(session):
        await session.execute(update(Case).where(Case.reference == reference).values(**values))

    seed(run)


def scoped_world(seed, as_user, world):
    """A assigned to social; B of 平桥's team; C overdue; D due soon; E closed — all made by worker."""
    social = user_id(seed, "social")
    far = utcnow() + timedelta(days=10)
    (a,) = make_requests(as_user, 1, title="分给社工的", assignee_id=social)
    (b,) = make_requests(as_user, 1, title="平桥团队的", team_id=world["pingqiao"])
    c, d, e = make_requests(as_user, 3)
    for ref in (a, b, e):
        set_case(seed, ref, due_at=far)
    set_case(seed, c, due_at=utcnow() - timedelta(hours=1))
    set_case(seed, d, due_at=utcnow() + timedelta(hours=2))
    set_case(seed, e, is_open=False, state="closed")
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_counts_per_scope(seed, as_user, world, logged_in):
    """The sidebar counts mine, my team, unassigned, due soon, overdue and all open for the user."""
    scoped_world(seed, as_user, world)
    client = logged_in("social")
    page = client.get("/d/haishu/cases")
    assert 'hx-trigger="load, every 60s, queue-refresh from:body"' in page.text
    assert counts_in(page.text)["mine"] == "…"  # the page does not wait for the counts
    counts = counts_in(client.get("/d/haishu/queues/counts", headers=htmx("queue-sidebar")).text)
    assert {k: counts[k] for k in ("mine", "team", "unassigned", "due_soon", "overdue", "all")} == {
        "mine": "1",
        "team": "1",
        "unassigned": "3",
        "due_soon": "1",
        "overdue": "1",
        "all": "4",
    }
    assert counts["resident_request.to_triage"] == "4"


def test_lists_per_scope(seed, as_user, world, logged_in):
    """Each scope's link lists exactly its cases; the closed case shows only among closed ones."""
    cases = scoped_world(seed, as_user, world)
    client = logged_in("social")
    expected = {
        "mine": {"a"},
        "team": {"b"},
        "unassigned": {"b", "c", "d"},
        "due_soon": {"d"},
        "overdue": {"c"},
        "all": {"a", "b", "c", "d"},
    }
    for scope, keys in expected.items():
        html = client.get(f"/d/haishu/cases?scope={scope}").text
        assert set(refs_in(html)) == {cases[k] for k in keys}, scope
    assert refs_in(client.get("/d/haishu/cases?open=closed").text) == [cases["e"]]


def test_sla_badges(seed, as_user, world, logged_in):
    """Overdue and due-soon cases carry their badge in the table."""
    cases = scoped_world(seed, as_user, world)
    html = logged_in("social").get("/d/haishu/cases?sort=reference").text
    rows = dict(re.findall(r'data-href="/d/haishu/cases/([^"]+)"(?: class="row-(\w+)")?', html))
    assert rows[cases["c"]] == "overdue"
    assert rows[cases["d"]] == "due_soon"
    assert rows[cases["a"]] == ""
    assert 'class="sla sla-overdue"' in html


def test_filters_round_trip_through_the_url():
    """Every filter, and the chosen columns, survive being written to a URL and read back."""
    filters = Filters(
        scope="team",
        types=("resident_request", "casework"),
        states=("reported",),
        assignee="none",
        team=7,
        channel="phone",
        open="any",
        created_from=date(2026, 1, 1),
        created_to=date(2026, 1, 31),
        due_from=date(2026, 2, 1),
        due_to=date(2026, 2, 28),
        q="电梯",
        sort="due",
    )
    columns = ("reference", "title", "team", "channel")
    query = MultiDict(parse_qsl(queue_query(filters, columns)))
    assert Filters.from_query(query) == filters
    assert columns_from(query) == columns
    assert queue_query(Filters(), DEFAULT_COLUMNS) == ""


def test_filters_in_the_url_select_and_show(seed, as_user, world, logged_in):
    """A shared link with filters lists the matching cases and shows the filters chosen in the form."""
    (phone,) = make_requests(as_user, 1, title="电话来的", channel="phone")
    (walk_in,) = make_requests(as_user, 1, title="上门来的", channel="walk_in", team_id=world["mudan"])
    client = logged_in("worker")
    html = client.get(f"/d/haishu/cases?channel=walk_in&team={world['mudan']}&col=reference&col=channel").text
    assert refs_in(html) == [walk_in]
    assert '<option value="walk_in" selected>' in html
    assert f'<option value="{world["mudan"]}" selected>' in html
    assert 'name="col" value="channel" checked' in html
    assert 'class="col-title"' not in html
    fragment = client.get("/d/haishu/cases?channel=phone", headers=htmx("queue-table"))
    assert fragment.text.lstrip().startswith('<div id="queue-table"')
    assert "<html" not in fragment.text
    assert refs_in(fragment.text) == [phone]
    assert 'name="query" value="channel=phone"' in fragment.text


def test_keyset_pages_have_no_gaps_or_duplicates(as_user, world, logged_in):
    """120 cases come back 50, 50, 20 through the "more" link, each exactly once, in order."""
    created = make_requests(as_user, 120)
    client = logged_in("worker")
    html = client.get("/d/haishu/cases?sort=reference").text
    seen = refs_in(html)
    pages = 1
    while (more := re.search(r'<tr id="queue-more">.*?hx-get="([^"]+)"', html, re.S)) is not None:
        html = client.get(more.group(1).replace("&amp;", "&"), headers=htmx("queue-more")).text
        assert "<table" not in html
        seen += refs_in(html)
        pages += 1
    assert pages == 3
    assert seen == sorted(created)


def test_keyset_pages_break_ties_by_id(seed, as_user, world):
    """Cases updated at the same instant are paged by id without losing or repeating one."""
    created = make_requests(as_user, 75)
    same = utcnow()
    set_case_all = update(Case).values(updated_at=same)

    async def flatten_times(session):
        await session.execute(set_case_all)

    seed(flatten_times)

    async def walk(ctx):
        definitions = [d for _, d in (await service.case_types(ctx)).values()]
        refs, cursor = [], None
        for sort in ("-updated", "due", "-priority"):
            refs, cursor = [], None
            while True:
                page = await list_cases(ctx, Filters(sort=sort), definitions, cursor=cursor, limit=20)
                refs += [c.reference for c in page.cases]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert sorted(refs) == sorted(created), sort
            assert len(refs) == len(set(refs)), sort
        return True

    assert as_user("worker", walk)


def test_search_over_reference_title_and_data(as_user, world, logged_in):
    """The search box finds cases by reference, by title and by what the form says."""
    (lift,) = make_requests(as_user, 1, title="电梯停运", data={"description": "三号楼电梯困人"})
    (road,) = make_requests(as_user, 1, title="路灯不亮", data={"address": "柳汀街 88 号"})
    client = logged_in("worker")
    assert refs_in(client.get("/d/haishu/cases?q=电梯").text) == [lift]
    assert refs_in(client.get("/d/haishu/cases?q=柳汀街").text) == [road]
    assert refs_in(client.get(f"/d/haishu/cases?q={road[-6:]}").text) == [road]
    assert refs_in(client.get("/d/haishu/cases?q=100%25").text) == []


def test_record_rules_hide_casework_outside_the_team(as_user, world, logged_in):
    """A social worker of 平桥 never sees 牡丹's casework: not in the list, a count, a search or a queue."""
    theirs = make_casework(as_user, "social2", world["mudan"], title="牡丹独居老人")
    ours = make_casework(as_user, "social", world["pingqiao"], title="平桥独居老人")
    client = logged_in("social")
    listed = refs_in(client.get("/d/haishu/cases?type=casework").text)
    assert listed == [ours]
    assert refs_in(client.get("/d/haishu/cases?q=牡丹独居").text) == []
    assert refs_in(client.get(f"/d/haishu/cases?q={theirs}").text) == []
    assert counts_in(client.get("/d/haishu/queues/counts", headers=htmx("queue-sidebar")).text)["all"] == "1"
    assert refs_in(logged_in("social2").get("/d/haishu/cases?type=casework").text) == [theirs]

    async def service_count(ctx):
        definitions = [d for _, d in (await service.case_types(ctx)).values()]
        return await count_cases(ctx, Filters(q="独居"), definitions)

    assert as_user("social", service_count) == 1


def test_a_bad_cursor_starts_from_the_top(as_user, world, logged_in):
    """A tampered cursor, or one made for another sort, shows the first page instead of failing."""
    created = make_requests(as_user, 60)
    client = logged_in("worker")
    html = client.get("/d/haishu/cases?sort=reference").text
    cursor = re.search(r"cursor=([\w-]+)", html).group(1)
    for url in (f"/d/haishu/cases?sort=-updated&cursor={cursor}", "/d/haishu/cases?sort=due&cursor=%%%garbage"):
        response = client.get(url)
        assert response.status_code == 200
        assert len(refs_in(response.text)) == 50
    assert refs_in(client.get(f"/d/haishu/cases?sort=reference&cursor={cursor}").text) == sorted(created)[50:]
