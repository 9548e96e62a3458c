"""The registry of residents and households (住户): people, households at an address, vehicles.

Kept light on purpose (``core.forms`` imports :mod:`core.forms.formats`): the
functions for plugins are in :mod:`core.residents.public`, the pages in
:mod:`core.residents.web`, the JSON API in :mod:`core.residents.api`.
"""
