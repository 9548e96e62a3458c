"""The XLSX workbook of a period (sheet 1: the ranking; sheet 2: every rating, voided ones marked).

One builder for the page (``/rating/export.xlsx``), the JSON API (``…/rating/export.xlsx``) and the
command line (``sanshe rating export``); headings in the current locale (Chinese by default).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import TIMEZONE, organizations
from core.plugin_api import gettext as _
from plugins.rating import service
from plugins.rating.models import Rating

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, PluginHost

__all__ = ("CHANNEL_LABELS", "XLSX", "period_workbook")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CHANNEL_LABELS = (
    ("link", "Phone link"),
    ("own_page", "Own page"),
    ("paper", "Paper form"),
    ("phone_survey", "Phone survey"),
)


async def period_workbook(session: AsyncSession, district: District, host: PluginHost, period: service.Period) -> bytes:
    """The period's ranking (the district's settings) and ratings as XLSX bytes (the session bound to ``district``)."""
    from openpyxl import Workbook  # noqa: PLC0415

    start, end = period.bounds()
    rows = await service.ranking_in(session, district, host, period)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Ranking")
    sheet.append(
        [_("Rank"), _("Organization"), _("Ratings"), _("Mean"), _("Bayesian average"), _("Wilson lower bound")]
    )
    for row in rows:
        sheet.append([row.rank or _("Insufficient ratings"), row.name, row.count, row.mean, row.bayesian, row.wilson])
    ratings = book.create_sheet(_("Ratings"))
    ratings.append([_("Submitted"), _("Organization"), _("Stars"), _("Channel"), _("Status"), _("Comment")])
    query = (
        select(Rating, organizations.Organization.name)
        .join(organizations.Organization, organizations.Organization.id == Rating.organization_id)
        .where(Rating.submitted_at >= start, Rating.submitted_at < end)
        .order_by(Rating.submitted_at, Rating.id)
    )
    channels = dict(CHANNEL_LABELS)
    for r, name in (await session.execute(query)).tuples():
        ratings.append(
            [
                r.submitted_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
                name,
                r.stars,
                _(channels.get(r.channel) or r.channel),
                _("Voided") if r.status == "voided" else _("Valid"),
                r.comment,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
