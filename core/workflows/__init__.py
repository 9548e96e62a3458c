"""Workflows as data: states, transitions, guards, SLA clocks."""

from __future__ import annotations

from core.workflows.definition import SLA, State, StateKind, Transition, WorkflowDef, parse_workflow
from core.workflows.sla import WorkingCalendar, due_after, working_seconds_between

__all__ = (
    "SLA",
    "State",
    "StateKind",
    "Transition",
    "WorkflowDef",
    "WorkingCalendar",
    "due_after",
    "parse_workflow",
    "working_seconds_between",
)
