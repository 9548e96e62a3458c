"""The core's web UI: request context, templates, shell, dashboard and admin pages."""
