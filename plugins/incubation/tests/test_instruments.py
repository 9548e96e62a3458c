"""The capacity instrument's editor (issue part 5): versions of dimensions and indicators with full scores.

Publishing a version never changes assessments made on an older one; the first and the latest
assessment are compared only on the dimensions both their versions have, and the page says so.
"""

from __future__ import annotations

from typing import Any

from core.testing import csrf_of, login
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.incubation.assessments import DEFAULT_DIMENSIONS
from plugins.incubation.tests.support import apply_as, to_resident

D = "/d/haishu/incubation"
API = "/api/v1/districts/haishu/incubation"
DEFAULT = tuple(d["key"] for d in DEFAULT_DIMENSIONS)


def _auth(world: Any, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def _editor_form(**changes: str) -> dict[str, str]:
    """The editor form as version 1 fills it (two indicators of 10 per dimension), with ``changes`` on top."""
    form = {"based_on": "1", "name": "社会组织能力评估"}
    for i, dim in enumerate(DEFAULT_DIMENSIONS):
        form |= {f"d{i}_key": dim["key"], f"d{i}_zh": dim["zh"], f"d{i}_en": dim["en"]}
        for j, indicator in enumerate(dim["indicators"]):
            form |= {f"d{i}_{j}_zh": indicator["zh"], f"d{i}_{j}_en": indicator["en"], f"d{i}_{j}_max": "10"}
    return form | changes


def _assess(client: Any, world: Any, inc: int, phase: str, dims: tuple[str, ...], each: float) -> Any:
    body = {
        "phase": phase,
        "assessor": "王晓红",
        "indicator_scores": {d: {"i1": each, "i2": each} for d in dims},
    }
    return client.post(f"{API}/cases/{inc}/assessments", json=body, headers=_auth(world, "mentor"))


def test_a_new_version_leaves_old_assessments_alone_and_compares_shared_dimensions(client, as_user, world):
    """Intake on version 1; staff drop 资源链接 and add 党建引领 as version 2; the mid assessment uses version 2.
    The intake keeps version 1 and its scores; the page compares the 4 shared dimensions and names the others."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc, mentor_id=world.mentor)
    first = _assess(client, world, inc, "intake", DEFAULT, 4)
    assert first.status_code == 201, first.text
    assert first.json()["instrument_version"] == 1 and first.json()["scores"]["governance"] == 2.0  # 8 of 20

    login(client, "incubator")
    form = _editor_form(
        d4_zh="",  # 资源链接 removed
        d5_key="",
        d5_zh="党建引领",
        d5_en="Party building",
        d5_0_zh="党的工作覆盖",
        d5_0_max="5",
        d0_1_max="30",  # governance's second indicator now out of 30
    )
    done = client.post(f"{D}/instrument", data={**form, "_csrf_token": csrf_of(client, D)}, follow_redirects=True)
    assert done.status_code == 200 and "第 2 版已发布" in done.text, done.text[-3000:]

    second = client.post(
        f"{API}/cases/{inc}/assessments",
        json={
            "phase": "mid",
            "assessor": "王晓红",
            "indicator_scores": {
                "governance": {"i1": 10, "i2": 30},  # full: 5.0
                "finance": {"i1": 5, "i2": 5},
                "projects": {"i1": 5, "i2": 5},
                "volunteers": {"i1": 5, "i2": 5},
                "party": {"i1": 5},
            },
        },
        headers=_auth(world, "mentor"),
    )
    assert second.status_code == 400 and "党的工作覆盖" in second.json()["detail"]  # a new dimension gets a new key
    versions = client.get(f"{API}/instrument/versions", headers=_auth(world, "incubator")).json()
    v2 = versions[0]
    assert [v["version"] for v in versions] == [2, 1] and [v["assessments"] for v in versions] == [0, 1]
    assert [d["zh"] for d in v2["dimensions"]] == ["内部治理", "财务管理", "项目运作", "志愿者管理", "党建引领"]
    assert v2["dimensions"][0]["indicators"][1]["max"] == 30 and v2["dimensions"][0]["key"] == "governance"
    for missing in (3, 0, -11079053947):  # no such version; the last is beyond the column's range (500 once)
        assert client.get(f"{API}/instrument/versions/{missing}", headers=_auth(world, "incubator")).status_code == 404
    party = v2["dimensions"][4]["key"]
    scores = {
        "governance": {"i1": 10, "i2": 30},
        "finance": {"i1": 5, "i2": 5},
        "projects": {"i1": 5, "i2": 5},
        "volunteers": {"i1": 5, "i2": 5},
        party: {"i1": 5},
    }
    second = client.post(
        f"{API}/cases/{inc}/assessments",
        json={"phase": "mid", "assessor": "王晓红", "indicator_scores": scores},
        headers=_auth(world, "mentor"),
    )
    assert second.status_code == 201, second.text
    assert second.json()["instrument_version"] == 2 and second.json()["scores"]["governance"] == 5.0

    listed = client.get(f"{API}/cases/{inc}/assessments", headers=_auth(world, "mentor")).json()
    assert [a["instrument_version"] for a in listed] == [1, 2]
    assert listed[0]["scores"] == first.json()["scores"]  # the intake still reads as it was made
    assert listed[0]["indicator_scores"]["governance"] == {"i1": 4, "i2": 4}

    page = client.get(f"{D}/cases/{inc}").text
    assert "首次评估使用第 1 版量表，最近一次使用第 2 版：只比较两版共有的 4 个维度。" in page
    assert "未比较的维度：党建引领、资源链接。" in page
    assert '<svg class="incubation-radar"' in page and "+3.0" in page  # governance 2.0 → 5.0
    old = client.get(f"{D}/instrument?version=1").text
    assert "资源链接" in old and "新的评估使用第 2 版" in old


def test_a_bad_or_stale_version_is_refused_and_nothing_is_published(client, world):
    """A full score of 0 → 400 next to the field, the form keeps what was typed; a version based on an old one → 409;
    a mentor may read the instrument but not publish (403); an organization's staff may not read it."""
    login(client, "incubator")
    bad = client.post(
        f"{D}/instrument",
        data={**_editor_form(d1_0_max="0", d2_zh="项目管理"), "_csrf_token": csrf_of(client, D)},
    )
    assert bad.status_code == 400
    assert "满分须是 1 到 100 的整数" in bad.text and 'value="项目管理"' in bad.text
    fragment = client.post(
        f"{D}/instrument",
        data={**_editor_form(d1_0_max="0"), "_csrf_token": csrf_of(client, D)},
        headers={"HX-Request": "true", "HX-Target": "instrument-form"},
    )
    assert fragment.status_code == 200 and "满分须是" in fragment.text and "<html" not in fragment.text
    same = client.post(f"{D}/instrument", data={**_editor_form(), "_csrf_token": csrf_of(client, D)})
    assert same.status_code == 400 and "与当前版本完全相同" in same.text

    staff = _auth(world, "incubator")
    body = {"based_on": 1, "dimensions": [{"zh": "内部治理", "indicators": [{"zh": "章程", "max": 10}]}]}
    assert client.post(f"{API}/instrument/versions", json=body, headers=staff).status_code == 201
    stale = client.post(f"{API}/instrument/versions", json=body, headers=staff)
    assert stale.status_code == 409 and "更新的版本（第 2 版）" in stale.json()["detail"]
    empty = client.post(f"{API}/instrument/versions", json={"based_on": 2, "dimensions": []}, headers=staff)
    assert empty.status_code == 400 and "至少设置一个维度" in empty.json()["detail"]
    assert client.post(f"{API}/instrument/versions", json=body, headers=_auth(world, "mentor")).status_code == 403
    assert client.get(f"{API}/instrument/versions", headers=_auth(world, "mentor")).status_code == 200
    assert client.get(f"{API}/instrument/versions", headers=_auth(world, "leader")).status_code == 403
    assert client.get(f"{API}/instrument/versions/9", headers=staff).status_code == 404
    assert [v["version"] for v in client.get(f"{API}/instrument/versions", headers=staff).json()] == [2, 1]


def test_parallel_publications_make_one_new_version(app, world):
    """Five staff publish a version based on version 1 at the same moment: one becomes version 2, four get 409."""
    body = {"based_on": 1, "dimensions": [{"zh": "内部治理", "indicators": [{"zh": "章程", "max": 10}]}]}
    calls = [Call("GET", f"{API}/instrument/versions", token=world.tokens["incubator"])]
    with serve(app) as url:
        fire(url, calls)  # version 1 exists before the race
        responses = fire(
            url, [Call("POST", f"{API}/instrument/versions", json=body, token=world.tokens["incubator"])] * 5
        )
        listed = fire(url, calls)[0].json()
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 4, [r.text[:200] for r in responses]
    assert [v["version"] for v in listed] == [2, 1]
