"""公益创投 (venture philanthropy): a built-in plugin, laid out exactly as ``plugin_template/`` generates.

- ``manifest.py``  key ``grants``, names, permissions
- ``hooks.py``     every hook it implements (the only module the core loads)
- ``models.py``    its tables (``grants_*``); ``migrations/`` creates them
- ``service.py``   calls, applications, eligibility, screening (pages, API and tests go through it)
- ``scoring.py``   reviews, weighted means with n/a, the normalised score (pure functions)
- ``reviews.py``   reviewer assignment, conflicts of interest, reviews
- ``routes.py``    web pages under ``/d/{district}/grants``; ``templates/grants/``, ``static/``
- ``api.py``       JSON API under ``/api/v1/districts/{district}/grants``
- ``seed.py``      demo data for ``sanshe demo``
- ``locale/``      its zh_CN translations; ``tests/`` its own tests
"""
