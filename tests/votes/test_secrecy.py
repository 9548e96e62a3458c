"""Secrecy: named votes show live results; hidden and anonymous ones are sealed until closed; anonymous
ballots keep no link to their voters, in columns, joins, times or row order."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from core import votes
from core.db.base import utcnow
from core.models.votes import VoteBallot, VoteParticipation
from tests.votes.conftest import cast, cast_many, close, households, new_vote, people, result

pytestmark = pytest.mark.pgbouncer  # also through PgBouncer in transaction mode (core.testing.pgbouncer)


class TestNamedAndHidden:
    def test_a_named_vote_shows_provisional_results_while_open(self, db, world):
        """While open, a named vote's result has tallies and an outcome, marked not final."""
        vote = new_vote(db, world, people(3))
        cast_many(db, vote, {"p0": "for", "p1": "for"})
        res = result(db, vote)
        assert (res.sealed, res.final, res.outcome, res.options[0].heads) == (False, False, votes.Outcome.PASSED, 2)

    def test_hidden_results_are_sealed_until_close(self, db, world):
        """Before closing: turnout only, no tallies, no outcome; after closing, everything."""
        vote = new_vote(db, world, people(3), secrecy="hidden_until_close")
        cast_many(db, vote, {"p0": "for", "p1": "against"})
        sealed = result(db, vote)
        assert (sealed.sealed, sealed.options, sealed.checks, sealed.outcome) == (True, (), (), None)
        assert (sealed.participating_heads, sealed.electorate_heads) == (2, 3)
        assert "表决结束后公布" in sealed.reason_zh
        opened = close(db, vote)
        assert (opened.sealed, opened.final, opened.outcome) == (False, True, votes.Outcome.FAILED)
        assert [o.heads for o in opened.options] == [1, 1, 0]

    def test_who_voted_what_is_shown_for_hidden_votes_only_after_close(self, db, world):
        """named_ballots raises ResultsSealed before the close of a hidden vote, and lists ballots after."""
        vote = new_vote(db, world, people(2), secrecy="hidden_until_close")
        cast(db, vote, "p0", "for")
        with pytest.raises(votes.ResultsSealed):
            db(lambda s: votes.named_ballots(s, vote))
        close(db, vote)
        assert [(b.voter_ref, b.choice) for b in db(lambda s: votes.named_ballots(s, vote))] == [("p0", "for")]


