"""Web pages under ``/d/{district}/time-bank``: the member's phone page, forms, staff queues, activities, exports.

Every page is a full page on a normal load and only its block for htmx. The handlers
live in the ``routes_*`` modules by audience; this module lists them for the hook.
"""

from __future__ import annotations

from typing import Any

from plugins.time_bank.routes_activities import ACTIVITY_ROUTES
from plugins.time_bank.routes_banks import BANK_ROUTES
from plugins.time_bank.routes_forms import FORM_ROUTES
from plugins.time_bank.routes_import import IMPORT_ROUTES
from plugins.time_bank.routes_me import ME_ROUTES
from plugins.time_bank.routes_offers import OFFER_ROUTES
from plugins.time_bank.routes_reports import REPORT_ROUTES
from plugins.time_bank.routes_rules import RULES_ROUTES
from plugins.time_bank.routes_staff import STAFF_ROUTES

__all__ = ("ROUTES",)

ROUTES: list[Any] = [
    *ME_ROUTES,
    *OFFER_ROUTES,
    *FORM_ROUTES,
    *BANK_ROUTES,
    *STAFF_ROUTES,
    *REPORT_ROUTES,
    *ACTIVITY_ROUTES,
    *IMPORT_ROUTES,
    *RULES_ROUTES,
]
