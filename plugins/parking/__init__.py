"""停车自管 (Parking self-governance): 停车自管：三社平台插件。

Laid out like every Sanshe plugin (the built-in ``plugins/notices/`` too):

- ``manifest.py``    what the plugin declares: key, names, version, permissions, settings schema
- ``hooks.py``       every hook it implements (the only module the core loads)
- ``models.py``      its table ``parking_item``; ``migrations/`` creates it
- ``service.py``     validation and queries shared by the pages, the seed and the tests
- ``routes.py``      web pages under ``/d/{district}/parking``; ``templates/parking/``, ``static/``
- ``case_types/``    the case type it ships (YAML: form + workflow)
- ``seed.py``        demo data for ``sanshe demo``
- ``locale/``        its zh_CN translations; ``tests/`` its own tests (the ``sanshe`` pytest plugin)
"""
