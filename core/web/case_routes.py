"""The case pages' handlers (filing a case, the case page and what is done on it, form fragments)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.web.case_actions import CASE_ACTION_ROUTES
from core.web.case_page import CASE_PAGE_ROUTES
from core.web.cases_new import NEW_CASE_ROUTES
from core.web.forms import FORM_ROUTES

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

__all__ = ("CASE_ROUTES",)

CASE_ROUTES: list[ControllerRouterHandler] = [*NEW_CASE_ROUTES, *CASE_PAGE_ROUTES, *CASE_ACTION_ROUTES, *FORM_ROUTES]
