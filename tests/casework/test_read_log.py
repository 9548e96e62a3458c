"""Casework read logging: each read path logs exactly one row; only the people on the case and their supervisor read it.

The rule (docs/casework.md): a read of a protected case writes one row per request (who,
when, which case, how: page, fragment, api, file, export); a refused read is a 404 exactly
like a reference that does not exist, and logs nothing.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml
from click.testing import CliRunner
from sqlalchemy import select

from core.cases import service
from core.cases.queues import Filters, count_cases
from core.cases.types import store_version
from core.casetypes.definition import parse_case_type
from core.cli import _register, cli
from core.models import District
from tests.casework.conftest import API, PAGES, new_casework, reads_of

SHIPPED = Path(__file__).resolve().parents[2] / "core/casetypes/builtin/casework.yaml"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_each_read_path_logs_one_row(world, api, seed):
    """The case page, a fragment, the API (one case, its timeline, a list), a file and an export: one row each."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    assert reads_of(seed, reference) == []  # filing the case is not a read

    assert social.get(f"{PAGES}/cases/{reference}").status_code == 200
    assert reads_of(seed, reference) == [("social", "page")]

    fragment = social.get(f"{PAGES}/cases/{reference}/fields/client_name", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "林晓雨" in fragment.text
    assert reads_of(seed, reference)[-1] == ("social", "fragment")

    assert social.get(f"{API}/cases/{reference}").json()["data"]["client_name"] == "林晓雨"
    assert social.get(f"{API}/cases/{reference}/timeline").status_code == 200
    listed = social.get(f"{API}/cases", params={"type": "casework"}).json()["items"]
    assert [c["reference"] for c in listed] == [reference]
    assert reads_of(seed, reference)[-3:] == [("social", "api")] * 3
    assert len(reads_of(seed, reference)) == 5

    upload = social.post(f"{API}/cases/{reference}/attachments", files={"file": ("诊断.png", PNG, "image/png")})
    assert upload.status_code == 201, upload.text
    before = len(reads_of(seed, reference))
    download = social.get(f"{PAGES}/cases/{reference}/attachments/{upload.json()['id']}")
    assert download.status_code == 200 and download.content == PNG
    assert reads_of(seed, reference)[before:] == [("social", "file")]

    supervisor = api("supervisor")
    exported = supervisor.get(f"{PAGES}/queues/export.csv", params={"type": "casework", "col": ["reference"]})
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [reference]
    assert reads_of(seed, reference)[-1] == ("supervisor", "export")


def test_one_request_logs_once_however_often_it_looks(world, api, seed):
    """The case page looks the case up more than once (the case, its panels): still one row per request."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    for _ in range(3):
        assert social.get(f"{PAGES}/cases/{reference}").status_code == 200
    assert reads_of(seed, reference) == [("social", "page")] * 3


def test_people_off_the_case_get_404_and_nothing_is_logged(world, api, seed):
    """A social worker of the same community, one of another, a community worker, a supervisor of another
    street and the district admin: 404 on the page and the API, nothing in lists or search, no row logged."""
    reference = new_casework(api("social"), world["pingqiao"])
    for name in ("social2", "social3", "worker", "supervisor2", "dadmin"):
        client = api(name)
        page = client.get(f"{PAGES}/cases/{reference}")
        assert page.status_code == 404, name
        assert client.get(f"{API}/cases/{reference}").status_code == 404, name
        assert client.get(f"{API}/cases/{reference}/timeline").status_code == 404, name
        assert client.get(f"{API}/cases", params={"q": "林晓雨", "open": "any"}).json()["items"] == [], name
        assert reference not in client.get(f"{PAGES}/cases", params={"type": "casework"}).text, name
    assert reads_of(seed, reference) == []


def test_supervisor_reads_the_case_and_its_log(world, api, seed):
    """The supervisor of 鼓楼街道 reads 平桥's case (logged as theirs) and its read log, page and API;
    the social worker on the case may not read the log (403)."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    social.get(f"{PAGES}/cases/{reference}")
    supervisor = api("supervisor")
    page = supervisor.get(f"{PAGES}/cases/{reference}")
    assert page.status_code == 200 and "每次查阅都会被记录" in page.text and "查阅记录" in page.text
    log = supervisor.get(f"{PAGES}/case-reads", params={"reference": reference})
    assert log.status_code == 200 and "案件页面" in log.text and reference in log.text
    items = supervisor.get(f"{API}/case-reads", params={"reference": reference}).json()["items"]
    assert [(i["via"], i["reference"]) for i in items] == [("page", reference), ("page", reference)]
    assert reads_of(seed, reference) == [("social", "page"), ("supervisor", "page")]  # reading the log is not a read
    assert social.get(f"{PAGES}/case-reads").status_code == 403
    assert social.get(f"{API}/case-reads").status_code == 403
    # A supervisor of another street sees no row of this case.
    assert api("supervisor2").get(f"{API}/case-reads", params={"reference": reference}).json()["items"] == []


def test_district_admin_reads_every_log_but_not_the_record(world, api, seed):
    """The district admin gets 404 on the case yet reads its log; the log pages back with next_before."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    for _ in range(3):
        social.get(f"{API}/cases/{reference}")
    admin = api("dadmin")
    assert admin.get(f"{PAGES}/cases/{reference}").status_code == 404
    first = admin.get(f"{API}/case-reads", params={"limit": 2}).json()
    assert [i["via"] for i in first["items"]] == ["api", "api"] and first["next_before"] is not None
    rest = admin.get(f"{API}/case-reads", params={"limit": 2, "before": first["next_before"]}).json()
    assert [i["reference"] for i in rest["items"]] == [reference] and rest["next_before"] is None
    page = admin.get(f"{PAGES}/case-reads")
    assert page.status_code == 200 and reference in page.text and "接口（API）" in page.text
    assert admin.get(f"{API}/case-reads", params={"limit": 0}).status_code == 400


def test_the_assignee_reads_what_the_creator_filed(world, api, seed):
    """Assigned to social2 (same community), the case opens for them; social3 still gets 404."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    case = social.get(f"{API}/cases/{reference}").json()
    assigned = social.post(
        f"{API}/cases/{reference}/assign", json={"username": "social2", "lock_version": case["lock_version"]}
    )
    assert assigned.status_code == 200, assigned.text
    assert api("social2").get(f"{PAGES}/cases/{reference}").status_code == 200
    assert api("social3").get(f"{PAGES}/cases/{reference}").status_code == 404
    assert ("social2", "page") in reads_of(seed, reference)


def test_service_line_queues_count_only_what_the_user_may_see(world, api, as_user):
    """The 养老服务 queue (field=service_line:elderly) lists social's case for them and the supervisor, not for
    social2 (counts too); the API filters the same way."""
    social = api("social")
    elderly = new_casework(social, world["pingqiao"], service_line="elderly", client_name="王秀珍")
    youth = new_casework(social, world["pingqiao"])
    query = {"type": "casework", "field": "service_line:elderly"}
    for name, expected in (("social", [elderly]), ("supervisor", [elderly]), ("social2", [])):
        client = api(name)
        page = client.get(f"{PAGES}/cases", params=query).text
        assert (elderly in page, youth in page) == (bool(expected), False), name
        items = client.get(f"{API}/cases", params=query).json()["items"]
        assert [c["reference"] for c in items] == expected, name
    sidebar = social.get(f"{PAGES}/cases").text
    assert "个案·养老服务" in sidebar and "个案·社区矫正" in sidebar

    async def count(ctx):
        definitions = [d for _row, d in (await service.case_types(ctx)).values()]
        return await count_cases(ctx, Filters(types=("casework",), fields=(("service_line", "elderly"),)), definitions)

    assert [as_user(name, count) for name in ("social", "supervisor", "social2", "supervisor2")] == [1, 1, 0, 0]


def test_the_command_line_lists_the_reads(world, api, database_url, monkeypatch):
    """``sanshe audit reads --district haishu --case REF`` prints each read (who, case, how), newest first."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    social.get(f"{PAGES}/cases/{reference}")
    api("supervisor").get(f"{API}/cases/{reference}")
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    _register()
    result = CliRunner().invoke(cli, ["audit", "reads", "--district", "haishu", "--case", reference])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[2:] for line in lines[:2]] == [
        ["supervisor", reference, "api"],
        ["social", reference, "page"],
    ]
    assert lines[-1] == "共 2 条 / 2 reads"
    unknown = CliRunner().invoke(cli, ["audit", "reads", "--district", "nope"])
    assert unknown.exit_code != 0 and "没有代码为 'nope' 的区" in unknown.output


def test_access_and_logging_follow_the_types_current_version(world, api, seed):
    """A case stays on the version it started on, but who reads it follows the type's current version, and
    its reads are logged if either version audits them: a team-visible, unaudited version lets the team in
    (still logged: the case began protected); the next protected version shuts them out again (what an
    upgraded district gets from case-types sync)."""
    reference = new_casework(api("social"), world["pingqiao"])
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))

    def publish(**changes):
        async def store(session):
            district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
            definition = parse_case_type({**shipped, **changes}, known_roles=None)
            await store_version(session, district, definition, source="builder")

        seed(store)

    publish(visibility="team", audit_reads=False, supervisors=[])
    assert api("social2").get(f"{PAGES}/cases/{reference}").status_code == 200
    assert api("social3").get(f"{PAGES}/cases/{reference}").status_code == 404  # 牡丹 is not the case's team
    assert reads_of(seed, reference) == [("social2", "page")]
    publish(visibility="assigned", audit_reads=True, supervisors=["casework_supervisor"], title="新版")
    assert api("social2").get(f"{PAGES}/cases/{reference}").status_code == 404
    assert api("supervisor").get(f"{PAGES}/cases/{reference}").status_code == 200
    assert reads_of(seed, reference)[-1] == ("supervisor", "page")
