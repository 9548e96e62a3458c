"""The one place where districts, org units, users, memberships, roles, policies and plugin
enablement are written. Admin pages, the JSON API and the CLI all call these functions;
permission checks stay with the caller (``ctx.require``), validation and the tenancy
invariants live here. Their refusals are :mod:`core.refusal`'s.
"""
