"""What the incubation plugin declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission, RoleDef

__all__ = ("CASE_TYPE", "KEY", "MANIFEST", "MENTOR_ROLE", "STAFF_ROLE")

KEY = "incubation"
CASE_TYPE = "incubation_case"
STAFF_ROLE = "incubation_staff"
MENTOR_ROLE = "incubation_mentor"

MANIFEST = Manifest(
    key=KEY,
    name_zh="社会组织孵化",
    name_en="Incubation hub",
    version="0.1.0",
    description_zh="孵化基地：入驻申请、筛选、备案、入驻、登记、出壳；工位、导师督导、能力评估、枢纽监管与统计。",
    description_en="Incubation hub: applications, screening, filing, residency, registration and graduation; "
    "desks, mentoring, capacity assessments, hub supervision and reports.",
    permissions=(
        Permission(KEY, "view", "查看孵化基地与在孵组织", "View incubators and incubated organizations"),
        Permission(KEY, "apply", "申请入驻孵化基地", "Apply to an incubator"),
        Permission(KEY, "mentor", "担任孵化导师（督导记录）", "Mentor incubated organizations"),
        Permission(KEY, "manage", "管理孵化基地（筛选、工位、阶段、评估）", "Run the incubator"),
    ),
    roles=(
        RoleDef(STAFF_ROLE, "孵化基地工作人员", "Incubation centre staff"),
        RoleDef(MENTOR_ROLE, "孵化导师", "Incubation mentor"),
    ),
    settings_schema={
        "type": "object",
        "properties": {
            "planned_months": {
                "type": "integer",
                "minimum": 1,
                "maximum": 72,
                "default": 24,
                "title": "默认孵化期（月） / Default incubation period (months)",
            },
            "release_working_days": {
                "type": "integer",
                "minimum": 1,
                "maximum": 60,
                "default": 15,
                "title": "退驻后归还工位期限（工作日） / Working days to hand back a desk after exit",
            },
            "renewal_notice_days": {
                "type": "integer",
                "minimum": 1,
                "maximum": 120,
                "default": 30,
                "title": "期满前提醒续驻（天） / Days before the planned end to remind about renewal",
            },
            "registered_may_enter_registered": {
                "type": "boolean",
                "default": True,
                "title": "已登记的组织可直接以“已登记”阶段入驻 / Registered organizations may enter as registered",
            },
            "assessment_within_days": {
                "type": "integer",
                "minimum": 1,
                "maximum": 730,
                "default": 180,
                "title": "出壳前能力评估的有效期（天） / Days an assessment counts for graduation",
            },
            "publish_assessments": {
                "type": "boolean",
                "default": False,
                "title": "在公开页面展示能力评估平均分 / Show the capacity-assessment average on the public page",
            },
        },
        "additionalProperties": False,
    },
)
