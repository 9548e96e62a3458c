"""The app starts, answers its health check, and a member reaches their district's dashboard."""

from __future__ import annotations

from core.testing import login
from core.testing.factories import make_district, make_user


def test_healthz_reports_ok(client):
    """``/healthz`` answers ``{"status": "ok"}`` when the database is reachable."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_worker_logs_in_and_sees_dashboard(client, seed):
    """A community worker logs in through the form and lands on the district dashboard."""

    async def data(session):
        district = await make_district(session)
        await make_user(session, "worker", district=district, roles=("community_worker",))

    seed(data)
    login(client, "worker")
    response = client.get("/", follow_redirects=True)
    assert response.url.path == "/d/haishu/"
    assert "海曙区" in response.text
