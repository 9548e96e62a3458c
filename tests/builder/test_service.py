"""Drafts, publishing, versions and YAML round trips of the builder."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.builder import service as builder
from core.cases import service as cases
from core.cases.types import definition_of
from core.casetypes import load_yaml_text
from core.forms.definition import DefinitionError
from core.models.cases import CaseTypeVersion
from core.rbac.roles import DEFAULT_ROLES

DATA = {"elder_name": "王奶奶", "phone": "13800138000", "address": "平桥社区 5 幢", "diet": "normal"}


def publish_meal(as_user, raw):
    async def run(ctx):
        row = await builder.new_draft(ctx.session, ctx.district, raw, user_id=ctx.user.id)
        assert row.status == "draft"
        return (await builder.publish(ctx.session, ctx.district, "meal_delivery", user_id=ctx.user.id)).id

    return as_user("dadmin", run)


def test_publishing_makes_a_type_staff_can_use_at_once(world, as_user, meal_delivery):
    """A published draft is version 1 and a worker files and moves a case of it in the same process."""
    version_id = publish_meal(as_user, meal_delivery)

    async def work(ctx):
        case = await cases.create_case(ctx, "meal_delivery", title="王奶奶送餐", data=DATA, channel="phone")
        definition = await cases.definition_for(ctx, case)
        await cases.perform_transition(ctx, case, definition, "assess")
        return case.case_type_version_id, case.state

    assert as_user("worker", work) == (version_id, "assessed")


def test_publishing_is_refused_while_problems_remain(world, as_user, meal_delivery):
    """A draft with a dead-end state cannot be published and stays a draft."""
    meal_delivery["workflow"]["transitions"] = meal_delivery["workflow"]["transitions"][:2]

    async def run(ctx):
        await builder.new_draft(ctx.session, ctx.district, meal_delivery, user_id=None)
        with pytest.raises(builder.BuilderError) as caught:
            await builder.publish(ctx.session, ctx.district, "meal_delivery", user_id=None)
        draft = await builder.draft_of(ctx.session, ctx.district, "meal_delivery")
        return [p.path for p in caught.value.problems], draft.status

    found, status = as_user("dadmin", run)
    assert "workflow.states[2]" in found and status == "draft"


def test_editing_a_published_type_makes_a_new_draft_and_old_cases_stay(world, as_user, meal_delivery):
    """Version 1 never changes; editing makes a draft, publishing it gives version 2 for new cases only."""
    v1 = publish_meal(as_user, meal_delivery)
    old_case = as_user(
        "worker", lambda ctx: cases.create_case(ctx, "meal_delivery", title="旧", data=DATA, channel="web")
    )
    old_ref = old_case.reference

    async def edit(ctx):
        draft = await builder.start_draft(ctx.session, ctx.district, user_id=None, key="meal_delivery")
        raw = dict(draft.definition)
        raw["form"]["fields"].append({"key": "allergy", "type": "text", "label": {"zh": "过敏"}})
        builder.save_draft(draft, raw)
        new = await builder.publish(ctx.session, ctx.district, "meal_delivery", user_id=None)
        first = await ctx.session.get(CaseTypeVersion, v1)
        return new.version, new.id, first.status, "allergy" in str(first.definition)

    version, v2, first_status, first_has_allergy = as_user("dadmin", edit)
    assert (version, first_status, first_has_allergy) == (2, "published", False)

    async def check(ctx):
        new_case = await cases.create_case(ctx, "meal_delivery", title="新", data=DATA, channel="web")
        old, old_def = await cases.get_case(ctx, old_ref)
        return new_case.case_type_version_id, old.case_type_version_id, old_def.form.get("allergy")

    assert as_user("worker", check) == (v2, v1, None)


def test_a_published_version_cannot_be_saved_as_a_draft(world, as_user, meal_delivery):
    """Saving over a published row is refused."""
    v1 = publish_meal(as_user, meal_delivery)

    async def run(ctx):
        row = await ctx.session.get(CaseTypeVersion, v1)
        with pytest.raises(builder.BuilderError):
            builder.save_draft(row, meal_delivery)

    as_user("dadmin", run)


def test_retired_types_are_no_longer_offered(world, as_user, meal_delivery):
    """After retiring, the type is gone from the district's current types."""
    publish_meal(as_user, meal_delivery)

    async def run(ctx):
        await builder.retire(ctx.session, ctx.district, "meal_delivery")
        return "meal_delivery" in await cases.case_types(ctx)

    assert as_user("dadmin", run) is False


