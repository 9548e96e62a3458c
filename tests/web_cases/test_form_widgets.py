"""Every field type renders as its widget, with labels by locale, required marks, help, errors and the input kept."""

from __future__ import annotations

import pytest

from core.forms import parse_form
from core.forms.fields import FIELD_TYPES
from core.i18n import use_locale
from core.plugins import PluginHost
from core.web.forms import FormView, display_value, input_values
from core.web.templating import build_environment

FORM = parse_form(
    {
        "fields": [
            {
                "key": "name",
                "type": "text",
                "label": {"zh": "姓名", "en": "Name"},
                "required": True,
                "help": {"zh": "身份证上的姓名", "en": "As on the ID card"},
            },
            {"key": "story", "type": "long_text", "label": "经过"},
            {"key": "address", "type": "address", "label": "地址"},
            {"key": "email", "type": "email", "label": "邮箱"},
            {"key": "phone", "type": "phone", "label": "手机"},
            {"key": "id_number", "type": "resident_id", "label": "身份证号"},
            {"key": "age", "type": "integer", "label": "年龄", "min": 0, "max": 150},
            {"key": "stars", "type": "rating", "label": "评分"},
            {"key": "area", "type": "decimal", "label": "面积"},
            {"key": "fee", "type": "money", "label": "费用"},
            {"key": "day", "type": "date", "label": "日期"},
            {"key": "when", "type": "datetime", "label": "时间"},
            {"key": "hours", "type": "time_window", "label": "时段"},
            {
                "key": "kind",
                "type": "choice",
                "label": "类别",
                "choices": [{"value": "a", "label": {"zh": "甲", "en": "A"}}],
            },
            {"key": "tags", "type": "multi_choice", "label": "标签", "choices": ["x", "y"]},
            {"key": "ok", "type": "yes_no", "label": "同意"},
            {"key": "who", "type": "person", "label": "联系人"},
            {"key": "org", "type": "organization", "label": "机构"},
            {"key": "files", "type": "file", "label": "附件"},
            {"key": "total", "type": "computed", "label": "合计", "expression": "age * 2"},
            {
                "key": "rows",
                "type": "group",
                "label": "成员",
                "fields": [{"key": "member", "type": "text", "label": "成员姓名"}],
            },
        ]
    }
)


@pytest.fixture(scope="module")
def env():
    return build_environment(PluginHost.load(frozenset()))


def render(env, view):
    template = env.from_string('{% import "core/forms/macros.html" as fm %}{{ fm.fields(view) }}')
    return template.render(view=view)


def test_every_field_type_is_in_the_test_form():
    """The test form covers all the field types there are."""
    assert {f.type for f in FORM.fields} == set(FIELD_TYPES)


def test_every_widget_renders(env):
    """Each type gets its own input: textarea, tel, number, time pair, select, checkboxes, radios, output, rows."""
    data = {
        "fee": 1250,
        "ok": True,
        "hours": {"start": "08:00", "end": "18:00"},
        "age": 40,
        "total": 80,
        "when": "2026-03-01T09:30+08:00",
        "rows": [{"member": "王"}],
        "who": 7,
        "tags": ["y"],
    }
    view = FormView(
        FORM,
        values=input_values(FORM, data),
        options={"person": [("7", "张社工")], "organization": []},
        field_url="/d/haishu/forms/t/field",
        row_url="/d/haishu/forms/t/row",
    )
    with use_locale("zh_CN"):
        html = render(env, view)
    assert '<textarea id="f-in-story"' in html
    assert 'type="email" name="email"' in html
    assert 'type="tel" name="phone"' in html
    assert 'type="number" name="age"' in html and 'min="0"' in html
    assert 'inputmode="decimal"' in html
    assert 'name="fee" value="12.50"' in html
    assert 'type="date" name="day"' in html
    assert 'type="datetime-local" name="when" value="2026-03-01T09:30"' in html
    assert 'name="hours.start" value="08:00"' in html and 'name="hours.end" value="18:00"' in html
    assert '<option value="a" >甲</option>' in html or '<option value="a">甲</option>' in html
    assert 'type="checkbox" name="tags" value="y" checked' in html
    assert 'type="radio" name="ok" value="yes" checked' in html
    assert 'type="radio" name="stars" value="5"' in html
    assert '<option value="7" selected>张社工</option>' in html
    assert '<output id="f-in-total">80</output>' in html
    assert 'name="rows.0.member" value="王"' in html
    assert "添加一行" in html and 'hx-swap="delete"' in html
    assert 'hx-post="/d/haishu/forms/t/field?field=name&amp;prefix=f"' in html
    assert 'class="required"' in html and "身份证上的姓名" in html
    assert "登记后可在案件页面上传附件" in html


def test_errors_and_typed_values(env):
    """An error sits next to its field and the typed text is shown back, escaped."""
    view = FormView(FORM, values={"name": '"><script>x</script>', "age": "abc"}, errors={"age": "请输入整数。"})
    html = render(env, view)
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    assert '<small id="f-err-age" class="field-error" role="alert">请输入整数。</small>' in html
    assert 'aria-invalid="true"' in html


def test_english_labels(env):
    """Labels and help follow the locale."""
    view = FormView(FORM, locale="en")
    with use_locale("en"):
        html = render(env, view)
    assert "Name" in html and "As on the ID card" in html and ">A</option>" in html


def test_display_values():
    """Stored values read well: yuan from fen, labels for choices, stars, time windows."""
    field = {f.key: f for f in FORM.fields}
    with use_locale("zh_CN"):
        assert display_value(field["fee"], 123456, "zh_CN") == "¥1,234.56"
        assert display_value(field["kind"], "a", "en") == "A"
        assert display_value(field["ok"], False, "zh_CN") == "否"
        assert display_value(field["stars"], 3, "zh_CN").startswith("★★★☆☆")
        assert display_value(field["hours"], {"start": "08:00", "end": "18:00"}, "zh_CN") == "08:00–18:00"
        assert display_value(field["who"], 7, "zh_CN", {"person": {"7": "张社工"}}) == "张社工"
