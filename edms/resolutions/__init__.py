"""Resolutions and control of execution: drafts, executors' assignments with deadlines, reports, deadline
extensions, control, the domain events for notifications and the exchange, and the manager's cabinet folders."""
