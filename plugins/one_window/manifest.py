"""What the one_window plugin declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission, RoleDef

__all__ = ("DEPARTMENT_ROLE", "KEY", "MANIFEST")

KEY = "one_window"
DEPARTMENT_ROLE = "one_window_department"  # a department's officer: a membership limited to the department

MANIFEST = Manifest(
    key=KEY,
    name_zh="一窗受理",
    name_en="One window",
    version="0.1.0",
    description_zh="服务事项清单、窗口受理与一次性告知单",
    description_en="The service catalogue, intake at the window and the one-time notice of missing documents.",
    permissions=(
        Permission(KEY, "view", "查看服务事项清单与受理记录", "View the service catalogue and intakes"),
        Permission(KEY, "manage", "维护服务事项清单", "Maintain the service catalogue"),
        Permission(KEY, "intake", "窗口受理", "Receive requests at the window"),
        Permission(KEY, "department", "部门办理一窗受理事项", "Work the department's one-window steps"),
        Permission(KEY, "reports", "查看一窗受理统计", "View the one-window reports"),
    ),
    roles=(RoleDef(DEPARTMENT_ROLE, "部门经办人", "Department officer"),),
    # Per-district settings (JSON Schema): the modules page renders a form from it and
    # validates what a district admin saves; service.window_settings() reads the values.
    settings_schema={
        "type": "object",
        "properties": {
            "intro": {
                "type": "string",
                "maxLength": 200,
                "default": "",
                "title": "办事指南说明 / Text shown at the top of the public guide",
            },
            "window_address": {
                "type": "string",
                "maxLength": 100,
                "default": "街道便民服务中心一楼综合受理窗口",
                "title": "受理窗口地址 / Where residents bring documents",
            },
            "supplement_days": {
                "type": "integer",
                "minimum": 1,
                "maximum": 30,
                "default": 5,
                "title": "补齐材料期限（工作日）/ Working days to bring missing documents",
            },
            "warn_days": {
                "type": "integer",
                "minimum": 0,
                "maximum": 10,
                "default": 1,
                "title": "到期前几个工作日提醒 / Working days before a time limit to warn",
            },
            "service_organization": {
                "type": "string",
                "maxLength": 100,
                "default": "",
                "title": "承接服务的社会组织（用于服务评价）/ Organization running the window (for ratings)",
            },
        },
        "additionalProperties": False,
    },
)
