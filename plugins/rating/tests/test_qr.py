"""The QR code of a delivery's rating link: the card to print, PNG and SVG (pages and API), staff only."""

from __future__ import annotations

import io

import segno
from PIL import Image

from core.testing import login
from plugins.rating import qr, service
from plugins.rating.tests.support import delivered

BASE = "/d/haishu/rating/deliveries"
API = "/api/v1/districts/haishu/rating/deliveries"


def _modules(png: bytes) -> list[list[bool]]:
    """The dark/light modules read back from a PNG drawn by :func:`qr.png` (pixel centre of each module)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // qr.PNG_SCALE - 2 * qr.BORDER
    at = qr.PNG_SCALE // 2
    return [
        [
            image.getpixel(((qr.BORDER + x) * qr.PNG_SCALE + at, (qr.BORDER + y) * qr.PNG_SCALE + at)) < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def test_qr_encodes_the_rating_link_and_is_refused_once_rated(client, world, as_user):
    """Staff get the card (with the code and the link), a PNG whose modules are the link's QR code and an SVG;
    the link in the code opens the phone page; a resident gets 403; once rated, the code is refused (409)."""

    async def make(ctx):
        d = await delivered(ctx, world.elderly, world.li)
        return d.id, service.token_for(ctx, d.id)

    delivery_id, token = as_user("worker", make)
    login(client, "worker")
    link = f"http://testserver.local/d/haishu/rating/r/{token}"
    card = client.get(f"{BASE}/{delivery_id}/qr")
    assert card.status_code == 200 and card.headers["content-type"].startswith("text/html")
    assert "请为本次服务评价" in card.text and "平桥社区老年协会" in card.text and link in card.text
    assert "<svg" in card.text
    assert client.get(f"{BASE}/{delivery_id}", headers={}).text.count(f"/rating/deliveries/{delivery_id}/qr") >= 1
    png = client.get(f"{BASE}/{delivery_id}/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    expected = [[bool(v) for v in row] for row in segno.make(link, error="m").matrix]
    assert _modules(png.content) == expected
    svg = client.get(f"{BASE}/{delivery_id}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.lstrip().startswith("<?xml")
    assert client.get(link.removeprefix("http://testserver.local")).status_code == 200  # the phone page opens

    login(client, "resident")
    assert client.get(f"{BASE}/{delivery_id}/qr.png").status_code == 403

    async def rate(ctx):
        d = await service.delivery_for_token(ctx, token)
        await service.submit_rating(ctx, d, stars=5, channel="paper")

    as_user("worker", rate)
    login(client, "worker")
    refused = client.get(f"{BASE}/{delivery_id}/qr")
    assert refused.status_code == 409 and "已经评价过了" in refused.text


def test_api_qr_png_and_svg(client, world, as_user):
    """The API gives the code as PNG and SVG to staff (token auth); unverified delivery → 409, unknown → 404."""

    async def make(ctx):
        good = await delivered(ctx, world.youth, world.li, reference="qr:1")
        unverified = await delivered(ctx, world.youth, world.li, reference="qr:2", verified=False)
        return good.id, unverified.id

    good, unverified = as_user("worker", make)
    staff = {"Authorization": f"Bearer {world.tokens['worker']}"}
    png = client.get(f"{API}/{good}/qr.png", headers=staff)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(f"{API}/{good}/qr.svg", headers=staff).text.count("<svg") == 1
    bad = client.get(f"{API}/{unverified}/qr.png", headers=staff)
    assert bad.status_code == 409 and "核实" in bad.json()["detail"]
    assert client.get(f"{API}/999999/qr.png", headers=staff).status_code == 404
    resident = {"Authorization": f"Bearer {world.tokens['resident']}"}
    assert client.get(f"{API}/{good}/qr.png", headers=resident).status_code == 403
