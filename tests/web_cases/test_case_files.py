"""Attachments on the case page (limits, download, who may fetch) and who may open a case at all."""

from __future__ import annotations

import re

from core.models import OrgUnitKind
from core.testing.factories import make_district, make_org_unit, make_user
from tests.web_cases.conftest import HTMX, csrf, file_case


def upload(client, reference, name, content, htmx=True):
    page = client.get(f"/d/haishu/cases/{reference}").text
    return client.post(
        f"/d/haishu/cases/{reference}/attachments",
        data={"_csrf_token": csrf(page)},
        files={"file": (name, content, "application/octet-stream")},
        headers=HTMX if htmx else {},
        follow_redirects=False,
    )


def test_upload_limits_are_shown(browser):
    """A forbidden type, an empty file and a file whose content lies about its name are refused with a message."""
    worker = browser("worker")
    reference = file_case(worker)
    refused = upload(worker, reference, "virus.exe", b"MZ\x90\x00")
    assert "不接受这种类型的文件" in refused.text
    empty = upload(worker, reference, "empty.txt", b"").text
    assert re.search(r'id="attach-error" class="field-error" role="alert">[^<]*空', empty)
    assert "文件内容与文件名（.png）不符" in upload(worker, reference, "photo.png", b"not a png").text
    plain = upload(worker, reference, "virus.exe", b"MZ", htmx=False)
    assert plain.status_code == 400
    assert "暂无附件" in worker.get(f"/d/haishu/cases/{reference}").text


def test_several_files_all_or_none(browser):
    """Two files sent together, the second refused: neither is kept, and the message names the refused one."""
    worker = browser("worker")
    reference = file_case(worker)
    page = worker.get(f"/d/haishu/cases/{reference}").text
    refused = worker.post(
        f"/d/haishu/cases/{reference}/attachments",
        data={"_csrf_token": csrf(page)},
        files=[("file", ("记录.txt", "说明".encode(), "text/plain")), ("file", ("virus.exe", b"MZ", "x"))],
        headers=HTMX,
    )
    assert "virus.exe：不接受这种类型的文件" in refused.text
    assert "记录.txt" not in refused.text
    after = worker.get(f"/d/haishu/cases/{reference}").text
    assert "暂无附件" in after and "记录.txt" not in after


def test_upload_and_download(browser):
    """A text file is listed, recorded on the timeline and downloaded as an attachment with its type."""
    worker = browser("worker")
    reference = file_case(worker)
    done = upload(worker, reference, "现场记录.txt", "楼道照片说明".encode())
    assert "现场记录.txt" in done.text
    assert 'id="case-events"' in done.text and "上传了附件 现场记录.txt" in done.text
    page = worker.get(f"/d/haishu/cases/{reference}").text
    href = page[page.index(f"/d/haishu/cases/{reference}/attachments/") :].split('"', 1)[0]
    response = worker.get(href)
    assert response.status_code == 200
    assert response.content == "楼道照片说明".encode()
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "%E7%8E%B0%E5%9C%BA" in response.headers["content-disposition"]


def test_download_needs_the_case(browser, seed):
    """The reporter may download; another resident and a user of another district get 404."""
    resident = browser("resident")
    reference = file_case(resident)
    assert upload(resident, reference, "note.txt", b"hello").status_code == 200
    page = resident.get(f"/d/haishu/cases/{reference}").text
    href = page[page.index(f"/d/haishu/cases/{reference}/attachments/") :].split('"', 1)[0]
    assert resident.get(href).status_code == 200

    async def other_district(session):
        district = await make_district(session, "jiangbei", "江北区", ref_prefix="JB")
        unit = await make_org_unit(session, district, "kongpu", "孔浦社区", OrgUnitKind.COMMUNITY)
        await make_user(session, "jb_worker", district=district, roles=("community_worker",), org_unit=unit)

    seed(other_district)
    assert browser("resident2").get(href).status_code == 404
    assert browser("resident2").get(f"/d/haishu/cases/{reference}").status_code == 404
    assert browser("jb_worker").get(href).status_code == 404
    assert browser("jb_worker").get(f"/d/jiangbei/cases/{reference}").status_code == 404


def test_casework_hidden_from_another_community(browser):
    """A casework case of 平桥社区 is 404 for the social worker of 牡丹社区, and its files too."""
    social = browser("social")
    casework = {"client_name": "王大爷", "service_line": "elderly", "presenting_problem": "独居，行动不便"}
    reference = file_case(social, type_key="casework", title="独居老人", **casework)
    page = social.get(f"/d/haishu/cases/{reference}")
    assert page.status_code == 200 and "王大爷" in page.text
    assert "平桥社区" in page.text
    other = browser("social2")
    assert other.get(f"/d/haishu/cases/{reference}").status_code == 404
    assert other.get(f"/d/haishu/cases/{reference}/fields/client_name/edit").status_code == 404
    assert other.get(f"/d/haishu/cases/{reference}/attachments/1").status_code == 404
