"""Casework (个案工作): the per-service-line report, the read log's pages and API, the demo story (docs/casework.md)."""
