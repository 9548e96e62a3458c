"""Built-in plugins. Each subpackage is self-contained, exactly like a pip-installed plugin."""
