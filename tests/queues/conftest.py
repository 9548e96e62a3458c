"""Queue tests: the cases' world (two communities, staff in each) and helpers to fill it with cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from core.cases import service
from core.testing import login
from tests.cases.conftest import RESIDENT_REQUEST, world  # noqa: F401 - a fixture

if TYPE_CHECKING:
    from collections.abc import Callable

CASEWORK = {"client_name": "王大爷", "service_line": "elderly", "presenting_problem": "独居，需要上门探访"}


def make_requests(run_as: Callable[..., Any], n: int, who: str = "worker", **over: Any) -> list[str]:
    """``n`` resident requests created by ``who`` (titles 诉求 0…n-1); their references, in order."""

    async def create(ctx):
        refs = []
        for i in range(n):
            fields = dict(over)
            title = fields.pop("title", f"诉求 {i}")
            case = await service.create_case(
                ctx,
                "resident_request",
                title=title,
                data={**RESIDENT_REQUEST, **fields.pop("data", {})},
                channel=fields.pop("channel", "phone"),
                **fields,
            )
            refs.append(case.reference)
        return refs

    return run_as(who, create)


def make_casework(run_as: Callable[..., Any], who: str, team_id: int, title: str = "独居老人探访") -> str:
    """A casework case of ``team_id``'s team, created by ``who``."""

    async def create(ctx):
        case = await service.create_case(
            ctx, "casework", title=title, data=dict(CASEWORK), channel="walk_in", team_id=team_id
        )
        return case.reference

    return run_as(who, create)


@pytest.fixture
def logged_in(client, request):
    """``logged_in(name)``: the test client, logged in as that user of 海曙区 (the ``world`` fixture)."""
    request.getfixturevalue("world")

    def run(username: str):
        client.cookies.clear()
        return login(client, username)

    return run


HTMX = {"HX-Request": "true"}


def htmx(target: str, current_url: str = "") -> dict[str, str]:
    """Headers of an htmx request swapping ``#target`` (from the page at ``current_url``)."""
    headers = {**HTMX, "HX-Target": target}
    if current_url:
        headers["HX-Current-URL"] = current_url
    return headers
