"""社会组织孵化 (incubation hub): from a chat group to a registered organization.

- ``manifest.py``  key, names, permissions, roles, settings schema
- ``hooks.py``     every hook it implements (the only module the core loads)
- ``models.py``    its tables, ``incubation_*``; ``migrations/`` creates them
- ``service.py``   incubators, spaces, cohorts, mentors (validation and queries)
- ``cases.py``     applications and stages (the ``incubation_case`` case type's rules)
- ``desks.py``     exclusive desk allocation, moves, release at exit
- ``mentoring.py`` supervision sessions, action items, trainings, timeline
- ``assessments.py`` the capacity instrument, assessments and the radar chart
- ``hubs.py``      hub supervision (record rules) and annual evaluations
- ``reports.py``   the figures (incubated, graduated, rates), XLSX export
- ``jobs.py``      renewal and desk-release reminders (the core scheduler)
- ``routes.py``    pages under ``/d/{district}/incubation``
- ``api.py``       JSON under ``/api/v1/districts/{district}/incubation``
- ``seed.py``      demo data for ``sanshe demo``
"""
