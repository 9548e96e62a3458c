"""The three-level response on the shipped 居民诉求: volunteer → social worker → community → department → town
office meeting → resolved → closed, each step by its own role; a department sees only the cases sent to it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import District, OrgUnit, OrgUnitKind
from core.testing.factories import make_org_unit, make_user
from tests.api_cases.conftest import API, new_request

COUNT_RE = re.compile(r'data-count="([\w.]+)">([^<]*)<')
SIDEBAR = {"HX-Request": "true", "HX-Target": "queue-sidebar"}


@pytest.fixture
def levels(world, seed):
    """The world plus 民政办 and 城管中队 (departments), a user in each, the town office and a volunteer."""

    async def build(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        street = (await session.execute(select(OrgUnit).where(OrgUnit.code == "gulou"))).scalar_one()
        for code, name, user in (("civil_affairs", "民政办", "civil"), ("city_management", "城管中队", "citym")):
            unit = await make_org_unit(session, district, code, name, OrgUnitKind.DEPARTMENT, street)
            await make_user(session, user, district=district, roles=("department_staff",), org_unit=unit)
        await make_user(session, "town", district=district, roles=("town_office",))
        await make_user(session, "vol", district=district, roles=("volunteer",))

    seed(build)


def step(client, reference, key, reason="", **data):
    return client.post(f"{API}/cases/{reference}/transitions", json={"transition": key, "reason": reason, "data": data})


def moved(client, reference, key, reason="", **data) -> str:
    response = step(client, reference, key, reason, **data)
    assert response.status_code == 200, response.text
    return str(response.json()["state"])


def test_the_whole_chain_each_step_by_its_role(levels, api):
    """A volunteer's report goes community → department → meeting → resolved → closed; wrong roles get 403."""
    vol, social, worker, civil, town = (api(n) for n in ("vol", "social", "worker", "civil", "town"))
    reference = new_request(vol, title="独居老人家中漏水")["reference"]
    # The volunteer is asked for more and says it is supplied (the step is theirs too now).
    assert moved(social, reference, "return_for_info", reason="请补充门牌号") == "needs_info"
    assert moved(vol, reference, "info_supplied") == "reported"
    assert step(worker, reference, "triage", difficulty="simple").status_code == 403
    assert moved(social, reference, "triage", difficulty="simple") == "triaged"
    assert moved(social, reference, "to_community") == "community_handling"
    # The community cannot settle it: it goes on to 民政, not straight to the meeting.
    assert step(worker, reference, "escalate", reason="协调不了").status_code == 409
    assert step(civil, reference, "resolve", resolution="x").status_code == 404  # not sent to 民政 yet
    # It is re-assessed as needing a department (the department field shows only then).
    referred = moved(
        worker, reference, "refer_to_department", "需民政救助", difficulty="departmental", department="civil_affairs"
    )
    assert referred == "department_handling"
    assert step(worker, reference, "escalate", reason="协调不了").status_code == 403
    assert step(town, reference, "escalate", reason="x").status_code == 404  # not before the meeting
    assert moved(civil, reference, "escalate", reason="涉及多部门") == "escalated"
    # The town office records the meeting: its date, decision and who is to act.
    assert step(civil, reference, "record_decision").status_code == 403
    refused = step(town, reference, "record_decision")
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"meeting_date", "meeting_decision", "meeting_actor"}
    decided = step(
        town,
        reference,
        "record_decision",
        meeting_date="2026-12-04",
        meeting_decision="民政办牵头维修，社区跟进",
        meeting_actor="civil_affairs",
    )
    assert decided.status_code == 200 and decided.json()["state"] == "meeting_decided"
    assert decided.json()["data"]["meeting_actor"] == "civil_affairs"
    assert moved(civil, reference, "resolve", resolution="已维修") == "resolved"
    assert step(civil, reference, "close").status_code == 403
    assert step(vol, reference, "close").status_code == 403
    assert moved(social, reference, "close") == "closed"
    timeline = social.get(f"{API}/cases/{reference}/timeline").json()
    steps = [e["payload"]["transition"] for e in timeline if e["kind"] == "transition"]
    assert steps == [
        "return_for_info",
        "info_supplied",
        "triage",
        "to_community",
        "refer_to_department",
        "escalate",
        "record_decision",
        "resolve",
        "close",
    ]


def test_a_department_sees_only_the_cases_sent_to_it(levels, api):
    """民政 sees its case in the API, the queue page, the sidebar counts and the export; never 城管's or the rest."""
    worker, social, civil, citym, town = (api(n) for n in ("worker", "social", "civil", "citym", "town"))
    refs = {}
    for name, department in (("mine", "civil_affairs"), ("theirs", "city_management"), ("waiting", "civil_affairs")):
        refs[name] = new_request(worker, title=f"诉求{name}")["reference"]
        moved(social, refs[name], "triage", difficulty="departmental", department=department)
    moved(social, refs["mine"], "to_department")
    moved(social, refs["theirs"], "to_department")
    # "waiting" names 民政 but is still with the social worker: not sent to the department yet.
    listed = {c["reference"] for c in civil.get(f"{API}/cases").json()["items"]}
    assert listed == {refs["mine"]}
    assert civil.get(f"{API}/cases/{refs['theirs']}").status_code == 404
    assert civil.get(f"{API}/cases/{refs['waiting']}").status_code == 404
    assert {c["reference"] for c in citym.get(f"{API}/cases").json()["items"]} == {refs["theirs"]}
    assert town.get(f"{API}/cases").json()["items"] == []  # nothing brought to the meeting
    page = civil.get("/d/haishu/cases").text
    assert refs["mine"] in page and refs["theirs"] not in page and refs["waiting"] not in page
    assert civil.get(f"/d/haishu/cases/{refs['theirs']}").status_code == 404
    counts = dict(COUNT_RE.findall(civil.get("/d/haishu/queues/counts", headers=SIDEBAR).text))
    assert counts["all"] == "1" and counts["resident_request.department_inbox"] == "1"
    export = civil.get("/d/haishu/queues/export.csv?type=resident_request&col=reference").content.decode("utf-8-sig")
    assert refs["mine"] in export and refs["theirs"] not in export and refs["waiting"] not in export
    # Staff who see every case still do.
    assert {refs["mine"], refs["theirs"], refs["waiting"]} <= {
        c["reference"] for c in social.get(f"{API}/cases").json()["items"]
    }
    # Once escalated, the town office sees it; 城管 still does not.
    moved(civil, refs["mine"], "escalate", reason="需镇里协调")
    assert [c["reference"] for c in town.get(f"{API}/cases").json()["items"]] == [refs["mine"]]
    assert citym.get(f"{API}/cases/{refs['mine']}").status_code == 404
