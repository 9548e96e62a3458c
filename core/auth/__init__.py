"""Authentication: passwords, server-side sessions, CSRF, API tokens, login throttling."""
