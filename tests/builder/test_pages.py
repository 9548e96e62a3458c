"""The builder pages: list, editor actions, checker, preview, publish, export, import; as users see them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from litestar.testing import TestClient

from core.casetypes import load_yaml_text
from core.rbac.roles import DEFAULT_ROLES
from core.testing import login

if TYPE_CHECKING:
    from collections.abc import Iterator

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
HTMX = {"HX-Request": "true"}
BASE = "/d/haishu/admin/case-types"


@pytest.fixture
def admin(app: Any, world: Any) -> Iterator[TestClient[Any]]:
    """A client logged in as the district admin of 海曙区."""
    with TestClient(app=app) as client:
        yield login(client, "dadmin")


def token(client: TestClient[Any], url: str = BASE) -> str:
    match = CSRF.search(client.get(url).text)
    assert match
    return match.group(1)


def op(client: TestClient[Any], type_key: str, **data: Any) -> Any:
    """Post one editor action the way htmx does and return the answer."""
    data["_csrf_token"] = token(client)
    response = client.post(f"{BASE}/{type_key}/draft", data=data, headers=HTMX)
    assert response.status_code == 200, response.text
    return response


def start(client: TestClient[Any]) -> None:
    response = client.post(
        BASE,
        data={"_csrf_token": token(client), "key": "meal_delivery", "name_zh": "独居老人送餐申请"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_list_shows_shipped_types_and_workers_are_refused(admin, app):
    """The list names the core's 居民诉求 with its version; a community worker gets 403."""
    page = admin.get(BASE)
    assert page.status_code == 200
    assert "resident_request" in page.text and "v1" in page.text
    with TestClient(app=app) as worker:
        login(worker, "worker")
        assert worker.get(BASE).status_code == 403


def test_build_a_type_in_the_editor_and_publish_it(admin):
    """Fields, states and steps added in the editor show in the preview and diagram; publishing makes v1."""
    start(admin)
    op(admin, "meal_delivery", op="field_add", key="elder_name", type="text", label_zh="老人姓名")
    op(admin, "meal_delivery", op="field_add", key="diet", type="choice", label_zh="饮食要求")
    op(
        admin,
        "meal_delivery",
        op="field_update",
        path="1",
        key="diet",
        label_zh="饮食要求",
        choices="normal | 普通\nspecial | 特殊 | Special",
    )
    op(admin, "meal_delivery", op="field_add", key="diet_note", type="long_text", label_zh="特殊饮食说明")
    page = op(
        admin,
        "meal_delivery",
        op="field_update",
        path="2",
        key="diet_note",
        label_zh="特殊饮食说明",
        show_if='diet == "special"',
    )
    assert "老人姓名" in page.text and 'id="pv-w-diet_note"' in page.text  # in the preview, hidden until special
    op(admin, "meal_delivery", op="field_move", path="2", dir="up")
    page = op(admin, "meal_delivery", op="state_add", key="delivering", label_zh="送餐中", kind="open")
    assert "<svg" in page.text and "送餐中" in page.text
    assert "cannot be reached" in page.text and 'href="#state-2"' in page.text
    assert 'id="publish" disabled' in page.text
    page = op(
        admin,
        "meal_delivery",
        op="transition_add",
        key="start",
        label_zh="开始送餐",
        **{"from": "new"},
        to="delivering",
        roles="community_worker",
    )
    assert "no way out" in page.text  # delivering is open with no step out
    op(
        admin,
        "meal_delivery",
        op="transition_add",
        key="stop",
        label_zh="结束",
        to="done",
        roles="community_worker",
        **{"from": "delivering"},
    )
    page = admin.get(f"{BASE}/meal_delivery")
    assert "No problems" in page.text or "没有问题" in page.text
    fields = re.findall(r'data-field="([a-z_]+)"', page.text)
    assert fields == ["elder_name", "diet_note", "diet"]
    response = admin.post(f"{BASE}/meal_delivery/publish", data={"_csrf_token": token(admin)}, follow_redirects=True)
    assert response.status_code == 200 and "v1" in response.text
    exported = admin.get(f"{BASE}/meal_delivery/export.yaml")
    assert exported.headers["content-disposition"].endswith('meal_delivery.yaml"')
    loaded = load_yaml_text(exported.text, known_roles={r.key for r in DEFAULT_ROLES})
    assert [f.key for f in loaded.form.fields] == ["elder_name", "diet_note", "diet"]


def test_condition_checker_shows_the_error_before_saving(admin):
    """Typing a condition naming a missing field shows the error at once; a good one shows a tick."""
    start(admin)
    op(admin, "meal_delivery", op="field_add", key="diet", type="yes_no", label_zh="特殊饮食")
    url = f"{BASE}/meal_delivery/check?attr=show_if"
    bad = admin.post(url, data={"_csrf_token": token(admin), "show_if": "dite == true", "path": "0"}, headers=HTMX)
    assert "dite" in bad.text and "field-error" in bad.text
    good = admin.post(url, data={"_csrf_token": token(admin), "show_if": "diet == true", "path": "0"}, headers=HTMX)
    assert "field-error" not in good.text and "✓" in good.text


def test_preview_validates_like_the_staff_form(admin):
    """The preview refuses a bad phone number when the field is left, and checks the whole form."""
    start(admin)
    op(admin, "meal_delivery", op="field_add", key="phone", type="phone", label_zh="电话")
    op(admin, "meal_delivery", op="field_update", path="0", key="phone", label_zh="电话", required="1")
    url = f"{BASE}/meal_delivery/preview"
    left = admin.post(f"{url}?field=phone&prefix=pv", data={"_csrf_token": token(admin), "phone": "123"}, headers=HTMX)
    assert "field-error" in left.text
    whole = admin.post(url, data={"_csrf_token": token(admin), "phone": ""}, headers=HTMX)
    assert 'role="alert"' in whole.text


def test_import_shows_errors_by_line(admin):
    """Pasted YAML with a step to a missing state is refused with its line number."""
    text = yaml.safe_dump(
        {
            "key": "bad_type",
            "name": {"zh": "坏类型"},
            "form": {"fields": []},
            "workflow": {
                "states": [{"key": "a", "label": {"zh": "甲"}}, {"key": "z", "label": {"zh": "终"}, "kind": "closed"}],
                "transitions": [
                    {"key": "go", "from": "a", "to": "b", "label": {"zh": "走"}, "roles": ["social_worker"]}
                ],
            },
        },
        allow_unicode=True,
        sort_keys=False,
    )
    response = admin.post(f"{BASE}/import", data={"_csrf_token": token(admin), "yaml": text})
    assert response.status_code == 400
    assert "(line " in response.text and "&#39;b&#39;" in response.text


def test_edit_a_shipped_type_makes_a_draft_and_retire_needs_confirmation(admin):
    """Editing 居民诉求 starts a draft v2 while v1 stays published; retire without confirming is refused."""
    response = op(admin, "resident_request", op="start")
    assert "v2" in response.text
    page = admin.get(BASE)
    assert "v1" in page.text and "v2" in page.text
    refused = admin.post(f"{BASE}/resident_request/retire", data={"_csrf_token": token(admin)})
    assert refused.status_code == 400
