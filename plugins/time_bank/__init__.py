"""时间银行 (time bank): volunteers deposit verified service hours and spend them later.

Laid out exactly as ``plugin_template/`` generates:

- ``manifest.py``   key, names, permissions, settings schema
- ``hooks.py``      every hook it implements (the only module the core loads)
- ``models.py``     its tables ``time_bank_*``; ``migrations/`` creates them
- ``case_types/``   ``time_bank_service.yaml``: a need, matched, served, verified, credited
- ``banks.py``      banks, rules, members and their ledger accounts (``core.ledger``)
- ``needs.py``      needs as cases: matching, recording hours, verification, the credit
- ``activities.py`` group activities, QR check-in, one multi-leg credit
- ``accounts.py``   redeeming, gifts to family (转赠), expiry, incentive rules
- ``importer.py``   CSV/XLSX import of paper service slips (all or nothing)
- ``reports.py``    the dashboard's figures and SVG charts; ``exports.py`` PDF/XLSX statements
- ``routes*.py``    web pages under ``/d/{district}/time-bank``; ``templates/time_bank/``, ``static/``
- ``api.py``        JSON API under ``/api/v1/districts/{district}/time-bank``
- ``cli.py``        ``sanshe time-bank …``; ``seed.py`` the demo bank
- ``locale/``       zh_CN translations; ``tests/`` its own tests
"""
