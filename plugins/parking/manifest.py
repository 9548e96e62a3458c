"""What the parking plugin declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission

__all__ = ("KEY", "MANIFEST")

KEY = "parking"

MANIFEST = Manifest(
    key=KEY,
    name_zh="停车自管",
    name_en="Parking self-governance",
    version="0.1.0",
    description_zh="居民停车自管：车位与自管委员会、业主表决通过的停车公约、停车卡与候补名单、道闸白名单。",
    description_en=(
        "Residents run their estate's parking: spaces and the committee, a convention adopted by the owners' vote,"
        " parking cards with a waiting list, the gate whitelist."
    ),
    permissions=(
        Permission(KEY, "view", "查看停车自管", "View parking self-governance"),
        Permission(KEY, "manage", "管理停车自管（小区、委员会、停车卡）", "Run parking self-governance"),
    ),
)
