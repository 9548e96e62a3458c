"""Who may open which page of the plugin: each default role against the staff pages, the window and the guide."""

from __future__ import annotations

from plugins.one_window.tests.support import catalogue, item_id

D = "/d/haishu"
STAFF = {"district_admin", "community_worker", "social_worker"}
WINDOW = {"district_admin", "community_worker"}
OFFICER = "one_window_department"
EVERYONE = {"district_admin", "community_worker", "social_worker", "volunteer", "resident", OFFICER}
# path -> the roles that get 200 (every other logged-in role gets 403)
ACCESS = {
    "/one_window": STAFF,
    "/one_window/items/{item}": STAFF,
    "/one_window/items/new": WINDOW,
    "/one_window/items/{item}/edit": WINDOW,
    "/one_window/import": WINDOW,
    "/one_window/export.xlsx": STAFF,
    "/one_window/intake": WINDOW,
    "/one_window/intakes": STAFF,
    "/one_window/steps": STAFF | {OFFICER},
    "/one_window/reports": STAFF,
    "/one_window/reports.xlsx": STAFF,
    "/public/one_window": EVERYONE,
    "/public/one_window/progress": EVERYONE,
    "/public/one_window/330203-MZ-001": EVERYONE,
}


def test_each_role_gets_its_pages_and_403_elsewhere(sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client):
    """Staff pages for staff, the catalogue's forms and the window for admins and community workers, the
    department queue for staff and departments' officers, the guide and the progress lookup for everyone
    (anonymous visitors too); every other answer is 403, never a page."""
    catalogue(sanshe_factory)
    item = item_id(sanshe_factory, "330203-MZ-001")
    for role in ("district_admin", "community_worker", "social_worker", "volunteer", "resident", OFFICER):
        client = sanshe_client_for(role, org_unit="gulou-mz" if role == OFFICER else None)
        for path, allowed in ACCESS.items():
            response = client.get(D + path.format(item=item), follow_redirects=False)
            expected = 200 if role in allowed else 403
            assert response.status_code == expected, (role, path, response.status_code)
    assert sanshe_client.get(f"{D}/public/one_window/330203-MZ-001").status_code == 200
    assert sanshe_client.get(f"{D}/public/one_window/progress").status_code == 200
    assert sanshe_client.get(f"{D}/one_window/intake", follow_redirects=False).status_code in (302, 303, 401)
