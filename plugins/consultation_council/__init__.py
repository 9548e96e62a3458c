"""议事协商 (consultation council): councils, topics, meetings, votes, minutes, resolutions, follow-up.

- ``manifest.py``  key, names, permissions, the council secretary role, settings schema
- ``hooks.py``     every hook it implements (the only module the core loads)
- ``models.py``    its tables ``consultation_council_*``; ``migrations/`` creates them
- ``case_types/``  ``council_topic.yaml``: the topic (议事议题) workflow
- ``councils.py``, ``topics.py``, ``meetings.py``, ``minutes.py``, ``resolutions.py``,
  ``notify.py``    the services shared by pages, API, CLI and seed
- ``pdf.py``       printable minutes (fpdf2 + Noto Sans CJK)
- ``routes_*.py``  web pages under ``/d/{district}/council`` (``routes.py`` lists them)
- ``api.py``       JSON API under ``/api/v1/districts/{district}/council``
- ``cli.py``       ``sanshe council digest`` (run daily by cron), ``sanshe council list``
- ``seed.py``      平桥社区议事会 for ``sanshe demo``
- ``locale/``      zh_CN translations; ``tests/`` its own tests
"""
