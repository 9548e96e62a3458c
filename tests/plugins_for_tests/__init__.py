"""Plugins that exist only for the tests: each implements hooks so a test can see what the core does with them."""
