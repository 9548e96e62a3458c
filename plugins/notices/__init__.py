"""社区公告 (community notices): a small built-in plugin, laid out exactly as ``plugin_template/`` generates.

- ``manifest.py``  what the plugin declares: key, names, permissions, settings schema
- ``hooks.py``     every hook it implements (the only module the core loads)
- ``models.py``    its table, ``notices_notice``; ``migrations/`` creates it
- ``service.py``   validation and queries shared by the pages, the API and the CLI
- ``routes.py``    web pages under ``/d/{district}/notices``; ``templates/notices/``, ``static/``
- ``api.py``       JSON API under ``/api/v1/districts/{district}/notices``
- ``cli.py``       ``sanshe notices list --district CODE``
- ``seed.py``      demo notices for ``sanshe demo``
- ``locale/``      its zh_CN translations; ``tests/`` its own tests
"""
