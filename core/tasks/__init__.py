"""Linked tasks of cases (转介与任务): a referral to a hospital, a follow-up … each a row of its own.

:mod:`core.tasks.service` holds the rules (who may, which status follows which, the
outcome, the version check, the case's timeline), :mod:`core.tasks.due` the reminders of
tasks due tomorrow or overdue; the pages are :mod:`core.web.case_tasks`, the JSON API
:mod:`core.api.case_tasks`. docs/tasks.md describes them.
"""