class TestAnonymous:
    def test_weighted_rules_and_changing_are_refused(self, db, world):
        """An anonymous vote can't count floor area (it names the flat) nor allow changing a ballot."""
        with pytest.raises(votes.InvalidRequest, match="面积几乎能认出"):
            new_vote(db, world, households("90"), rules=votes.Rules.owners_major(), secrecy="anonymous")
        with pytest.raises(votes.InvalidRequest, match="不能改票"):
            new_vote(db, world, people(2), rules=votes.Rules.two_thirds().changeable(), secrecy="anonymous")

    def test_ballots_store_only_the_choice(self, db, world, database_url):
        """Anonymous ballots have random ids and no elector, channel, clerk or time; the register names no ballot."""
        vote = new_vote(db, world, people(4), secrecy="anonymous")
        receipts = [
            cast(db, vote, "p0", "for"),
            cast(db, vote, "p1", "against", channel="paper", entered_by_id=world["clerk"]),
            cast(db, vote, "p2", "for", channel="door_to_door", entered_by_id=world["clerk"]),
        ]
        assert {r.ballot_id for r in receipts} == {None}

        async def rows(session):
            ballots = (await session.execute(select(VoteBallot))).scalars().all()
            register = (await session.execute(select(VoteParticipation))).scalars().all()
            return ballots, register

        ballots, register = db(rows)
        assert len(ballots) == 3 and len(register) == 3
        for ballot in ballots:
            assert re.fullmatch(r"[0-9a-f]{32}", ballot.id)
            assert (ballot.elector_id, ballot.channel, ballot.entered_by_id, ballot.cast_at) == (None, None, None, None)
        assert sorted(b.choice for b in ballots) == ["against", "for", "for"]
        # The register says who voted, how and when: that is public; it holds no ballot id.
        assert {(p.channel, p.entered_by_id) for p in register} == {
            ("online", None),
            ("paper", world["clerk"]),
            ("door_to_door", world["clerk"]),
        }

        def schema(connection):
            insp = inspect(connection)
            return (
                {c["name"] for c in insp.get_columns("vote_participations")},
                [
                    fk
                    for t in insp.get_table_names()
                    for fk in insp.get_foreign_keys(t)
                    if fk["referred_table"] == "vote_ballots"
                ],
                [
                    fk["constrained_columns"]
                    for fk in insp.get_foreign_keys("vote_ballots")
                    if fk["referred_table"] == "vote_electors"
                ],
            )

        async def read_schema(session):
            connection = await session.connection()
            return await connection.run_sync(schema)

        register_columns, into_ballots, ballot_to_elector = db(read_schema)
        assert register_columns == {"vote_id", "elector_id", "channel", "entered_by_id", "voted_at", "district_id"}
        assert into_ballots == []  # nothing points at a ballot
        assert ballot_to_elector == [["elector_id"]]  # the one path, NULL on every anonymous ballot

    def test_row_order_links_nothing(self, db, world, backend):
        """SQLite keeps ballots without rowid; after closing, PostgreSQL ballots share one xmin unlike the register."""
        vote = new_vote(db, world, people(6), secrecy="anonymous")
        for n, choice in enumerate(["for", "against", "for", "abstain", "for", "against"]):
            cast(db, vote, f"p{n}", choice)
        res = close(db, vote)
        assert [o.heads for o in res.options] == [3, 2, 1]

        async def physical(session):
            if backend == "sqlite":
                try:
                    await session.execute(text("SELECT rowid FROM vote_ballots"))
                except Exception as exc:  # noqa: BLE001 - the point is that it fails
                    return str(exc)
                return "rowid exists"
            ballots = (await session.execute(text("SELECT DISTINCT xmin::text FROM vote_ballots"))).scalars().all()
            register = (await session.execute(text("SELECT DISTINCT xmin::text FROM vote_participations"))).scalars()
            return ballots, set(register)

        found = db(physical)
        if backend == "sqlite":
            assert "no such column: rowid" in found
        else:
            ballots, register = found
            assert len(ballots) == 1 and ballots[0] not in register and len(register) == 6

    def test_results_are_sealed_until_close_and_ballots_never_listed(self, db, world):
        """Turnout only while open; named_ballots is refused even after close."""
        vote = new_vote(db, world, people(3), secrecy="anonymous")
        cast_many(db, vote, {"p0": "for", "p1": "for"})
        assert result(db, vote).sealed
        assert close(db, vote).outcome is votes.Outcome.PASSED
        with pytest.raises(votes.ResultsSealed):
            db(lambda s: votes.named_ballots(s, vote))
        assert db(lambda s: votes.has_voted(s, vote, "p0")) and not db(lambda s: votes.has_voted(s, vote, "p2"))

    def test_a_second_anonymous_ballot_is_refused(self, db, world):
        """The register stops a second ballot without knowing which ballot was the first."""
        vote = new_vote(db, world, people(2), secrecy="anonymous")
        cast(db, vote, "p0", "for")
        with pytest.raises(votes.AlreadyVoted):
            cast(db, vote, "p0", "against")
        assert close(db, vote).ballots == 1


def test_unknown_secrecy_is_refused(db, world):
    """create_vote refuses a secrecy that is not named, hidden_until_close or anonymous."""

    async def create(session):
        now = utcnow()
        return await votes.create_vote(
            session,
            district_id=world["haishu"],
            subject_ref="x:1",
            title="t",
            method="for_against_abstain",
            options=None,
            rules=votes.Rules.simple_majority(),
            secrecy="secret",
            opens_at=now,
            closes_at=now + timedelta(hours=1),
            created_by_id=None,
        )

    with pytest.raises(votes.InvalidRequest, match="未知的保密方式"):
        db(create)
