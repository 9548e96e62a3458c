"""What the star rating plugin declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission

__all__ = ("DEFAULTS", "KEY", "MANIFEST")

KEY = "rating"

DEFAULTS = {
    "window_days": 14,
    "follow_up_working_days": 15,
    "prior_weight": 10,
    "prior_mean": 0.0,
    "min_ratings": 5,
    "bottom_percent": 10,
    "top_percent": 10,
    "appeal_days": 10,
    "dimensions": "服务态度,及时性,服务效果",
    "grade_bands": "5A:900,4A:800,3A:700,2A:600,1A:0",
    "publicity_days": 7,
    "min_registered_years": 2,
    "min_experts": 1,
}


def _int(title: str, default: int, minimum: int, maximum: int) -> dict[str, object]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum, "default": default, "title": title}


MANIFEST = Manifest(
    key=KEY,
    name_zh="星级评价",
    name_en="Star rating",
    version="0.1.0",
    description_zh="居民对真实接受过的服务打分；公平排名、差评回访、申诉、观察期与表彰。",
    description_en=(
        "Residents rate services they really received; fair rankings, follow-up of bad ratings, "
        "appeals, probation and honours."
    ),
    permissions=(
        Permission(KEY, "view", "查看星级评价与排名", "View star ratings and rankings"),
        Permission(KEY, "rate", "评价自己接受的服务", "Rate the services one received"),
        Permission(KEY, "respond", "社会组织回访差评、提出申诉", "Organizations: follow up bad ratings, appeal"),
        Permission(KEY, "manage", "管理星级评价（录入、裁决、评定）", "Manage star ratings (enter, decide, evaluate)"),
        Permission(KEY, "indicators", "编辑等级评估指标体系", "Edit the grade evaluation indicators"),
    ),
    settings_schema={
        "type": "object",
        "properties": {
            "window_days": _int("服务后可评价的天数 / Days after the service a rating is accepted", 14, 1, 90),
            "follow_up_working_days": _int(
                "差评回访期限（工作日） / Working days to follow up a bad rating", 15, 1, 60
            ),
            "prior_weight": _int("贝叶斯先验权重 m / Bayesian prior weight m", 10, 0, 1000),
            "prior_mean": {
                "type": "number",
                "minimum": 0,
                "maximum": 5,
                "default": 0.0,
                "title": "先验均值 C（0 = 本期全部评价的平均） / Prior mean C (0 = mean of the period)",
            },
            "min_ratings": _int("参与排名的最少评价数 / Fewest ratings to be ranked", 5, 1, 1000),
            "bottom_percent": _int("末位比例（%） / Bottom share (%)", 10, 0, 50),
            "top_percent": _int("表彰比例（%） / Honoured share (%)", 10, 0, 50),
            "appeal_days": _int("申诉期（天） / Appeal window (days)", 10, 0, 60),
            "dimensions": {
                "type": "string",
                "maxLength": 200,
                "default": "服务态度,及时性,服务效果",
                "title": "分项（逗号分隔） / Dimensions (comma-separated)",
            },
            "grade_bands": {
                "type": "string",
                "maxLength": 100,
                "default": "5A:900,4A:800,3A:700,2A:600,1A:0",
                "title": "等级评估分数线（等级:最低分） / Grade bands (grade:lowest points)",
            },
            "publicity_days": _int("等级评估公示天数 / Days of publicity of a grade", 7, 1, 60),
            "min_registered_years": _int(
                "申请等级评估须登记满（年） / Years registered before applying for a grade", 2, 0, 10
            ),
            "min_experts": _int("等级评估专家组最少评分人数 / Fewest experts scoring an evaluation", 1, 1, 15),
        },
        "additionalProperties": False,
    },
)
