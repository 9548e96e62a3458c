"""Hypothesis: random transfers, multi-leg splits, reversals, replays and over-limit attempts keep every invariant."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core import ledger
from core.models.ledger import LedgerAccount, LedgerTransfer

# (owner_kind, unit, min_balance, max_balance): a pool that issues hours, two members (one
# capped), an organization allowed an overdraft, and a money account (for unit mismatches).
ACCOUNTS = [
    ("system", "minutes", None, None),
    ("person", "minutes", 0, None),
    ("person", "minutes", 0, 300),
    ("organization", "minutes", -60, None),
    ("system", "fen", None, None),
]
N = len(ACCOUNTS)
idx = st.integers(0, N - 1)
positive = st.integers(1, 200)

OPS = st.one_of(
    st.tuples(st.just("move"), idx, idx, st.integers(-5, 200)),
    st.tuples(st.just("spread"), idx, st.lists(st.tuples(idx, positive), min_size=1, max_size=4)),
    st.tuples(st.just("gather"), st.lists(st.tuples(idx, positive), min_size=1, max_size=4), idx),
    st.tuples(st.just("raw"), st.lists(st.tuples(idx, st.integers(-150, 150)), min_size=0, max_size=4)),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
    st.tuples(st.just("replay"), st.integers(0, 30), st.booleans()),
)

_examples = itertools.count()


def expected(legs, balances):
    """What the ledger must answer to ``legs`` (index, amount): an error class, or None for success."""
    if len(legs) < 2:
        return ledger.InvalidRequest
    if any(amount == 0 for _, amount in legs):
        return ledger.ZeroPosting
    if any(n > 1 for n in Counter(i for i, _ in legs).values()):
        return ledger.SelfTransfer
    if sum(amount for _, amount in legs) != 0:
        return ledger.UnbalancedTransfer
    if len({ACCOUNTS[i][1] for i, _ in legs}) > 1:
        return ledger.UnitMismatch
    for i, amount in legs:
        _, _, low, high = ACCOUNTS[i]
        after = balances[i] + amount
        if (amount < 0 and low is not None and after < low) or (amount > 0 and high is not None and after > high):
            return ledger.LimitExceeded
    return None


def to_legs(op):
    kind = op[0]
    if kind == "move":
        _, src, dst, amount = op
        return [(src, -amount), (dst, amount)]
    if kind == "spread":
        _, src, targets = op
        return [(src, -sum(a for _, a in targets)), *targets]
    if kind == "gather":
        _, sources, dst = op
        return [*((i, -a) for i, a in sources), (dst, sum(a for _, a in sources))]
    return list(op[1])


def test_random_operations_keep_every_invariant(db, world):
    """Any sequence of operations leaves verify() empty, balances as a model predicts, and refusals change nothing."""
    district = world["haishu"]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=st.lists(OPS, min_size=1, max_size=25))
    def run(ops):
        prefix = f"ex{next(_examples)}"

        async def open_all(session):
            return [
                (
                    await ledger.open_account(
                        session,
                        district_id=district,
                        owner_kind=kind,
                        owner_ref=f"{prefix}:{n}",
                        unit=unit,
                        name=f"{prefix}-{n}",
                        min_balance=low,
                        max_balance=high,
                    )
                ).id
                for n, (kind, unit, low, high) in enumerate(ACCOUNTS)
            ]

        ids = db(open_all)
        model = [0] * N
        done = []  # (transfer id, key, legs as indexes, is_reversal, reversed?)
        for n, op in enumerate(ops):
            key = f"{prefix}:{n}"
            if op[0] == "reverse":
                if not done:
                    continue
                entry = done[op[1] % len(done)]
                legs = [(i, -a) for i, a in entry["legs"]]
                if entry["reversal"]:
                    want = ledger.CannotReverseReversal
                elif entry["reversed"]:
                    want = ledger.AlreadyReversed
                else:
                    want = expected(legs, model)

                async def call(session, entry=entry, key=key):
                    return await ledger.reverse(
                        session,
                        district_id=district,
                        transfer_id=entry["id"],
                        reason="冲正",
                        created_by_id=None,
                        idempotency_key=key,
                    )
            elif op[0] == "replay":
                if not done:
                    continue
                entry = done[op[1] % len(done)]
                if entry["reversal"]:
                    continue
                same = op[2]
                legs = entry["legs"] if same else [(i, a * 2) for i, a in entry["legs"]]
                want = "same" if same else ledger.IdempotencyConflict

                async def call(session, legs=legs, entry=entry):
                    return await ledger.transfer(
                        session,
                        district_id=district,
                        legs=[(ids[i], a) for i, a in legs],
                        reason="重放",
                        idempotency_key=entry["key"],
                        created_by_id=None,
                    )
            else:
                legs = to_legs(op)
                want = expected(legs, model)
                if op[0] == "move" and op[3] < 0:
                    want = ledger.InvalidRequest

                async def call(session, legs=legs, key=key, op=op):
                    if op[0] == "move":
                        return await ledger.move(
                            session,
                            district_id=district,
                            from_account=ids[op[1]],
                            to_account=ids[op[2]],
                            amount=op[3],
                            reason="随机",
                            idempotency_key=key,
                            created_by_id=None,
                        )
                    return await ledger.transfer(
                        session,
                        district_id=district,
                        legs=[(ids[i], a) for i, a in legs],
                        reason="随机",
                        idempotency_key=key,
                        created_by_id=None,
                    )

            try:
                result = db(call)
            except ledger.LedgerError as exc:
                assert want is not None and want != "same" and isinstance(exc, want), (op, want, exc)
            else:
                if want == "same":
                    assert result.id == entry["id"]
                else:
                    assert want is None, (op, want)
                    for i, a in legs:
                        model[i] += a
                    if op[0] == "reverse":
                        entry["reversed"] = True
                    done.append(
                        {"id": result.id, "key": key, "legs": legs, "reversal": op[0] == "reverse", "reversed": False}
                    )

            async def state(session):
                rows = dict((await session.execute(select(LedgerAccount.id, LedgerAccount.balance))).all())
                count = select(func.count()).where(LedgerTransfer.idempotency_key.like(f"{prefix}:%"))
                return [rows[i] for i in ids], (await session.execute(count)).scalar_one()

            assert db(state) == (model, len(done)), op
        assert db(ledger.verify) == []

    run()
