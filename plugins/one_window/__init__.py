"""一窗受理 (One window): 服务事项清单、窗口受理与一次性告知 / Service catalogue, window intake and the one-time notice

Laid out like every Sanshe plugin (the built-in ``plugins/notices/`` too):

- ``manifest.py``    what the plugin declares: key, names, version, permissions, settings schema
- ``hooks.py``       every hook it implements (the only module the core loads)
- ``models.py``      its table ``one_window_item``; ``migrations/`` creates it
- ``service.py``     validation and queries shared by the pages, the seed and the tests
- ``routes.py``      web pages under ``/d/{district}/one_window``; ``templates/one_window/``, ``static/``
- ``case_types/``    the case type it ships (YAML: form + workflow)
- ``seed.py``        demo data for ``sanshe demo``
- ``locale/``        its zh_CN translations; ``tests/`` its own tests (the ``sanshe`` pytest plugin)
"""
