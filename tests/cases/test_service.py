"""Working a case through the service layer: creation, validation, locking, transitions, SLA, timeline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from core.cases import service
from core.cases.errors import InvalidData, StaleCase, TransitionRefused
from core.cases.timeline import verify_case_chain
from core.db import utcnow
from core.i18n import use_locale
from core.models.cases import Case, CaseEvent
from core.refusal import Forbidden, NotFound
from tests.cases.conftest import RESIDENT_REQUEST


def new_request(as_user, who="worker", **over):
    async def create(ctx):
        case = await service.create_case(
            ctx,
            "resident_request",
            title=over.pop("title", "楼道垃圾"),
            data={**RESIDENT_REQUEST, **over},
            channel="phone",
        )
        return case.reference

    return as_user(who, create)


class TestCreate:
    def test_reference_state_and_sla(self, world, as_user):
        """A phone case gets HS-<year>-000001, starts 已登记 and has a due time."""
        reference = new_request(as_user)
        assert re.fullmatch(r"HS-20\d\d-000001", reference)

        async def check(ctx):
            case, _ = await service.get_case(ctx, reference)
            return case.state, case.due_at, case.channel

        state, due_at, channel = as_user("worker", check)
        assert state == "reported"
        assert channel == "phone"
        assert due_at is not None and due_at > utcnow()

    def test_references_count_up(self, world, as_user):
        """Each new case takes the next number."""
        first, second = new_request(as_user), new_request(as_user)
        assert int(second[-6:]) == int(first[-6:]) + 1

    def test_bad_input_changes_nothing(self, world, as_user):
        """A wrong phone number is refused with its message in Chinese; no case and no number is used."""
        with use_locale("zh_CN"), pytest.raises(InvalidData) as info:
            new_request(as_user, phone="12345")
        assert "手机号" in info.value.errors["phone"]

        async def count(ctx):
            return (await ctx.session.execute(select(Case))).all()

        assert as_user("worker", count) == []
        assert new_request(as_user).endswith("000001")

    def test_resident_cannot_create_casework(self, world, as_user):
        """A role without ``create`` on a type is refused."""

        async def create(ctx):
            await service.create_case(ctx, "casework", title="x", data={}, channel="web")

        with pytest.raises(Forbidden):
            as_user("resident", create)

    def test_html_is_stored_as_text(self, world, as_user):
        """Markup typed into a text field is stored as typed (pages escape it)."""
        reference = new_request(as_user, description="<img src=x onerror=alert(1)>")

        async def data(ctx):
            return (await service.get_case(ctx, reference))[0].data["description"]

        assert as_user("worker", data) == "<img src=x onerror=alert(1)>"


class TestOptimisticLocking:
    def test_second_editor_gets_409_with_what_changed(self, world, as_user):
        """Two editors load version 1: the first save wins, the second gets StaleCase naming the change."""
        reference = new_request(as_user)

        def edit(who, version, value):
            async def run(ctx):
                case, definition = await service.get_case(ctx, reference)
                return await service.update_case(
                    ctx, case, definition, lock_version=version, changes={"address": value}
                )

            return as_user(who, run)

        assert edit("worker", 1, "偃月小区 5 幢") == {"address": ["偃月小区 3 幢 201", "偃月小区 5 幢"]}
        with pytest.raises(StaleCase) as info:
            edit("social", 1, "牡丹小区 1 幢")
        change = info.value.changes[0]
        assert (change["field"], change["new"], change["by"]) == ("address", "偃月小区 5 幢", "worker")
        assert info.value.current_version == 2

        async def address(ctx):
            return (await service.get_case(ctx, reference))[0].data["address"]

        assert as_user("worker", address) == "偃月小区 5 幢"


def move(as_user, who, reference, key, **kwargs):
    async def run(ctx):
        case, definition = await service.get_case(ctx, reference)
        await service.perform_transition(ctx, case, definition, key, **kwargs)
        return case.state

    return as_user(who, run)


class TestTransitions:
    def test_role_not_allowed(self, world, as_user):
        """A community worker may not triage (only social workers may)."""
        reference = new_request(as_user)
        with pytest.raises(Forbidden):
            move(as_user, "worker", reference, "triage", data={"difficulty": "simple"})

    def test_required_fields_of_a_step(self, world, as_user):
        """Triage needs the difficulty; without it the step is refused with the field named."""
        reference = new_request(as_user)
        with pytest.raises(InvalidData) as info:
            move(as_user, "social", reference, "triage")
        assert set(info.value.errors) == {"difficulty"}
        assert move(as_user, "social", reference, "triage", data={"difficulty": "simple"}) == "triaged"

    def test_guard_refuses_with_its_reason(self, world, as_user):
        """Escalating a simple request straight from triage is refused with the guard's message."""
        reference = new_request(as_user)
        move(as_user, "social", reference, "triage", data={"difficulty": "simple"})
        with use_locale("zh_CN"), pytest.raises(TransitionRefused) as info:
            move(as_user, "social", reference, "escalate", reason="需要协调")
        assert "部门也办理不了的才提交镇长办公会议" in info.value.message

    def test_reason_required(self, world, as_user):
        """Returning a request for information needs a reason."""
        reference = new_request(as_user)
        with pytest.raises(InvalidData):
            move(as_user, "social", reference, "return_for_info")

    def test_not_from_this_state(self, world, as_user):
        """A transition that does not start from the case's state is refused."""
        reference = new_request(as_user)
        with pytest.raises(TransitionRefused):
            move(as_user, "social", reference, "close")

    def test_available_transitions_follow_roles(self, world, as_user):
        """The buttons offered are the transitions out of the state that the user's roles allow."""
        reference = new_request(as_user)

        def offered(who):
            async def run(ctx):
                case, definition = await service.get_case(ctx, reference)
                return [t.key for t in service.available_transitions(ctx, case, definition)]

            return as_user(who, run)

        assert offered("social") == ["triage", "return_for_info"]
        assert offered("worker") == ["return_for_info"]


