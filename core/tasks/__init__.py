"""Linked tasks of cases (转介与任务): a referral to a hospital, a follow-up … each a row of its own.

:mod:`core.tasks.service` holds the rules (who may, which status follows which, the
outcome, the version check, the case's timeline), :mod:`core.tasks.due` the reminders of
tasks due tomorrow or overdue, :mod:`core.tasks.web` and :mod:`core.tasks.api` the pages
and the JSON API. docs/tasks.md describes them.
"""
