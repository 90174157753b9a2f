"""Reminders: rules, the planner that says who gets what on a day, the digests and outbox."""
