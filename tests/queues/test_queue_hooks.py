"""The queue hooks (test plugin: tests/plugins_for_tests/queue_hooks.py): a sidebar queue and an export column."""

from __future__ import annotations

import csv
import io

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.models import District
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing import login
from core.testing.apps import lease
from tests.plugins_for_tests import queue_hooks
from tests.queues.conftest import htmx, make_requests


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.load(frozenset(), extra_modules=(queue_hooks,))


@pytest.fixture
def hooked_client(settings, host, world, seed):
    """A client of an app with the queue-hooks plugin, enabled in 海曙区."""

    async def enable(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await enable_plugin(session, district, host, "queue_hooks")

    seed(enable)
    with TestClient(app=lease(settings, host)) as client:
        yield client


def test_hook_queue_definitions(hooked_client, as_user):
    """A plugin's queue appears in the sidebar with its filters as a link and its count."""
    make_requests(as_user, 1, title="紧急：水管爆裂")
    make_requests(as_user, 2)
    login(hooked_client, "worker")
    page = hooked_client.get("/d/haishu/cases").text
    assert "紧急诉求" in page
    assert 'href="/d/haishu/cases?type=resident_request&amp;q=%E7%B4%A7%E6%80%A5"' in page
    counts = hooked_client.get("/d/haishu/queues/counts", headers=htmx("queue-sidebar")).text
    assert 'data-count="plugin.urgent_requests">1<' in counts


def test_hook_case_export_columns(hooked_client, as_user):
    """A plugin's export column follows the chosen ones, filled by its function for each case."""
    make_requests(as_user, 1, title="路灯不亮")
    login(hooked_client, "dadmin")
    response = hooked_client.get("/d/haishu/queues/export.csv?col=reference&col=title")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["编号", "标题", "标题字数"]
    assert rows[1][1:] == ["路灯不亮", "4"]
