"""Test-only plugins: ``alpha`` and ``beta`` (which depends on alpha and has settings)."""