class TestSla:
    def test_clock_pauses_while_waiting(self, world, as_user):
        """Returning for information stops the clock; supplying it resumes with the time that was left."""
        reference = new_request(as_user)

        async def due(ctx):
            case, _ = await service.get_case(ctx, reference)
            return case.due_at, case.sla_remaining

        first_due, _ = as_user("worker", due)
        move(as_user, "social", reference, "return_for_info", reason="请补充照片")
        paused_due, remaining = as_user("worker", due)
        assert paused_due is None
        assert 0 < remaining <= 8 * 3600
        move(as_user, "worker", reference, "info_supplied")
        resumed_due, _ = as_user("worker", due)
        assert resumed_due is not None
        assert resumed_due >= first_due - timedelta(seconds=5)


class TestTimeline:
    def test_events_and_chain(self, world, as_user):
        """Creation, edits, transitions, comments and assignments are events in one intact chain."""
        reference = new_request(as_user)
        move(as_user, "social", reference, "triage", data={"difficulty": "simple"})

        async def more(ctx):
            case, definition = await service.get_case(ctx, reference)
            await service.comment(ctx, case, definition, "已联系 @worker 上门查看")
            await service.claim(ctx, case, definition)
            kinds = [
                e.kind
                for e in (
                    await ctx.session.execute(
                        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
                    )
                ).scalars()
            ]
            return kinds, await verify_case_chain(ctx.session, case.id)

        kinds, broken = as_user("social", more)
        assert kinds == ["created", "transition", "comment", "assigned"]
        assert broken is None

    def test_editing_an_event_is_detected(self, world, as_user):
        """Changing a stored event's payload breaks the chain at that event."""
        reference = new_request(as_user)
        move(as_user, "social", reference, "triage", data={"difficulty": "simple"})

        async def tamper(ctx):
            case, _ = await service.get_case(ctx, reference)
            case_id = case.id
            await ctx.session.execute(
                text("UPDATE case_events SET payload = :p WHERE case_id = :c AND seq = 1"),
                {"p": '{"title": "改过了"}', "c": case_id},
            )
            ctx.session.expire_all()
            return await verify_case_chain(ctx.session, case_id)

        broken = as_user("social", tamper)
        assert broken is not None and broken.seq == 1

    def test_mentions_are_recorded(self, world, as_user):
        """An @username of a district member is recorded with the comment; unknown names are not."""
        reference = new_request(as_user)

        async def run(ctx):
            case, definition = await service.get_case(ctx, reference)
            event = await service.comment(ctx, case, definition, "请 @social 和 @nobody 跟进")
            return event.payload["mentions"]

        assert [m["username"] for m in as_user("worker", run)] == ["social"]


class TestClaim:
    def test_second_claim_is_refused(self, world, as_user):
        """Claiming a case someone took first is refused and names them."""
        reference = new_request(as_user)

        def claim(who):
            async def run(ctx):
                case, definition = await service.get_case(ctx, reference)
                await service.claim(ctx, case, definition)

            return as_user(who, run)

        claim("social")
        with pytest.raises(TransitionRefused) as info:
            claim("worker")
        assert "social" in info.value.message


class TestVisibility:
    def casework(self, as_user, who, team_id):
        async def create(ctx):
            case = await service.create_case(
                ctx,
                "casework",
                title="个案：车祸受伤的女儿",
                data={"client_name": "王女士", "service_line": "family", "presenting_problem": "车祸后康复与法律问题"},
                channel="walk_in",
                team_id=team_id,
            )
            return case.reference

        return as_user(who, create)

    def test_outside_the_team_cannot_see_casework(self, world, as_user):
        """A social worker of another community cannot get a casework case by reference."""
        reference = self.casework(as_user, "social", world["pingqiao"])

        async def read(ctx):
            return (await service.get_case(ctx, reference))[0].title

        assert as_user("social", read) == "个案：车祸受伤的女儿"
        with pytest.raises(NotFound):
            as_user("social2", read)

    def test_resident_sees_only_own_requests(self, world, as_user):
        """A resident sees the requests they reported, not their neighbour's."""
        mine = new_request(as_user, who="resident")
        theirs = new_request(as_user, who="resident2")

        def read(reference):
            async def run(ctx):
                return (await service.get_case(ctx, reference))[0].reference

            return run

        assert as_user("resident", read(mine)) == mine
        with pytest.raises(NotFound):
            as_user("resident", read(theirs))
