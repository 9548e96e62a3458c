"""Web pages under ``/d/{district}/council``: residents' phone pages, staff queues, the meeting room, resolutions.

Every page is a full page on a normal load and only its block for htmx. The handlers
live in the ``routes_*`` modules by audience; this module lists them for the hook.
"""

from __future__ import annotations

from typing import Any

from plugins.consultation_council.routes_public import PUBLIC_ROUTES
from plugins.consultation_council.routes_resolutions import RESOLUTION_ROUTES
from plugins.consultation_council.routes_room import ROOM_ROUTES
from plugins.consultation_council.routes_staff import STAFF_ROUTES

__all__ = ("ROUTES",)

ROUTES: list[Any] = [*PUBLIC_ROUTES, *STAFF_ROUTES, *ROOM_ROUTES, *RESOLUTION_ROUTES]
