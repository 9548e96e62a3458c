"""Cases: creation, editing with optimistic locking, transitions, timeline, visibility, queues."""
