"""The default roles of every district and the core's own permissions."""

from __future__ import annotations

from core.plugins.manifest import Permission, PolicyDefault, RoleDef

__all__ = ("CORE_PERMISSIONS", "CORE_POLICIES", "DEFAULT_ROLES")

DEFAULT_ROLES: tuple[RoleDef, ...] = (
    RoleDef("district_admin", "区管理员", "District admin"),
    RoleDef("community_worker", "社区工作者", "Community worker"),
    RoleDef("social_worker", "社工", "Social worker"),
    RoleDef("org_staff", "社会组织工作人员", "Organization staff"),
    RoleDef("volunteer", "志愿者", "Volunteer"),
    RoleDef("resident", "居民", "Resident"),
    RoleDef("resident_pending", "待确认居民", "Resident (registration pending)"),
    RoleDef("expert", "评审专家", "Expert reviewer"),
    RoleDef("council_member", "议事会成员", "Council member"),
    RoleDef("parking_committee", "停车自管委员", "Parking committee member"),
    RoleDef("department_staff", "职能部门工作人员", "Department staff"),
    RoleDef("town_office", "镇长办公室", "Town head's office"),
    # Supervises social workers' casework (督导): sees the casework of their org units, its read log.
    RoleDef("casework_supervisor", "社工督导", "Casework supervisor"),
)

CORE_PERMISSIONS: tuple[Permission, ...] = (
    Permission("dashboard", "view", "查看工作台", "View the dashboard"),
    Permission("district", "admin", "管理本区设置", "Manage district settings"),
    Permission("org_units", "view", "查看组织架构", "View org units"),
    Permission("org_units", "manage", "管理组织架构", "Manage org units"),
    Permission("users", "view", "查看用户", "View users"),
    Permission("users", "manage", "管理用户与成员", "Manage users and memberships"),
    Permission("roles", "manage", "管理角色与权限", "Manage roles and permissions"),
    Permission("plugins", "manage", "管理模块", "Manage modules"),
    Permission("resident", "view", "查看住户信息", "View residents and households"),
    Permission("resident", "edit", "登记和修改住户信息", "Record and edit residents and households"),
    Permission(
        "resident", "view_sensitive", "查看完整身份证号和电话", "See full ID numbers and phones (each view is logged)"
    ),
    Permission("organization", "view", "查看全部社会组织", "View every social organization"),
    Permission("organization", "edit", "登记和修改社会组织", "Add and change social organizations"),
    Permission("organization", "import", "从表格导入社会组织", "Import social organizations from a spreadsheet"),
    Permission(
        "organization",
        "view_own",
        "打开社会组织名录（至少看到本人所在组织）",
        "Open the registry (at least one's own organizations)",
    ),
    Permission("organization", "edit_own", "修改本人所在社会组织", "Change one's own organizations"),
    Permission("registrations", "confirm", "确认居民注册", "Confirm residents' registrations"),
    Permission("casework", "report", "查看个案工作统计（按服务领域）", "View casework statistics per service line"),
)

_ALL_STAFF = ("district_admin", "community_worker", "social_worker", "org_staff")
_EVERYONE = tuple(r.key for r in DEFAULT_ROLES)

CORE_POLICIES: tuple[PolicyDefault, ...] = (
    *(PolicyDefault(role, "dashboard", "view") for role in _EVERYONE),
    *(
        PolicyDefault("district_admin", p.resource, p.action)
        for p in CORE_PERMISSIONS
        if p.resource != "dashboard" and p.action != "edit_own"
    ),
    *(PolicyDefault(role, "org_units", "view") for role in _ALL_STAFF[1:]),
    *(PolicyDefault(role, "users", "view") for role in ("community_worker", "social_worker")),
    # Residents and households: volunteers and residents have no access (a resident seeing
    # their own record is planned through Person.user_id, not through this permission).
    *(PolicyDefault("community_worker", "resident", a) for a in ("view", "edit", "view_sensitive")),
    *(PolicyDefault("social_worker", "resident", a) for a in ("view", "edit")),
    # The organization registry: workers see and keep every profile; organization staff only
    # their own organizations' (a record rule, see core.organizations.access).
    # ``view_own`` opens the registry (the menu link); ``view`` then shows every organization.
    *(
        PolicyDefault(role, "organization", act)
        for role in ("community_worker", "social_worker")
        for act in ("view", "edit", "view_own")
    ),
    PolicyDefault("org_staff", "organization", "view_own"),
    PolicyDefault("org_staff", "organization", "edit_own"),
    PolicyDefault("community_worker", "registrations", "confirm"),
    PolicyDefault("casework_supervisor", "casework", "report"),
)
