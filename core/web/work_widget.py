"""The 工作台's first widget for staff: what I must do today.

My open cases by due date, the counts of my queues (mine, my team, unassigned, due soon,
overdue), and the week's intake and closures as a small bar chart (SVG drawn on the
server: no script, nothing inline for the CSP to refuse).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.cases.labels import sla_badge, state_label
from core.cases.queues import Filters, count_many, daily_flow, list_cases
from core.db import utcnow
from core.i18n import gettext as _
from core.plugins.manifest import Widget
from core.web.queue_view import all_definitions, viewable

if TYPE_CHECKING:
    from core.cases.queues import DayFlow
    from core.context import RequestContext

__all__ = ("work_widget",)

MY_CASES = 8
CHART_HEIGHT = 80


@dataclass(frozen=True)
class Count:
    label: str
    count: int
    href: str
    alert: bool = False


@dataclass(frozen=True)
class Bar:
    day: DayFlow
    label: str
    opened_height: int
    closed_height: int


async def work_widget(ctx: RequestContext) -> Widget:
    """The widget for a staff member of the district (see the module's doc)."""
    definitions = viewable(ctx, await all_definitions(ctx))
    scopes = [
        ("mine", _("My cases"), False),
        ("team", _("My team"), False),
        ("unassigned", _("Unassigned"), False),
        ("due_soon", _("Due soon"), True),
        ("overdue", _("Overdue"), True),
    ]
    numbers = await count_many(ctx, [Filters(scope=scope) for scope, _label, _alert in scopes], definitions)
    counts = [
        Count(label, n, ctx.url(f"/cases?scope={scope}"), alert and n > 0)
        for (scope, label, alert), n in zip(scopes, numbers, strict=True)
    ]
    mine = (await list_cases(ctx, Filters(scope="mine", sort="due"), definitions, limit=MY_CASES)).cases
    types = {d.key: d for d in definitions}
    now = utcnow()
    my_cases = [
        (case, state_label(types.get(case.case_type_key), case.state, ctx.locale), sla_badge(case, now))
        for case in mine
    ]
    flow = await daily_flow(ctx, definitions)
    top = max([1, *(d.opened for d in flow), *(d.closed for d in flow)])
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    bars = [
        Bar(d, weekdays[d.day.weekday()], round(CHART_HEIGHT * d.opened / top), round(CHART_HEIGHT * d.closed / top))
        for d in flow
    ]
    context = {"counts": counts, "my_cases": my_cases, "bars": bars, "height": CHART_HEIGHT}
    return Widget(_("Today's work"), "core/widgets/work.html", context, order=-10, width="full")