def test_new_draft_from_scratch_passes_the_checks(world, as_user):
    """A type started from nothing can be published at once."""

    async def run(ctx):
        await builder.start_draft(ctx.session, ctx.district, user_id=None, key="blank_type", name_zh="空白")
        row = await builder.publish(ctx.session, ctx.district, "blank_type", user_id=None)
        return row.version, row.source

    assert as_user("dadmin", run) == (1, "builder")


def test_copy_of_a_shipped_type_gets_its_own_key(world, as_user):
    """Copying the core's 居民诉求 gives a draft under the new key with the same workflow."""

    async def run(ctx):
        row = await builder.start_draft(
            ctx.session, ctx.district, user_id=None, key="my_request", copy_from=("haishu", "resident_request")
        )
        return row.definition["key"], len(row.definition["workflow"]["states"])

    key, states = as_user("dadmin", run)
    assert key == "my_request" and states > 2


def test_copy_from_another_district_is_refused_like_an_unknown_type(world, as_user, seed):
    """鄞州区's 居民诉求 can't be copied from 海曙区: 404 naming the YAML export, the same as for a key nobody has."""
    from tests.factories import make_district

    seed(lambda session: make_district(session, "yinzhou", "鄞州区", ref_prefix="YZ"))

    async def run(ctx, source):
        try:
            await builder.start_draft(ctx.session, ctx.district, user_id=None, key="copied", copy_from=source)
        except builder.BuilderError as exc:
            return exc.status_code, exc.message.replace(source[1], "?")
        return None

    other = as_user("dadmin", lambda ctx: run(ctx, ("yinzhou", "resident_request")))
    unknown = as_user("dadmin", lambda ctx: run(ctx, ("haishu", "no_such_type")))
    assert other == unknown
    assert other[0] == 404 and "导出 YAML" in other[1]


def test_exported_yaml_loads_unchanged_as_a_plugin_case_type(world, as_user, meal_delivery):
    """The YAML export of a published version parses as a plugin file with the same checksum."""
    version_id = publish_meal(as_user, meal_delivery)

    async def run(ctx):
        row = (await ctx.session.execute(select(CaseTypeVersion).where(CaseTypeVersion.id == version_id))).scalar_one()
        return builder.export_yaml(definition_of(row)), row.checksum

    text, checksum = as_user("dadmin", run)
    loaded = load_yaml_text(text, known_roles={r.key for r in DEFAULT_ROLES}, source="meal_delivery.yaml")
    assert loaded.checksum() == checksum
    assert "独居老人送餐申请" in text


def test_import_shows_problems_by_line_and_stores_nothing(world, as_user, meal_delivery):
    """A YAML file with a dead-end state is refused with the line of the state."""
    meal_delivery["workflow"]["transitions"] = meal_delivery["workflow"]["transitions"][:2]
    import yaml

    text = yaml.safe_dump(meal_delivery, allow_unicode=True, sort_keys=False)

    async def run(ctx):
        with pytest.raises(DefinitionError) as caught:
            await builder.import_yaml(ctx.session, ctx.district, text, user_id=None)
        return [str(p) for p in caught.value.problems], await builder.draft_of(
            ctx.session, ctx.district, "meal_delivery"
        )

    messages, draft = as_user("dadmin", run)
    assert draft is None
    assert any("(line " in m and "no way out" in m for m in messages)
