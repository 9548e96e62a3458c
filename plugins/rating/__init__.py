"""星级评价 (Star rating): residents rate services they really received; fair rankings, follow-ups, appeals.

Laid out like every Sanshe plugin (the built-in ``plugins/notices/`` too):

- ``manifest.py``    key, names, permissions, per-district settings (window, m, C, minimum count, shares)
- ``hooks.py``       every hook it implements (the only module the core loads)
- ``models.py``      its tables ``rating_rating``, ``rating_follow_up``, ``rating_appeal``, ``rating_standing``
- ``service.py``     the rules, shared by the pages, the API, the seed and the tests
- ``routes.py``      web pages under ``/d/{district}/rating``; ``templates/rating/``, ``static/``
- ``api.py``         JSON API under ``/api/v1/districts/{district}/rating``
- ``grading.py``     the grade evaluation (等级评估 1A–5A): indicator trees, eligibility, self-assessment,
                     expert panel, publicity, review, confirmation; ``models_grades.py``, ``routes_grades.py``,
                     ``api_grades.py``, ``seed_grades.py``
- ``seed.py``        demo data for ``sanshe demo``
- ``locale/``        its zh_CN translations; ``tests/`` its own tests

It rates only the core's service deliveries (``core.plugin_api.deliveries``) and reports
probation and removal through the ``organization_standing`` hook. See docs/rating.md.
"""
