"""Schemathesis fuzzes every operation of the OpenAPI schema: no answer is a 5xx, every answer matches the schema.

The demo district (海曙区, every built-in plugin on, its sample data) is seeded, a district
admin's API token authenticates every request (Bearer tokens are exempt from CSRF), and
each operation of ``/schema/openapi.json`` gets a few schema-conforming and a few
schema-violating examples, sent straight to the ASGI app (no network). ``district_code``
is pinned to the demo district so the fuzzed values reach the handlers instead of a 404.

Bounded so that one backend takes well under two minutes on a 2-core machine: a few
examples per operation and mode, no shrinking, no example database. Run it alone with
``pytest -m fuzz`` (docs/security.md).

The examples are drawn once per test process and sent to each backend: generation is
derandomized, so the second backend would draw exactly the same requests again, and
drawing them is more than half of the fuzzer's time (hypothesis building values from each
operation's schema). Both backends run on one pytest-xdist worker (``xdist_group``); the
first one to run draws and records the requests it sent, the other sends those.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from sqlalchemy import select

from core.app import create_app
from core.auth.tokens import create_token
from core.demo import seed_demo
from core.models import User
from core.plugins import PluginHost

pytestmark = [pytest.mark.fuzz, pytest.mark.timeout(600), pytest.mark.xdist_group("fuzz")]

# Examples per operation and generation mode (SANSHE_FUZZ_EXAMPLES overrides, for a longer run by hand).
EXAMPLES = int(os.environ.get("SANSHE_FUZZ_EXAMPLES", "5"))
# No operation gets more than this many seconds, whatever its examples cost.
OPERATION_BUDGET = float(os.environ.get("SANSHE_FUZZ_OPERATION_SECONDS", "2"))
CHECKS = ("not_a_server_error", "response_schema_conformance", "content_type_conformance")
# The requests sent by the first backend's run in this process, by operation and mode, in order.
_DRAWN: dict[tuple[str, str], list[Any]] = {}


def _demo_token(seed: Any) -> str:
    async def run(session: Any) -> str:
        district = (await seed_demo(session, PluginHost.load(None))).district
        admin = (await session.execute(select(User).where(User.username == "district-admin"))).scalar_one()
        raw, _ = await create_token(session, admin, district.id, "fuzz")
        return raw

    return str(seed(run))


def _fuzz(schema: Any, headers: dict[str, str]) -> tuple[int, list[str], Counter[str]]:
    """Send bounded examples of every operation; the number sent, the failures, the answers by status class."""
    from schemathesis import checks as registry

    checks = [getattr(registry, name) for name in CHECKS]
    record = _Record()
    failures = record.failures
    replay = bool(_DRAWN)  # filled only by a first run that went through every operation
    drawing: dict[tuple[str, str], list[Any]] = {}
    for operation in sorted((result.ok() for result in schema.get_all_operations()), key=_order):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not len(operation.body) and not len(operation.query):
                # Only path parameters to negate: a URL path is text whatever the type, so schemathesis
                # spends seconds filtering for a handful of examples the positive mode already covers.
                continue
            started = time.monotonic()
            if replay:
                for case in _DRAWN.get((operation.label, mode.value), []):
                    _send(case, operation, headers, checks, record)
                continue
            path = {"district_code": "haishu"} if "{district_code}" in operation.path else None
            try:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=path)
            except Exception as exc:  # noqa: BLE001 - an operation schemathesis cannot negate is skipped, not fatal
                if mode is GenerationMode.NEGATIVE:
                    continue
                failures.append(f"{operation.label}: no strategy ({exc})")
                continue

            drawn = drawing.setdefault((operation.label, mode.value), [])
            _run_examples(strategy, operation, started, headers, checks, record, drawn)
            if os.environ.get("SANSHE_FUZZ_TRACE"):
                print(f"{time.monotonic() - started:6.2f}s {mode} {operation.label}")  # noqa: T201

    if replay:
        _DRAWN.clear()  # sent to both backends: the cases hold the first backend's app and schema alive
    else:
        _DRAWN.update(drawing)
    return record.sent, record.failures, record.statuses


def _order(operation: Any) -> tuple[int, str]:
    """Reads and writes first, deletions after them, and last what could lock the token's user out.

    A fuzzed ``DELETE …/memberships/1`` may remove the district admin's own role and a
    ``PATCH …/plugins/{key}`` may switch a module off; run earlier, either would turn every
    later request into a 403/404 and hide what those operations do with bad input.
    """
    method = operation.method.upper()
    if method == "DELETE" and "memberships" in operation.path:
        rank = 4
    elif method == "PATCH" and "/plugins/" in operation.path:
        rank = 3
    elif method == "DELETE":
        rank = 2
    else:
        rank = 1
    return rank, operation.label


class _Record:
    def __init__(self) -> None:
        self.sent = 0
        self.failures: list[str] = []
        self.statuses: Counter[str] = Counter()


def _run_examples(
    strategy: Any, operation: Any, started: float, headers: Any, checks: Any, record: _Record, drawn: list[Any]
) -> None:
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        if time.monotonic() - started > OPERATION_BUDGET:
            return
        drawn.append(case)
        _send(case, operation, headers, checks, record)

    # Unsatisfiable: nothing in this operation can be made invalid (negative mode), so no example to send.
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()


def _send(case: Any, operation: Any, headers: Any, checks: Any, record: _Record) -> None:
    """Send one example to ``operation``'s app (the example may have been drawn for another backend's)."""
    label = operation.label
    # schemathesis waits 10 s by default: too tight for one request on a loaded 2-core CI machine
    response = case.call(headers=headers, timeout=60, app=operation.app)
    record.sent += 1
    record.statuses[str(response.status_code)] += 1
    if os.environ.get("SANSHE_FUZZ_TRACE"):
        print(response.status_code, label, response.request.method, response.request.url, response.content[:150])  # noqa: T201
    try:
        case.validate_response(response, checks=checks)
    except FailureGroup as group:
        for failure in group.exceptions:
            record.failures.append(
                f"{label} [{response.status_code}] {failure.title}: "
                f"{case.as_curl_command()}\n    {response.content[:300].decode('utf-8', 'replace')}"
            )
    except AssertionError as exc:
        record.failures.append(f"{label} [{response.status_code}] {exc}: {case.as_curl_command()}")


def test_every_api_operation_survives_fuzzing_without_5xx(backend: str, settings: Any, seed: Any) -> None:
    """Every operation answers fuzzed and malformed requests with a documented, non-5xx answer."""
    token = _demo_token(seed)
    app = create_app(settings)
    try:
        schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
        sent, failures, statuses = _fuzz(schema, {"Authorization": f"Bearer {token}"})
    finally:
        asgi.shutdown_lifespans()
    print(f"\nfuzz[{backend}]: {sent} requests, answers {dict(sorted(statuses.items()))}")  # noqa: T201
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} failures in {sent} requests:\n" + "\n".join(unique[:60])
    assert sent > 200, "the fuzzer barely ran: is the schema empty?"
