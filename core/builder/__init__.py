"""The low-code builder: district admins define case types, forms and workflows in the browser."""

from __future__ import annotations
